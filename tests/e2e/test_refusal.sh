#!/usr/bin/env bash
# sakerd refuses damaged bundles with a one-line reason and exit 2 (truncated, altered, not a
# bundle, missing), handles its command line, and does not link LLVM. Needs no root: every
# refusal happens before anything is loaded. (The bundle refusals are refusal_check in checks.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"

# ldd: sakerd must never pull in LLVM.
ldd "$SAKERD" > "$E2E_TMP/ldd.txt" || fail "ldd $SAKERD failed"
if grep -qi 'llvm' "$E2E_TMP/ldd.txt"; then
	fail "sakerd links LLVM: $(grep -i llvm "$E2E_TMP/ldd.txt")"
fi
grep -q 'libbpf' "$E2E_TMP/ldd.txt" || fail "sakerd does not link libbpf? $(cat "$E2E_TMP/ldd.txt")"

write_shadow_rules "$E2E_TMP/rules.yaml"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/good.saker"
mkdir "$E2E_TMP/bad"
damage_bundle "$E2E_TMP/good.saker" "$E2E_TMP/bad"
refusal_check "$E2E_TMP/good.saker" "$E2E_TMP/bad"

# With several bundles, one bad one refuses the whole start.
out=$(timeout 20 "$SAKERD" "$E2E_TMP/good.saker" "$E2E_TMP/bad/altered.saker" 2>&1 > /dev/null)
expect_eq "exit status with one bad bundle of two" "$?" 2
case "$out" in *"bad/altered.saker: digest mismatch"*) ;; *) fail "unexpected: $out" ;; esac

# Command line.
"$SAKERD" --help | grep -q '^usage: sakerd' || fail "--help"
"$SAKERD" --version | grep -Eq '^sakerd [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"
"$SAKERD" --bogus > /dev/null 2>&1
expect_eq "exit status for an unknown option" "$?" 2
"$SAKERD" > /dev/null 2>&1
expect_eq "exit status without a bundle" "$?" 2
"$SAKERD" -o > /dev/null 2>&1
expect_eq "exit status for -o without a file" "$?" 2

# saker inspect reads the good bundle and refuses the altered one the same way.
"$SAKER" inspect --format json "$E2E_TMP/good.saker" > "$E2E_TMP/inspect.json" || fail "saker inspect failed"
expect_eq "inspect rule" "$(jq -r '.rules[0].name' "$E2E_TMP/inspect.json")" "Write to shadow"
expect_eq "inspect priority" "$(jq -r '.rules[0].priority' "$E2E_TMP/inspect.json")" "Critical"
expect_eq "inspect format" "$(jq -r '.format' "$E2E_TMP/inspect.json")" 2
jq -e '.maps | map(.name) | index("saker_events") != null' "$E2E_TMP/inspect.json" > /dev/null ||
	fail "inspect does not list the saker_events map"
[ "$(jq -r '.programs | length' "$E2E_TMP/inspect.json")" -ge 1 ] || fail "inspect lists no programs"
out=$("$SAKER" inspect "$E2E_TMP/bad/altered.saker" 2>&1 > /dev/null)
expect_eq "inspect exit status for an altered bundle" "$?" 2
case "$out" in *"digest mismatch"*) ;; *) fail "inspect: unexpected: $out" ;; esac
echo "PASS ($E2E_NAME)"
