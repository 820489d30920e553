#!/bin/sh
# /init of the guest (busybox sh): mounts what the checks need, runs every check of
# guest_checks.sh in its own bash with a deadline, prints one console line per check and a final
# RESULT line for the host (tests/guest/test_guest.sh) to read, then powers the guest off.
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec < /dev/console > /dev/console 2>&1
mount -t tmpfs tmpfs /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t securityfs securityfs /sys/kernel/security
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# tracefs stays unmounted, as on the machines saker is tested on: its hooks do not need it.
hostname saker-guest
# loopback up, as on any host (sakerd's metrics; connects to a closed local port are refused)
ip link set lo up

# The e2e helpers' contract (tests/e2e/lib.sh). saker itself (the compiler, which links LLVM) is
# not in the guest: the bundles were compiled on the host, so SAKER names nothing.
export SAKER=/saker/no-saker-in-the-guest SAKERD=/saker/bin/sakerd
export SAKER_SOURCE_DIR=/saker/src SAKER_BINARY_DIR=/saker/build
export SAKER_REQUIRE_E2E=1 # nothing may skip in the guest

say() { echo "SAKER-GUEST: $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

pass=0 failed=
echo
say "booted $(uname -r) at $(uptime_s) s"
. /saker/guest.env
for c in $GUEST_CHECKS; do
	t0=$(uptime_s)
	timeout -s KILL 180 bash /saker/src/tests/guest/guest_checks.sh "$c"
	st=$?
	t1=$(uptime_s)
	if [ $st = 0 ]; then
		say "check $c: PASS ($t0 s to $t1 s)"
		pass=$((pass + 1))
	else
		[ $st = 137 ] && say "check $c: killed after 180 s"
		say "check $c: FAIL (exit $st)"
		failed="$failed $c"
	fi
done
if [ -z "$failed" ]; then
	say "RESULT PASS: $pass checks on $(uname -r)"
else
	say "RESULT FAIL:$failed ($pass passed) on $(uname -r)"
fi
sync
poweroff -f
