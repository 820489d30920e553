#!/usr/bin/env bash
# sakerd refuses damaged bundles with a one-line reason and exit 2 (truncated, altered, not a
# bundle, missing), handles its command line, and does not link LLVM. Needs no root: every
# refusal happens before anything is loaded.
. "$(dirname "$0")/lib.sh"

# ldd: sakerd must never pull in LLVM.
ldd "$SAKERD" > "$E2E_TMP/ldd.txt" || fail "ldd $SAKERD failed"
if grep -qi 'llvm' "$E2E_TMP/ldd.txt"; then
	fail "sakerd links LLVM: $(grep -i llvm "$E2E_TMP/ldd.txt")"
fi
grep -q 'libbpf' "$E2E_TMP/ldd.txt" || fail "sakerd does not link libbpf? $(cat "$E2E_TMP/ldd.txt")"

# refuse FILE EXPECTED-REASON: sakerd must exit 2 with exactly one line naming FILE and REASON.
refuse() {
	local out status
	out=$(timeout 20 "$SAKERD" --json "$1" 2>&1 > /dev/null)
	status=$?
	expect_eq "exit status for $(basename "$1")" "$status" 2
	expect_eq "lines of output for $(basename "$1")" "$(printf '%s\n' "$out" | wc -l)" 1
	case "$out" in
	"sakerd: $1: $2"*) ;;
	*) fail "reason for $(basename "$1"): got '$out', want 'sakerd: $1: $2...'" ;;
	esac
}

write_shadow_rules "$E2E_TMP/rules.yaml"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/good.saker"
size=$(stat -c %s "$E2E_TMP/good.saker")

head -c $((size - 1)) "$E2E_TMP/good.saker" > "$E2E_TMP/cut-end.saker"
refuse "$E2E_TMP/cut-end.saker" "truncated: the file has $((size - 1)) bytes, the header says $size"
head -c $((size / 2)) "$E2E_TMP/good.saker" > "$E2E_TMP/cut-half.saker"
refuse "$E2E_TMP/cut-half.saker" "truncated"
head -c 10 "$E2E_TMP/good.saker" > "$E2E_TMP/cut-header.saker"
refuse "$E2E_TMP/cut-header.saker" "truncated"
: > "$E2E_TMP/empty.saker"
refuse "$E2E_TMP/empty.saker" "truncated: the file is empty"

# One byte changed in the middle (inside the object or the rules): the digest catches it.
cp "$E2E_TMP/good.saker" "$E2E_TMP/altered.saker"
off=$((size / 2))
orig=$(od -An -tu1 -j "$off" -N1 "$E2E_TMP/good.saker" | tr -d ' ')
# The byte goes through %b, never as the format itself: a changed byte of '%' or a backslash must not
# be taken for a format directive (the bundle's bytes move with the temp dir's name).
printf '%b' "\\$(printf '%03o' $(( (orig + 1) % 256 )))" |
	dd of="$E2E_TMP/altered.saker" bs=1 seek="$off" conv=notrunc status=none
cmp -s "$E2E_TMP/good.saker" "$E2E_TMP/altered.saker" && fail "the byte was not changed"
refuse "$E2E_TMP/altered.saker" "digest mismatch: the bundle was altered or corrupted"

# The last byte (inside the digest itself).
cp "$E2E_TMP/good.saker" "$E2E_TMP/altered-digest.saker"
printf 'X' | dd of="$E2E_TMP/altered-digest.saker" bs=1 seek=$((size - 1)) conv=notrunc status=none
refuse "$E2E_TMP/altered-digest.saker" "digest mismatch"

# A newer format version (byte 8 of the header).
cp "$E2E_TMP/good.saker" "$E2E_TMP/newer.saker"
printf '\002' | dd of="$E2E_TMP/newer.saker" bs=1 seek=8 conv=notrunc status=none
refuse "$E2E_TMP/newer.saker" "bundle format 2 is newer than this sakerd understands (1)"

# Not a bundle at all, and no file.
refuse "$E2E_TMP/rules.yaml" "not a saker bundle (bad magic)"
refuse "$E2E_TMP/missing.saker" "cannot open: No such file or directory"

# With several bundles, one bad one refuses the whole start.
out=$(timeout 20 "$SAKERD" "$E2E_TMP/good.saker" "$E2E_TMP/altered.saker" 2>&1 > /dev/null)
expect_eq "exit status with one bad bundle of two" "$?" 2
case "$out" in *"altered.saker: digest mismatch"*) ;; *) fail "unexpected: $out" ;; esac

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
expect_eq "inspect format" "$(jq -r '.format' "$E2E_TMP/inspect.json")" 1
jq -e '.maps | map(.name) | index("saker_events") != null' "$E2E_TMP/inspect.json" > /dev/null ||
	fail "inspect does not list the saker_events map"
[ "$(jq -r '.programs | length' "$E2E_TMP/inspect.json")" -ge 1 ] || fail "inspect lists no programs"
out=$("$SAKER" inspect "$E2E_TMP/altered.saker" 2>&1 > /dev/null)
expect_eq "inspect exit status for an altered bundle" "$?" 2
case "$out" in *"digest mismatch"*) ;; *) fail "inspect: unexpected: $out" ;; esac
echo "PASS ($E2E_NAME)"
