#!/usr/bin/env bash
# saker check --verify: what check accepts, the kernel loads; and when the verifier refuses a
# program, the error names the rule and its line. Without the right to load BPF, --verify says
# so (exit 2) instead of pretending.
. "$(dirname "$0")/lib.sh"
need_root

"$SAKER" check --verify "$SAKER_SOURCE_DIR/rules" > "$E2E_TMP/ok.out" 2>&1 ||
	fail "check --verify of the default rules: $(cat "$E2E_TMP/ok.out")"

# 15 paths: a set lookup in the rule tables, so the rule stays in the kernel and loads. Code
# per rule (SAKER_TEST_INLINE_CODE) would compare them inline: the planner then sends them to
# user space (the verifier gives up on them); the test setting puts them back in the kernel to
# get a refusal.
paths=$(for i in $(seq -w 0 14); do printf '/var/lib/some/where/file%s.conf, ' "$i"; done)
cat > "$E2E_TMP/big.yaml" <<YAML
- rule: Fine
  desc: loads
  condition: evt.type = openat and fd.name = /etc/shadow
  output: "f %fd.name"
  priority: WARNING
- rule: Many paths
  desc: too much inline code for the verifier
  condition: evt.type in (open, openat) and fd.name in (${paths%, })
  output: "m %fd.name"
  priority: WARNING
YAML
"$SAKER" check --verify "$E2E_TMP/big.yaml" > "$E2E_TMP/tables.out" 2>&1 ||
	fail "with rule tables the rules must load: $(cat "$E2E_TMP/tables.out")"
grep -q "rule 'Many paths' .*: exact, in kernel on open, openat" "$E2E_TMP/tables.out" ||
	fail "the big set should stay in the kernel: $(cat "$E2E_TMP/tables.out")"

SAKER_TEST_INLINE_CODE=1 "$SAKER" check --verify "$E2E_TMP/big.yaml" > "$E2E_TMP/default.out" 2>&1 ||
	fail "with the default plan the rules must load: $(cat "$E2E_TMP/default.out")"
grep -q "rule 'Many paths' .*: user, kernel selects open, openat; sakerd tests fd.name" "$E2E_TMP/default.out" ||
	fail "the big set should run in user space: $(cat "$E2E_TMP/default.out")"

SAKER_TEST_INLINE_CODE=1 SAKER_TEST_INLINE_SET=100 "$SAKER" check --verify "$E2E_TMP/big.yaml" > "$E2E_TMP/bad.out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "a refused program must exit 1, got $rc: $(cat "$E2E_TMP/bad.out")"
grep -q "big.yaml:8:14: error: rule 'Many paths': the kernel verifier rejects the code of its kernel part" "$E2E_TMP/bad.out" ||
	fail "the refusal must name the rule and its line: $(cat "$E2E_TMP/bad.out")"
if grep -q "rule 'Fine': the kernel verifier" "$E2E_TMP/bad.out"; then
	fail "the rule that loads must not be blamed: $(cat "$E2E_TMP/bad.out")"
fi

# without the right to load programs
if command -v setpriv >/dev/null; then
	set +e
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		"$SAKER" check --verify "$SAKER_SOURCE_DIR/rules" > "$E2E_TMP/nobody.out" 2>&1
	rc=$?
	set -e
	[ $rc -eq 2 ] || fail "--verify without BPF rights must exit 2, got $rc: $(cat "$E2E_TMP/nobody.out")"
	grep -q "cannot load BPF programs here" "$E2E_TMP/nobody.out" ||
		fail "--verify without rights: $(cat "$E2E_TMP/nobody.out")"
fi
echo "PASS ($E2E_NAME)"
