#!/usr/bin/env bash
# io_uring opens are opens: IORING_OP_OPENAT and IORING_OP_OPENAT2 of a watched file for writing
# alert exactly like the openat and openat2 syscalls (same rule, same event type, the same
# fields), attributed to the submitting process, also when an io-wq worker thread does the open;
# an io_uring open of it for reading (the near miss) does not alert. The test program is built
# here with liburing (liburing-dev).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

URING="$E2E_TMP/saker_uring"
build_uring "$URING" ||
	loud_skip "cannot build the io_uring test program (install liburing-dev): $(head -n 3 "$E2E_TMP/gcc-uring.err")"
W="$E2E_TMP/watched"
: > "$W"
"$URING" read "$W" > /dev/null 2> "$E2E_TMP/uring.err" ||
	skip "io_uring does not work here: $(cat "$E2E_TMP/uring.err")"
write_compat_rules "$E2E_TMP/rules.yaml" "$W"
sed -i 's/^    vpid=%proc.vpid$/    vpid=%proc.vpid proc=%proc.name/' "$E2E_TMP/rules.yaml"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/uring.saker"
uring_check "$E2E_TMP/uring.saker" "$W" "$URING"
echo "PASS ($E2E_NAME): $ALERTS alerts; io_uring openat and openat2 alert as the syscalls, a read-only one does not"
