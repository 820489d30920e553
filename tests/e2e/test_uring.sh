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
gcc -O1 -Wall -Wextra -Werror -o "$URING" "$SAKER_SOURCE_DIR/tests/e2e/saker_uring.c" -luring \
	2> "$E2E_TMP/gcc-uring.err" ||
	loud_skip "cannot build the io_uring test program (install liburing-dev): $(head -n 3 "$E2E_TMP/gcc-uring.err")"
W="$E2E_TMP/watched"
: > "$W"
"$URING" read "$W" > /dev/null 2> "$E2E_TMP/uring.err" ||
	skip "io_uring does not work here: $(cat "$E2E_TMP/uring.err")"
write_compat_rules "$E2E_TMP/rules.yaml" "$W"
sed -i 's/^    vpid=%proc.vpid$/    vpid=%proc.vpid proc=%proc.name/' "$E2E_TMP/rules.yaml"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/uring.saker"
start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/uring.saker"

n=0
# alert WHAT PROGRAM ARGS...: PROGRAM must alert once; FIELDS gets the alert's fields, less the
# ones that name the process or the time
alert() {
	local what=$1 p l
	shift
	p=$("$@") || fail "$what: $* failed"
	n=$((n + 1))
	wait_lines "$SAKERD_OUT" "$n"
	l=$(sed -n "${n}p" "$SAKERD_OUT")
	expect_eq "$what: vpid" "$(jq -r '.output_fields["proc.vpid"]' <<< "$l")" "$p"
	fields=$(jq -c '.output_fields | del(.["evt.time"], .["proc.vpid"], .["fd.num"])' <<< "$l")
	same=$(jq -c 'del(.["proc.name"])' <<< "$fields")
	echo "$what: $(jq -r '.output' <<< "$l")"
}
# the fields but the program's name must be the same
alert "openat syscall" "$OPENER" write "$W" && s_openat=$same
alert "openat2 syscall" "$OPENER" openat2 "$W" && s_openat2=$same
alert "io_uring openat" "$URING" openat "$W" && u_openat=$same
expect_eq "io_uring openat: name" "$(jq -r '.["proc.name"]' <<< "$fields")" saker_uring
alert "io_uring openat2" "$URING" openat2 "$W" && u_openat2=$same
expect_eq "io_uring openat alerts as openat" "$u_openat" "$s_openat"
expect_eq "io_uring openat2 alerts as openat2" "$u_openat2" "$s_openat2"
# O_CREAT sends the open to an io-wq worker thread of the process: still the submitter's alert
alert "io_uring openat by a worker" "$URING" async "$W"
expect_eq "worker: type" "$(jq -r '.["evt.type"]' <<< "$fields")" openat
expect_eq "worker: file" "$(jq -r '.["fd.name"]' <<< "$fields")" "$W"
expect_eq "worker: the submitter's name" "$(jq -r '.["proc.name"]' <<< "$fields")" saker_uring
# the near miss: read-only, through io_uring; a marker after it
"$URING" read "$W" > /dev/null || fail "io_uring read open failed"
alert "marker" "$OPENER" write "$W"
sleep 0.5
expect_eq "alerts (none for the read-only io_uring open)" "$(wc -l < "$SAKERD_OUT")" "$n"
stop_sakerd TERM
expect_eq "rule counter" "$(jq -r '.rules[0].kernel_matched' "$E2E_TMP/stats.json")" "$n"
echo "PASS ($E2E_NAME): $n alerts; io_uring openat and openat2 alert as the syscalls, a read-only one does not"
