#!/usr/bin/env bash
# The shipped ruleset, as the README's walkthrough uses it: rules/ compiles without root, twice
# to the same bytes; then a write open of /etc/shadow from a shell gives exactly one alert, a read
# gives none, and a write to an SSH authorized_keys file gives its own rule's alert. (The kernel
# part is default_rules_check in checks.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

rules="$SAKER_SOURCE_DIR/rules"
compile_bundle "$rules" "$E2E_TMP/a.saker"
compile_bundle "$rules" "$E2E_TMP/b.saker"
cmp -s "$E2E_TMP/a.saker" "$E2E_TMP/b.saker" || fail "two compilations of rules/ differ"
# Nor may the bundle depend on where saker was built: the build tree's name must not appear in
# it (the template's debug information once carried it).
# (A build tree named like something the bundle holds anyway cannot be told apart: not checked.)
build_name=$(basename "$SAKER_BINARY_DIR")
case $build_name in
*saker* | bpf | include | templates | rules) ;;
*) ! grep -aqF "$build_name" "$E2E_TMP/a.saker" || fail "the bundle names the build directory '$build_name'" ;;
esac

# Compiling needs no privilege: the same bytes come out as an unprivileged user.
if command -v setpriv > /dev/null; then
	chmod 0777 "$E2E_TMP"
	(cd "$SAKER_SOURCE_DIR" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$SAKER" compile -o "$E2E_TMP/nobody.saker" "$rules" 2> "$E2E_TMP/nobody.err") ||
		fail "saker compile as nobody failed: $(cat "$E2E_TMP/nobody.err")"
	cmp -s "$E2E_TMP/a.saker" "$E2E_TMP/nobody.saker" ||
		fail "the bundle compiled as nobody differs from root's"
fi

"$SAKER" check "$rules" > "$E2E_TMP/check.out" 2>&1 || fail "saker check rules/: $(cat "$E2E_TMP/check.out")"
grep -q "0 partial, 0 user, 0 not supported yet; 0 errors, 0 warnings" "$E2E_TMP/check.out" ||
	fail "the default rules are not all exact and clean: $(cat "$E2E_TMP/check.out")"

default_rules_check "$E2E_TMP/a.saker"
echo "PASS ($E2E_NAME)"
