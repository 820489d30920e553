#!/usr/bin/env bash
# i386 calls (the compat entry of x86-64 kernels) are numbered and read as i386 calls: a 32-bit
# program built here with gcc -m32 opens a watched file with open (5), openat (295) and the C
# library's sysenter path, and each alerts exactly like the 64-bit open and openat; its readlink
# (85, creat's number on x86-64) returning the number of a descriptor open on the watched file,
# and its remap_file_pages (257, openat's number on x86-64) with the registers x86-64 openat
# would read set to a write open of the watched file, give no alert.
. "$(dirname "$0")/lib.sh"
need_root

I386="$E2E_TMP/saker_i386"
gcc -m32 -O1 -fno-pie -no-pie -Wall -Wextra -Werror -o "$I386" \
	"$SAKER_SOURCE_DIR/tests/e2e/saker_i386.c" 2> "$E2E_TMP/gcc.err" ||
	skip "cannot build 32-bit programs (gcc -m32: install gcc-multilib): $(head -n 3 "$E2E_TMP/gcc.err")"
"$I386" remap /nonexistent > /dev/null 2>&1 || skip "this kernel does not run i386 programs"

W="$E2E_TMP/watched"
: > "$W"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Write to the watched file
  desc: an open of the test's file for writing, by any open call of any ABI
  condition: >
    evt.type in (open, openat, openat2, creat) and evt.is_open_write = true and fd.name = $W
  output: >
    type=%evt.type file=%fd.name flags=%evt.arg.flags fd=%fd.num res=%evt.res uid=%user.uid
    vpid=%proc.vpid
  priority: WARNING
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/compat.saker"
start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/compat.saker"

# open_alert WHAT PROGRAM ARGS...: runs PROGRAM, which must alert once; FIELDS gets the alert's
# fields, less the ones that name the process or the time.
n=0
FIELDS=
open_alert() {
	local what=$1 p l
	shift
	p=$("$@") || fail "$what: $* failed"
	n=$((n + 1))
	wait_lines "$SAKERD_OUT" "$n"
	l=$(sed -n "${n}p" "$SAKERD_OUT")
	expect_eq "$what: vpid" "$(jq -r '.output_fields["proc.vpid"]' <<< "$l")" "$p"
	FIELDS=$(jq -c '.output_fields | del(.["evt.time"], .["proc.vpid"])' <<< "$l")
}

# saker_opener's opens add O_CLOEXEC, the i386 program's do not: the flags are compared apart
open_alert "x86-64 open" "$OPENER" legacy-open "$W" && a64=$FIELDS
open_alert "x86-64 openat" "$OPENER" write "$W" && o64=$FIELDS
open_alert "i386 open" "$I386" open "$W" && a32=$FIELDS
open_alert "i386 open by sysenter" "$I386" sysenter "$W" && s32=$FIELDS
open_alert "i386 openat" "$I386" openat "$W" && o32=$FIELDS
noflags() { jq -c 'del(.["evt.arg.flags"])' <<< "$1"; }
flags() { jq -r '.["evt.arg.flags"]' <<< "$1"; }
expect_eq "x86-64 open: type" "$(jq -r '.["evt.type"]' <<< "$a64")" open
expect_eq "x86-64 openat: type" "$(jq -r '.["evt.type"]' <<< "$o64")" openat
expect_eq "i386 open alerts as x86-64 open" "$(noflags "$a32")" "$(noflags "$a64")"
expect_eq "i386 open through sysenter" "$s32" "$a32"
expect_eq "i386 openat alerts as x86-64 openat" "$(noflags "$o32")" "$(noflags "$o64")"
expect_eq "x86-64 flags" "$(flags "$a64") $(flags "$o64")" "O_WRONLY|O_APPEND|O_CLOEXEC O_WRONLY|O_APPEND|O_CLOEXEC"
expect_eq "i386 flags" "$(flags "$a32") $(flags "$o32")" "O_WRONLY|O_APPEND O_WRONLY|O_APPEND"
expect_eq "i386 open: file" "$(jq -r '.["fd.name"]' <<< "$a32")" "$W"

# readlink opens the file first (one alert, as open), then must add none
rm -f "$E2E_TMP/fdlink"
open_alert "i386 open before readlink" "$I386" readlink "$W" "$E2E_TMP/fdlink"
"$I386" remap "$W" > /dev/null || fail "i386 remap_file_pages did not fail as expected"
# a marker after them: once it is in, anything they caused would be too
open_alert "marker" "$OPENER" legacy-open "$W"
sleep 0.5
expect_eq "alerts (none for readlink or remap_file_pages)" "$(wc -l < "$SAKERD_OUT")" "$n"
stop_sakerd TERM
expect_eq "stats alerts" "$(jq -r .alerts "$E2E_TMP/stats.json")" "$n"
expect_eq "rule counter" "$(jq -r '.rules[0].kernel_matched' "$E2E_TMP/stats.json")" "$n"
echo "PASS ($E2E_NAME): $n alerts; i386 open and openat alert as x86-64 ones, readlink and remap_file_pages do not"
