# The kernel checks shared by the end-to-end tests (on this machine's kernel) and the guest test
# (tests/guest/: another kernel, in qemu). Sourced after lib.sh. Each check takes bundles that
# were compiled beforehand, so the guest runs exactly the assertions the host does, on bundles
# compiled on the host.

# write_flood_rules RULES PATH: one rule matching every open of PATH (the lost-event check).
# Opens with cut names elsewhere on the machine "may match" a rule on a path (docs/kernel.md):
# fd.name_cut = false keeps the counts to this test's own opens.
write_flood_rules() {
	cat > "$1" <<YAML
- rule: Open in flood dir
  desc: every open of the test's file
  condition: evt.type in (open, openat, openat2, creat) and fd.name = $2 and fd.name_cut = false
  output: open of %fd.name by %proc.name
  priority: NOTICE
YAML
}

# mine: the alerts in $SAKERD_OUT whose proc.pid is one of MINE_PIDS (the processes of the check
# that runs). wait_mine N: waits up to 20 s for N of them.
MINE_PIDS=
mine() {
	jq -c --arg p " $MINE_PIDS " 'select(.output_fields["proc.pid"] as $x | $p | contains(" \($x) "))' \
		"$SAKERD_OUT"
}
wait_mine() {
	local i
	for i in $(seq 200); do
		# (each alert is a line: only once the file has N lines can N of them be this check's)
		[ "$(wc -l < "$SAKERD_OUT")" -ge "$1" ] && [ "$(mine | wc -l)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "expected $1 alert(s) of this check's processes within 20 s, got $(mine | wc -l)"
}

# shadow_check BUNDLE (write_shadow_rules): a write open of /etc/shadow gives exactly one alert
# with the right fields; a read gives none; a relative path, a symlink, openat with a directory
# fd, openat2 and the legacy open(2) each give an alert naming /etc/shadow. Sets ALERTS.
shadow_check() {
	mkdir -p "$E2E_TMP/links"
	ln -sf /etc/shadow "$E2E_TMP/links/shadow-link"
	SAKER_HOSTNAME=e2e-host start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$1"

	# A read open of the same file, then a write open: only the write may alert. Other tests on
	# this machine may write /etc/shadow too: only the alerts of this check's processes count.
	local pid rpid
	rpid=$("$OPENER" read /etc/shadow) || fail "read open of /etc/shadow failed"
	pid=$("$OPENER" write /etc/shadow) || fail "write open of /etc/shadow failed"
	MINE_PIDS="$rpid $pid"
	wait_mine 1
	sleep 0.5 # let any stray alert from the read arrive
	expect_eq "alerts after one read and one write" "$(mine | wc -l)" 1

	line=$(mine | head -n 1)
	# every value checked, one per line, from one jq (each jq costs a fifth of a second in the
	# emulated guest)
	# (no process substitution: the guest has no /dev/fd)
	local -a F=()
	mapfile -t F <<< "$(jq -r '.rule, .priority, .source, .hostname, (.tags | join(",")),
		(.output_fields | .["fd.name"], .["proc.name"], .["proc.pid"], .["user.name"],
		 (.["user.uid"] | tostring), .["container.id"], .["evt.arg.flags"],
		 (.["evt.time"] | type), .["evt.time"]),
		(keys_unsorted | join(",")), .time, .output' <<< "$line" 2> /dev/null)"
	[ "${#F[@]}" = 17 ] || fail "alert is not JSON with the expected keys: $line"
	expect_eq rule "${F[0]}" "Write to shadow"
	expect_eq priority "${F[1]}" "Critical"
	expect_eq source "${F[2]}" "syscall"
	expect_eq hostname "${F[3]}" "e2e-host"
	expect_eq tags "${F[4]}" "filesystem,mitre_credential_access"
	expect_eq fd.name "${F[5]}" "/etc/shadow"
	expect_eq proc.name "${F[6]}" "saker_opener"
	expect_eq proc.pid "${F[7]}" "$pid"
	expect_eq user.name "${F[8]}" "root"
	expect_eq user.uid "${F[9]}" "0"
	expect_eq container.id "${F[10]}" "host"
	expect_eq flags "${F[11]}" "O_WRONLY|O_APPEND|O_CLOEXEC"
	expect_eq "evt.time type" "${F[12]}" "number"
	local now t
	expect_eq "key order" "${F[14]}" "hostname,output,output_fields,priority,rule,source,tags,time"
	echo "${F[15]}" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$' ||
		fail "time is not ISO 8601 with nanoseconds: ${F[15]}"
	echo "${F[16]}" | grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}: Critical File /etc/shadow opened for writing \(user=root uid=0 process=saker_opener pid='"$pid"' file=/etc/shadow flags=O_WRONLY\|O_APPEND\|O_CLOEXEC container_id=host\)$' ||
		fail "unexpected output text: ${F[16]}"
	# The alert's time is close to now (the boot-to-wall clock offset is right).
	now=$(date +%s)
	t=$(( F[13] / 1000000000 ))
	[ $(( now - t )) -ge 0 ] && [ $(( now - t )) -lt 60 ] || fail "alert time $t is far from now ($now)"

	# Each way of reaching /etc/shadow without naming it gives one more alert naming it.
	n=1
	check_evasion() {
		local what=$1
		shift
		local p l
		p=$("$OPENER" "$@") || fail "$what: saker_opener $* failed"
		MINE_PIDS="$MINE_PIDS $p"
		n=$((n + 1))
		wait_mine "$n"
		l=$(mine | sed -n "${n}p" | jq -r '.output_fields | "\(.["fd.name"]) \(.["proc.pid"])"')
		expect_eq "$what: fd.name and proc.pid" "$l" "/etc/shadow $p"
	}
	check_evasion "relative path from /etc" relative /etc shadow
	check_evasion "relative path with dot-dot" relative /usr ../etc/./shadow
	check_evasion "symlink" write "$E2E_TMP/links/shadow-link"
	check_evasion "openat with a directory fd" dirfd /etc shadow
	check_evasion "openat2" openat2 /etc/shadow
	check_evasion "legacy open(2)" legacy-open /etc/shadow

	sleep 0.5
	expect_eq "total alerts" "$(mine | wc -l)" "$n"
	stop_sakerd TERM
	# sakerd's counters include what other processes did meanwhile: ours and theirs, all alerted
	local all
	all=$(wc -l < "$SAKERD_OUT")
	expect_eq "stats alerts" "$(jq -r .alerts "$E2E_TMP/stats.json")" "$all"
	expect_eq "stats lost" "$(jq -r .lost "$E2E_TMP/stats.json")" 0
	grep -q "^sakerd: events received $all, lost 0, alerts $all\$" "$SAKERD_ERR" ||
		fail "counters line does not say $all events and $all alerts"
	ALERTS=$n
}

# filter_check BUNDLE (write_shadow_rules): 10,000 opens of other files (for writing and for
# reading) deliver ZERO events to user space; the counters show the kernel looked at them all
# and sent only the one matching open that ends the run. Sets SEEN.
filter_check() {
	start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$1"

	"$OPENER" many 5000 "$E2E_TMP/other-file" w > /dev/null || fail "write opens failed"
	"$OPENER" many 5000 /etc/passwd r > /dev/null || fail "read opens failed"
	# The only event of ours that should reach user space: a marker that the run is over. (Other
	# processes on the machine may write /etc/shadow meanwhile: their events count too, and each
	# must be such a write, never one of the 10,000 opens.)
	MINE_PIDS=$("$OPENER" write /etc/shadow) || fail "marker open failed"
	wait_mine 1
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
	local all
	all=$(wc -l < "$SAKERD_OUT")
	expect_eq "alerts of this check" "$(mine | wc -l)" 1
	expect_eq "alerts that are not writes of /etc/shadow" \
		"$(jq -c 'select(.output_fields["fd.name"] != "/etc/shadow")' "$SAKERD_OUT" | wc -l)" 0
	expect_eq "events received by user space" "$(jq -r .events_received <<< "$stats")" "$all"
	expect_eq "alerts" "$(jq -r .alerts <<< "$stats")" "$all"
	expect_eq "lost" "$(jq -r .lost <<< "$stats")" 0
	expect_eq "malformed" "$(jq -r .malformed <<< "$stats")" 0
	SEEN=$(jq -r .kernel_seen <<< "$stats")
	[ "$SEEN" -ge 10001 ] || fail "the kernel saw only $SEEN hooked syscall exits, fewer than the 10,001 opens"
	expect_eq "kernel matched" "$(jq -r .kernel_matched <<< "$stats")" "$all"
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
	expect_eq "lost: to a full ring buffer" "$(jq -r .kernel_lost <<< "$stats")" "$LOST"
	expect_eq "records sent" "$(jq -r .kernel_records <<< "$stats")" "$RECEIVED"
	expect_eq "received + lost" "$((RECEIVED + LOST))" "$matched"
	expect_eq "alert lines" "$alerts" "$RECEIVED"
	expect_eq "losses announced by internal alerts" "$reported" "$LOST"
	grep -q "events lost: the ring buffer was full" "$SAKERD_ERR" || fail "no loss message on stderr"
	# the rule's own kernel counters say the same
	expect_eq "the rule's matches" "$(jq -r '.rules[0].kernel_matched' <<< "$stats")" "$matched"
	expect_eq "the rule's records sent" "$(jq -r '.rules[0].kernel_emitted' <<< "$stats")" "$RECEIVED"
	expect_eq "the rule's records lost" "$(jq -r '.rules[0].kernel_lost' <<< "$stats")" "$LOST"
	grep -q "lost $LOST" "$SAKERD_ERR" || fail "sakerd's exit line does not report the $LOST lost events"
	grep -q "^sakerd: kernel: records lost to a full ring buffer $LOST, " "$SAKERD_ERR" ||
		fail "sakerd does not report the cause of the losses"
	grep -q "^sakerd: rule '$(jq -r '.rules[0].rule' <<< "$stats")': matched $matched, sent $RECEIVED, lost $LOST\$" \
		"$SAKERD_ERR" || fail "sakerd does not report the rule's losses"
}

# default_rules_check BUNDLE (rules/): a write open of /etc/shadow from a shell gives exactly one
# alert of the shipped rule, a read gives none, and a write to an SSH authorized_keys file gives
# its own rule's alert.
default_rules_check() {
	start_sakerd --json "$1"
	# only the alerts of this check's processes count (another test may write /etc/shadow)
	local rpid wpid kpid
	# shellcheck disable=SC2016 # $$ is the inner shell's pid
	rpid=$(sh -c 'echo $$; exec cat /etc/shadow > /dev/null')
	# shellcheck disable=SC2016
	wpid=$(sh -c 'echo $$; : >> /etc/shadow')
	MINE_PIDS="$rpid $wpid"
	wait_mine 1
	sleep 0.5
	expect_eq "alerts after a read and a write of /etc/shadow" "$(mine | wc -l)" 1
	line=$(mine | head -n 1)
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
	kpid=$(sh -c "echo \$\$; : >> '$E2E_TMP/home/.ssh/authorized_keys'")
	MINE_PIDS="$MINE_PIDS $kpid"
	wait_mine 2
	line=$(mine | sed -n 2p)
	expect_eq rule "$(field .rule)" "Write to SSH authorized keys"
	expect_eq fd.name "$(field '.output_fields["fd.name"]')" "$E2E_TMP/home/.ssh/authorized_keys"
	stop_sakerd INT
	expect_eq "alert lines" "$(mine | wc -l)" 2
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

# build_i386 OUT: the 32-bit test program (tests/e2e/saker_i386.c), static so that a guest needs
# no i386 libraries; 0, or 1 when gcc cannot build 32-bit programs (gcc-multilib missing).
build_i386() {
	gcc -m32 -static -O1 -fno-pie -no-pie -Wall -Wextra -Werror -o "$1" \
		"$SAKER_SOURCE_DIR/tests/e2e/saker_i386.c" 2> "$E2E_TMP/gcc-m32.err"
}

# build_i386_net OUT: the i386 socket-call program, its errors in $E2E_TMP/gcc-m32.err.
build_i386_net() {
	gcc -m32 -static -O1 -fno-pie -no-pie -Wall -Wextra -Werror -o "$1" \
		"$SAKER_SOURCE_DIR/tests/e2e/saker_i386_net.c" 2> "$E2E_TMP/gcc-m32.err"
}

# build_uring OUT: the io_uring test program (liburing-dev), its errors in $E2E_TMP/gcc-uring.err.
build_uring() {
	gcc -O1 -Wall -Wextra -Werror -o "$1" "$SAKER_SOURCE_DIR/tests/e2e/saker_uring.c" -luring \
		2> "$E2E_TMP/gcc-uring.err"
}

# write_compat_rules RULES WATCHED: one rule, a write open of WATCHED by any open call.
write_compat_rules() {
	cat > "$1" <<YAML
- rule: Write to the watched file
  desc: an open of the test's file for writing, by any open call of any ABI
  condition: >
    evt.type in (open, openat, openat2, creat) and evt.is_open_write = true and fd.name = $2
    and fd.name_cut = false
  output: >
    type=%evt.type file=%fd.name flags=%evt.arg.flags fd=%fd.num res=%evt.res uid=%user.uid
    vpid=%proc.vpid
  priority: WARNING
YAML
}

# compat_check BUNDLE (write_compat_rules) WATCHED I386 (build_i386): i386 calls are numbered
# and read as i386 calls. The 32-bit program opens WATCHED with open (5), openat (295) and the C
# library's sysenter path, and each alerts exactly like the 64-bit open and openat; its readlink
# (85, creat's number on x86-64) returning the number of a descriptor open on WATCHED, and its
# remap_file_pages (257, openat's number on x86-64) with the registers x86-64 openat would read
# set to a write open of WATCHED, give no alert. Sets ALERTS.
# next_alert WHAT PROGRAM ARGS...: PROGRAM (which prints its pid) must add one alert line to
# $SAKERD_OUT, with that pid as proc.vpid. The caller's n counts the lines; LINE gets the new
# one, FIELDS its output fields less the time and the pid, OUTPUT its text.
next_alert() {
	local what=$1 p
	shift
	p=$("$@") || fail "$what: $* failed"
	n=$((n + 1))
	wait_lines "$SAKERD_OUT" "$n"
	line=$(sed -n "${n}p" "$SAKERD_OUT")
	# one jq: the vpid, the other fields, the output text
	local vpid=
	{ read -r vpid && read -r fields && read -r output; } <<< "$(jq -r '.output_fields["proc.vpid"],
		(.output_fields | del(.["evt.time"], .["proc.vpid"]) | tojson), .output' <<< "$line")"
	expect_eq "$what: vpid" "$vpid" "$p"
}

compat_check() {
	local w=$2 i386=$3 n=0 line fields output a64 o64 a32 s32 o32
	mkdir -p "$(dirname "$w")"
	: > "$w"
	"$i386" remap /nonexistent > /dev/null 2>&1 || fail "this kernel does not run i386 programs"
	start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$1"
	noflags() { jq -c 'del(.["evt.arg.flags"])' <<< "$1"; }
	flags() { jq -r '.["evt.arg.flags"]' <<< "$1"; }
	# saker_opener's opens add O_CLOEXEC, the i386 program's do not: flags are compared apart
	next_alert "x86-64 open" "$OPENER" legacy-open "$w" && a64=$fields
	next_alert "x86-64 openat" "$OPENER" write "$w" && o64=$fields
	next_alert "i386 open" "$i386" open "$w" && a32=$fields
	next_alert "i386 open by sysenter" "$i386" sysenter "$w" && s32=$fields
	next_alert "i386 openat" "$i386" openat "$w" && o32=$fields
	expect_eq "x86-64 open: type" "$(jq -r '.["evt.type"]' <<< "$a64")" open
	expect_eq "x86-64 openat: type" "$(jq -r '.["evt.type"]' <<< "$o64")" openat
	expect_eq "i386 open alerts as x86-64 open" "$(noflags "$a32")" "$(noflags "$a64")"
	expect_eq "i386 open through sysenter" "$s32" "$a32"
	expect_eq "i386 openat alerts as x86-64 openat" "$(noflags "$o32")" "$(noflags "$o64")"
	expect_eq "x86-64 flags" "$(flags "$a64") $(flags "$o64")" "O_WRONLY|O_APPEND|O_CLOEXEC O_WRONLY|O_APPEND|O_CLOEXEC"
	expect_eq "i386 flags" "$(flags "$a32") $(flags "$o32")" "O_WRONLY|O_APPEND O_WRONLY|O_APPEND"
	expect_eq "i386 open: file" "$(jq -r '.["fd.name"]' <<< "$a32")" "$w"
	# readlink opens the file first (one alert, as open), then must add none
	rm -f "$w-fdlink"
	next_alert "i386 open before readlink" "$i386" readlink "$w" "$w-fdlink"
	"$i386" remap "$w" > /dev/null || fail "i386 remap_file_pages did not fail as expected"
	# a marker after them: once it is in, anything they caused would be too
	next_alert "marker" "$OPENER" legacy-open "$w"
	sleep 0.5
	expect_eq "alerts (none for readlink or remap_file_pages)" "$(wc -l < "$SAKERD_OUT")" "$n"
	stop_sakerd TERM
	expect_eq "stats alerts" "$(jq -r .alerts "$E2E_TMP/stats.json")" "$n"
	expect_eq "rule counter" "$(jq -r '.rules[0].kernel_matched' "$E2E_TMP/stats.json")" "$n"
	ALERTS=$n
}

# write_ptrace_rules RULES: PTRACE_ATTACH by name and PTRACE_DETACH by number, by saker_opener.
write_ptrace_rules() {
	cat > "$1" <<'YAML'
- macro: ptrace_by_opener
  condition: evt.type = ptrace and proc.name = saker_opener

- rule: Ptrace attach
  desc: the test's process attached to another one
  condition: ptrace_by_opener and evt.arg.request contains PTRACE_ATTACH and evt.arg.pid > 0
  output: attach request=%evt.arg.request raw=%evt.rawarg.request target=%evt.arg.pid vpid=%proc.vpid type=%evt.type
  priority: WARNING

- rule: Ptrace detach
  desc: the test's process detached from another one
  condition: ptrace_by_opener and evt.rawarg.request = 17
  output: detach request=%evt.arg.request target=%evt.arg.pid vpid=%proc.vpid
  priority: NOTICE
YAML
}

# ptrace_check BUNDLE (write_ptrace_rules): the ptrace family end to end. A process attaching
# to and detaching from a child of its own alerts once per rule, with the request by name and
# by number and the target's pid, all computed in the kernel. Sets CHILD.
ptrace_check() {
	start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$1"
	local out pid mine attach detach
	out=$("$OPENER" ptrace-attach sk_traced) || fail "saker_opener ptrace-attach failed"
	pid=$(sed -n 1p <<< "$out")
	CHILD=$(sed -n 2p <<< "$out")
	wait_lines "$SAKERD_OUT" 2
	sleep 0.5
	stop_sakerd TERM
	# this process's alerts only: another test may run saker_opener too
	mine=$(jq -c --argjson p "$pid" 'select(.output_fields["proc.vpid"] == $p)' "$SAKERD_OUT")
	expect_eq "alerts of this process" "$(wc -l <<< "$mine")" 2
	attach=$(jq -c 'select(.rule == "Ptrace attach")' <<< "$mine")
	detach=$(jq -c 'select(.rule == "Ptrace detach")' <<< "$mine")
	f() { jq -r ".output_fields[\"$2\"]" <<< "$1"; }
	expect_eq "attach: evt.type" "$(f "$attach" evt.type)" ptrace
	expect_eq "attach: evt.arg.request" "$(f "$attach" evt.arg.request)" PTRACE_ATTACH
	expect_eq "attach: evt.rawarg.request" "$(f "$attach" evt.rawarg.request)" 16
	expect_eq "attach: evt.arg.pid" "$(f "$attach" evt.arg.pid)" "$CHILD"
	expect_eq "detach: evt.arg.request" "$(f "$detach" evt.arg.request)" PTRACE_DETACH
	expect_eq "detach: evt.arg.pid" "$(f "$detach" evt.arg.pid)" "$CHILD"
	expect_eq "kernel counter of the attach rule" \
		"$(jq -r '.rules[] | select(.rule == "Ptrace attach") | .kernel_emitted' "$E2E_TMP/stats.json")" \
		"$(jq -c 'select(.rule == "Ptrace attach")' "$SAKERD_OUT" | wc -l)"
}

# uring_check BUNDLE (write_compat_rules) WATCHED URING (saker_uring, built with liburing):
# IORING_OP_OPENAT and IORING_OP_OPENAT2 of WATCHED for writing alert exactly like the openat
# and openat2 syscalls (the fields but fd.num and the program's name), also when an io-wq worker
# does the open (O_CREAT sends it there), attributed to the submitting process (its vpid, and
# its name when the output shows proc.name), and when it opens into a fixed-file slot (no
# descriptor: named from the ring's file table); a read-only io_uring open does not alert. Sets
# ALERTS.
uring_check() {
	local w=$2 uring=$3 n=0 line fields output same s_openat s_openat2 u_openat u_openat2
	# (its own file: in the guest, an earlier check's is gone when this one runs alone)
	mkdir -p "$(dirname "$w")"
	: > "$w"
	start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$1"
	# alert WHAT PROGRAM ARGS...: next_alert, less fd.num (an io_uring request has its own)
	alert() {
		next_alert "$@"
		{ read -r fields && read -r same; } <<< "$(jq -c 'del(.["fd.num"]), del(.["fd.num"], .["proc.name"])' <<< "$fields")"
		echo "$1: $output"
	}
	# name WHAT: the alert's proc.name is the io_uring program's, when the output has it
	name() {
		local v
		v=$(jq -r '.["proc.name"]' <<< "$fields")
		[ "$v" = null ] || expect_eq "$1: name" "$v" saker_uring
	}
	alert "openat syscall" "$OPENER" write "$w" && s_openat=$same
	alert "openat2 syscall" "$OPENER" openat2 "$w" && s_openat2=$same
	alert "io_uring openat" "$uring" openat "$w" && u_openat=$same && name "io_uring openat"
	alert "io_uring openat2" "$uring" openat2 "$w" && u_openat2=$same && name "io_uring openat2"
	expect_eq "io_uring openat alerts as openat" "$u_openat" "$s_openat"
	expect_eq "io_uring openat2 alerts as openat2" "$u_openat2" "$s_openat2"
	alert "io_uring openat by a worker" "$uring" async "$w"
	name "io_uring worker"
	expect_eq "worker: type" "$(jq -r '.["evt.type"]' <<< "$fields")" openat
	expect_eq "worker: file" "$(jq -r '.["fd.name"]' <<< "$fields")" "$w"
	# into a fixed-file slot: no descriptor, the name from the ring's own file table
	alert "io_uring openat into a fixed-file slot" "$uring" fixed "$w"
	expect_eq "fixed slot: type" "$(jq -r '.["evt.type"]' <<< "$fields")" openat
	expect_eq "fixed slot: file" "$(jq -r '.["fd.name"]' <<< "$fields")" "$w"
	# the near miss, then a marker: once it is in, the read would be too
	"$uring" read "$w" > /dev/null || fail "io_uring read open failed"
	alert "marker" "$OPENER" write "$w"
	sleep 0.5
	expect_eq "alerts (none for the read-only io_uring open)" "$(wc -l < "$SAKERD_OUT")" "$n"
	stop_sakerd TERM
	expect_eq "rule counter" "$(jq -r '.rules[0].kernel_matched' "$E2E_TMP/stats.json")" "$n"
	ALERTS=$n
}

# write_uring_net_rules RULES PORT FILE: a TCP connect to 127.0.0.1:PORT by any route; a packet
# socket made by saker_uring; an accept of a connection to 127.0.0.1:PORT+2; a UDP send to
# 127.0.0.1:PORT+4; a write open of FILE that the kernel could not name for sure.
write_uring_net_rules() {
	cat > "$1" <<- YAML
	- rule: connect to the test port
	  desc: a TCP connect to 127.0.0.1:$2, by any route
	  condition: evt.type = connect and fd.sip = 127.0.0.1 and fd.sport = $2
	  output: "connect %evt.type %fd.sip %fd.sport %fd.l4proto %evt.res %proc.name vpid=%proc.vpid"
	  priority: notice
	- rule: packet socket of the test program
	  desc: an AF_PACKET socket made by saker_uring, by any route
	  condition: evt.type = socket and evt.arg.domain contains AF_PACKET and proc.name = saker_uring
	  output: "socket %evt.type %evt.arg.domain %evt.rawarg.type %evt.rawarg.proto %fd.type %evt.res %fd.num vpid=%proc.vpid"
	  priority: notice
	- rule: accept on the test port
	  desc: a connection to 127.0.0.1:$(($2 + 2)) accepted, by any route
	  condition: evt.type in (accept, accept4) and fd.sip = 127.0.0.1 and fd.sport = $(($2 + 2))
	  output: "accept %evt.type %fd.sip %fd.sport %fd.l4proto %fd.num %evt.res vpid=%proc.vpid"
	  priority: notice
	- rule: UDP send to the test port
	  desc: a datagram sent to 127.0.0.1:$(($2 + 4)), by any route
	  condition: evt.type in (sendto, sendmsg) and fd.l4proto = udp and fd.sip = 127.0.0.1 and fd.sport = $(($2 + 4))
	  output: "send %evt.type %fd.sip %fd.sport %fd.l4proto %fd.connected %evt.res vpid=%proc.vpid"
	  priority: notice
	- rule: write open that may be the test file
	  desc: a write open of $3 that the kernel could not name for sure (an io_uring open seen at
	    its submission); whole names do not count here
	  condition: evt.type = openat and evt.is_open_write = true and fd.name = $3 and fd.name_cut = true
	  output: "open %evt.type %fd.name %evt.res cut=%fd.name_cut vpid=%proc.vpid"
	  priority: notice
	YAML
}

# uring_net_check BUNDLE URING PORT FILE: with BUNDLE (write_uring_net_rules of PORT and FILE),
# an io_uring connect to 127.0.0.1:PORT (no listener: refused) alerts as the same program's
# connect syscall; one to another port does not. So do an io_uring socket (also into a fixed
# slot, and one posting no completion, seen at submission), accept, sendmsg and send, each
# against its syscall; the same calls on other ports or of another domain stay quiet
# (test_uring_net.sh, and the guest's uring_net check).
uring_net_check() {
	local uring=$2 port=$3 file=$4 n=0 line fields output sys uring_f
	start_sakerd --json "$1"
	# u_alert WHAT PROGRAM ARGS...: next_alert, less fd.num (-1 for an io_uring connect)
	u_alert() {
		next_alert "$@"
		fields=$(jq -c 'del(.["fd.num"])' <<< "$fields")
		echo "$1: $output"
	}
	u_alert "connect syscall" "$uring" sysconnect "$port" && sys=$fields
	u_alert "io_uring connect" "$uring" connect "$port" && uring_f=$fields
	expect_eq "io_uring connect alerts as connect" "$uring_f" "$sys"
	expect_eq "type" "$(jq -r '.["evt.type"]' <<< "$uring_f")" connect
	expect_eq "port" "$(jq -r '.["fd.sport"]' <<< "$uring_f")" "$port"
	# the near miss, then a marker: once it is in, the other port's connect would be too
	"$uring" connect $((port + 1)) > /dev/null || fail "io_uring connect to the other port failed"
	u_alert "marker" "$uring" sysconnect "$port"
	# an io_uring open with IOSQE_CQE_SKIP_SUCCESS posts no completion when it succeeds: it is
	# seen at its submission, named as submitted and marked cut, so a rule on the file may
	# match; the same open with a completion is named whole (the near miss of this rule)
	mkdir -p "$(dirname "$file")"
	: > "$file"
	"$uring" openat "$file" > /dev/null || fail "io_uring openat of $file failed"
	u_alert "io_uring openat, no completion on success" "$uring" skip "$file"
	expect_eq "skip: type" "$(jq -r '.["evt.type"]' <<< "$fields")" openat
	expect_eq "skip: file" "$(jq -r '.["fd.name"]' <<< "$fields")" "<cut>$file"
	u_alert "marker 2" "$uring" sysconnect "$port"
	# the other network operations, each against its syscall field for field (fd.num too: both
	# modes set their ring up first, so the descriptors are the same); f FIELD: the last one's
	f() { jq -r ".[\"$1\"]" <<< "$fields"; }
	next_alert "socket syscall" "$uring" syssocket packet && sys=$fields
	next_alert "io_uring socket" "$uring" socket packet && uring_f=$fields
	expect_eq "io_uring socket alerts as socket" "$uring_f" "$sys"
	next_alert "io_uring socket into a fixed-file slot" "$uring" socket-fixed packet
	expect_eq "fixed socket: domain, type, result, descriptor" \
		"$(f evt.arg.domain) $(f fd.type) $(f evt.res) $(f fd.num)" \
		"$(jq -r '.["evt.arg.domain"] + " " + .["fd.type"]' <<< "$sys") SUCCESS -1"
	next_alert "io_uring socket, no completion on success" "$uring" socket-skip packet
	expect_eq "skip socket: domain, type, result, descriptor" \
		"$(f evt.arg.domain) $(f fd.type) $(f evt.res) $(f fd.num)" \
		"$(jq -r '.["evt.arg.domain"]' <<< "$sys") null SUCCESS -1"
	"$uring" socket inet > /dev/null || fail "io_uring socket inet failed"
	next_alert "accept4 syscall" "$uring" sysaccept $((port + 2)) && sys=$fields
	next_alert "io_uring accept" "$uring" accept $((port + 2)) && uring_f=$fields
	expect_eq "io_uring accept alerts as accept4" "$uring_f" "$sys"
	expect_eq "accept: type, port" "$(f evt.type) $(f fd.sport)" "accept4 $((port + 2))"
	"$uring" accept $((port + 3)) > /dev/null || fail "io_uring accept on the other port failed"
	# no descriptor number for a send: the request does not keep it
	u_alert "sendmsg syscall" "$uring" syssendmsg $((port + 4)) && sys=$fields
	u_alert "io_uring sendmsg" "$uring" sendmsg $((port + 4)) && uring_f=$fields
	expect_eq "io_uring sendmsg (unconnected socket) alerts as sendmsg" "$uring_f" "$sys"
	u_alert "sendto syscall" "$uring" syssend $((port + 4)) && sys=$fields
	u_alert "io_uring send" "$uring" send $((port + 4)) && uring_f=$fields
	expect_eq "io_uring send (connected socket) alerts as sendto" "$uring_f" "$sys"
	expect_eq "send: type, port, connected" "$(f evt.type) $(f fd.sport) $(f fd.connected)" \
		"sendto $((port + 4)) true"
	"$uring" sendmsg $((port + 5)) > /dev/null || fail "io_uring sendmsg to the other port failed"
	"$uring" send $((port + 5)) > /dev/null || fail "io_uring send to the other port failed"
	u_alert "marker 3" "$uring" sysconnect "$port"
	sleep 0.5
	stop_sakerd TERM
	expect_eq "alerts (none for the other ports, the inet socket, the open that completed)" \
		"$(wc -l < "$SAKERD_OUT")" "$n"
}
