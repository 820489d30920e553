#!/usr/bin/env bash
# Falco's two ptrace rules, from its default rules file (read from ../shared/falco/, never copied
# here), on real calls: a PTRACE_ATTACH of a child alerts "PTRACE attached to process", a child's
# PTRACE_TRACEME alerts "PTRACE anti-debug attempt", and a PTRACE_PEEKDATA (a request neither rule
# names) stays quiet for both. Each run has a process name of its own (copies of saker_ptrace),
# so alerts caused by other processes on the machine are told apart.
. "$(dirname "$0")/lib.sh"
need_root

FALCO_RULES="$SAKER_SOURCE_DIR/../shared/falco/falco_rules.yaml"
[ -f "$FALCO_RULES" ] || loud_skip "Falco's rules file is not at $FALCO_RULES (../shared/falco/)"
HELPER="$SAKER_BINARY_DIR/tests/saker_ptrace"
[ -x "$HELPER" ] || fail "no $HELPER"

tag=$(printf '%05d' $((RANDOM % 100000)))
A="skpa$tag" B="skpb$tag" C="skpc$tag"
for n in "$A" "$B" "$C"; do cp "$HELPER" "$E2E_TMP/$n"; done

"$SAKER" check "$FALCO_RULES" > "$E2E_TMP/check.out" 2>/dev/null
for r in "PTRACE attached to process" "PTRACE anti-debug attempt"; do
	grep -q "^rule '$r' .*: exact, in kernel on ptrace" "$E2E_TMP/check.out" ||
		fail "saker check does not plan '$r' exact in the kernel: $(grep "'$r'" "$E2E_TMP/check.out")"
done
compile_bundle "$FALCO_RULES" "$E2E_TMP/falco.saker"
start_sakerd --json "$E2E_TMP/falco.saker"

# In the sanitizer build the leak checker stops the world at exit with a PTRACE_ATTACH of its
# own, under the same process name: it is turned off for these runs.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
"$E2E_TMP/$A" attach || fail "the PTRACE_ATTACH run failed"
"$E2E_TMP/$B" traceme || fail "the PTRACE_TRACEME run failed"
"$E2E_TMP/$C" peek || fail "the PTRACE_PEEKDATA run failed"
# a marker after the near miss: once its alert is in, the near miss's would be too
"$E2E_TMP/$A" attach || fail "the second PTRACE_ATTACH run failed"

count() { # RULE NAME
	jq -s --arg r "$1" --arg n "$2" '[.[] | select(.rule == $r and .output_fields["proc.name"] == $n)] | length' "$SAKERD_OUT"
}
for i in $(seq 200); do
	[ "$(count "PTRACE attached to process" "$A")" -ge 2 ] && [ "$(count "PTRACE anti-debug attempt" "$B")" -ge 1 ] && break
	sleep 0.1
done
[ "$(count "PTRACE attached to process" "$A")" -ge 2 ] ||
	fail "no 'PTRACE attached to process' alert for each PTRACE_ATTACH run ($(count "PTRACE attached to process" "$A"))"
[ "$(count "PTRACE anti-debug attempt" "$B")" -ge 1 ] || fail "no 'PTRACE anti-debug attempt' alert for PTRACE_TRACEME"
expect_eq "PTRACE_PEEKDATA: 'PTRACE attached to process' alerts" "$(count "PTRACE attached to process" "$C")" 0
expect_eq "PTRACE_PEEKDATA: 'PTRACE anti-debug attempt' alerts" "$(count "PTRACE anti-debug attempt" "$C")" 0
expect_eq "PTRACE_ATTACH: 'PTRACE anti-debug attempt' alerts" "$(count "PTRACE anti-debug attempt" "$A")" 0
jq -r --arg n "$A" 'select(.rule == "PTRACE attached to process" and .output_fields["proc.name"] == $n) | .output' "$SAKERD_OUT" |
	head -1 | grep -q "^.*Warning Detected ptrace PTRACE_ATTACH attempt .*process=$A " ||
	fail "unexpected alert text: $(head -1 "$SAKERD_OUT")"
stop_sakerd TERM
echo "PASS ($E2E_NAME): PTRACE_ATTACH and PTRACE_TRACEME alerted by Falco's rules, PTRACE_PEEKDATA stayed quiet"
