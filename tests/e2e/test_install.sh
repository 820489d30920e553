#!/usr/bin/env bash
# `cmake --install` gives bin/saker and bin/sakerd, the default rules and their bundle, the
# default configuration (valid), man pages made from --help, and a hardened systemd unit that
# systemd-analyze accepts; sakerd does not link LLVM while saker does, and both answer --version.
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
"$prefix/bin/saker" inspect "$prefix/share/saker/default.saker" > /dev/null 2>&1 || fail "the default bundle does not read"
conf="$prefix/etc/saker/sakerd.yaml"
"$prefix/bin/sakerd" --validate-config "$conf" > /dev/null || fail "the installed configuration is not valid"
grep -q "^  - $prefix/share/saker/default.saker$" "$conf" || fail "the configuration does not name the default bundle"

# Man pages: the same text as --help (every option of --help is in the page).
for page in share/man/man1/saker.1 share/man/man8/sakerd.8; do
	[ -s "$prefix/$page" ] || fail "$page is missing"
	man -l "$prefix/$page" > /dev/null 2>&1 || fail "$page does not format"
done
for opt in $("$prefix/bin/sakerd" --help | grep -Eo '^  --?[a-z-]+' | tr -d ' '); do
	grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$prefix/share/man/man8/sakerd.8" || fail "sakerd.8 lacks $opt"
done
grep -q '^\.SH "SAKER COMPILE"' "$prefix/share/man/man1/saker.1" || fail "saker.1 lacks the compile command"

# The systemd unit: hardened, and valid for systemd-analyze (which needs no running systemd).
unit="$prefix/lib/systemd/system/sakerd.service"
[ -f "$unit" ] || fail "the unit is missing"
for key in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes CapabilityBoundingSet= \
	RestrictAddressFamilies= SystemCallFilter= "ExecStart=$prefix/bin/sakerd -c $conf"; do
	grep -q "^$key" "$unit" || fail "the unit lacks $key"
done
command -v systemd-analyze > /dev/null || fail "systemd-analyze is needed (scripts/install-deps.sh --test)"
SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$unit" > "$E2E_TMP/verify.log" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$E2E_TMP/verify.log")"
[ -s "$E2E_TMP/verify.log" ] && fail "systemd-analyze verify warned: $(cat "$E2E_TMP/verify.log")"
# systemd's own score of the sandbox: 0 is locked down, 10 is not at all; 3.4 when written.
level=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for sakerd.service: \([0-9.]*\).*/\1/p')
[ -n "$level" ] || fail "systemd-analyze security gave no level"
awk -v l="$level" 'BEGIN { exit !(l <= 4.0) }' || fail "exposure level $level is above 4.0"
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
