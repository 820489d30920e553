#!/usr/bin/env bash
# Falco's container rules on execs, end to end with podman: the real falco_rules.yaml (read from
# ../shared/falco) compiled as is, sakerd started with the runtime's API socket, and in real
# containers: a shell with a terminal (Terminal shell in container), nc with -e (Netcat Remote
# Code Execution in Container), a binary copied into the container and run (Drop and execute new
# binary in container: the copy is on the overlay's upper layer), a program named debugfs in a
# privileged container (Debugfs Launched in Privileged Container). Each alerts with the
# container's id; a near miss of each stays quiet: a shell without a terminal, nc without -e, the
# image's own busybox, debugfs in a container that is not privileged. The podman set-up is
# test_container.sh's (runc, cgroupfs, private configuration and storage under the temp dir, an
# image imported from busybox-static, `podman system service` on a socket in the temp dir), with
# the overlay storage driver. Only alerts of this test's containers count, by container.id.
. "$(dirname "$0")/lib.sh"
need_root
FALCO_RULES="$SAKER_SOURCE_DIR/../shared/falco/falco_rules.yaml"
[ -f "$FALCO_RULES" ] || loud_skip "Falco's rules file is not at $FALCO_RULES"

command -v podman > /dev/null || loud_skip "podman is not installed (apt-get install podman runc busybox-static)"
command -v runc > /dev/null || loud_skip "runc is not installed (apt-get install runc)"
BUSYBOX=$(static_busybox)
[ -n "$BUSYBOX" ] || loud_skip "no statically linked busybox (apt-get install busybox-static)"
command -v timeout > /dev/null || fail "timeout (coreutils) is needed for bounded waits"

IMAGE=localhost/saker-e2e-exec:latest
SOCK="$E2E_TMP/podman.sock"
PODMAN_ERR="$E2E_TMP/podman.err"
SERVICE_PID=
FAKE_PID=
PODMAN_CONFIGURED=

# Podman state outside the temp dir that podman 4.3 creates whatever its configuration says.
# Those absent now are removed on exit (files deleted, directories only when empty).
HOST_PATHS="/var/lib/containers/cache/blob-info-cache-v1.boltdb /var/lib/containers/cache
/var/lib/containers /run/containers/networks /run/containers /run/runc /dev/shm/libpod_lock"
for d in /sys/fs/cgroup /sys/fs/cgroup/*; do
	[ -d "$d" ] && HOST_PATHS="$HOST_PATHS $d/libpod_parent/conmon $d/libpod_parent"
done
NEW_HOST_PATHS=
for p in $HOST_PATHS; do
	[ -e "$p" ] || NEW_HOST_PATHS="$NEW_HOST_PATHS $p"
done

# pm ARGS...: podman with this test's configuration, at most 120 s, stderr kept for failures.
pm() {
	timeout -k 5 120 podman "$@" 2>> "$PODMAN_ERR"
}
pm_fail() {
	fail "$*$(printf '\n--- podman stderr (last lines) ---\n'; tail -n 20 "$PODMAN_ERR" 2>/dev/null)"
}

container_cleanup() {
	local p
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	# Containers first (their conmon processes and shm mounts), then the API service.
	[ -n "$PODMAN_CONFIGURED" ] && timeout -k 5 60 podman rm -a -f -t 0 > /dev/null 2>&1
	if [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2>/dev/null; then
		kill -TERM "$SERVICE_PID" 2>/dev/null
		for _ in $(seq 100); do
			kill -0 "$SERVICE_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$SERVICE_PID" 2>/dev/null
		wait "$SERVICE_PID" 2>/dev/null
	fi
	# Anything still mounted under the temp dir, deepest first, so rm -rf cannot go through it.
	awk -v t="$E2E_TMP/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r p; do umount -l "$p" 2>/dev/null; done
	# Host leftovers this run created; cgroups may stay busy for a moment after conmon exits.
	for _ in $(seq 50); do
		local busy=0
		for p in $NEW_HOST_PATHS; do
			if [ -d "$p" ]; then
				rmdir "$p" 2>/dev/null || busy=1
			elif [ -e "$p" ]; then
				rm -f "$p"
			fi
		done
		[ "$busy" = 0 ] && break
		sleep 0.1
	done
}
trap 'container_cleanup; cleanup' EXIT

# Private podman configuration and storage, all under the temp dir.
unset CONTAINER_HOST CONTAINER_CONNECTION
cat > "$E2E_TMP/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$E2E_TMP/events.log"
tmp_dir = "$E2E_TMP/libpod-tmp"
static_dir = "$E2E_TMP/storage/libpod"
volume_path = "$E2E_TMP/storage/volumes"
[network]
network_config_dir = "$E2E_TMP/networks"
EOF
# overlay, so that a file written in the container is on an upper layer (proc.is_exe_upper_layer)
STORAGE_DRIVER=overlay
cat > "$E2E_TMP/storage.conf" <<EOF
[storage]
driver = "$STORAGE_DRIVER"
graphroot = "$E2E_TMP/storage"
runroot = "$E2E_TMP/run"
EOF
export CONTAINERS_CONF="$E2E_TMP/containers.conf"
export CONTAINERS_STORAGE_CONF="$E2E_TMP/storage.conf"
PODMAN_CONFIGURED=1

# The image: busybox-static with its applet links, /etc/passwd and /etc/shadow.
ROOTFS="$E2E_TMP/rootfs"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/root"
cp "$BUSYBOX" "$ROOTFS/bin/busybox"
for a in $("$ROOTFS/bin/busybox" --list); do
	[ "$a" = busybox ] || [ -e "$ROOTFS/bin/$a" ] || ln -s busybox "$ROOTFS/bin/$a"
done
[ -e "$ROOTFS/bin/sh" ] || fail "busybox has no sh applet"
echo 'root:x:0:0:root:/root:/bin/sh' > "$ROOTFS/etc/passwd"
echo 'root:*:19000:0:99999:7:::' > "$ROOTFS/etc/shadow"
chmod 640 "$ROOTFS/etc/shadow"
tar -C "$ROOTFS" -c . | pm import - "$IMAGE" > /dev/null || pm_fail "podman import of the busybox root filesystem failed"

# The Docker-compatible API that sakerd asks for image and container names.
[ ${#SOCK} -lt 100 ] || fail "socket path too long for a unix socket: $SOCK"
podman system service --time=0 "unix://$SOCK" >> "$PODMAN_ERR" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 300); do
	[ -S "$SOCK" ] && timeout -k 2 10 podman --remote --url "unix://$SOCK" version > /dev/null 2>&1 && break
	kill -0 "$SERVICE_PID" 2>/dev/null || pm_fail "podman system service exited"
	sleep 0.1
done
[ -S "$SOCK" ] || pm_fail "podman system service did not create $SOCK within 30 s"
timeout -k 2 10 podman --remote --url "unix://$SOCK" version > /dev/null 2>> "$PODMAN_ERR" ||
	pm_fail "podman system service does not answer on $SOCK"


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
