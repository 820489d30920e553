#!/usr/bin/env bash
# open_by_handle_at is an open like the others: name_to_handle_at of a watched file (a scratch
# stand-in for /etc/shadow), then open_by_handle_at of the handle for writing, alerts with the
# file's path and the call's flags; the same for reading (the near miss) does not. saker check
# accepts the event type in a rule.
. "$(dirname "$0")/lib.sh"
need_root

W="$E2E_TMP/etc/shadow"
mkdir -p "$(dirname "$W")"
printf 'root:*:19000:0:99999:7:::\n' > "$W"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Write below a watched file
  desc: the file opened for writing, by any open call, by handle too
  condition: >
    evt.type in (open, openat, openat2, creat, open_by_handle_at) and evt.is_open_write = true
    and fd.name = $W
  output: type=%evt.type file=%fd.name flags=%evt.arg.flags vpid=%proc.vpid
  priority: WARNING
YAML
"$SAKER" check "$E2E_TMP/rules.yaml" > "$E2E_TMP/check.out" 2>&1 ||
	fail "saker check refused open_by_handle_at: $(cat "$E2E_TMP/check.out")"
grep -q 'exact, in kernel on .*open_by_handle_at' "$E2E_TMP/check.out" ||
	fail "saker check does not put open_by_handle_at in the kernel: $(cat "$E2E_TMP/check.out")"
"$OPENER" handle "$W" r > /dev/null 2> "$E2E_TMP/handle.err" ||
	skip "this file system gives no handles: $(cat "$E2E_TMP/handle.err")"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/handle.saker"
start_sakerd --json "$E2E_TMP/handle.saker"
p=$("$OPENER" handle "$W" w) || fail "open_by_handle_at for writing failed"
wait_lines "$SAKERD_OUT" 1
l=$(head -n 1 "$SAKERD_OUT")
expect_eq "type" "$(jq -r '.output_fields["evt.type"]' <<< "$l")" open_by_handle_at
expect_eq "file" "$(jq -r '.output_fields["fd.name"]' <<< "$l")" "$W"
expect_eq "flags" "$(jq -r '.output_fields["evt.arg.flags"]' <<< "$l")" "O_WRONLY|O_APPEND|O_CLOEXEC"
expect_eq "vpid" "$(jq -r '.output_fields["proc.vpid"]' <<< "$l")" "$p"
# the near miss, then a marker: once the marker is in, the read would be too
"$OPENER" handle "$W" r > /dev/null || fail "open_by_handle_at for reading failed"
"$OPENER" write "$W" > /dev/null || fail "marker open failed"
wait_lines "$SAKERD_OUT" 2
sleep 0.5
expect_eq "alerts (none for the read)" "$(wc -l < "$SAKERD_OUT")" 2
expect_eq "marker" "$(sed -n 2p "$SAKERD_OUT" | jq -r '.output_fields["evt.type"]')" openat
stop_sakerd TERM
echo "PASS ($E2E_NAME): open_by_handle_at for writing alerts as $(jq -r .output <<< "$l"); for reading it does not"
