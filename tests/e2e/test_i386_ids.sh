#!/usr/bin/env bash
# The i386 id calls with 32-bit ids (setuid32, setresuid32, chown32 and their kin) are the same
# events as the 16-bit ones, as in Falco: a rule on setuid sees a 32-bit program's setuid32 as
# well as its setuid, and reads each call's ids at their own width (65535 is "unchanged" for the
# 16-bit calls, -1 for the others: both alert as 4294967295). The calls ask for no change (the
# caller's own uid, or "unchanged"), so the test changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

build_i386 "$E2E_TMP/saker_i386" ||
	skip "cannot build 32-bit programs (gcc -m32: install gcc-multilib): $(head -n 3 "$E2E_TMP/gcc-m32.err")"
cat > "$E2E_TMP/rules.yaml" << 'YAML'
- rule: id change by the i386 test program
  desc: the i386 test program's setuid and setresuid, whatever the width of their ids
  condition: evt.type in (setuid, setresuid) and proc.name = saker_i386
  output: "id call %evt.type uid=%evt.arg.uid ruid=%evt.arg.ruid euid=%evt.arg.euid suid=%evt.arg.suid"
  priority: notice
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/ids.saker"
start_sakerd --json "$E2E_TMP/ids.saker"
uid=$(id -u)
n=0
# call WHAT ARGS...: one alert; LINE gets its output fields, less the process and the time
call() {
	local what=$1
	shift
	"$E2E_TMP/saker_i386" "$@" > /dev/null || fail "$what: saker_i386 $* failed"
	n=$((n + 1))
	wait_lines "$SAKERD_OUT" "$n"
	line=$(sed -n "${n}p" "$SAKERD_OUT" | jq -c '.output_fields | del(.["evt.time"], .["proc.vpid"])')
}
call "setuid (23)" setuid "$uid" && s16=$line
call "setuid32 (213)" setuid32 "$uid" && s32=$line
call "setresuid (164)" setresuid x && r16=$line
call "setresuid32 (208)" setresuid32 x && r32=$line
stop_sakerd TERM
expect_eq "setuid: type" "$(jq -r '.["evt.type"]' <<< "$s16")" setuid
expect_eq "setuid: uid" "$(jq -r '.["evt.arg.uid"]' <<< "$s16")" "$uid"
expect_eq "setuid32 alerts as setuid" "$s32" "$s16"
expect_eq "setresuid: type" "$(jq -r '.["evt.type"]' <<< "$r16")" setresuid
expect_eq "setresuid: unchanged ids" "$(jq -r '[.["evt.arg.ruid"], .["evt.arg.euid"], .["evt.arg.suid"]] | join(" ")' <<< "$r16")" "4294967295 4294967295 4294967295"
expect_eq "setresuid32 alerts as setresuid" "$r32" "$r16"
expect_eq "alerts" "$(wc -l < "$SAKERD_OUT")" 4
echo "PASS ($E2E_NAME): i386 setuid/setuid32 and setresuid/setresuid32 alert alike, ids read at their width"
