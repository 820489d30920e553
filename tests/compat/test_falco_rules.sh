#!/usr/bin/env bash
# Falco compatibility: Falco's default ruleset (read from ../shared/falco/, never copied into the
# repo) must load, parse and expand completely: every list, macro and rule condition goes
# through saker's grammar and macro expansion, and every field it names is recognised (as a
# field saker computes, or as a Falco field it does not compute yet: no "unknown field"). The
# only errors allowed are about those unsupported fields and user-space-only fields.
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
json=$("$saker" check --format json "$rules" 2>/dev/null)
[ -n "$json" ] || { echo "FAIL: saker check printed no JSON"; exit 1; }
total=$(jq '.diagnostics | length' <<< "$json")
other=$(jq -r '.diagnostics[] | select(.code != "unsupported-field" and .code != "user-space-field")
	| "\(.file):\(.line):\(.column): \(.severity): \(.message)"' <<< "$json")
if [ -n "$other" ]; then
	echo "FAIL: Falco's default rules gave errors other than unsupported fields (an unknown-field here means a Falco field saker does not recognise):"
	echo "$other"
	exit 1
fi
# The file has 49 lists, 87 macros and 25 rules; make sure they were all read (each rule
# condition that mentions an unsupported field yields at least one diagnostic).
rules_with_diags=$(jq '[.diagnostics[] | .line] | length' <<< "$json")
[ "$rules_with_diags" -gt 0 ] || { echo "FAIL: no diagnostics at all: was the file read?"; exit 1; }
echo "PASS: falco_rules.yaml loads, parses and expands; $total diagnostics, all about unsupported fields"
