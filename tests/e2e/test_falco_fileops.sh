#!/usr/bin/env bash
# Falco's own default rules (read from ../shared/falco/falco_rules.yaml, never copied here) on
# the file-operation, module and capability calls, end to end: the whole file compiled, sakerd
# started with it, and each behaviour done for real, once so that the rule must alert and once
# as a near miss that must stay quiet:
#   Create Symlink Over Sensitive Files   ln -s /etc/shadow (alerts); ln -s /etc/hostname (quiet)
#   Create Hardlink Over Sensitive Files  ln /etc/shadow (alerts; refused or not, as in Falco);
#                                         ln /etc/hostname (quiet)
#   Clear Log Activities                  truncating a file named syslog (alerts); appending to
#                                         it, truncating another name (quiet)
#   Linux Kernel Module Injection         insmod of a bogus module in a container with
#     Detected                            CAP_SYS_MODULE (alerts: the rule wants the attempt);
#                                         the same without the capability, and on the host (quiet)
#   Detect release_agent File Container   a write to a file named release_agent in a container
#     Escapes                             with CAP_SYS_ADMIN (alerts); without it (quiet)
# This test's alerts are told from other tests' by its paths and its containers' ids. Needs root;
# the container part needs podman, runc and busybox-static (PLATFORM.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/podman_lib.sh"
need_root

FALCO=${SAKER_FALCO_RULES:-$SAKER_SOURCE_DIR/../shared/falco/falco_rules.yaml}
[ -f "$FALCO" ] || loud_skip "Falco's falco_rules.yaml is absent ($FALCO)"
trap 'podman_cleanup; cleanup' EXIT

IMAGE=localhost/saker-e2e-fileops:latest
podman_setup "$IMAGE"

compile_bundle "$FALCO" "$E2E_TMP/falco.saker"
"$SAKER" check "$FALCO" > "$E2E_TMP/check.out" 2> /dev/null || fail "saker check of Falco's rules failed"
for r in "Create Symlink Over Sensitive Files" "Create Hardlink Over Sensitive Files" \
	"Detect release_agent File Container Escapes"; do
	grep -q "^rule '$r' (.*): exact, in kernel" "$E2E_TMP/check.out" ||
		fail "'$r' is not exact in the kernel: $(grep "'$r'" "$E2E_TMP/check.out")"
done
for r in "Clear Log Activities" "Linux Kernel Module Injection Detected"; do
	grep -q "^rule '$r' (.*): partial, in kernel" "$E2E_TMP/check.out" ||
		fail "'$r' does not run in the kernel: $(grep "'$r'" "$E2E_TMP/check.out")"
done

# No runtime socket: container.image.repository is <NA>, which the rules' exceptions on images
# then do not match (as in Falco without the container plugin's metadata).
SAKER_CONTAINER_SOCKET="$E2E_TMP/no-such.sock" start_sakerd --json "$E2E_TMP/falco.saker"

# alerts RULE FIELD VALUE: this test's alerts of RULE, those whose output field FIELD is VALUE.
alerts() {
	jq -c --arg r "$1" --arg f "$2" --arg v "$3" \
		'select(.rule == $r and (.output_fields[$f] | tostring) == $v)' "$SAKERD_OUT"
}
# wait_alert RULE FIELD VALUE: waits up to 20 s for one.
wait_alert() {
	local i
	for i in $(seq 200); do
		[ -n "$(alerts "$@")" ] && return 0
		sleep 0.1
	done
	fail "no '$1' alert with $2=$3 within 20 s"
}
# quiet RULE FIELD VALUE: none (checked after the last alert expected has arrived).
quiet() {
	[ -z "$(alerts "$@")" ] || fail "near miss alerted: '$1' with $2=$3: $(alerts "$@" | head -1)"
}

# ---- symlinks and hard links over sensitive files (host) -----------------------------------
T="$E2E_TMP/files"
mkdir "$T"
ln -s /etc/shadow "$T/shadow-link" || fail "ln -s failed"
ln -s /etc/hostname "$T/hostname-link" || fail "ln -s failed"
# a hard link may be refused (another file system, protected_hardlinks): Falco's rule, and so
# saker's, alerts on the attempt
ln /etc/shadow "$T/shadow-hard" 2> /dev/null
ln /etc/hostname "$T/hostname-hard" 2> /dev/null

# ---- clearing a log (host) ----------------------------------------------------------------
echo old >> "$T/syslog"  # created by an append: no truncation
: > "$T/syslog"           # open(O_WRONLY|O_CREAT|O_TRUNC) of a file named syslog
echo more >> "$T/syslog"  # O_APPEND: not a truncation
: > "$T/notes"            # a truncation, not of a log

# ---- a kernel module from a container, and release_agent --------------------------------
# The rules print no container id: this test's processes are told by their names, a copy of
# busybox called busybox-<tag> (its applet is then argv[1]; proc.name is the first 15 bytes).
tag() { echo "busybox-$1$(printf '%05d' $((RANDOM % 100000)))"; }
# ctr CAPS NAME SCRIPT: runs SCRIPT with busybox as NAME ('$B') in a container with the extra
# capability CAPS ("" for none) and waits for it.
ctr() {
	local caps=() cid
	[ -n "$1" ] && caps=(--cap-add "$1")
	cid=$(pm run -d --network=none "${caps[@]}" "$IMAGE" /bin/sh -c "B=/tmp/$2; cp /bin/busybox \$B; $3") ||
		pm_fail "podman run failed"
	echo "$cid" | grep -Eq '^[0-9a-f]{64}$' || pm_fail "podman run printed no container id: '$cid'"
	pm wait "$cid" > /dev/null || pm_fail "podman wait $cid failed"
}
# busybox insmod tries finit_module, then init_module: each attempt alerts (this kernel may not
# even have modules, ENOSYS: the rule is about the attempt)
MODULE='echo not-a-module > /tmp/bogus.ko; $B insmod /tmp/bogus.ko; exit 0'
mod_yes=$(tag m) mod_no=$(tag n) mod_host=$(tag h)
ctr SYS_MODULE "$mod_yes" "$MODULE"
ctr "" "$mod_no" "$MODULE"
cp "$BUSYBOX" "$T/$mod_host" # on the host: not a container
"$T/$mod_host" insmod "$T/syslog" 2> /dev/null
RELEASE='$B sh -c "echo /tmp/x > /tmp/release_agent"'
ra_yes=$(tag r) ra_no=$(tag s)
ctr SYS_ADMIN "$ra_yes" "$RELEASE"
ctr "" "$ra_no" "$RELEASE"

# ---- what alerted --------------------------------------------------------------------------
wait_alert "Create Symlink Over Sensitive Files" evt.arg.linkpath "$T/shadow-link"
wait_alert "Create Hardlink Over Sensitive Files" evt.arg.newpath "$T/shadow-hard"
wait_alert "Clear Log Activities" fd.name "$T/syslog"
wait_alert "Linux Kernel Module Injection Detected" proc.name "${mod_yes:0:15}"
wait_alert "Detect release_agent File Container Escapes" proc.name "${ra_yes:0:15}"
sleep 1 # near misses would have come by now

line=$(alerts "Create Symlink Over Sensitive Files" evt.arg.linkpath "$T/shadow-link")
expect_eq "symlink alerts" "$(wc -l <<< "$line")" 1
expect_eq "symlink: evt.arg.target" "$(jq -r '.output_fields["evt.arg.target"]' <<< "$line")" /etc/shadow
jq -r .output <<< "$line" | grep -Fq "target=/etc/shadow linkpath=$T/shadow-link evt_type=symlink" ||
	fail "symlink: unexpected output: $(jq -r .output <<< "$line")"
quiet "Create Symlink Over Sensitive Files" evt.arg.linkpath "$T/hostname-link"

line=$(alerts "Create Hardlink Over Sensitive Files" evt.arg.newpath "$T/shadow-hard")
expect_eq "hardlink alerts" "$(wc -l <<< "$line")" 1
expect_eq "hardlink: evt.arg.oldpath" "$(jq -r '.output_fields["evt.arg.oldpath"]' <<< "$line")" /etc/shadow
quiet "Create Hardlink Over Sensitive Files" evt.arg.newpath "$T/hostname-hard"

line=$(alerts "Clear Log Activities" fd.name "$T/syslog")
expect_eq "clear log: alerts (the truncation, not the append)" "$(wc -l <<< "$line")" 1
quiet "Clear Log Activities" fd.name "$T/notes"

line=$(alerts "Linux Kernel Module Injection Detected" proc.name "${mod_yes:0:15}")
n=$(wc -l <<< "$line")
[ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "module: $n alerts, want one per call (1 or 2)"
jq -r .output <<< "$line" | grep -Evq "evt_type=(init_module|finit_module) " &&
	fail "module: unexpected output: $(jq -r .output <<< "$line")"
quiet "Linux Kernel Module Injection Detected" proc.name "${mod_no:0:15}"
quiet "Linux Kernel Module Injection Detected" proc.name "${mod_host:0:15}"

line=$(alerts "Detect release_agent File Container Escapes" proc.name "${ra_yes:0:15}")
expect_eq "release_agent: alerts" "$(wc -l <<< "$line")" 1
expect_eq "release_agent: fd.name" "$(jq -r '.output_fields["fd.name"]' <<< "$line")" /tmp/release_agent
jq -r '.output_fields["thread.cap_effective"]' <<< "$line" | grep -qw CAP_SYS_ADMIN ||
	fail "release_agent: thread.cap_effective lacks CAP_SYS_ADMIN: $line"
quiet "Detect release_agent File Container Escapes" proc.name "${ra_no:0:15}"

stop_sakerd TERM
echo "PASS ($E2E_NAME): 5 of Falco's rules alerted on their behaviour, their near misses stayed quiet"
