#!/usr/bin/env bash
# A program that loads but cannot attach: sakerd must not start half-capturing and call itself
# healthy. It exits 2 naming the program, and never says ready.
. "$(dirname "$0")/lib.sh"
need_root

"$SAKER_BINARY_DIR/tests/saker_mkbundle" "$SAKER_BINARY_DIR/tests/attach_fail.bpf.o" \
	"$(printf 'kernel 5.8\nbtf 1\nhook raw_tp/saker_no_such_tracepoint\nmap ringbuf\nmap percpu_array\nevent_version %s\n' \
		"$(sed -n 's/^#define SAKER_EVENT_VERSION \([0-9]*\).*/\1/p' "$SAKER_SOURCE_DIR/include/saker/event.h")")" \
	"$E2E_TMP/bad.saker" || fail "cannot make the bundle"
out=$(timeout 60 "$SAKERD" "$E2E_TMP/bad.saker" 2>&1 > /dev/null)
expect_eq "exit status" "$?" 2
case "$out" in
*"bad.saker: cannot attach program 'saker_never' (raw_tp/saker_no_such_tracepoint): "*) ;;
*) fail "unexpected message: $out" ;;
esac
case "$out" in *ready*) fail "said ready: $out" ;; esac
echo "PASS ($E2E_NAME): $out"
