#!/usr/bin/env bash
# io_uring's network operations are the syscalls they stand for: an IORING_OP_CONNECT of a TCP
# socket to 127.0.0.1:PORT alerts like the connect syscall of the same program (same rule, same
# event type, address, port and result), attributed to the submitting process; a connect to
# another port (the near miss) does not. The request keeps no descriptor number, so fd.num is
# left out of that comparison. The port has no listener: the connects are refused, which the
# kernel still reports as connects. IORING_OP_SOCKET (with a descriptor, into a fixed-file slot,
# and posting no completion), IORING_OP_ACCEPT, IORING_OP_SENDMSG and IORING_OP_SEND alert as
# socket, accept4, sendmsg and sendto do, each with its near miss (checks.sh, uring_net_check).
# And an io_uring open whose success posts no completion (IOSQE_CQE_SKIP_SUCCESS) alerts at its
# submission, named as submitted and marked cut; the same open with a completion is named whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

URING="$E2E_TMP/saker_uring"
build_uring "$URING" ||
	loud_skip "cannot build the io_uring test program (install liburing-dev): $(head -n 3 "$E2E_TMP/gcc-uring.err")"
"$URING" connect 9 > /dev/null 2> "$E2E_TMP/uring.err" || skip "io_uring does not work here: $(cat "$E2E_TMP/uring.err")"
# PORT to PORT+5 (a block of 8 of 24000-31999: test_falco_net, which may run at the same time,
# takes 20000-23999; the ephemeral ports a connect binds start at 32768)
PORT=$((24000 + $$ % 1000 * 8))
write_uring_net_rules "$E2E_TMP/rules.yaml" "$PORT" "$E2E_TMP/skip/f"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/net.saker"
uring_net_check "$E2E_TMP/net.saker" "$URING" "$PORT" "$E2E_TMP/skip/f"
echo "PASS ($E2E_NAME): io_uring connect, socket (descriptor, fixed slot, no completion), accept, sendmsg and send alert as their syscalls; the near misses do not; an io_uring open with no completion on success alerts at its submission, marked cut"
