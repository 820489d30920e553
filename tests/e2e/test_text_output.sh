#!/usr/bin/env bash
# Text alerts appended to a file with -o, flushed per line (readable while sakerd runs), and a
# clean stop on SIGTERM with the counters printed. Also runs the same rules through `saker run`.
. "$(dirname "$0")/lib.sh"
need_root

write_shadow_rules "$E2E_TMP/rules.yaml"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/shadow.saker"
echo "an earlier line" > "$E2E_TMP/alerts.log"
start_sakerd -o "$E2E_TMP/alerts.log" "$E2E_TMP/shadow.saker"

pid=$("$OPENER" write /etc/shadow) || fail "write open failed"
wait_lines "$E2E_TMP/alerts.log" 2
expect_eq "first line kept (append)" "$(head -n 1 "$E2E_TMP/alerts.log")" "an earlier line"
line=$(sed -n 2p "$E2E_TMP/alerts.log")
echo "$line" | grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}: Critical File /etc/shadow opened for writing \(user=root uid=0 process=saker_opener pid='"$pid"' file=/etc/shadow flags=O_WRONLY\|O_APPEND\|O_CLOEXEC container_id=host\)$' ||
	fail "unexpected text alert: $line"
[ -s "$SAKERD_OUT" ] && fail "alerts went to stdout despite -o: $(cat "$SAKERD_OUT")"
stop_sakerd TERM
grep -q '^sakerd: events received 1, lost 0, alerts 1$' "$SAKERD_ERR" ||
	fail "counters: $(cat "$SAKERD_ERR")"

# saker run: the same rules compiled in memory, run by the same runtime code.
"$SAKER" run --json "$E2E_TMP/rules.yaml" > "$E2E_TMP/run.out" 2> "$E2E_TMP/run.err" &
SAKERD_PID=$!
SAKERD_ERR="$E2E_TMP/run.err"
for i in $(seq 600); do
	grep -q '^saker run: ready$' "$E2E_TMP/run.err" && break
	kill -0 "$SAKERD_PID" 2>/dev/null || fail "saker run exited early"
	sleep 0.1
done
grep -q '^saker run: ready$' "$E2E_TMP/run.err" || fail "saker run was not ready within 60 s"
"$OPENER" openat2 /etc/shadow > /dev/null || fail "openat2 failed"
wait_lines "$E2E_TMP/run.out" 1
expect_eq "saker run: rule" "$(head -n 1 "$E2E_TMP/run.out" | jq -r .rule)" "Write to shadow"
kill -TERM "$SAKERD_PID"
for i in $(seq 200); do kill -0 "$SAKERD_PID" 2>/dev/null || break; sleep 0.1; done
wait "$SAKERD_PID"
expect_eq "saker run exit status after SIGTERM" "$?" 0
SAKERD_PID=
grep -q '^saker run: events received 1, lost 0, alerts 1$' "$E2E_TMP/run.err" ||
	fail "saker run counters: $(cat "$E2E_TMP/run.err")"
echo "PASS ($E2E_NAME)"
