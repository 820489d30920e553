#!/usr/bin/env bash
# saker on another kernel: fetches a Debian kernel package (cached in the build tree), compiles
# the test bundles here with this machine's saker, packs them with sakerd, bash, jq, busybox and
# the checks into an initramfs, boots it under qemu (TCG), and reads the verdict from the
# guest's serial console: one line per check, then a RESULT line. docs/testing.md describes it.
#
# Environment (besides lib.sh's): SAKER_GUEST_KERNELS, the kernel packages to boot, each a
# package, a metapackage or a pattern with '*' (default linux-image-cloud-amd64, Debian 12's
# 6.1); SAKER_GUEST_CACHE, where kernels are kept (default BUILD/tests/guest/cache);
# SAKER_GUEST_TIMEOUT, seconds one boot may take before qemu is killed (default 600; the checks
# take about 120 to 160 here); SAKER_GUEST_CHECKS, the checks to run (default all, as in CI);
# SAKER_GUEST_APPEND, more kernel parameters (after the rig's own, loglevel=5 among them).
# Needs no root on this machine: the kernel work happens in the guest.
. "$(dirname "$0")/../e2e/lib.sh" || exit 2
. "$(dirname "$0")/../e2e/checks.sh" || exit 2
E2E_NAME=test_guest
HERE=$(cd "$(dirname "$0")" && pwd)
REBUNDLE="$SAKER_BINARY_DIR/tests/saker_rebundle"
CACHE=${SAKER_GUEST_CACHE:-$SAKER_BINARY_DIR/tests/guest/cache}
LOGS="$SAKER_BINARY_DIR/tests/guest"
TIMEOUT=${SAKER_GUEST_TIMEOUT:-600}
KERNELS=${SAKER_GUEST_KERNELS:-linux-image-cloud-amd64}
# Hooks a bundle may ask for that newer kernels have: all three are in the BTF of the 6.18 kernel
# saker is developed on; Debian's 6.1 has none of them (its io_uring submission tracepoint is
# still io_uring_submit_sqe), Debian's 6.12 has the first two. The guest decides from its own BTF
# which ones it must refuse, so one list serves every kernel.
HOOKS="io_uring_submit_req sched_prepare_exec task_prctl_unknown"
FLOOD_FILE=/tmp/saker-guest-flood/f
COMPAT_FILE=/tmp/saker-guest-compat/watched
DENY_FILE=/tmp/saker-guest-deny/victim # the LSM back end's deny check
OVL_FILE=/tmp/saker-guest-ovl/merged/f  # the overlay check: a file seen through an overlay
URING_PORT=28917 # the guest's io_uring connect check (no listener there)
DENY_PORT=28933  # the deny check's refused port (no listener); DENY_PORT+1 is let through
DENY_EXE=/tmp/saker-guest-deny/bin/victim # the deny check's refused program (a copy of bash)
OTHER_EXE=/tmp/saker-guest-deny/bin/other # and the one it lets through (another copy)
SKIP_FILE=/tmp/saker-guest-skip/f # its io_uring open with no completion on success
CTR_ID=$(printf 'saker guest container 1' | sha256sum | cut -c1-64)
CTR_ID2=$(printf 'saker guest container 2' | sha256sum | cut -c1-64)
QEMU_PID=

guest_cleanup() {
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill -KILL "$QEMU_PID" 2>/dev/null
		wait "$QEMU_PID" 2>/dev/null
	fi
	[ -n "${FETCH_TMP:-}" ] && rm -rf "$FETCH_TMP"
	cleanup
}
trap guest_cleanup EXIT

for tool in qemu-system-x86_64 apt-get apt-cache dpkg-deb gzip sha256sum; do
	command -v "$tool" > /dev/null ||
		loud_skip "$tool is missing (scripts/install-deps.sh --test installs qemu-system-x86)"
done
BUSYBOX=$(static_busybox)
[ -n "$BUSYBOX" ] || loud_skip "no statically linked busybox (apt-get install busybox-static)"
[ -x "$REBUNDLE" ] || fail "$REBUNDLE is missing (it is built with the tests)"
mkdir -p "$CACHE" || fail "cannot create $CACHE"
mkdir -p "$LOGS" 2> /dev/null

# ---- the kernel ---------------------------------------------------------------------------------

APT_UPDATED=
# apt_update: refreshes apt's package lists once per run, when root may (CI runs as root).
apt_update() {
	[ -z "$APT_UPDATED" ] && [ "$(id -u)" = 0 ] || return 1
	APT_UPDATED=1
	echo "guest: apt-get update (the package lists are missing or stale)"
	apt-get update -qq > "$E2E_TMP/apt-update.log" 2>&1 ||
		{ cat "$E2E_TMP/apt-update.log" >&2; return 1; }
}

# resolve SPEC: sets KPKG and KVER to the kernel package SPEC names in apt's lists and its
# version: a metapackage gives the package it depends on, a pattern its newest match.
resolve() {
	local spec=$1 name
	KPKG='' KVER=''
	case $spec in
	*'*'*)
		KPKG=$(apt-cache pkgnames linux-image- 2>/dev/null | while read -r name; do
			# shellcheck disable=SC2053 # SPEC is a pattern
			[[ $name == $spec ]] && echo "$name"
		done | sort -V | tail -n 1) ;;
	*)
		KPKG=$(apt-cache depends --important "$spec" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
		[ -n "$KPKG" ] || KPKG=$spec ;;
	esac
	[ -n "$KPKG" ] && KVER=$(apt-cache show --no-all-versions "$KPKG" 2>/dev/null |
		awk '$1 == "Version:" { print $2; exit }')
	[ -n "$KVER" ]
}

# fetch SPEC: sets KDIR to a cache directory holding vmlinuz, config, release, package and
# modules/ (the few modules a check loads: overlay.ko) of the kernel SPEC names, downloading it
# only when the cache does not have it yet.
fetch() {
	local spec=$1 record t0 deb boots
	record="$CACHE/spec-$(printf '%s' "$spec" | tr -c 'A-Za-z0-9.+-' _)"
	if ! resolve "$spec" && ! { apt_update && resolve "$spec"; }; then
		# Offline, or no lists: the kernel this spec meant last time, if it is cached.
		if [ -s "$record" ] && read -r KPKG KVER < "$record" && [ -s "$CACHE/${KPKG}_$KVER/vmlinuz" ]; then
			echo "guest: apt does not know '$spec'; using the cached $KPKG $KVER"
		else
			loud_skip "no kernel package '$spec' in apt's lists, and none cached in $CACHE"
		fi
	fi
	KDIR="$CACHE/${KPKG}_$KVER"
	if [ -s "$KDIR/vmlinuz" ] && [ -e "$KDIR/modules/.kept" ]; then
		echo "guest: kernel $KPKG $KVER: cached in $KDIR"
		return 0
	fi
	# a cache entry from before the modules were kept (or kept uncompressed): fetched again
	rm -rf "$KDIR"
	t0=$(date +%s%N)
	FETCH_TMP=$(mktemp -d "$CACHE/.fetch.XXXXXX") || fail "cannot create a directory in $CACHE"
	# As root, apt drops to the _apt user, who cannot write here: download as root instead.
	local sandbox=()
	[ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
	if ! (cd "$FETCH_TMP" && apt-get download -q "${sandbox[@]}" "$KPKG=$KVER") > "$FETCH_TMP/log" 2>&1 &&
		! { apt_update && resolve "$spec" && KDIR="$CACHE/${KPKG}_$KVER" &&
			(cd "$FETCH_TMP" && apt-get download -q "${sandbox[@]}" "$KPKG=$KVER") >> "$FETCH_TMP/log" 2>&1; }; then
		loud_skip "cannot download $KPKG $KVER: $(tail -n 3 "$FETCH_TMP/log")"
	fi
	deb=$(echo "$FETCH_TMP"/*.deb)
	[ -f "$deb" ] || fail "apt-get download left no .deb: $(cat "$FETCH_TMP/log")"
	# Unpacked here, never installed: /boot and the package database stay as they are.
	dpkg-deb -x "$deb" "$FETCH_TMP/root" || fail "dpkg-deb -x $deb failed"
	boots=("$FETCH_TMP"/root/boot/vmlinuz-*)
	[ ${#boots[@]} = 1 ] && [ -f "${boots[0]}" ] || fail "$deb has no single boot/vmlinuz-*"
	mkdir "$FETCH_TMP/k"
	mv "${boots[0]}" "$FETCH_TMP/k/vmlinuz"
	basename "${boots[0]}" | sed 's/^vmlinuz-//' > "$FETCH_TMP/k/release"
	mv "$FETCH_TMP"/root/boot/config-* "$FETCH_TMP/k/config" 2>/dev/null
	echo "$KPKG $KVER" > "$FETCH_TMP/k/package"
	mkdir "$FETCH_TMP/k/modules"
	# as packed (6.1) or compressed (6.12: .ko.xz), unpacked here: busybox's insmod reads neither
	local mod
	for mod in $(find "$FETCH_TMP/root/lib/modules" -name 'overlay.ko*'); do
		case $mod in
		*.ko) cp "$mod" "$FETCH_TMP/k/modules/overlay.ko" ;;
		*.ko.xz) xz -dc "$mod" > "$FETCH_TMP/k/modules/overlay.ko" || fail "cannot unpack $mod (xz-utils)" ;;
		*.ko.zst) zstd -qdc "$mod" > "$FETCH_TMP/k/modules/overlay.ko" || fail "cannot unpack $mod (zstd)" ;;
		esac
	done
	: > "$FETCH_TMP/k/modules/.kept"
	# Another run may have filled the cache meanwhile; mv -T then fails and its copy is used.
	mv -T "$FETCH_TMP/k" "$KDIR" 2>/dev/null || [ -s "$KDIR/vmlinuz" ] || fail "cannot move the kernel into $KDIR"
	rm -rf "$FETCH_TMP"
	FETCH_TMP=
	echo "$KPKG $KVER" > "$record"
	echo "guest: kernel $KPKG $KVER: downloaded and unpacked in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

# ---- the bundles, compiled here ---------------------------------------------------------------

# rebundle IN OUT LINE...: OUT is IN with LINEs added to its requires section, as saker inspect sees it.
rebundle() {
	local in=$1 out=$2 line
	shift 2
	"$REBUNDLE" "$in" "$out" "$@" || fail "saker_rebundle $*"
	"$SAKER" inspect --format json "$out" > "$E2E_TMP/inspect.json" || fail "saker inspect $out failed"
	for line in "$@"; do
		jq -e --arg l "$line" '.requires | index($l) != null' "$E2E_TMP/inspect.json" > /dev/null ||
			fail "$(basename "$out"): the requires section does not hold '$line'"
	done
}

BUNDLES="$E2E_TMP/bundles"
mkdir -p "$BUNDLES/bad"
write_shadow_rules "$E2E_TMP/shadow.yaml"
compile_bundle "$E2E_TMP/shadow.yaml" "$BUNDLES/shadow.saker"
write_flood_rules "$E2E_TMP/flood.yaml" "$FLOOD_FILE"
compile_bundle "$E2E_TMP/flood.yaml" "$BUNDLES/flood.saker"
compile_bundle "$SAKER_SOURCE_DIR/rules" "$BUNDLES/default.saker"
# Falco's whole default ruleset: the bundle with the deepest call chains (saker compile refuses
# one over 6.1's stack, and the guest's verifier is the judge)
FALCO_RULES=${SAKER_FALCO_RULES:-$SAKER_SOURCE_DIR/../shared/falco/falco_rules.yaml}
if [ -f "$FALCO_RULES" ]; then
	compile_bundle "$FALCO_RULES" "$BUNDLES/falco.saker"
elif [ "${SAKER_REQUIRE_E2E:-0}" = 1 ]; then
	fail "Falco's falco_rules.yaml is absent ($FALCO_RULES): the guest cannot load Falco's ruleset"
else
	echo "WARNING: Falco's falco_rules.yaml is ABSENT ($FALCO_RULES): guest/falco will say SKIPPED" >&2
fi
write_compat_rules "$E2E_TMP/compat.yaml" "$COMPAT_FILE"
compile_bundle "$E2E_TMP/compat.yaml" "$BUNDLES/compat.saker"
cat > "$E2E_TMP/deny.yaml" <<YAML
- rule: Deny writes to the victim
  desc: the LSM back end refuses a write open of the test's file, by any route
  condition: evt.type in (open, openat, openat2, creat) and evt.is_open_write = true and fd.name = $DENY_FILE
  output: type=%evt.type file=%fd.name res=%evt.res fd=%fd.num
  priority: CRITICAL
  action: deny
- rule: Deny connects to the victim port
  desc: the LSM back end refuses a TCP connect to port $DENY_PORT, by any route
  condition: evt.type = connect and fd.l4proto = tcp and fd.sport = $DENY_PORT
  output: deny type=%evt.type sport=%fd.sport res=%evt.res
  priority: CRITICAL
  action: deny
- rule: Connects to the next port
  desc: an alert-only rule on a connect the deny rule lets through
  condition: evt.type = connect and fd.l4proto = tcp and fd.sport = $((DENY_PORT + 1))
  output: next type=%evt.type sport=%fd.sport res=%evt.res
  priority: NOTICE
- rule: Deny the victim program
  desc: the LSM back end refuses an exec of the test's victim program, by any route or name
  condition: evt.type in (execve, execveat) and proc.exepath = $DENY_EXE
  output: deny type=%evt.type name=%proc.name exe=%proc.exepath uid=%user.uid cmdline=%proc.cmdline res=%evt.res
  priority: CRITICAL
  action: deny
- rule: Deny fileless programs
  desc: the LSM back end refuses an exec of a memfd
  condition: evt.type in (execve, execveat) and proc.is_exe_from_memfd = true
  output: deny fileless type=%evt.type memfd=%proc.is_exe_from_memfd res=%evt.res
  priority: CRITICAL
  action: deny
- rule: Exec of the other program
  desc: an alert-only rule on an exec the deny rules let through
  condition: evt.type = execve and proc.exepath = $OTHER_EXE
  output: other type=%evt.type name=%proc.name exe=%proc.exepath cmdline=%proc.cmdline res=%evt.res
  priority: NOTICE
YAML
compile_bundle "$E2E_TMP/deny.yaml" "$BUNDLES/deny.saker"
cat > "$E2E_TMP/overlay.yaml" <<YAML
- rule: Write through the overlay
  desc: a write open of a file seen through an overlay mount, as in a container's root
  condition: evt.type in (open, openat, openat2, creat) and evt.is_open_write = true and fd.name = $OVL_FILE
  output: type=%evt.type file=%fd.name fd=%fd.num vpid=%proc.vpid
  priority: WARNING
YAML
compile_bundle "$E2E_TMP/overlay.yaml" "$BUNDLES/overlay.saker"
write_uring_net_rules "$E2E_TMP/uring_net.yaml" "$URING_PORT" "$SKIP_FILE"
compile_bundle "$E2E_TMP/uring_net.yaml" "$BUNDLES/uring_net.saker"
write_ptrace_rules "$E2E_TMP/ptrace.yaml"
compile_bundle "$E2E_TMP/ptrace.yaml" "$BUNDLES/ptrace.saker"
build_i386 "$E2E_TMP/saker_i386" ||
	fail "cannot build the 32-bit test program (gcc -m32: install gcc-multilib): $(head -n 3 "$E2E_TMP/gcc-m32.err")"
build_i386_net "$E2E_TMP/saker_i386_net" ||
	fail "cannot build the 32-bit socket program (gcc -m32: install gcc-multilib): $(head -n 3 "$E2E_TMP/gcc-m32.err")"
build_uring "$E2E_TMP/saker_uring" ||
	fail "cannot build the io_uring test program (install liburing-dev): $(head -n 3 "$E2E_TMP/gcc-uring.err")"
gcc -O1 -Wall -Wextra -Werror -pthread -o "$E2E_TMP/saker_race" "$SAKER_SOURCE_DIR/tests/e2e/saker_race.c" \
	2> "$E2E_TMP/gcc-race.err" || fail "cannot build saker_race: $(head -n 3 "$E2E_TMP/gcc-race.err")"
damage_bundle "$BUNDLES/shadow.saker" "$BUNDLES/bad"
# Given no lines, the tool must give back the very same bytes: it changes nothing else.
"$REBUNDLE" "$BUNDLES/shadow.saker" "$E2E_TMP/same.saker" || fail "saker_rebundle without lines failed"
cmp -s "$BUNDLES/shadow.saker" "$E2E_TMP/same.saker" || fail "saker_rebundle changed a bundle it was given no lines for"
for h in $HOOKS; do
	rebundle "$BUNDLES/shadow.saker" "$BUNDLES/req-hook-$h.saker" "hook tp_btf/$h"
done

# ---- the initramfs ------------------------------------------------------------------------------

# add_binary ROOT FILE DEST: FILE at ROOT/DEST, with the shared libraries ldd finds for it.
add_binary() {
	local root=$1 file=$2 dest=$3 lib
	mkdir -p "$root/$(dirname "$dest")"
	cp -L "$file" "$root/$dest" || fail "cannot copy $file"
	for lib in $(ldd "$file" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$root/$lib" ] && continue
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib" || fail "cannot copy $lib (needed by $file)"
	done
}

# make_initramfs OUT: the guest's whole root filesystem, as a gzipped newc cpio archive.
make_initramfs() {
	local root="${E2E_TMP:?}/guestroot" a
	rm -rf "$root"
	mkdir -p "$root"/{bin,usr/bin,proc,sys,dev,tmp,root,etc} "$root"/saker/{bin,build/tests} \
		"$root"/saker/src/tests/{e2e,guest}
	cp "$BUSYBOX" "$root/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	add_binary "$root" "$(command -v bash)" /bin/bash
	add_binary "$root" "$(command -v jq)" /usr/bin/jq
	add_binary "$root" "$SAKERD" /saker/bin/sakerd
	add_binary "$root" "$OPENER" /saker/build/tests/saker_opener
	add_binary "$root" "$E2E_TMP/saker_i386" /saker/build/tests/saker_i386
	add_binary "$root" "$E2E_TMP/saker_i386_net" /saker/build/tests/saker_i386_net
	add_binary "$root" "$SAKER_BINARY_DIR/tests/saker_exec" /saker/build/tests/saker_exec
	add_binary "$root" "$E2E_TMP/saker_uring" /saker/build/tests/saker_uring
	add_binary "$root" "$E2E_TMP/saker_race" /saker/build/tests/saker_race
	cp "$KDIR"/modules/*.ko "$root/saker/" 2>/dev/null || true
	cp "$SAKER_SOURCE_DIR/tests/e2e/lib.sh" "$SAKER_SOURCE_DIR/tests/e2e/checks.sh" "$root/saker/src/tests/e2e/"
	cp "$HERE/guest_checks.sh" "$root/saker/src/tests/guest/"
	cp "$HERE/guest_init.sh" "$root/init"
	chmod 755 "$root/init"
	cp -r "$GUEST_BUNDLES" "$root/saker/bundles"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
	echo 'root:x:0:' > "$root/etc/group"
	echo 'root:*:19000:0:99999:7:::' > "$root/etc/shadow"
	chmod 640 "$root/etc/shadow"
	cat > "$root/saker/guest.env" <<EOF
GUEST_RELEASE='$KRELEASE'
GUEST_CHECKS='$BOOT_CHECKS'
GUEST_NEXT='$KNEXT'
GUEST_HOOKS='$HOOKS'
GUEST_FLOOD_FILE='$FLOOD_FILE'
GUEST_COMPAT_FILE='$COMPAT_FILE'
GUEST_DENY_FILE='$DENY_FILE'
GUEST_OVL_FILE='$OVL_FILE'
GUEST_URING_PORT='$URING_PORT'
GUEST_DENY_PORT='$DENY_PORT'
GUEST_DENY_EXE='$DENY_EXE'
GUEST_OTHER_EXE='$OTHER_EXE'
GUEST_SKIP_FILE='$SKIP_FILE'
GUEST_CTR_ID='$CTR_ID'
GUEST_CTR_ID2='$CTR_ID2'
EOF
	(cd "$root" && find . | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2> /dev/null) |
		gzip -1 > "$1" || fail "cannot pack the initramfs"
}

# ---- one boot per kernel --------------------------------------------------------------------------

# boot_checks TCG CHECKS TAG: one boot of the kernel in KDIR running CHECKS, qemu's TCG with
# thread=TCG (multi: a host thread per vCPU; single: both in turn on one), its console kept with
# TAG in its name; adds its verdict.
boot_checks() {
	local BOOT_TCG=$1 BOOT_CHECKS=$2 BOOT_TAG=$3 boot_n log kept attempt t0 timed_out stuck
	local qemu_status secs console passed why
	boot_n=$(echo "$BOOT_CHECKS" | wc -w)
	make_initramfs "$E2E_TMP/initramfs.gz"

	# A fresh log per boot, so that nothing from an earlier run can be read as this one's verdict.
	log="$E2E_TMP/console-$KRELEASE$BOOT_TAG.log"
	kept="$LOGS/console-$KRELEASE$BOOT_TAG.log"
	echo "guest: booting $KRELEASE ($KPKG $KVER) under qemu (TCG, $BOOT_TCG threads: $BOOT_CHECKS), at most $TIMEOUT s; console: $kept"
	# A boot that never reaches init (seen twice in many runs under TCG: nothing after the
	# firmware, for minutes) is tried once more, loudly; the checks themselves are never re-run.
	for attempt in 1 2; do
		t0=$(date +%s)
		# loglevel=5: a soft lockup's stacks (every CPU's) reach the console
		qemu-system-x86_64 -accel "tcg,thread=$BOOT_TCG" -cpu max -m 1024 -smp 2 -nographic -no-reboot -nic none \
			-kernel "$KDIR/vmlinuz" -initrd "$E2E_TMP/initramfs.gz" \
			-append "console=ttyS0 panic=-1 quiet loglevel=5 softlockup_all_cpu_backtrace=1 ${SAKER_GUEST_APPEND:-}" < /dev/null > "$log" 2>&1 &
		QEMU_PID=$!
		timed_out=1
		stuck=0
		while [ $(($(date +%s) - t0)) -lt "$TIMEOUT" ]; do
			if ! kill -0 "$QEMU_PID" 2>/dev/null; then
				timed_out=0
				break
			fi
			if [ $(($(date +%s) - t0)) -ge 90 ] && ! grep -aq '^SAKER-GUEST: booted' "$log"; then
				stuck=1
				break
			fi
			sleep 0.5
		done
		if [ $timed_out = 1 ]; then
			kill -KILL "$QEMU_PID" 2>/dev/null
		fi
		wait "$QEMU_PID"
		qemu_status=$?
		QEMU_PID=
		[ $stuck = 1 ] && [ $attempt = 1 ] || break
		echo "guest: WARNING: $KRELEASE did not reach init within 90 s (a hung boot): booting it again"
	done
	secs=$(($(date +%s) - t0))
	cp "$log" "$kept" 2> /dev/null || echo "guest: warning: cannot keep the console log in $kept"
	# The console without carriage returns and the firmware's terminal escapes.
	console=$(tr -d '\r' < "$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g')
	sed 's/^/guest| /' <<< "$console"
	passed=$(grep -c '^SAKER-GUEST: check [a-z_]*: PASS' <<< "$console")
	why=
	if [ $stuck = 1 ]; then
		why="the guest did not reach init within 90 s, twice: qemu killed"
	elif [ $timed_out = 1 ]; then
		why="the guest did not power off within $TIMEOUT s: qemu killed"
	elif [ "$qemu_status" != 0 ]; then
		why="qemu exited with status $qemu_status"
	elif grep -Eq 'Kernel panic|BUG:|Oops|WARNING: CPU|general protection fault' <<< "$console"; then
		why="the kernel logged a panic, BUG, oops or warning"
	elif grep -q '^SAKER-GUEST: check .*: FAIL' <<< "$console"; then
		why="failed:$(sed -n 's/^SAKER-GUEST: check \(.*\): FAIL.*/ \1/p' <<< "$console" | tr -d '\n')"
	elif ! grep -q "^SAKER-GUEST: RESULT PASS: $boot_n checks on $KRELEASE\$" <<< "$console"; then
		why="no RESULT PASS line for $boot_n checks on $KRELEASE"
	elif [ "$passed" != "$boot_n" ]; then
		why="$passed of $boot_n checks passed"
	fi
	if [ -z "$why" ]; then
		verdicts+=("PASS $KRELEASE$BOOT_TAG ($KPKG $KVER): $boot_n checks, boot to power-off $secs s")
	else
		verdicts+=("FAIL $KRELEASE$BOOT_TAG ($KPKG $KVER): $why ($secs s)")
		failed=1
	fi
}

# SAKER_GUEST_CHECKS: a subset of the checks, for work on one of them (CI runs them all)
CHECKS=${SAKER_GUEST_CHECKS:-$(bash "$HERE/guest_checks.sh" --list)}
verdicts=()
failed=0
for spec in $KERNELS; do
	fetch "$spec"
	KRELEASE=$(cat "$KDIR/release")
	# Debian's version is the upstream one (6.1.192-3); the bundle asks for the next minor.
	kup=${KVER%%-*}
	kmaj=${kup%%.*}
	kmin=${kup#*.}
	kmin=${kmin%%.*}
	KNEXT="$kmaj.$((kmin + 1))"
	GUEST_BUNDLES="${E2E_TMP:?}/bundles-$KRELEASE"
	rm -rf "$GUEST_BUNDLES"
	cp -r "$BUNDLES" "$GUEST_BUNDLES"
	rebundle "$BUNDLES/shadow.saker" "$GUEST_BUNDLES/req-kernel.saker" "kernel $KNEXT"
	rebundle "$BUNDLES/shadow.saker" "$GUEST_BUNDLES/req-control.saker" "kernel $kmaj.$kmin" \
		"hook tp_btf/sched_process_exec"
	# Two boots. The race check needs the two threads of its test program to run at the same
	# time, which only multi-threaded TCG gives: it boots alone that way. Every other check
	# runs single-threaded: with a thread per vCPU the guest hung now and then (about one boot
	# in fifteen, a task in a soft lockup on one vCPU and sakerd blocked; the one with times on
	# record began as sakerd attached its hooks, which rewrites kernel code another vCPU may be
	# running). The guest's load is one thread most of the time, so this costs little
	# (docs/testing.md).
	race='' rest=''
	for c in $CHECKS; do
		if [ "$c" = race ]; then race=race; else rest="$rest $c"; fi
	done
	if [ -n "$race" ]; then
		boot_checks multi race -race
	fi
	if [ -n "$rest" ]; then
		boot_checks single "${rest# }" ""
	fi
done

printf 'guest: %s\n' "${verdicts[@]}"
[ $failed = 0 ] || fail "$(printf '%s; ' "${verdicts[@]}")"
echo "PASS ($E2E_NAME): ${#verdicts[@]} boot(s); checks: $CHECKS"
