#!/usr/bin/env bash
# Every output against a real receiver: a file (rotated with mv + SIGHUP), a unix datagram socket
# as syslog's, a program's stdin (killed, then restarted with back-off), an HTTP server; then a
# hung HTTP receiver with a tiny queue must not hold back the file output, and its drops are
# counted and announced by an internal alert.
. "$(dirname "$0")/lib.sh"
need_root
RECV="$SAKER_BINARY_DIR/tests/saker_recv"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; cleanup' EXIT

TARGET="$E2E_TMP/target"
write_target_rules "$E2E_TMP/rules.yaml" "$TARGET"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/target.saker"

"$RECV" http "$E2E_TMP/http.port" "$E2E_TMP/http.out" & PIDS+=($!)
"$RECV" dgram "$E2E_TMP/syslog.sock" "$E2E_TMP/syslog.out" & PIDS+=($!)
for i in $(seq 100); do [ -s "$E2E_TMP/http.port" ] && [ -S "$E2E_TMP/syslog.sock" ] && break; sleep 0.1; done
port=$(cat "$E2E_TMP/http.port") || fail "the HTTP receiver did not start"

cat > "$E2E_TMP/sakerd.yaml" <<YAML
bundles: [$E2E_TMP/target.saker]
json_output: true
stdout_output:
  enabled: false
file_output:
  enabled: true
  filename: $E2E_TMP/alerts.json
syslog_output:
  enabled: true
  socket: $E2E_TMP/syslog.sock
  format: text
program_output:
  enabled: true
  program: exec cat >> $E2E_TMP/program.out
http_output:
  enabled: true
  url: http://127.0.0.1:$port/
stats_file: $E2E_TMP/stats.json
YAML
"$SAKERD" --validate-config "$E2E_TMP/sakerd.yaml" > /dev/null || fail "the test's configuration does not validate"

# libcurl is opened on first use: not linked, not mapped by a sakerd whose outputs need no HTTP
# and that looked up no container, mapped once an HTTP output is configured.
ldd "$SAKERD" | grep -q libcurl && fail "sakerd links libcurl: $(ldd "$SAKERD" | grep libcurl)"
start_sakerd --json "$E2E_TMP/target.saker"
"$OPENER" write "$TARGET" > /dev/null || fail "write open failed"
wait_lines "$SAKERD_OUT" 1
grep -q libcurl "/proc/$SAKERD_PID/maps" && fail "an idle sakerd with stdout output mapped libcurl"
stop_sakerd TERM

start_sakerd -c "$E2E_TMP/sakerd.yaml"
grep -q 'libcurl\.so\.4' "/proc/$SAKERD_PID/maps" || fail "sakerd with an HTTP output did not load libcurl"

for i in 1 2 3; do "$OPENER" write "$TARGET" > /dev/null || fail "write open failed"; done
wait_lines "$E2E_TMP/alerts.json" 3
wait_lines "$E2E_TMP/syslog.out" 3
wait_lines "$E2E_TMP/program.out" 3
wait_lines "$E2E_TMP/http.out" 3
for f in alerts.json program.out http.out; do
	expect_eq "$f: rules" "$(jq -r .rule "$E2E_TMP/$f" | sort -u)" "Write to target"
	expect_eq "$f: priorities" "$(jq -r .priority "$E2E_TMP/$f" | sort -u)" "Critical"
done
grep -Eq '^<10>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} sakerd\[[0-9]+\]: [0-9:.]{18}: Critical File [^ ]*/target opened for writing' "$E2E_TMP/syslog.out" ||
	fail "syslog line: $(head -n 1 "$E2E_TMP/syslog.out")"
[ -s "$SAKERD_OUT" ] && fail "stdout is disabled, yet got: $(cat "$SAKERD_OUT")"

# logrotate: move the file away, SIGHUP, and the next alert goes to a new file by the old name.
mv "$E2E_TMP/alerts.json" "$E2E_TMP/alerts.json.1"
kill -HUP "$SAKERD_PID"
for i in $(seq 100); do grep -q 'reloaded' "$SAKERD_ERR" && break; sleep 0.1; done
"$OPENER" write "$TARGET" > /dev/null || fail "write open failed"
wait_lines "$E2E_TMP/alerts.json" 1
# the reload keeps the back end, and says why as the first load did
! grep -q "(no LSM back end: )" "$SAKERD_ERR" || fail "the reload lost why the LSM back end is not in use"
expect_eq "rotated file keeps its lines" "$(wc -l < "$E2E_TMP/alerts.json.1")" 3

# The program dies: the next alert finds it gone, sakerd starts it again after a second.
prog=$(pgrep -P "$SAKERD_PID" -x cat) || fail "no program child of sakerd"
kill -KILL $prog
sleep 0.3
"$OPENER" write "$TARGET" > /dev/null
sleep 1.5
"$OPENER" write "$TARGET" > /dev/null
# 3 + the rotation's alert before the kill, the one after the restart makes 5
for i in $(seq 100); do [ "$(wc -l < "$E2E_TMP/program.out")" -ge 5 ] && break; sleep 0.1; done
[ "$(wc -l < "$E2E_TMP/program.out")" -ge 5 ] || fail "the program was not restarted: $(wc -l < "$E2E_TMP/program.out") lines"
newprog=$(pgrep -P "$SAKERD_PID" -x cat) || fail "no program after the restart"
[ "$newprog" != "$prog" ] || fail "the same program pid"
stop_sakerd TERM
expect_eq "HTTP alerts" "$(wc -l < "$E2E_TMP/http.out")" 6
# every alert is delivered or counted: 6 to each of 4 outputs, the one the dead program missed failed
delivered=$(( $(wc -l < "$E2E_TMP/alerts.json.1") + $(wc -l < "$E2E_TMP/alerts.json") ))
expect_eq "file alerts" "$delivered" 6
failed=$(jq -r .output_failed "$E2E_TMP/stats.json")
expect_eq "program alerts + failed" "$(( $(wc -l < "$E2E_TMP/program.out") + failed ))" 6

# A receiver that accepts and never answers, with a queue of 2: the file output gets every alert.
"$RECV" hang "$E2E_TMP/hang.port" & PIDS+=($!)
for i in $(seq 100); do [ -s "$E2E_TMP/hang.port" ] && break; sleep 0.1; done
cat > "$E2E_TMP/slow.yaml" <<YAML
json_output: true
stdout_output: {enabled: false}
file_output: {enabled: true, filename: $E2E_TMP/slow.json}
http_output: {enabled: true, url: "http://127.0.0.1:$(cat "$E2E_TMP/hang.port")/", queue_capacity: 2, timeout_ms: 60000}
stats_file: $E2E_TMP/slow-stats.json
YAML
start_sakerd -c "$E2E_TMP/slow.yaml" "$E2E_TMP/target.saker"
for i in $(seq 10); do "$OPENER" write "$TARGET" > /dev/null; done
for i in $(seq 100); do [ "$(jq -c 'select(.rule == "Write to target")' "$E2E_TMP/slow.json" | wc -l)" -ge 10 ] && break; sleep 0.1; done
expect_eq "file alerts beside a hung receiver" "$(jq -c 'select(.rule == "Write to target")' "$E2E_TMP/slow.json" | wc -l)" 10
for i in $(seq 30); do grep -q '"saker internal: output drop"' "$E2E_TMP/slow.json" && break; sleep 0.1; done
drop=$(jq -r 'select(.rule == "saker internal: output drop") | .output_fields.output' "$E2E_TMP/slow.json" | head -n 1)
expect_eq "the internal alert names the output" "$drop" "http:http://127.0.0.1:$(cat "$E2E_TMP/hang.port")/"
grep -q 'output http:.* dropped [0-9]* alerts: its queue of 2 was full' "$SAKERD_ERR" || fail "no drop message on stderr"
stop_sakerd TERM
dropped=$(jq -r .output_dropped "$E2E_TMP/slow-stats.json")
failed=$(jq -r .output_failed "$E2E_TMP/slow-stats.json")
# 10 alerts: one or two taken by the hung request, two queued, the rest dropped; at exit the
# ones held are given up on and counted as failed
expect_eq "HTTP dropped + failed" "$((dropped + failed))" 10
echo "PASS ($E2E_NAME): file, syslog, program (restarted), HTTP; $dropped dropped beside a hung receiver"
