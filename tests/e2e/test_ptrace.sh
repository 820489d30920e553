#!/usr/bin/env bash
# The ptrace family end to end: a process attaching to and detaching from a child of its own
# alerts once per rule, with the request by name and by number and the target's pid, computed in
# the kernel (evt.arg.request contains PTRACE_ATTACH is Falco's own test of it). (ptrace_check in
# checks.sh; the guest test runs it on another kernel.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

write_ptrace_rules "$E2E_TMP/rules.yaml"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/ptrace.saker"
ptrace_check "$E2E_TMP/ptrace.saker"
echo "PASS ($E2E_NAME): PTRACE_ATTACH of $CHILD and its PTRACE_DETACH alerted, each by its rule"
