#!/usr/bin/env bash
# A partial rule end to end: the kernel filters on the file and the write open, sakerd decides
# the part it alone knows (user.name). The matching event alerts; the event that passes the
# kernel part but fails the residual does not; the counters say which was which; a rule the
# compiler cannot run yet is named at start, not dropped silently.
. "$(dirname "$0")/lib.sh"
need_root
command -v setpriv >/dev/null || skip "setpriv (util-linux) is needed to open as another user"

target="$E2E_TMP/residual-target"
: > "$target"
chmod 666 "$target"
chmod 755 "$E2E_TMP"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Written by root
  desc: a write open of the test file by the user named root
  condition: evt.type in (open, openat, openat2) and evt.is_open_write = true and fd.name = $target and user.name = root
  output: "written by %user.name uid=%user.uid file=%fd.name"
  priority: WARNING
- rule: Needs the command line
  desc: saker does not capture proc.env yet
  condition: evt.type = openat and proc.env contains saker-residual-test
  output: "never"
  priority: NOTICE
YAML
"$SAKER" check "$E2E_TMP/rules.yaml" > "$E2E_TMP/check.out" 2>&1 || fail "check: $(cat "$E2E_TMP/check.out")"
grep -q "rule 'Written by root' .*: partial, in kernel on open, openat, openat2; sakerd tests user.name" "$E2E_TMP/check.out" ||
	fail "the rule should be partial with a user.name residual: $(cat "$E2E_TMP/check.out")"
grep -q "rule 'Needs the command line' .*: not supported yet, needs proc.env" "$E2E_TMP/check.out" ||
	fail "the cmdline rule should be left out: $(cat "$E2E_TMP/check.out")"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/r.saker"
"$SAKER" inspect "$E2E_TMP/r.saker" > "$E2E_TMP/inspect.out" || fail "inspect failed"
grep -q "residual: user.name = root" "$E2E_TMP/inspect.out" || fail "inspect shows no residual: $(cat "$E2E_TMP/inspect.out")"
grep -q "Needs the command line (.*): needs field proc.env" "$E2E_TMP/inspect.out" ||
	fail "inspect does not list the left-out rule: $(cat "$E2E_TMP/inspect.out")"

start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/r.saker"
grep -q "rule 'Needs the command line' (.*) is not running: needs field proc.env" "$SAKERD_ERR" ||
	fail "sakerd does not say which rule is not running"
# passes the kernel part (a write open of the file) but not the residual: uid 65534 is not root
setpriv --reuid=65534 --regid=65534 --clear-groups "$OPENER" write "$target" > /dev/null ||
	fail "the open as uid 65534 failed"
"$OPENER" write "$target" > /dev/null || fail "the open as root failed"
wait_lines "$SAKERD_OUT" 1
sleep 0.5
stop_sakerd
[ "$(wc -l < "$SAKERD_OUT")" = 1 ] || fail "expected exactly one alert, got: $(cat "$SAKERD_OUT")"
jq -e --arg f "$target" '.rule == "Written by root" and .output_fields["user.name"] == "root"
	and .output_fields["fd.name"] == $f' "$SAKERD_OUT" > /dev/null || fail "wrong alert: $(cat "$SAKERD_OUT")"
jq -e '.residual_matched == 1 and .residual_rejected == 1 and .residual_errors == 0
	and (.rules[] | select(.rule == "Written by root") | .kernel == 2 and .residual_matched == 1
	     and .residual_rejected == 1 and .plan == "partial")' "$E2E_TMP/stats.json" > /dev/null ||
	fail "wrong counters: $(cat "$E2E_TMP/stats.json")"
echo "PASS ($E2E_NAME)"
