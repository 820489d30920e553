#!/usr/bin/env bash
# Signed bundles end to end: saker keygen writes a key pair with safe modes and never overwrites
# one unless forced; saker compile --sign signs; saker inspect names the signer's key; sakerd
# --trusted-key runs a bundle signed by a trusted key (and alerts) and refuses, with one line and
# exit 2, an unsigned bundle, one signed by another key, and one altered after signing even when
# its digest was recomputed; several --trusted-key options accept any of their keys; without
# --trusted-key sakerd runs any bundle and its log says it was not verified.
. "$(dirname "$0")/lib.sh"
need_root

cd "$E2E_TMP" || fail "cannot enter $E2E_TMP"

# ---- saker keygen ----
umask 022
"$SAKER" keygen -o ci 2> keygen.err || fail "saker keygen failed: $(cat keygen.err)"
[ "$(stat -c %a ci)" = 600 ] || fail "private key mode is $(stat -c %a ci), want 600"
[ "$(stat -c %a ci.pub)" = 644 ] || fail "public key mode is $(stat -c %a ci.pub), want 644"
grep -q '^-----BEGIN PRIVATE KEY-----$' ci || fail "ci is not a PEM private key"
grep -q '^-----BEGIN PUBLIC KEY-----$' ci.pub || fail "ci.pub is not a PEM public key"
fp=$(sed -n 's/.*, key \(sha256:[0-9a-f]\{64\}\)$/\1/p' keygen.err)
[ -n "$fp" ] || fail "keygen did not print the key's fingerprint: $(cat keygen.err)"
# OpenSSL's own tool reads the pair, and the public key is the private key's.
command -v openssl > /dev/null || fail "openssl is needed (scripts/install-deps.sh --test installs it)"
expect_eq "public key derived by openssl" "$(openssl pkey -in ci -pubout)" "$(cat ci.pub)"
before=$(sha256sum ci ci.pub)
"$SAKER" keygen -o ci 2> again.err
expect_eq "exit status of keygen over an existing pair" "$?" 2
grep -q "^saker keygen: ci: exists; pass --force to overwrite it$" again.err ||
	fail "keygen over an existing pair: $(cat again.err)"
expect_eq "existing pair untouched" "$(sha256sum ci ci.pub)" "$before"
"$SAKER" keygen -o other 2> /dev/null || fail "second saker keygen failed"
"$SAKER" keygen -o spare 2> /dev/null || fail "third saker keygen failed"
chmod 644 spare
"$SAKER" keygen -o spare --force 2> /dev/null || fail "saker keygen --force failed"
[ "$(stat -c %a spare)" = 600 ] || fail "keygen --force left mode $(stat -c %a spare)"
"$SAKER" keygen 2> /dev/null
expect_eq "exit status of keygen without -o" "$?" 2

# ---- saker compile --sign, saker inspect ----
write_shadow_rules rules.yaml
"$SAKER" compile --sign ci -o signed.saker rules.yaml 2> compile.err || fail "compile --sign: $(cat compile.err)"
grep -q "signed by key $fp)\$" compile.err || fail "compile does not name the key: $(cat compile.err)"
compile_bundle rules.yaml plain.saker
"$SAKER" compile --sign ci.pub -o x.saker rules.yaml 2> sign-pub.err
expect_eq "exit status of compile --sign with a public key" "$?" 2
grep -q "ci.pub: this is a public key; signing needs the private key" sign-pub.err ||
	fail "compile --sign ci.pub: $(cat sign-pub.err)"
[ -e x.saker ] && fail "compile --sign with a bad key wrote a bundle"
"$SAKER" compile --sign missing-key -o x.saker rules.yaml 2> /dev/null
expect_eq "exit status of compile --sign with a missing key" "$?" 2

# What is signed, checked by OpenSSL alone: every byte before the 64 signature bytes, which sit
# just before the 32-byte digest (docs/bundle-format.md).
ssize=$(stat -c %s signed.saker)
head -c $((ssize - 96)) signed.saker > signed.msg
tail -c 96 signed.saker | head -c 64 > signed.sig
openssl pkeyutl -verify -pubin -inkey ci.pub -rawin -in signed.msg -sigfile signed.sig > /dev/null ||
	fail "openssl does not verify the bundle's signature over its first $((ssize - 96)) bytes"
openssl pkeyutl -verify -pubin -inkey other.pub -rawin -in signed.msg -sigfile signed.sig > /dev/null 2>&1 &&
	fail "openssl verifies the signature with another key"
"$SAKER" inspect signed.saker > inspect.txt || fail "saker inspect of the signed bundle failed"
grep -q "^signature: Ed25519, valid, by key $fp\$" inspect.txt || fail "inspect: $(cat inspect.txt)"
grep -q '^format:    2 (this saker reads bundle formats 1 and 2)$' inspect.txt ||
	fail "inspect does not say which formats it reads: $(head -3 inspect.txt)"
"$SAKER" inspect --format json signed.saker > inspect.json || fail "saker inspect --format json failed"
expect_eq "inspect json fingerprint" "$(jq -r .signature.key_fingerprint inspect.json)" "$fp"
expect_eq "inspect json formats" "$(jq -c .formats_read inspect.json)" "[1,2]"
"$SAKER" inspect plain.saker | grep -q '^signature: none' || fail "inspect of an unsigned bundle"
expect_eq "inspect json of an unsigned bundle" "$("$SAKER" inspect --format json plain.saker | jq -c .signature)" null

# ---- refusals: one line, exit 2 ----
refuse() { # WHAT EXPECTED-REASON SAKERD-ARGS...
	local what=$1 want=$2 out status
	shift 2
	out=$(timeout 20 "$SAKERD" "$@" 2>&1 > /dev/null)
	status=$?
	expect_eq "exit status ($what)" "$status" 2
	expect_eq "lines of output ($what)" "$(printf '%s\n' "$out" | wc -l)" 1
	case "$out" in
	*"$want"*) ;;
	*) fail "$what: got '$out', want '...$want...'" ;;
	esac
}
refuse "unsigned bundle" "sakerd: plain.saker: not signed, and only bundles signed by a trusted key may run" \
	--trusted-key ci.pub plain.saker
refuse "another key" "sakerd: signed.saker: signed by key $fp, which is not a trusted key" \
	--trusted-key other.pub signed.saker
refuse "private key as trusted key" "sakerd: ci: this is a private key" --trusted-key ci signed.saker
refuse "missing trusted key" "sakerd: nokey.pub: cannot open: No such file or directory" \
	--trusted-key nokey.pub signed.saker
refuse "--trusted-key without a file" "option '--trusted-key' needs an argument" --trusted-key

# One byte of the object changed: the digest catches it; with the digest recomputed (what anyone
# can do), the signature does.
size=$(stat -c %s signed.saker)
cp signed.saker altered.saker
off=$((size / 2))
orig=$(od -An -tu1 -j "$off" -N1 signed.saker | tr -d ' ')
printf '%b' "\\$(printf '%03o' $(( (orig + 1) % 256 )))" |
	dd of=altered.saker bs=1 seek="$off" conv=notrunc status=none
refuse "altered" "digest mismatch" --trusted-key ci.pub altered.saker
head -c $((size - 32)) altered.saker > resealed.saker
hex=$(head -c $((size - 32)) altered.saker | sha256sum | cut -c1-64)
printf "%b" "$(printf "%s" "$hex" | sed "s/../\\\\x&/g")" >> resealed.saker
expect_eq "resealed size" "$(stat -c %s resealed.saker)" "$size"
refuse "altered and resealed" "bad signature: the bundle was changed after key $fp signed it" \
	--trusted-key ci.pub resealed.saker
# ...also without --trusted-key: a signature that does not verify is never run.
refuse "altered and resealed, no trusted key" "bad signature" resealed.saker
# The signature section cut short (its 64 signature bytes gone, sizes and digest fixed up) is
# refused as truncated.
head -c $((size - 32 - 64)) signed.saker > cut.saker
refuse "signature cut" "truncated" --trusted-key ci.pub cut.saker

# ---- runs ----
start_sakerd --json --trusted-key ci.pub signed.saker
grep -q "^sakerd: signed.saker: signature verified: signed by trusted key $fp\$" "$SAKERD_ERR" ||
	fail "sakerd did not log the verified signature"
pid=$("$OPENER" write /etc/shadow) || fail "write open of /etc/shadow failed"
# This test's own alert, by pid: other tests may write /etc/shadow at the same time.
for _ in $(seq 200); do grep -q "\"proc.pid\":$pid[,}]" "$SAKERD_OUT" && break; sleep 0.1; done
grep -q "\"proc.pid\":$pid[,}]" "$SAKERD_OUT" || fail "no alert from the signed bundle for pid $pid"
stop_sakerd TERM

# Any of several keys.
start_sakerd --trusted-key other.pub --trusted-key spare.pub --trusted-key ci.pub signed.saker
grep -q "signature verified: signed by trusted key $fp" "$SAKERD_ERR" || fail "sakerd with three keys"
stop_sakerd TERM

# Without --trusted-key: behaviour unchanged, and the log says the bundle was not verified.
start_sakerd plain.saker signed.saker
grep -q '^sakerd: plain.saker: not verified (no --trusted-key given); it is not signed$' "$SAKERD_ERR" ||
	fail "sakerd did not say the unsigned bundle was not verified"
grep -q "^sakerd: signed.saker: not verified (no --trusted-key given); it is signed by key $fp\$" "$SAKERD_ERR" ||
	fail "sakerd did not say the signed bundle was not verified"
stop_sakerd TERM

# saker run compiles its own rules: there is nothing for a trusted key to check.
"$SAKER" run --trusted-key ci.pub rules.yaml > /dev/null 2> run.err
expect_eq "exit status of saker run --trusted-key" "$?" 2
grep -q 'saker run: --trusted-key is for sakerd' run.err || fail "saker run --trusted-key: $(cat run.err)"
echo "PASS ($E2E_NAME)"
