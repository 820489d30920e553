#!/usr/bin/env bash
# i386 calls (the compat entry of x86-64 kernels) are numbered and read as i386 calls: a 32-bit
# program built here with gcc -m32 opens a watched file with open (5), openat (295) and the C
# library's sysenter path, and each alerts exactly like the 64-bit open and openat; its readlink
# (85, creat's number on x86-64) and remap_file_pages (257, openat's number on x86-64), set up
# to look like a write open of the watched file, give no alert. (compat_check in checks.sh; the
# guest test runs it on another kernel.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

build_i386 "$E2E_TMP/saker_i386" ||
	skip "cannot build 32-bit programs (gcc -m32: install gcc-multilib): $(head -n 3 "$E2E_TMP/gcc-m32.err")"
write_compat_rules "$E2E_TMP/rules.yaml" "$E2E_TMP/watched"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/compat.saker"
compat_check "$E2E_TMP/compat.saker" "$E2E_TMP/watched" "$E2E_TMP/saker_i386"
echo "PASS ($E2E_NAME): $ALERTS alerts; i386 open and openat alert as x86-64 ones, readlink and remap_file_pages do not"
