#!/usr/bin/env bash
# Enforcement on the tracepoint back end: a rule with 'action: kill' has the kernel SIGKILL the
# process that matched, right after its open, and its alert says "killed"; a read open of the
# same file is left alone; sakerd itself is never killed (a kill rule on its own stats file
# only alerts, "spared"); '--enforce off' is a dry run ("would kill", nothing killed); a rule
# with 'action: deny' is refused here (no LSM back end) unless --deny-as-alert; and 'saker
# check' refuses kill on a rule that is not decided wholly in the kernel.
. "$(dirname "$0")/lib.sh"
need_root

VICTIM="$E2E_TMP/victim"
: > "$VICTIM"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Kill writers of the victim file
  desc: any process opening the test's victim file for writing is killed
  condition: evt.type in (open, openat, openat2, creat) and evt.is_open_write = true and fd.name = $VICTIM
  output: "writer of %fd.name killed (proc.name=%proc.name proc.vpid=%proc.vpid)"
  priority: CRITICAL
  action: kill
- rule: Kill writers of the stats file
  desc: matches sakerd itself writing its stats file, which must never be killed
  condition: evt.type in (open, openat, openat2, creat) and evt.is_open_write = true and fd.name startswith $E2E_TMP/stats.json
  output: "stats file written by %proc.name"
  priority: WARNING
  action: kill
YAML
"$SAKER" check "$E2E_TMP/rules.yaml" > "$E2E_TMP/check.out" 2>&1 || fail "saker check refused the rules: $(cat "$E2E_TMP/check.out")"
grep -q "^rule 'Kill writers of the victim file' .*exact, in kernel on .*; action kill, in the kernel" "$E2E_TMP/check.out" ||
	fail "saker check does not say where the kill is enforced: $(cat "$E2E_TMP/check.out")"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/kill.saker"
"$SAKER" inspect "$E2E_TMP/kill.saker" > "$E2E_TMP/inspect.out" || fail "saker inspect failed"
grep -q "action kill" "$E2E_TMP/inspect.out" || fail "saker inspect does not show the action: $(cat "$E2E_TMP/inspect.out")"

# 1. enforcing
addr="127.0.0.1:$((20000 + RANDOM % 20000))"
start_sakerd --json --stats-file "$E2E_TMP/stats.json" --metrics-addr "$addr" "$E2E_TMP/kill.saker"
"$OPENER" write "$VICTIM" > "$E2E_TMP/writer.out" 2>&1
st=$?
[ "$st" = 137 ] || fail "the writer was not killed by SIGKILL: exit status $st ($(cat "$E2E_TMP/writer.out"))"
"$OPENER" read "$VICTIM" > /dev/null 2>&1 || fail "a read open of the victim failed: it must be left alone"
wait_lines "$SAKERD_OUT" 1
jq -e 'select(.rule == "Kill writers of the victim file") | .output_fields["saker.action"] == "killed"' \
	"$SAKERD_OUT" > /dev/null || fail "the alert does not say killed: $(cat "$SAKERD_OUT")"
jq -r .output "$SAKERD_OUT" | grep -q '(saker.action: killed)$' || fail "the alert text does not say killed: $(cat "$SAKERD_OUT")"
m=$(curl -sf --max-time 10 "http://$addr/metrics") || fail "cannot scrape the metrics at $addr"
grep -q '^saker_enforced_total{bundle=".*",rule="Kill writers of the victim file",action="kill",enforcing="true",outcome="killed"} 1$' <<<"$m" ||
	fail "the metrics do not count the kill: $(grep saker_enforced <<<"$m")"
# sakerd writing its own stats file matches the second rule: alerted, never killed
kill -USR1 "$SAKERD_PID"
for i in $(seq 100); do grep -q '"Kill writers of the stats file"' "$SAKERD_OUT" && break; sleep 0.1; done
kill -0 "$SAKERD_PID" || fail "sakerd was killed by its own rule"
jq -e 'select(.rule == "Kill writers of the stats file") | .output_fields["saker.action"] | startswith("spared")' \
	"$SAKERD_OUT" > /dev/null || fail "sakerd's own write was not reported as spared: $(cat "$SAKERD_OUT")"
stop_sakerd TERM
victim_alerts=$(jq -s '[.[] | select(.rule == "Kill writers of the victim file")] | length' "$SAKERD_OUT")
expect_eq "alerts for the victim (one write, one read)" "$victim_alerts" 1
expect_eq "enforced kills in the stats" \
	"$(jq '.rules[] | select(.rule == "Kill writers of the victim file") | .enforced' "$E2E_TMP/stats.json")" 1
[ "$(jq '.rules[] | select(.rule == "Kill writers of the stats file") | .spared' "$E2E_TMP/stats.json")" -ge 1 ] ||
	fail "the stats do not count sakerd's own match as spared: $(cat "$E2E_TMP/stats.json")"

# 2. dry run
start_sakerd --json --enforce off "$E2E_TMP/kill.saker"
grep -q "enforcement is off" "$SAKERD_ERR" || fail "sakerd does not say enforcement is off: $(cat "$SAKERD_ERR")"
"$OPENER" write "$VICTIM" > /dev/null 2>&1 || fail "the dry run killed (or failed) the writer: status $?"
wait_lines "$SAKERD_OUT" 1
jq -e '.output_fields["saker.action"] == "would kill"' "$SAKERD_OUT" > /dev/null ||
	fail "the dry-run alert does not say 'would kill': $(cat "$SAKERD_OUT")"
stop_sakerd TERM

# 3. deny: refused on the tracepoint back end, or run as an alert when asked (the LSM back end
# enforces it: the guest test's deny check). Forced, so that this holds on a host with BPF LSM.
sed 's/action: kill/action: deny/' "$E2E_TMP/rules.yaml" > "$E2E_TMP/deny.yaml"
compile_bundle "$E2E_TMP/deny.yaml" "$E2E_TMP/deny.saker"
"$SAKERD" --backend tracepoint "$E2E_TMP/deny.saker" > /dev/null 2> "$E2E_TMP/deny.err" &
pid=$!
for i in $(seq 200); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && { kill -KILL $pid; fail "sakerd ran a deny bundle without an LSM back end"; }
wait $pid
st=$?
[ "$st" = 2 ] || fail "sakerd refused the deny bundle with status $st, not 2"
grep -q "action deny, which needs an LSM back end" "$E2E_TMP/deny.err" || fail "unclear refusal: $(cat "$E2E_TMP/deny.err")"
start_sakerd --json --backend tracepoint --deny-as-alert "$E2E_TMP/deny.saker"
grep -q "back end tracepoint: tracepoints run every rule (no LSM back end: --backend tracepoint)" "$SAKERD_ERR" ||
	fail "sakerd does not say which back end it runs: $(cat "$SAKERD_ERR")"
grep -q "run as alerts (--deny-as-alert)" "$SAKERD_ERR" || fail "sakerd does not say deny rules run as alerts: $(cat "$SAKERD_ERR")"
"$OPENER" write "$VICTIM" > /dev/null 2>&1 || fail "a deny rule run as an alert stopped the writer"
wait_lines "$SAKERD_OUT" 1
jq -e '.output_fields["saker.action"] | startswith("not denied")' "$SAKERD_OUT" > /dev/null ||
	fail "the alert does not say the open was not denied: $(cat "$SAKERD_OUT")"
stop_sakerd TERM

# The back end asked for: lsm where this kernel cannot run it is refused with the reason (where
# it can, the guest test covers it); a name that is none is a usage error.
if grep -qw bpf /sys/kernel/security/lsm 2>/dev/null; then
	echo "NOTE ($E2E_NAME): this kernel lists bpf among its LSMs: --backend lsm refusal not tested here"
else
	"$SAKERD" --backend lsm "$E2E_TMP/deny.saker" > /dev/null 2> "$E2E_TMP/lsm.err"
	expect_eq "--backend lsm on a kernel without BPF LSM: status" "$?" 2
	grep -q "^sakerd: .*--backend lsm: this kernel cannot run it: " "$E2E_TMP/lsm.err" ||
		fail "unclear refusal of --backend lsm: $(cat "$E2E_TMP/lsm.err")"
	expect_eq "--backend lsm refusal: lines" "$(wc -l < "$E2E_TMP/lsm.err")" 1
fi
# auto where the LSM list names bpf but the kernel refuses LSM programs (this machine: EPERM):
# the tracepoint back end, saying why, and it alerts; where the kernel runs them, the LSM one
printf 'capability,bpf\n' > "$E2E_TMP/lsm-list"
SAKER_LSM_LIST="$E2E_TMP/lsm-list" start_sakerd --json "$E2E_TMP/kill.saker"
if ! grep -q "back end lsm" "$SAKERD_ERR"; then
	grep -q "back end tracepoint: tracepoints run every rule (no LSM back end: the kernel refused program 'saker_" "$SAKERD_ERR" ||
		fail "auto did not fall back to the tracepoints with the reason: $(cat "$SAKERD_ERR")"
fi
"$OPENER" read "$VICTIM" > /dev/null || fail "a read open failed after the fallback"
pid=$("$OPENER" write "$VICTIM") && fail "the writer was not killed after the fallback"
wait_lines "$SAKERD_OUT" 1
stop_sakerd TERM
"$SAKERD" --backend fentry "$E2E_TMP/deny.saker" > /dev/null 2> "$E2E_TMP/bad.err"
expect_eq "--backend fentry: status" "$?" 2
grep -q "takes auto, tracepoint or lsm, not 'fentry'" "$E2E_TMP/bad.err" || fail "unclear --backend error: $(cat "$E2E_TMP/bad.err")"

# 4. kill needs the whole rule in the kernel
cat > "$E2E_TMP/partial.yaml" <<YAML
- rule: Kill root writers
  desc: user.name is known only in user space, so the kernel cannot decide this rule alone
  condition: evt.type = openat and evt.is_open_write = true and fd.name = $VICTIM and user.name = root
  output: "killed %proc.name"
  priority: CRITICAL
  action: kill
YAML
"$SAKER" check "$E2E_TMP/partial.yaml" > "$E2E_TMP/partial.out" 2>&1 && fail "saker check accepted kill on a partial rule"
grep -q "action 'kill' needs a rule decided wholly in the kernel" "$E2E_TMP/partial.out" ||
	fail "unclear refusal of kill on a partial rule: $(cat "$E2E_TMP/partial.out")"
echo "PASS ($E2E_NAME): the writer was killed and its alert says so, the reader lived, sakerd spared itself, the dry run and deny-as-alert only alerted, --backend checked"
