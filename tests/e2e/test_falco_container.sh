#!/usr/bin/env bash
# Falco's container rules on execs, end to end with podman: the real falco_rules.yaml (read from
# ../shared/falco) compiled as is, sakerd started with the runtime's API socket, and in real
# containers: a shell with a terminal (Terminal shell in container), nc with -e (Netcat Remote
# Code Execution in Container), a binary copied into the container and run (Drop and execute new
# binary in container: the copy is on the overlay's upper layer), a program named debugfs in a
# privileged container (Debugfs Launched in Privileged Container). Each alerts with the
# container's id; a near miss of each stays quiet: a shell without a terminal, nc without -e, the
# image's own busybox, debugfs in a container that is not privileged. The podman set-up is
# podman_lib.sh's (runc, cgroupfs, private configuration and storage under the temp dir, an
# image imported from busybox-static, `podman system service` on a socket in the temp dir), with
# the overlay storage driver. Only alerts of this test's containers count, by container.id.
. "$(dirname "$0")/lib.sh"
need_root
FALCO_RULES="$SAKER_SOURCE_DIR/../shared/falco/falco_rules.yaml"
[ -f "$FALCO_RULES" ] || loud_skip "Falco's rules file is not at $FALCO_RULES"

. "$(dirname "$0")/podman_lib.sh"

IMAGE=localhost/saker-e2e-exec:latest
SOCK="$E2E_TMP/podman.sock"
trap 'podman_cleanup; cleanup' EXIT

# overlay, so that a file written in the container is on an upper layer (proc.is_exe_upper_layer)
PODMAN_STORAGE_DRIVER=overlay
podman_config
# the image: busybox-static with its applet links, /etc/passwd and /etc/shadow
podman_rootfs
echo 'root:*:19000:0:99999:7:::' > "$PODMAN_ROOTFS/etc/shadow"
chmod 640 "$PODMAN_ROOTFS/etc/shadow"
podman_import "$IMAGE"
# the Docker-compatible API that sakerd asks for image and container names
podman_service "$SOCK"


"$SAKER" compile -o "$E2E_TMP/falco.saker" "$FALCO_RULES" 2> "$E2E_TMP/compile.err" ||
	fail "saker compile of Falco's rules failed: $(tail -5 "$E2E_TMP/compile.err")"
SAKER_CONTAINER_SOCKET="$SOCK" start_sakerd --json "$E2E_TMP/falco.saker"
mkdir "$E2E_TMP/sync"

mark=$(basename "$E2E_TMP" | tr -dc 'a-zA-Z0-9')

# ctr NAME OPTIONS... -- SCRIPT: runs SCRIPT in a new container (not removed until the end: sakerd
# asks the runtime about it) and waits for it
ctr() {
	local name=$1 cid
	shift
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	cid=$(pm run -d --network=none --name "$name" "${opts[@]}" "$IMAGE" /bin/sh -c "$1") ||
		pm_fail "podman run $name failed"
	echo "$cid" | grep -Eq '^[0-9a-f]{64}$' || pm_fail "podman run printed no container id: '$cid'"
	pm wait "$cid" > /dev/null || pm_fail "podman wait $name failed"
}
# alerts RULE PATTERN: the alerts of RULE whose output names PATTERN (Falco's outputs have no
# container field: the commands carry the test's mark)
alerts() {
	jq -c --arg r "$1" --arg m "$2" 'select(.rule == $r and (.output | contains($m)))' "$SAKERD_OUT"
}
wait_alert() {
	local i
	for i in $(seq 200); do
		[ -n "$(alerts "$1" "$2")" ] && return 0
		sleep 0.1
	done
	fail "no alert of '$1' naming $2 within 20 s; alerts: $(jq -r '.rule' "$SAKERD_OUT" | sort | uniq -c)"
}

# Terminal shell in container: the container's shell has a terminal (-t); near miss: none
ctr skx-tty -t -- "true $mark-tty"
ctr skx-notty -- "true $mark-notty"
# Netcat Remote Code Execution in Container; near miss: nc without -e
ctr skx-nc -- "/bin/nc -e /bin/sh 127.0.0.1 9 $mark-nc || true"
ctr skx-ncnear -- "/bin/nc -w 1 127.0.0.1 9 $mark-ncnear < /dev/null || true"
# Drop and execute new binary in container: busybox copied in the container, then run; near
# miss: the image's own busybox
ctr skx-drop -- "cp /bin/busybox /tmp/dropped && /tmp/dropped true $mark-drop"
ctr skx-nodrop -- "/bin/busybox true $mark-nodrop"
# Debugfs Launched in Privileged Container; near miss: the same in an unprivileged container
ctr skx-dbg --privileged -- "ln -s /bin/busybox /tmp/debugfs; /tmp/debugfs $mark-dbg || true"
ctr skx-dbgnear -- "ln -s /bin/busybox /tmp/debugfs; /tmp/debugfs $mark-dbgnear || true"

wait_alert "Terminal shell in container" "$mark-tty"
wait_alert "Netcat Remote Code Execution in Container" "$mark-nc"
wait_alert "Drop and execute new binary in container" "$mark-drop"
wait_alert "Debugfs Launched in Privileged Container" "$mark-dbg"
sleep 1
stop_sakerd
for q in "Terminal shell in container:$mark-notty" "Netcat Remote Code Execution in Container:$mark-ncnear" \
	"Drop and execute new binary in container:$mark-nodrop" "Debugfs Launched in Privileged Container:$mark-dbgnear"; do
	rule=${q%%:*}
	m=${q#*:}
	[ -z "$(alerts "$rule" "$m")" ] || fail "'$rule' alerted on its near miss ($m): $(alerts "$rule" "$m")"
done
out=$(alerts "Drop and execute new binary in container" "$mark-drop" | head -1)
[ "$(jq -r '.output_fields["proc.exe"]' <<< "$out")" = /tmp/dropped ] || fail "proc.exe of the dropped binary: $out"
out=$(alerts "Terminal shell in container" "$mark-tty" | head -1)
[ "$(jq -r '.output_fields["proc.tty"]' <<< "$out")" != 0 ] || fail "proc.tty of the terminal shell: $out"
echo "PASS ($E2E_NAME): 4 container rules alerted in their containers, their near misses stayed quiet"
