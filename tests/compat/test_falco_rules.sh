#!/usr/bin/env bash
# Falco compatibility: Falco's default ruleset (read from ../shared/falco/, never copied into the
# repo) must load, expand and type-check with zero errors, as Falco loads it; rules whose
# fields or events saker does not compute yet are left out with warnings, and the per-rule plan
# table accounts for every one of its rules.
set -u
saker=${SAKER:?SAKER must name the saker binary}
rules=${SAKER_FALCO_RULES:-$SAKER_SOURCE_DIR/../shared/falco/falco_rules.yaml}
if [ ! -f "$rules" ]; then
	echo "######################################################################"
	echo "# Falco's falco_rules.yaml is ABSENT ($rules):"
	echo "# the Falco compatibility test cannot run."
	echo "######################################################################"
	[ "${SAKER_REQUIRE_E2E:-0}" = 1 ] && exit 1
	exit 77
fi
fail() { echo "FAIL: $*"; exit 1; }

table=$("$saker" check "$rules" 2>/dev/null)
rc=$?
[ $rc -eq 0 ] || fail "saker check exited $rc on Falco's default rules (errors: it must load what Falco loads)"
json=$("$saker" check --format json "$rules" 2>/dev/null)
[ -n "$json" ] || fail "saker check printed no JSON"
errors=$(jq '.errors' <<< "$json")
[ "$errors" = 0 ] || fail "$errors errors: $(jq -r '.diagnostics[] | select(.severity == "error") | "\(.file):\(.line):\(.column): \(.message)"' <<< "$json")"
# every diagnostic names a field or feature saker lacks; a typo-like code would be a bug here
other=$(jq -r '.diagnostics[] | select(.code != "unsupported" and .code != "unsupported-output")
	| "\(.file):\(.line):\(.column): \(.severity) [\(.code)]: \(.message)"' <<< "$json")
[ -z "$other" ] || fail "unexpected diagnostics on Falco's default rules:
$other"
# the table: one line per rule of the file (25), and the total line agrees
lines=$(grep -c "^rule '" <<< "$table")
[ "$lines" -eq 25 ] || fail "the plan table has $lines rule lines, Falco's file has 25 rules"
total=$(tail -1 <<< "$table")
grep -q "^25 rules: " <<< "$total" || fail "total line: $total"
# saker explain: every rule comes out expanded (lists, macros, exceptions applied), with no error
explained=$("$saker" explain --format json "$rules" 2>/dev/null) || fail "saker explain failed on Falco's default rules"
n=$(jq '[.rules[] | select(.condition != null)] | length' <<< "$explained")
[ "$n" -eq 25 ] || fail "saker explain expanded $n of the 25 rules"
echo "$table"
echo "PASS: falco_rules.yaml loads with 0 errors; every rule is planned or left out with a reason, and explained"
