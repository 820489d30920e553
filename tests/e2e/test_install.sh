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
echo "PASS ($E2E_NAME): $(stat -c %s "$prefix/bin/sakerd") byte sakerd without LLVM"
