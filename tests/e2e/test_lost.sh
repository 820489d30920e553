#!/usr/bin/env bash
# Nothing is dropped silently: while sakerd is stopped, matching opens overflow a small ring
# buffer; every event is then either delivered (one alert each) or counted as lost, and the
# counts add up to what the kernel matched.
. "$(dirname "$0")/lib.sh"
need_root

mkdir "$E2E_TMP/flood"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Open in flood dir
  desc: every open of the test's file
  condition: evt.type in (open, openat, openat2, creat) and fd.name = $E2E_TMP/flood/f
  output: open of %fd.name by %proc.name
  priority: NOTICE
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/flood.saker"
start_sakerd --json --ring-buffer-size 16K --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/flood.saker"

kill -STOP "$SAKERD_PID"
"$OPENER" many 200 "$E2E_TMP/flood/f" w > /dev/null || { kill -CONT "$SAKERD_PID"; fail "opens failed"; }
kill -CONT "$SAKERD_PID"
sleep 1
stop_sakerd TERM

stats=$(cat "$E2E_TMP/stats.json")
echo "stats: $stats"
received=$(jq -r .events_received <<< "$stats")
lost=$(jq -r .lost <<< "$stats")
matched=$(jq -r .kernel_matched <<< "$stats")
alerts=$(wc -l < "$SAKERD_OUT")
expect_eq "kernel matched" "$matched" 200
[ "$lost" -gt 0 ] || fail "a 16 KiB ring buffer held 200 events: nothing was lost, so nothing was tested"
expect_eq "received + lost" "$((received + lost))" "$matched"
expect_eq "alert lines" "$alerts" "$received"
grep -q "lost $lost" "$SAKERD_ERR" || fail "sakerd's exit line does not report the $lost lost events"
echo "PASS ($E2E_NAME): 200 matched, $received delivered, $lost counted as lost"
