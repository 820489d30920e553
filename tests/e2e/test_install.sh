#!/usr/bin/env bash
# `cmake --install` gives bin/saker and bin/sakerd (and the default rules); sakerd does not link
# LLVM while saker does, and both answer --version.
. "$(dirname "$0")/lib.sh"

prefix="$E2E_TMP/prefix"
cmake --install "$SAKER_BINARY_DIR" --prefix "$prefix" > "$E2E_TMP/install.log" 2>&1 ||
	fail "cmake --install failed: $(cat "$E2E_TMP/install.log")"
for b in saker sakerd; do
	[ -x "$prefix/bin/$b" ] || fail "$prefix/bin/$b is missing"
	"$prefix/bin/$b" --version | grep -Eq "^$b [0-9]+\.[0-9]+\.[0-9]+$" || fail "$b --version"
done
[ -f "$prefix/share/saker/rules/saker_rules.yaml" ] || fail "the default rules were not installed"
if ldd "$prefix/bin/sakerd" | grep -qi llvm; then
	fail "sakerd links LLVM: $(ldd "$prefix/bin/sakerd" | grep -i llvm)"
fi
ldd "$prefix/bin/saker" | grep -q 'libLLVM-14' || fail "saker does not link the pinned libLLVM-14"
"$prefix/bin/saker" check "$prefix/share/saker/rules" > /dev/null 2>&1 || fail "installed rules do not check"
# The exit status contract: 0 success, 1 errors in the input, 2 usage or I/O failure.
status() { "$@" > /dev/null 2>&1; echo $?; }
expect_eq "compile of a missing path" "$(status "$prefix/bin/saker" compile -o "$E2E_TMP/x.saker" /nonexistent)" 2
expect_eq "run of a missing path" "$(status "$prefix/bin/saker" run /nonexistent)" 2
expect_eq "compile of rules with errors" "$(status "$prefix/bin/saker" compile -o "$E2E_TMP/x.saker" "$SAKER_SOURCE_DIR/tests/golden/check/user_doc_rule.yaml")" 1
[ ! -e "$E2E_TMP/x.saker" ] || fail "a failed compile wrote a bundle"
expect_eq "unknown option" "$(status "$prefix/bin/saker" compile --bogus x)" 2
expect_eq "unknown command" "$(status "$prefix/bin/saker" frobnicate)" 2
expect_eq "sakerd without a bundle" "$(status "$prefix/bin/sakerd")" 2
echo "PASS ($E2E_NAME): $(stat -c %s "$prefix/bin/sakerd") byte sakerd without LLVM"
