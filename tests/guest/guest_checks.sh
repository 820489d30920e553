#!/usr/bin/env bash
# The checks the guest test runs inside the guest kernel (tests/guest/guest_init.sh calls this
# script once per check), on bundles compiled on the host by the host's saker. Most are the e2e
# checks of tests/e2e/checks.sh; the kernel, container and requires checks are the guest's own.
# usage: guest_checks.sh --list | CHECK
# Reads /saker/guest.env, written by the host (tests/guest/test_guest.sh).
CHECKS="kernel alert filter lost default_rules refusal container requires compat ptrace uring uring_net falco"
if [ "${1:-}" = --list ]; then
	echo "$CHECKS"
	exit 0
fi
check=${1:?usage: guest_checks.sh --list | CHECK}
. "$(dirname "$0")/../e2e/lib.sh" || exit 2
. "$(dirname "$0")/../e2e/checks.sh" || exit 2
. /saker/guest.env
E2E_NAME="guest/$check"
B=/saker/bundles
need_root

# has_btf_tracepoint NAME: the guest's BTF names btf_trace_NAME (read without sakerd's code, so
# the requires check has an independent oracle).
has_btf_tracepoint() {
	strings /sys/kernel/btf/vmlinux | grep -qx "btf_trace_$1"
}

check_kernel() {
	expect_eq "kernel release" "$(uname -r)" "$GUEST_RELEASE"
	[ -r /sys/kernel/btf/vmlinux ] && [ -s /sys/kernel/btf/vmlinux ] ||
		fail "no kernel BTF at /sys/kernel/btf/vmlinux"
	grep -q '^bpf /sys/fs/bpf bpf ' /proc/mounts || fail "bpffs is not mounted at /sys/fs/bpf"
	has_btf_tracepoint sys_exit || fail "the kernel's BTF has no btf_trace_sys_exit (saker's hook)"
	echo "kernel $(uname -r) ($(uname -v)); BTF $(stat -c %s /sys/kernel/btf/vmlinux) bytes;" \
		"tracefs $(grep -q ' tracefs ' /proc/mounts && echo mounted || echo 'not mounted');" \
		"LSMs $(cat /sys/kernel/security/lsm 2>/dev/null || echo unknown); $(nproc) CPUs"
}

# The kernel part of container.id on this kernel: a process in a cgroup v2 directory named like a
# podman container (the id in the leaf), and one in a directory below a CRI-O/containerd-style
# one (the id found by walking up the cgroup's parents, a field renamed in 6.15 and read with
# CO-RE). Names and images come from a container runtime the guest does not have: lookups off.
check_container() {
	local cg=/sys/fs/cgroup leaf=libpod-$GUEST_CTR_ID nested=kubepods/cri-containerd-$GUEST_CTR_ID2.scope/inner
	grep -q "^cgroup2 $cg cgroup2 " /proc/mounts || fail "cgroup2 is not mounted at $cg"
	mkdir -p "$cg/$leaf" "$cg/$nested" || fail "cannot create the test cgroups"
	start_sakerd --json --container-socket '' "$B/shadow.saker"
	local dir i=0 want
	for dir in "$leaf" "$nested"; do
		# shellcheck disable=SC2016 # $$ is the inner shell's pid
		sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" write /etc/shadow' sh "$cg/$dir" "$OPENER" > /dev/null ||
			fail "write open of /etc/shadow in cgroup $dir failed"
		i=$((i + 1))
		wait_lines "$SAKERD_OUT" "$i"
	done
	"$OPENER" write /etc/shadow > /dev/null || fail "write open of /etc/shadow outside the cgroups failed"
	wait_lines "$SAKERD_OUT" 3
	sleep 0.5
	stop_sakerd TERM
	expect_eq "alert lines" "$(wc -l < "$SAKERD_OUT")" 3
	i=0
	for want in "${GUEST_CTR_ID:0:12}" "${GUEST_CTR_ID2:0:12}" host; do
		i=$((i + 1))
		expect_eq "container.id of alert $i" \
			"$(sed -n "${i}p" "$SAKERD_OUT" | jq -r '.output_fields["container.id"]')" "$want"
	done
	rmdir "$cg/$nested" "$cg/kubepods/cri-containerd-$GUEST_CTR_ID2.scope" "$cg/kubepods" "$cg/$leaf"
}

# A bundle asking for what this kernel lacks is refused before anything is loaded, with one
# line; one asking only for what it has loads and alerts. The bundles differ from shadow.saker
# only by the requires lines tests/guest/saker_rebundle added on the host.
check_requires() {
	refuse "$B/req-kernel.saker" \
		"this bundle needs kernel $GUEST_NEXT or newer; this kernel is $(uname -r)"
	local hook refused=0
	for hook in $GUEST_HOOKS; do
		if has_btf_tracepoint "$hook"; then
			echo "tp_btf/$hook: in this kernel's BTF, so the bundle must load"
			start_sakerd --json "$B/req-hook-$hook.saker"
			stop_sakerd TERM
		else
			echo "tp_btf/$hook: not in this kernel's BTF, so the bundle must be refused"
			refuse "$B/req-hook-$hook.saker" "hook tp_btf/$hook: this kernel has no such tracepoint"
			refused=$((refused + 1))
		fi
	done
	[ "$refused" -gt 0 ] || fail "this kernel has every hook of '$GUEST_HOOKS': no refusal was tested"

	start_sakerd --json "$B/req-control.saker"
	"$OPENER" write /etc/shadow > /dev/null || fail "write open of /etc/shadow failed"
	wait_lines "$SAKERD_OUT" 1
	stop_sakerd TERM
	expect_eq "control bundle: rule" "$(head -n 1 "$SAKERD_OUT" | jq -r .rule)" "Write to shadow"
}

# Falco's own ruleset loads on this kernel, and one of its exec rules alerts: a busybox find
# (its name is its argv[0]) searching for a private key.
check_falco() {
	local i
	if [ ! -f "$B/falco.saker" ]; then
		echo "SKIPPED: no falco.saker (the host had no falco_rules.yaml)"
		return 0
	fi
	start_sakerd --json "$B/falco.saker"
	mkdir -p "$E2E_TMP/ff"
	ln -sf "$(command -v busybox)" "$E2E_TMP/ff/find"
	"$E2E_TMP/ff/find" "$E2E_TMP" -name id_rsa > /dev/null 2>&1 || true
	for i in $(seq 100); do
		grep -q '"Search Private Keys or Passwords"' "$SAKERD_OUT" && break
		sleep 0.1
	done
	stop_sakerd TERM
	grep -q '"Search Private Keys or Passwords"' "$SAKERD_OUT" ||
		fail "Falco's ruleset loaded, but its 'Search Private Keys or Passwords' did not alert: $(head -c 600 "$SAKERD_OUT")"
	echo "Falco's ruleset loaded; find -name id_rsa alerted"
}

case $check in
kernel) check_kernel ;;
falco) check_falco ;;
uring_net) uring_net_check "$B/uring_net.saker" /saker/build/tests/saker_uring "$GUEST_URING_PORT"
	echo "io_uring connect alerted as the connect syscall" ;;
alert) shadow_check "$B/shadow.saker" ;;
filter) filter_check "$B/shadow.saker"; echo "the kernel saw $SEEN syscall exits; 1 event reached user space" ;;
lost) lost_check "$B/flood.saker" "$GUEST_FLOOD_FILE"; echo "200 matched: $RECEIVED received, $LOST lost" ;;
default_rules) default_rules_check "$B/default.saker" ;;
refusal) refusal_check "$B/shadow.saker" "$B/bad" ;;
container) check_container ;;
requires) check_requires ;;
compat) compat_check "$B/compat.saker" "$GUEST_COMPAT_FILE" /saker/build/tests/saker_i386 ;;
ptrace) ptrace_check "$B/ptrace.saker"; echo "PTRACE_ATTACH and PTRACE_DETACH of $CHILD alerted" ;;
uring) uring_check "$B/compat.saker" "$GUEST_COMPAT_FILE" /saker/build/tests/saker_uring
	echo "io_uring openat and openat2 alerted as the syscalls ($ALERTS alerts)" ;;
*) fail "no such check '$check' (checks: $CHECKS)" ;;
esac
exit 0
