#!/usr/bin/env bash
# The file, cred and sys families end to end, on rules of this test's own: a rename (relative to
# the cwd, with '..'), an unlink, a chmod and an fchmodat relative to a directory descriptor, a
# mkdir with and without CAP_SYS_ADMIN (thread.cap_effective contains, a bit test in the
# kernel), a setuid and a setresuid, a mount in a private mount namespace, a memfd_create and a
# bpf call each alert with the arguments Falco names (evt.arg.*), made absolute and normalised
# where they are paths; a near miss of each kind stays quiet. This test's alerts are told by its
# paths and by the pid saker_fileops prints (proc.vpid).
. "$(dirname "$0")/lib.sh"
need_root
HELPER="$SAKER_BINARY_DIR/tests/saker_fileops"
[ -x "$HELPER" ] || fail "no $HELPER"
command -v setpriv > /dev/null || fail "setpriv (util-linux) is needed"

T="$E2E_TMP/t"
mkdir -p "$T/d" "$T/mnt" "$T/other"
MEMFD="sk-memfd-$$"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Fo rename
  desc: a rename into the test's directory
  condition: evt.type in (rename, renameat, renameat2) and evt.arg.newpath startswith $T/d/
  output: rename old=%evt.arg.oldpath new=%evt.arg.newpath res=%evt.res
  priority: WARNING
- rule: Fo unlink
  desc: an unlink in the test's directory
  condition: evt.type in (unlink, unlinkat) and (evt.arg.name startswith $T/d/ or evt.arg.path startswith $T/d/)
  output: unlink name=%evt.arg.name path=%evt.arg.path
  priority: WARNING
- rule: Fo chmod
  desc: a chmod in the test's directory, to a mode with group write
  condition: evt.type in (chmod, fchmodat) and evt.arg.filename startswith $T/d/ and evt.rawarg.mode in (436, 432)
  output: chmod file=%evt.arg.filename mode=%evt.arg.mode raw=%evt.rawarg.mode
  priority: WARNING
- rule: Fo mkdir admin
  desc: a mkdir in the test's directory by a task with CAP_SYS_ADMIN
  condition: evt.type in (mkdir, mkdirat) and evt.arg.path startswith $T/d/ and thread.cap_effective contains SYS_ADMIN
  output: mkdir path=%evt.arg.path mode=%evt.arg.mode caps=%thread.cap_effective
  priority: WARNING
- rule: Fo setuid
  desc: the helper changes its ids
  condition: evt.type in (setuid, setresuid, setgid) and proc.name = saker_fileops
  output: setid uid=%evt.arg.uid ruid=%evt.arg.ruid euid=%evt.arg.euid suid=%evt.arg.suid gid=%evt.arg.gid res=%evt.res parent=%proc.pvpid
  priority: WARNING
- rule: Fo mount
  desc: a mount on the test's directory
  condition: evt.type = mount and evt.arg.dir = $T/mnt
  output: mount dev=%evt.arg.dev dir=%evt.arg.dir type=%evt.arg.fstype res=%evt.res
  priority: WARNING
- rule: Fo memfd
  desc: a memfd of the test's name
  condition: evt.type = memfd_create and evt.arg.name = $MEMFD
  output: memfd name=%evt.arg.name res=%evt.rawres pid=%proc.vpid
  priority: WARNING
- rule: Fo bpf
  desc: the helper asks to load a BPF program
  condition: evt.type = bpf and proc.name = saker_fileops and evt.arg.cmd = BPF_PROG_LOAD
  output: bpf cmd=%evt.arg.cmd raw=%evt.rawarg.cmd res=%evt.res pid=%proc.vpid
  priority: WARNING
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/fileops.saker"
"$SAKER" check "$E2E_TMP/rules.yaml" > "$E2E_TMP/check.out" 2>&1 || fail "saker check: $(cat "$E2E_TMP/check.out")"
grep -q "8 rules: 8 exact, 0 partial" "$E2E_TMP/check.out" ||
	fail "the rules do not all run whole in the kernel: $(cat "$E2E_TMP/check.out")"
start_sakerd --json "$E2E_TMP/fileops.saker"

# helper ARGS...: runs saker_fileops and prints the pid it reports
helper() {
	"$HELPER" "$@" > "$E2E_TMP/helper.out" || fail "saker_fileops $* failed"
	sed -n 1p "$E2E_TMP/helper.out"
}

touch "$T/d/a" "$T/d/x" "$T/d/y" "$T/other/o"
(cd "$T/d" && mv a ../d/./b) || fail "mv failed"           # rename(at): relative, normalised
mv "$T/other/o" "$T/other/p"                                # near miss: another directory
rm "$T/d/x"                                                 # unlinkat
chmod 0664 "$T/d/y"                                         # fchmodat(AT_FDCWD)
chmod 0600 "$T/d/b"                                         # near miss: another mode
fpid=$(helper fchmodat "$T/d" y 660)                        # fchmodat(dirfd, "y")
mkdir -m 0750 "$T/d/admin"                                  # root: CAP_SYS_ADMIN
setpriv --bounding-set=-sys_admin mkdir "$T/d/plain"        # near miss: without it
upid=$(helper setuid 4242)
rpid=$(helper setresuid 4243 4244 -1)
gpid=$(helper setgid 4245)
mpid=$(helper mount none "$T/mnt" tmpfs)                    # in a private mount namespace
fdpid=$(helper memfd "$MEMFD" 1)
helper memfd "other-$MEMFD" 1 > /dev/null                   # near miss: another name
bpid=$(helper bpf 5)                                        # BPF_PROG_LOAD, no attributes
helper bpf 0 > /dev/null                                    # near miss: BPF_MAP_CREATE

# field RULE KEY VALUE FIELD: the output field FIELD of the one alert of RULE whose output field
# KEY is VALUE (waits up to 20 s for it)
field() {
	local i line
	for i in $(seq 200); do
		line=$(jq -c --arg r "$1" --arg k "$2" --arg v "$3" \
			'select(.rule == $r and (.output_fields[$k] | tostring) == $v)' "$SAKERD_OUT")
		[ -n "$line" ] && break
		sleep 0.1
	done
	[ -n "$line" ] || fail "no '$1' alert with $2=$3 within 20 s"
	[ "$(wc -l <<< "$line")" = 1 ] || fail "more than one '$1' alert with $2=$3: $line"
	jq -r --arg f "$4" '.output_fields[$f] | tostring' <<< "$line"
}
expect_eq "rename: oldpath" "$(field "Fo rename" evt.arg.newpath "$T/d/b" evt.arg.oldpath)" "$T/d/a"
expect_eq "rename: res" "$(field "Fo rename" evt.arg.newpath "$T/d/b" evt.res)" SUCCESS
expect_eq "unlink: name" "$(field "Fo unlink" evt.arg.name "$T/d/x" evt.arg.name)" "$T/d/x"
expect_eq "chmod: mode" "$(field "Fo chmod" evt.rawarg.mode 436 evt.arg.filename)" "$T/d/y"
expect_eq "fchmodat by dirfd: name" "$(field "Fo chmod" evt.rawarg.mode 432 evt.arg.filename)" "$T/d/y"
caps=$(field "Fo mkdir admin" evt.arg.path "$T/d/admin" thread.cap_effective)
grep -qw CAP_SYS_ADMIN <<< "$caps" || fail "mkdir: thread.cap_effective without CAP_SYS_ADMIN: $caps"
expect_eq "mkdir: mode" "$(field "Fo mkdir admin" evt.arg.path "$T/d/admin" evt.arg.mode)" 488
expect_eq "setuid: uid" "$(field "Fo setuid" proc.pvpid "$upid" evt.arg.uid)" 4242
expect_eq "setresuid: ruid" "$(field "Fo setuid" proc.pvpid "$rpid" evt.arg.ruid)" 4243
expect_eq "setresuid: euid" "$(field "Fo setuid" proc.pvpid "$rpid" evt.arg.euid)" 4244
expect_eq "setresuid: suid (unchanged)" "$(field "Fo setuid" proc.pvpid "$rpid" evt.arg.suid)" 4294967295
expect_eq "setresuid: no evt.arg.uid" "$(field "Fo setuid" proc.pvpid "$rpid" evt.arg.uid)" null
expect_eq "setgid: gid" "$(field "Fo setuid" proc.pvpid "$gpid" evt.arg.gid)" 4245
expect_eq "mount: dev" "$(field "Fo mount" evt.arg.dir "$T/mnt" evt.arg.dev)" none
expect_eq "mount: type" "$(field "Fo mount" evt.arg.dir "$T/mnt" evt.arg.fstype)" tmpfs
expect_eq "mount: res" "$(field "Fo mount" evt.arg.dir "$T/mnt" evt.res)" SUCCESS
expect_eq "memfd: pid" "$(field "Fo memfd" evt.arg.name "$MEMFD" proc.vpid)" "$fdpid"
expect_eq "bpf: raw cmd" "$(field "Fo bpf" proc.vpid "$bpid" evt.rawarg.cmd)" 5
sleep 0.5
expect_eq "bpf: cmd" "$(field "Fo bpf" proc.vpid "$bpid" evt.arg.cmd)" BPF_PROG_LOAD
# the near misses, and nothing else of this test's
for k in "Fo rename:evt.arg.newpath:$T/other/p" "Fo chmod:evt.rawarg.mode:384" \
	"Fo mkdir admin:evt.arg.path:$T/d/plain" "Fo memfd:evt.arg.name:other-$MEMFD" \
	"Fo bpf:evt.rawarg.cmd:0"; do
	IFS=: read -r r key val <<< "$k"
	[ -z "$(jq -c --arg r "$r" --arg k "$key" --arg v "$val" \
		'select(.rule == $r and (.output_fields[$k] | tostring) == $v)' "$SAKERD_OUT")" ] ||
		fail "near miss alerted: $r with $key=$val"
done
[ -n "$fpid" ] || fail "no pid from the fchmodat helper"
stop_sakerd TERM
echo "PASS ($E2E_NAME): rename, unlink, chmod, fchmodat, mkdir, setuid, setresuid, setgid, mount, memfd_create and bpf alerted with their arguments; near misses quiet"
