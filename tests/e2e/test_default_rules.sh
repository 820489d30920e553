#!/usr/bin/env bash
# The shipped ruleset, as the README's walkthrough uses it: rules/ compiles without root, twice
# to the same bytes; then a write open of /etc/shadow from a shell gives exactly one alert, a read
# gives none, and a write to an SSH authorized_keys file gives its own rule's alert.
. "$(dirname "$0")/lib.sh"
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

start_sakerd --json "$E2E_TMP/a.saker"
cat /etc/shadow > /dev/null
sh -c ': >> /etc/shadow'
wait_lines "$SAKERD_OUT" 1
sleep 0.5
expect_eq "alerts after a read and a write of /etc/shadow" "$(wc -l < "$SAKERD_OUT")" 1
line=$(head -n 1 "$SAKERD_OUT")
field() { echo "$line" | jq -r "$1"; }
expect_eq rule "$(field .rule)" "Write to sensitive file"
expect_eq priority "$(field .priority)" "Critical"
expect_eq fd.name "$(field '.output_fields["fd.name"]')" "/etc/shadow"
expect_eq proc.name "$(field '.output_fields["proc.name"]')" "sh"
expect_eq user.name "$(field '.output_fields["user.name"]')" "root"
expect_eq container.id "$(field '.output_fields["container.id"]')" "host"
field .output | grep -q '^[0-9:.]*: Critical Write to sensitive file (user=root user_uid=0 .* file=/etc/shadow)$' ||
	fail "unexpected output text: $(field .output)"

mkdir -p "$E2E_TMP/home/.ssh"
sh -c ": >> '$E2E_TMP/home/.ssh/authorized_keys'"
wait_lines "$SAKERD_OUT" 2
line=$(sed -n 2p "$SAKERD_OUT")
expect_eq rule "$(field .rule)" "Write to SSH authorized keys"
expect_eq fd.name "$(field '.output_fields["fd.name"]')" "$E2E_TMP/home/.ssh/authorized_keys"
stop_sakerd INT
expect_eq "alert lines" "$(wc -l < "$SAKERD_OUT")" 2
echo "PASS ($E2E_NAME)"
