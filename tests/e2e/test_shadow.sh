#!/usr/bin/env bash
# A write open of /etc/shadow gives exactly one alert with the right fields; a read gives none;
# and a relative path, a symlink, openat with a directory fd, openat2 and the legacy open(2) each
# give an alert naming /etc/shadow, because the kernel resolves the path from the opened file.
. "$(dirname "$0")/lib.sh"
need_root

write_shadow_rules "$E2E_TMP/rules.yaml"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/shadow.saker"
mkdir "$E2E_TMP/links"
ln -s /etc/shadow "$E2E_TMP/links/shadow-link"

SAKER_HOSTNAME=e2e-host start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/shadow.saker"

# A read open of the same file, then a write open: only the write may alert.
"$OPENER" read /etc/shadow > /dev/null || fail "read open of /etc/shadow failed"
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
	local p
	p=$("$OPENER" "$@") || fail "$what: saker_opener $* failed"
	n=$((n + 1))
	wait_lines "$SAKERD_OUT" "$n"
	local l
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
echo "PASS ($E2E_NAME): $n alerts, one per write open of /etc/shadow, none for the read"
