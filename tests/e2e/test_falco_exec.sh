#!/usr/bin/env bash
# Falco's default rules on execs and process state, end to end: the real falco_rules.yaml (read
# from ../shared/falco, never copied) compiled with a rules file of the test's own, sakerd
# started, and each behaviour done for real: a search for private keys and AWS credentials, bulk
# removal, a program run from /dev/shm and one from a memfd, a shell spawned by a web server, a
# system user at a login program, /etc/shadow read by an untrusted program and by a server long
# after it started, and read through a path with '../' twice (fd.nameraw). Each alerts by its
# rule; a near miss of each stays quiet. The test's own rule
# checks the exec fields (proc.exe, args, cmdline, cwd, pcmdline, pexepath, aname, a failed exec's
# evt.res) and the execs whose ABI changes with the image (i386 execve from a 64-bit process, a
# 32-bit program started by a 64-bit one). Only alerts naming this test's directory count:
# other tests on the machine exec and read /etc/shadow too.
. "$(dirname "$0")/lib.sh"
need_root
command -v setpriv >/dev/null || skip "setpriv (util-linux) is needed to exec as another user"
command -v shred >/dev/null || skip "shred (coreutils) is needed"

FALCO_RULES="$SAKER_SOURCE_DIR/../shared/falco/falco_rules.yaml"
[ -f "$FALCO_RULES" ] || loud_skip "Falco's rules file is not at $FALCO_RULES"
EXEC="$SAKER_BINARY_DIR/tests/saker_exec"
[ -x "$EXEC" ] || fail "saker_exec is not built"

mark=$(basename "$E2E_TMP")
dir="$E2E_TMP/w"
mkdir -p "$dir"
chmod 755 "$E2E_TMP" "$dir"
cp /bin/true "$dir/skx_true"
cp "$EXEC" "$dir/nginx"
cp "$EXEC" "$dir/httpd"
cp "$EXEC" "$dir/worker"
cp "$EXEC" "$dir/skx_forge"
cp "$OPENER" "$dir/skx_reader"
cp "$OPENER" "$dir/sshd"
cp /bin/true "$dir/login"
shm="/dev/shm/skx-$mark"
cp /bin/true "$shm"
trap 'rm -f "$shm"; cleanup' EXIT
have32=0
if echo 'int main(void) { return 0; }' > "$E2E_TMP/t32.c" &&
	gcc -m32 -static -o "$dir/skx_t32" "$E2E_TMP/t32.c" 2> "$E2E_TMP/gcc.err"; then
	have32=1
else
	echo "*** ($E2E_NAME) no 32-bit program (gcc -m32: install gcc-multilib): the 64->32 exec is not checked" >&2
fi

cat > "$E2E_TMP/own.yaml" <<'YAML'
- rule: Exec marker
  desc: a successful exec of one of the test's marker programs
  condition: evt.type in (execve, execveat) and proc.name startswith skx_
  output: "exec type=%evt.type res=%evt.res raw=%evt.rawres exe=%proc.exe args=%proc.args cmdline=%proc.cmdline cwd=%proc.cwd pcmdline=%proc.pcmdline pexe=%proc.pexe pexepath=%proc.pexepath a1=%proc.aname[1] a2=%proc.aname[2] exepath=%proc.exepath"
  priority: NOTICE
- rule: Exec failed
  desc: an exec the test's helper makes fail
  condition: evt.type = execve and evt.failed = true and proc.name = saker_exec
  output: "failed exec res=%evt.res raw=%evt.rawres cmdline=%proc.cmdline"
  priority: NOTICE
YAML
"$SAKER" compile -o "$E2E_TMP/falco.saker" "$FALCO_RULES" "$E2E_TMP/own.yaml" 2> "$E2E_TMP/compile.err" ||
	fail "saker compile of Falco's rules failed: $(tail -5 "$E2E_TMP/compile.err")"
start_sakerd --json "$E2E_TMP/falco.saker"

# rule_alerts RULE [PATTERN]: this test's alerts of RULE (their output names PATTERN, by default
# the test's directory)
rule_alerts() {
	jq -c --arg r "$1" --arg m "${2:-$mark}" 'select(.rule == $r and (.output | contains($m)))' \
		"$SAKERD_OUT"
}
# wait_rule RULE [PATTERN]: waits up to 20 s for such an alert
wait_rule() {
	local i
	for i in $(seq 200); do
		[ -n "$(rule_alerts "$@")" ] && return 0
		sleep 0.1
	done
	fail "no alert of rule '$1' naming '${2:-$mark}' within 20 s; alerts: $(jq -r .rule "$SAKERD_OUT" | sort | uniq -c)"
}
quiet_rule() {
	[ -z "$(rule_alerts "$@")" ] || fail "rule '$1' alerted on the near miss '${2:-$mark}': $(rule_alerts "$@")"
}

# the server that reads /etc/shadow 6 s after it started, in the background meanwhile
"$dir/nginx" read-after 6 /etc/shadow &
slow=$!

cd "$dir" || fail "cd $dir"
# Search Private Keys or Passwords; near miss: a search for another name
find "$dir" -name id_rsa > /dev/null
find "$dir" -name known_hosts_skx > /dev/null
# Find AWS Credentials; near miss: a file merely called credentials
find "$dir" -path '*/.aws/credentials' > /dev/null
find "$dir" -name credentials_skx > /dev/null
# Remove Bulk Data from Disk; near miss: a plain rm
echo data > "$dir/junk"
echo data > "$dir/junk2"
shred -u "$dir/junk"
rm -f "$dir/junk2"
# Execution from /dev/shm; near miss: the same program run from the test's directory
"$shm" || fail "cannot run $shm"
"$dir/skx_true" from-dir || fail "cannot run $dir/skx_true"
# Fileless execution via memfd_create; near miss: the same program exec'd from its file
"$EXEC" memfd "$dir/skx_true" skx_mem "$mark-memfd" || fail "memfd exec failed"
"$EXEC" spawn "$dir/skx_true" skx_true "$mark-plain" || fail "plain exec failed"
# Run shell untrusted: a shell below a web server; near miss: below a program of no such name
"$dir/nginx" spawn /bin/sh sh -c "true $mark-shell" || fail "nginx spawn failed"
"$dir/worker" spawn /bin/sh sh -c "true $mark-near" || fail "worker spawn failed"
# System user interactive: nobody at a login program; near miss: root at the same program
setpriv --reuid=65534 --regid=65534 --clear-groups "$dir/login" "$mark-nobody" ||
	fail "login as nobody failed"
"$dir/login" "$mark-root" || fail "login as root failed"
# Read sensitive file untrusted; near miss: sshd, which may
"$dir/skx_reader" read /etc/shadow > /dev/null || fail "skx_reader read /etc/shadow failed"
"$dir/sshd" read /etc/shadow > /dev/null || fail "sshd read /etc/shadow failed"
# Read sensitive file trusted after startup: near miss, a server reading at once
"$dir/httpd" read-after 0 /etc/shadow || fail "httpd read failed"
# Directory traversal monitored file read: /etc/shadow by a path with '../' twice, from a program
# whose parent is no shell; near miss: a traversal to a file outside /etc
trav="$dir/../../../../../../../../etc/../etc/shadow"
"$EXEC" spawn "$OPENER" saker_opener read "$trav" > /dev/null || fail "traversal read failed"
"$EXEC" spawn "$OPENER" saker_opener read "$dir/../w/../w/skx_true" > /dev/null || fail "near traversal read failed"
# the exec fields, and the execs whose ABI changes with the image
"$dir/skx_true" one "two three" || fail "skx_true failed"
"$EXEC" spawn "$dir/skx_true" skx_true child-of-exec || fail "spawn failed"
# a parent that forked and did not exec (a subshell): the table has no entry for it, its
# arguments are those of the image it runs, the test's shell's (two subshells deep too); one
# whose parent left (moved to a reaper, another image) has none
( "$dir/skx_true" child-of-subshell; true )
( ( "$dir/skx_true" in-nested-subshell; true ); true )
( ( sleep 0.5; "$dir/skx_true" child-of-orphan; true ) & )
"$EXEC" int80 "$dir/skx_true" skx_true via-int80 || fail "int80 exec failed"
[ "$have32" = 1 ] && { "$dir/skx_t32" || fail "the 32-bit program failed"; }
# calls that share an exec's number in the other ABI, returning 0 with the stack pointer where
# a fresh image has it: no exec, none reported (one alert only, for skx_forge's own exec)
"$dir/skx_forge" forge > /dev/null || fail "skx_forge forge failed"
errno=$("$EXEC" fail "$dir/skx_missing")
expect_eq "errno of the failed exec" "$errno" 2
wait "$slow" || fail "the slow nginx read failed"

wait_rule "Search Private Keys or Passwords" "$dir -name id_rsa"
wait_rule "Find AWS Credentials" "$dir -path */.aws/credentials"
wait_rule "Remove Bulk Data from Disk" "shred -u $dir/junk"
wait_rule "Execution from /dev/shm" "$shm"
wait_rule "Fileless execution via memfd_create" "$mark-memfd"
wait_rule "Run shell untrusted" "$mark-shell"
wait_rule "System user interactive" "$mark-nobody"
wait_rule "Read sensitive file untrusted" "$dir/skx_reader"
wait_rule "Read sensitive file trusted after startup" "$dir/nginx"
wait_rule "Directory traversal monitored file read" "fileraw=$trav "
wait_rule "Exec marker" "args=one two three"
wait_rule "Exec marker" "child-of-exec"
wait_rule "Exec marker" "child-of-subshell"
wait_rule "Exec marker" "in-nested-subshell"
wait_rule "Exec marker" "child-of-orphan"
wait_rule "Exec marker" "via-int80"
[ "$have32" = 1 ] && wait_rule "Exec marker" "exe=$dir/skx_t32 "
wait_rule "Exec failed" "$dir/skx_missing"
sleep 1
stop_sakerd

quiet_rule "Search Private Keys or Passwords" "known_hosts_skx"
quiet_rule "Find AWS Credentials" "credentials_skx"
quiet_rule "Remove Bulk Data from Disk" "$dir/junk2"
quiet_rule "Execution from /dev/shm" "from-dir"
quiet_rule "Fileless execution via memfd_create" "$mark-plain"
quiet_rule "Run shell untrusted" "$mark-near"
quiet_rule "System user interactive" "$mark-root"
quiet_rule "Read sensitive file untrusted" "$dir/sshd"
quiet_rule "Read sensitive file trusted after startup" "$dir/httpd"
quiet_rule "Directory traversal monitored file read" "$dir/../w/../w/skx_true"
out=$(rule_alerts "Directory traversal monitored file read" "fileraw=$trav " | head -1 | jq -r '.output_fields | "\(.["fd.name"]) \(.["fd.nameraw"])"')
expect_eq "traversal: fd.name and fd.nameraw" "$out" "/etc/shadow $trav"
n=$(rule_alerts "Exec marker" "cmdline=skx_forge forge " | wc -l)
[ "$n" = 1 ] || fail "the forged execs (munmap, oldolduname, timerfd_create at start_stack) were reported: $n alerts for skx_forge's one exec: $(rule_alerts "Exec marker" "skx_forge")"

# the fields of the marker execs, as Falco prints them
f() { rule_alerts "Exec marker" "$1" | head -1 | jq -r .output; }
out=$(f "args=one two three")
for want in "type=execve " "res=SUCCESS " "raw=0 " "exe=$dir/skx_true " "cmdline=skx_true one two three " \
	"cwd=$dir/ " "exepath=$dir/skx_true"; do
	[[ "$out" == *"$want"* ]] || fail "exec fields: '$want' not in: $out"
done
# the test's shell started before sakerd: its arguments come from /proc
[[ "$out" == *"pcmdline=bash "*"test_falco_exec.sh"* ]] || fail "pcmdline from /proc: $out"
out=$(f "child-of-exec")
[[ "$out" == *"pcmdline=saker_exec spawn $dir/skx_true skx_true child-of-exec "* ]] ||
	fail "pcmdline of a parent exec'd under sakerd: $out"
[[ "$out" == *"pexe=$EXEC "* && "$out" == *"a1=saker_exec "* ]] || fail "pexe, aname[1]: $out"
[[ "$out" == *"pexepath=$(readlink -f "$EXEC") "* ]] || fail "pexepath of a parent exec'd under sakerd: $out"
out=$(f "in-nested-subshell")
[[ "$out" == *"pcmdline=bash "*"test_falco_exec.sh"* && "$out" == *"a1=bash "*"a2=bash "* ]] ||
	fail "pcmdline of a parent two forks below the test's shell: $out"
out=$(f "child-of-orphan")
[[ "$out" == *"pcmdline=<NA> "* && "$out" == *"a1=bash "* ]] ||
	fail "pcmdline of a forked parent whose own parent left: $out"
out=$(f "child-of-subshell")
[[ "$out" == *"pcmdline=bash "*"test_falco_exec.sh"* && "$out" == *"a1=bash "* ]] ||
	fail "pcmdline of a forked parent (the image's arguments, the test's shell's): $out"
# the parent's executable comes from the parent itself, not the table: a forked shell has it
[[ "$out" == *"pexepath=$(readlink -f /proc/$$/exe) "* ]] || fail "pexepath of a forked parent: $out"
out=$(f "via-int80")
[[ "$out" == *"type=execve "*"exe=skx_true "*"cmdline=skx_true via-int80 "* ]] || fail "int80 exec: $out"
out=$(rule_alerts "Exec failed" "$dir/skx_missing" | head -1 | jq -r .output)
[[ "$out" == *"res=ENOENT raw=-2 cmdline=saker_exec fail $dir/skx_missing"* ]] || fail "failed exec: $out"
echo "PASS ($E2E_NAME): 10 Falco rules alerted on their behaviour, their near misses stayed quiet; forged execs silent; exec fields checked (i386 and 32-bit execs: $have32 for 64->32)"
