#!/usr/bin/env bash
# Stress: several processes flood opens, a share of them matching a rule, while sakerd is
# stopped (SIGSTOP) for a few seconds in the middle, with a ring buffer small enough to fill.
# Every triggered event must be accounted for exactly: alerts delivered to the output, plus
# events the kernel counted as lost, plus alerts an output queue dropped.
. "$(dirname "$0")/lib.sh"
need_root

mkdir "$E2E_TMP/hot" "$E2E_TMP/cold"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Open of a hot file
  desc: opens of the test's hot files only
  condition: >
    evt.type in (open, openat, openat2, creat) and fd.directory = $E2E_TMP/hot
    and fd.name_cut = false
  output: hot open of %fd.name by %proc.name
  priority: NOTICE
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/hot.saker"
start_sakerd --json --ring-buffer-size 64K -o "$E2E_TMP/alerts.json" --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/hot.saker"

P=4 HOT=3000 COLD=6000
pids=()
for p in $(seq $P); do
	"$OPENER" seq $HOT "$E2E_TMP/hot/p$p" 200 > /dev/null & pids+=($!)
	"$OPENER" seq $COLD "$E2E_TMP/cold/p$p" 100 > /dev/null & pids+=($!)
done
sleep 0.5
kill -STOP "$SAKERD_PID"
sleep 3
kill -CONT "$SAKERD_PID"
for p in "${pids[@]}"; do wait "$p" || fail "an opener failed"; done
sleep 1
stop_sakerd TERM

triggered=$((P * HOT))
stats=$(cat "$E2E_TMP/stats.json")
echo "stats: $stats"
matched=$(jq -r .kernel_matched <<< "$stats")
lost=$(jq -r .lost <<< "$stats")
dropped=$(jq -r .output_dropped <<< "$stats")
failed=$(jq -r .output_failed <<< "$stats")
delivered=$(jq -c 'select(.rule == "Open of a hot file")' "$E2E_TMP/alerts.json" | wc -l)
expect_eq "kernel matched" "$matched" "$triggered"
[ "$lost" -gt 0 ] || fail "nothing was lost while sakerd was stopped: the test did not stress"
expect_eq "delivered + lost + dropped + failed" "$((delivered + lost + dropped + failed))" "$triggered"
reported=$(jq -s '[.[] | select(.rule == "saker internal: event loss") | .output_fields.n] | add // 0' "$E2E_TMP/alerts.json")
expect_eq "losses announced by internal alerts" "$reported" "$lost"
# no hot file alerted twice
dups=$(jq -r 'select(.rule == "Open of a hot file") | .output_fields."fd.name"' "$E2E_TMP/alerts.json" | sort | uniq -d | wc -l)
expect_eq "files alerted twice" "$dups" 0
echo "PASS ($E2E_NAME): $triggered triggered = $delivered delivered + $lost lost + $dropped dropped + $failed failed"
