#!/usr/bin/env bash
# The filter runs in the kernel: 10,000 opens of other files (for writing and for reading)
# deliver ZERO events to user space. sakerd's counters show the kernel looked at them all and
# sent only the one matching open that ends the run.
. "$(dirname "$0")/lib.sh"
need_root

write_shadow_rules "$E2E_TMP/rules.yaml"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/shadow.saker"
start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/shadow.saker"

"$OPENER" many 5000 "$E2E_TMP/other-file" w > /dev/null || fail "write opens failed"
"$OPENER" many 5000 /etc/passwd r > /dev/null || fail "read opens failed"
# The only event that should reach user space: a marker that the run is over.
"$OPENER" write /etc/shadow > /dev/null || fail "marker open failed"
wait_lines "$SAKERD_OUT" 1
sleep 0.5

# SIGUSR1 refreshes the stats file without stopping sakerd.
rm -f "$E2E_TMP/stats.json"
kill -USR1 "$SAKERD_PID"
for i in $(seq 100); do [ -s "$E2E_TMP/stats.json" ] && break; sleep 0.1; done
[ -s "$E2E_TMP/stats.json" ] || fail "SIGUSR1 did not write the stats file"
kill -0 "$SAKERD_PID" || fail "sakerd stopped on SIGUSR1"

stop_sakerd INT
stats=$(cat "$E2E_TMP/stats.json")
echo "stats: $stats"
expect_eq "events received by user space" "$(jq -r .events_received <<< "$stats")" 1
expect_eq "alerts" "$(jq -r .alerts <<< "$stats")" 1
expect_eq "lost" "$(jq -r .lost <<< "$stats")" 0
expect_eq "malformed" "$(jq -r .malformed <<< "$stats")" 0
seen=$(jq -r .kernel_seen <<< "$stats")
[ "$seen" -ge 10001 ] || fail "the kernel saw only $seen hooked syscall exits, fewer than the 10,001 opens"
expect_eq "kernel matched" "$(jq -r .kernel_matched <<< "$stats")" 1
expect_eq "alert lines" "$(wc -l < "$SAKERD_OUT")" 1
echo "PASS ($E2E_NAME): kernel saw $seen syscall exits, user space received 1 event"
