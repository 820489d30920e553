# The kernel checks shared by the end-to-end tests (on this machine's kernel) and the guest test
# (tests/guest/: another kernel, in qemu). Sourced after lib.sh. Each check takes bundles that
# were compiled beforehand, so the guest runs exactly the assertions the host does, on bundles
# compiled on the host.

# write_flood_rules RULES PATH: one rule matching every open of PATH (the lost-event check).
write_flood_rules() {
	cat > "$1" <<YAML
- rule: Open in flood dir
  desc: every open of the test's file
  condition: evt.type in (open, openat, openat2, creat) and fd.name = $2
  output: open of %fd.name by %proc.name
  priority: NOTICE
YAML
}

# shadow_check BUNDLE (write_shadow_rules): a write open of /etc/shadow gives exactly one alert
# with the right fields; a read gives none; a relative path, a symlink, openat with a directory
# fd, openat2 and the legacy open(2) each give an alert naming /etc/shadow. Sets ALERTS.
shadow_check() {
	mkdir -p "$E2E_TMP/links"
	ln -sf /etc/shadow "$E2E_TMP/links/shadow-link"
	SAKER_HOSTNAME=e2e-host start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$1"

	# A read open of the same file, then a write open: only the write may alert.
	"$OPENER" read /etc/shadow > /dev/null || fail "read open of /etc/shadow failed"
	local pid
	pid=$("$OPENER" write /etc/shadow) || fail "write open of /etc/shadow failed"
	wait_lines "$SAKERD_OUT" 1
	sleep 0.5 # let any stray alert from the read arrive
	expect_eq "alerts after one read and one write" "$(wc -l < "$SAKERD_OUT")" 1

	line=$(head -n 1 "$SAKERD_OUT")
	echo "$line" | jq -e . > /dev/null || fail "alert is not JSON: $line"
	field() { echo "$line" | jq -r "$1"; }
	expect_eq rule "$(field .rule)" "Write to shadow"
	expect_eq priority "$(field .priority)" "Critical"
	expect_eq source "$(field .source)" "syscall"
	expect_eq hostname "$(field .hostname)" "e2e-host"
	expect_eq tags "$(field '.tags | join(",")')" "filesystem,mitre_credential_access"
	expect_eq fd.name "$(field '.output_fields["fd.name"]')" "/etc/shadow"
	expect_eq proc.name "$(field '.output_fields["proc.name"]')" "saker_opener"
	expect_eq proc.pid "$(field '.output_fields["proc.pid"]')" "$pid"
	expect_eq user.name "$(field '.output_fields["user.name"]')" "root"
	expect_eq user.uid "$(field '.output_fields["user.uid"] | tostring')" "0"
	expect_eq container.id "$(field '.output_fields["container.id"]')" "host"
	expect_eq flags "$(field '.output_fields["evt.arg.flags"]')" "O_WRONLY|O_APPEND|O_CLOEXEC"
	expect_eq "evt.time type" "$(field '.output_fields["evt.time"] | type')" "number"
	local keys now t
	keys=$(echo "$line" | jq -r 'keys_unsorted | join(",")')
	expect_eq "key order" "$keys" "hostname,output,output_fields,priority,rule,source,tags,time"
	echo "$(field .time)" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$' ||
		fail "time is not ISO 8601 with nanoseconds: $(field .time)"
	echo "$(field .output)" | grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}: Critical File /etc/shadow opened for writing \(user=root uid=0 process=saker_opener pid='"$pid"' file=/etc/shadow flags=O_WRONLY\|O_APPEND\|O_CLOEXEC container_id=host\)$' ||
		fail "unexpected output text: $(field .output)"
	# The alert's time is close to now (the boot-to-wall clock offset is right).
	now=$(date +%s)
	t=$(( $(field '.output_fields["evt.time"]') / 1000000000 ))
	[ $(( now - t )) -ge 0 ] && [ $(( now - t )) -lt 60 ] || fail "alert time $t is far from now ($now)"

	# Each way of reaching /etc/shadow without naming it gives one more alert naming it.
	n=1
	check_evasion() {
		local what=$1
		shift
		local p l
		p=$("$OPENER" "$@") || fail "$what: saker_opener $* failed"
		n=$((n + 1))
		wait_lines "$SAKERD_OUT" "$n"
		l=$(sed -n "${n}p" "$SAKERD_OUT")
		expect_eq "$what: fd.name" "$(echo "$l" | jq -r '.output_fields["fd.name"]')" "/etc/shadow"
		expect_eq "$what: proc.pid" "$(echo "$l" | jq -r '.output_fields["proc.pid"]')" "$p"
	}
	check_evasion "relative path from /etc" relative /etc shadow
	check_evasion "relative path with dot-dot" relative /usr ../etc/./shadow
	check_evasion "symlink" write "$E2E_TMP/links/shadow-link"
	check_evasion "openat with a directory fd" dirfd /etc shadow
	check_evasion "openat2" openat2 /etc/shadow
	check_evasion "legacy open(2)" legacy-open /etc/shadow

	sleep 0.5
	expect_eq "total alerts" "$(wc -l < "$SAKERD_OUT")" "$n"
	stop_sakerd TERM
	expect_eq "stats alerts" "$(jq -r .alerts "$E2E_TMP/stats.json")" "$n"
	expect_eq "stats lost" "$(jq -r .lost "$E2E_TMP/stats.json")" 0
	grep -q "^sakerd: events received $n, lost 0, alerts $n\$" "$SAKERD_ERR" ||
		fail "counters line does not say $n events and $n alerts"
	ALERTS=$n
}

# filter_check BUNDLE (write_shadow_rules): 10,000 opens of other files (for writing and for
# reading) deliver ZERO events to user space; the counters show the kernel looked at them all
# and sent only the one matching open that ends the run. Sets SEEN.
filter_check() {
	start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$1"

	"$OPENER" many 5000 "$E2E_TMP/other-file" w > /dev/null || fail "write opens failed"
	"$OPENER" many 5000 /etc/passwd r > /dev/null || fail "read opens failed"
	# The only event that should reach user space: a marker that the run is over.
	"$OPENER" write /etc/shadow > /dev/null || fail "marker open failed"
	wait_lines "$SAKERD_OUT" 1
	sleep 0.5

	# SIGUSR1 refreshes the stats file without stopping sakerd.
	rm -f "$E2E_TMP/stats.json"
	kill -USR1 "$SAKERD_PID"
	local i stats
	for i in $(seq 100); do [ -s "$E2E_TMP/stats.json" ] && break; sleep 0.1; done
	[ -s "$E2E_TMP/stats.json" ] || fail "SIGUSR1 did not write the stats file"
	kill -0 "$SAKERD_PID" || fail "sakerd stopped on SIGUSR1"

	stop_sakerd INT
	stats=$(cat "$E2E_TMP/stats.json")
	echo "stats: $stats"
	expect_eq "events received by user space" "$(jq -r .events_received <<< "$stats")" 1
	expect_eq "alerts" "$(jq -r .alerts <<< "$stats")" 1
	expect_eq "lost" "$(jq -r .lost <<< "$stats")" 0
	expect_eq "malformed" "$(jq -r .malformed <<< "$stats")" 0
	SEEN=$(jq -r .kernel_seen <<< "$stats")
	[ "$SEEN" -ge 10001 ] || fail "the kernel saw only $SEEN hooked syscall exits, fewer than the 10,001 opens"
	expect_eq "kernel matched" "$(jq -r .kernel_matched <<< "$stats")" 1
	expect_eq "alert lines" "$(wc -l < "$SAKERD_OUT")" 1
}

# lost_check BUNDLE PATH (write_flood_rules on PATH): while sakerd is stopped, 200 matching
# opens overflow a 16 KiB ring buffer; every event is then either delivered (one alert each) or
# counted as lost, the counts add up to what the kernel matched, and the loss is announced by
# internal alerts while sakerd runs (in the alert stream and on stderr), not only at exit.
# Sets RECEIVED and LOST.
lost_check() {
	mkdir -p "$(dirname "$2")"
	start_sakerd --json --ring-buffer-size 16K --stats-file "$E2E_TMP/stats.json" "$1"

	kill -STOP "$SAKERD_PID"
	"$OPENER" many 200 "$2" w > /dev/null || { kill -CONT "$SAKERD_PID"; fail "opens failed"; }
	kill -CONT "$SAKERD_PID"
	sleep 1
	stop_sakerd TERM

	local stats matched alerts reported
	stats=$(cat "$E2E_TMP/stats.json")
	echo "stats: $stats"
	RECEIVED=$(jq -r .events_received <<< "$stats")
	LOST=$(jq -r .lost <<< "$stats")
	matched=$(jq -r .kernel_matched <<< "$stats")
	alerts=$(jq -c 'select(.rule == "Open in flood dir")' "$SAKERD_OUT" | wc -l)
	reported=$(jq -s '[.[] | select(.rule == "saker internal: event loss" and .output_fields.cause == "ring_buffer_full") | .output_fields.n] | add // 0' "$SAKERD_OUT")
	expect_eq "kernel matched" "$matched" 200
	[ "$LOST" -gt 0 ] || fail "a 16 KiB ring buffer held 200 events: nothing was lost, so nothing was tested"
	expect_eq "received + lost" "$((RECEIVED + LOST))" "$matched"
	expect_eq "alert lines" "$alerts" "$RECEIVED"
	expect_eq "losses announced by internal alerts" "$reported" "$LOST"
	grep -q "events lost: the ring buffer was full" "$SAKERD_ERR" || fail "no loss message on stderr"
	grep -q "lost $LOST" "$SAKERD_ERR" || fail "sakerd's exit line does not report the $LOST lost events"
}

# default_rules_check BUNDLE (rules/): a write open of /etc/shadow from a shell gives exactly one
# alert of the shipped rule, a read gives none, and a write to an SSH authorized_keys file gives
# its own rule's alert.
default_rules_check() {
	start_sakerd --json "$1"
	cat /etc/shadow > /dev/null
	sh -c ': >> /etc/shadow'
	wait_lines "$SAKERD_OUT" 1
	sleep 0.5
	expect_eq "alerts after a read and a write of /etc/shadow" "$(wc -l < "$SAKERD_OUT")" 1
	line=$(head -n 1 "$SAKERD_OUT")
	field() { echo "$line" | jq -r "$1"; }
	expect_eq rule "$(field .rule)" "Write to sensitive file"
	expect_eq priority "$(field .priority)" "Critical"
	expect_eq fd.name "$(field '.output_fields["fd.name"]')" "/etc/shadow"
	expect_eq proc.name "$(field '.output_fields["proc.name"]')" "sh"
	expect_eq user.name "$(field '.output_fields["user.name"]')" "root"
	expect_eq container.id "$(field '.output_fields["container.id"]')" "host"
	field .output | grep -q '^[0-9:.]*: Critical Write to sensitive file (user=root user_uid=0 .* file=/etc/shadow)$' ||
		fail "unexpected output text: $(field .output)"

	mkdir -p "$E2E_TMP/home/.ssh"
	sh -c ": >> '$E2E_TMP/home/.ssh/authorized_keys'"
	wait_lines "$SAKERD_OUT" 2
	line=$(sed -n 2p "$SAKERD_OUT")
	expect_eq rule "$(field .rule)" "Write to SSH authorized keys"
	expect_eq fd.name "$(field '.output_fields["fd.name"]')" "$E2E_TMP/home/.ssh/authorized_keys"
	stop_sakerd INT
	expect_eq "alert lines" "$(wc -l < "$SAKERD_OUT")" 2
}

# flip_byte IN OUT OFFSET: OUT is IN with the byte at OFFSET changed (plus one, modulo 256).
flip_byte() {
	local orig
	cp "$1" "$2"
	orig=$(od -An -tu1 -j "$3" -N1 "$1" | tr -d " ")
	# The byte goes through %b, never as the format itself: a changed byte of "%" or a backslash
	# must not be taken for a format directive (the bundle's bytes move with the temp dir's name).
	printf "%b" "\\$(printf "%03o" $(( (orig + 1) % 256 )))" |
		dd of="$2" bs=1 seek="$3" conv=notrunc status=none
	cmp -s "$1" "$2" && fail "the byte at $3 of $2 was not changed"
}

# damage_bundle GOOD DIR: writes into DIR the damaged copies of GOOD that refusal_check expects
# (cut at the end, in half, inside the header, empty; one byte changed in the middle and in the
# digest; a newer format version) and a file that is not a bundle.
damage_bundle() {
	local good=$1 dir=$2 size
	size=$(stat -c %s "$good")
	head -c $((size - 1)) "$good" > "$dir/cut-end.saker"
	head -c $((size / 2)) "$good" > "$dir/cut-half.saker"
	head -c 10 "$good" > "$dir/cut-header.saker"
	: > "$dir/empty.saker"

	# One byte changed in the middle (inside the object or the rules): the digest catches it.
	flip_byte "$good" "$dir/altered.saker" $((size / 2))
	# The last byte (inside the digest itself).
	flip_byte "$good" "$dir/altered-digest.saker" $((size - 1))

	# A newer format version (byte 8 of the header).
	cp "$good" "$dir/newer.saker"
	printf '\003' | dd of="$dir/newer.saker" bs=1 seek=8 conv=notrunc status=none

	# Not a bundle at all.
	printf 'not a bundle\n' > "$dir/text.saker"
}

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

# refusal_check GOOD DIR (DIR from damage_bundle GOOD DIR): each damaged bundle, a file that is
# not a bundle and a missing one are refused with their one-line reason and exit 2.
refusal_check() {
	local good=$1 dir=$2 size
	size=$(stat -c %s "$good")
	refuse "$dir/cut-end.saker" "truncated: the file has $((size - 1)) bytes, the header says $size"
	refuse "$dir/cut-half.saker" "truncated"
	refuse "$dir/cut-header.saker" "truncated"
	refuse "$dir/empty.saker" "truncated: the file is empty"
	refuse "$dir/altered.saker" "digest mismatch: the bundle was altered or corrupted"
	refuse "$dir/altered-digest.saker" "digest mismatch"
	refuse "$dir/newer.saker" "bundle format 3 is newer than this sakerd understands (2)"
	refuse "$dir/text.saker" "not a saker bundle (bad magic)"
	refuse "$dir/missing.saker" "cannot open: No such file or directory"
	# not files at all: refused at once, never read or waited on
	[ -p "$dir/fifo.saker" ] || mkfifo "$dir/fifo.saker"
	refuse "$dir/fifo.saker" "not a regular file"
	refuse /dev/zero "not a regular file"
}
