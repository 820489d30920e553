#!/usr/bin/env bash
# The ptrace family end to end: a process attaching to and detaching from a child of its own
# alerts once per rule, with the request by name and by number and the target's pid, computed in
# the kernel (evt.arg.request contains PTRACE_ATTACH is Falco's own test of it).
. "$(dirname "$0")/lib.sh"
need_root

cat > "$E2E_TMP/rules.yaml" <<'YAML'
- macro: ptrace_by_opener
  condition: evt.type = ptrace and proc.name = saker_opener

- rule: Ptrace attach
  desc: the test's process attached to another one
  condition: ptrace_by_opener and evt.arg.request contains PTRACE_ATTACH and evt.arg.pid > 0
  output: attach request=%evt.arg.request raw=%evt.rawarg.request target=%evt.arg.pid vpid=%proc.vpid type=%evt.type
  priority: WARNING

- rule: Ptrace detach
  desc: the test's process detached from another one
  condition: ptrace_by_opener and evt.rawarg.request = 17
  output: detach request=%evt.arg.request target=%evt.arg.pid vpid=%proc.vpid
  priority: NOTICE
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/ptrace.saker"
start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/ptrace.saker"

out=$("$OPENER" ptrace-attach sk_traced) || fail "saker_opener ptrace-attach failed"
pid=$(sed -n 1p <<< "$out")
child=$(sed -n 2p <<< "$out")
wait_lines "$SAKERD_OUT" 2
sleep 0.5
stop_sakerd TERM

# this process's alerts only: another test may run saker_opener too
mine=$(jq -c --argjson p "$pid" 'select(.output_fields["proc.vpid"] == $p)' "$SAKERD_OUT")
expect_eq "alerts of this process" "$(wc -l <<< "$mine")" 2
attach=$(jq -c 'select(.rule == "Ptrace attach")' <<< "$mine")
detach=$(jq -c 'select(.rule == "Ptrace detach")' <<< "$mine")
f() { jq -r ".output_fields[\"$2\"]" <<< "$1"; }
expect_eq "attach: evt.type" "$(f "$attach" evt.type)" ptrace
expect_eq "attach: evt.arg.request" "$(f "$attach" evt.arg.request)" PTRACE_ATTACH
expect_eq "attach: evt.rawarg.request" "$(f "$attach" evt.rawarg.request)" 16
expect_eq "attach: evt.arg.pid" "$(f "$attach" evt.arg.pid)" "$child"
expect_eq "detach: evt.arg.request" "$(f "$detach" evt.arg.request)" PTRACE_DETACH
expect_eq "detach: evt.arg.pid" "$(f "$detach" evt.arg.pid)" "$child"
expect_eq "kernel counter of the attach rule" \
	"$(jq -r '.rules[] | select(.rule == "Ptrace attach") | .kernel_emitted' "$E2E_TMP/stats.json")" \
	"$(jq -c 'select(.rule == "Ptrace attach")' "$SAKERD_OUT" | wc -l)"
echo "PASS ($E2E_NAME): PTRACE_ATTACH of $child and its PTRACE_DETACH alerted, each by its rule"
