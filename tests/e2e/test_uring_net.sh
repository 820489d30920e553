#!/usr/bin/env bash
# io_uring connects are connects: an IORING_OP_CONNECT of a TCP socket to 127.0.0.1:PORT alerts
# like the connect syscall of the same program (same rule, same event type, address, port and
# result), attributed to the submitting process; a connect to another port (the near miss) does
# not. The request keeps no descriptor number, so fd.num is left out of the comparison. The
# port has no listener: the connects are refused, which the kernel still reports as connects.
# And an io_uring open whose success posts no completion (IOSQE_CQE_SKIP_SUCCESS) alerts at its
# submission, named as submitted and marked cut; the same open with a completion is named whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

URING="$E2E_TMP/saker_uring"
build_uring "$URING" ||
	loud_skip "cannot build the io_uring test program (install liburing-dev): $(head -n 3 "$E2E_TMP/gcc-uring.err")"
"$URING" connect 9 > /dev/null 2> "$E2E_TMP/uring.err" || skip "io_uring does not work here: $(cat "$E2E_TMP/uring.err")"
PORT=$((20000 + $$ % 20000))
write_uring_net_rules "$E2E_TMP/rules.yaml" "$PORT" "$E2E_TMP/skip/f"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/net.saker"
uring_net_check "$E2E_TMP/net.saker" "$URING" "$PORT" "$E2E_TMP/skip/f"
echo "PASS ($E2E_NAME): an io_uring connect alerts as the connect syscall; another port's does not; an io_uring open with no completion on success alerts at its submission, marked cut"
