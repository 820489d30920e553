#!/usr/bin/env bash
# A write to /etc/shadow inside a real container gives exactly one alert whose container.id is
# the first 12 hex characters of the container's id (computed in the kernel from the cgroup v2
# leaf name) and whose container.image.name and container.name come from the container runtime's
# API socket; a write to /etc/shadow on the host in the same run gives container.id "host".
#
# Uses podman with runc and cgroupfs (see /work/shared/PLATFORM.md), a private containers.conf
# and storage under the temp dir, an image imported from a busybox-static root filesystem (no
# registry, no network) and `podman system service` on a socket in the temp dir, which sakerd
# finds through $SAKER_CONTAINER_SOCKET. Everything podman leaves on the host outside the temp
# dir (caches, lock file, cgroup parents, runc state dir) is removed on exit when this run
# created it. Needs root and the packages podman, runc and busybox-static.
. "$(dirname "$0")/lib.sh"
need_root

command -v podman > /dev/null || loud_skip "podman is not installed (apt-get install podman runc busybox-static)"
command -v runc > /dev/null || loud_skip "runc is not installed (apt-get install runc)"
BUSYBOX=$(static_busybox)
[ -n "$BUSYBOX" ] || loud_skip "no statically linked busybox (apt-get install busybox-static)"
command -v timeout > /dev/null || fail "timeout (coreutils) is needed for bounded waits"

IMAGE=localhost/saker-e2e:latest
CTR_NAME=saker-e2e-shadow
SOCK="$E2E_TMP/podman.sock"
PODMAN_ERR="$E2E_TMP/podman.err"
SERVICE_PID=
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
cat > "$E2E_TMP/storage.conf" <<EOF
[storage]
driver = "vfs"
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

cat > "$E2E_TMP/rules.yaml" <<'YAML'
- macro: open_write
  condition: evt.type in (open, openat, openat2, creat) and evt.is_open_write = true

- rule: Write to shadow
  desc: a process opened /etc/shadow for writing
  condition: open_write and fd.name = /etc/shadow
  output: >
    File /etc/shadow opened for writing (file=%fd.name process=%proc.name pid=%proc.pid
    container_id=%container.id container_name=%container.name
    image=%container.image.name repository=%container.image.repository)
  priority: CRITICAL
  tags: [container, filesystem]
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/shadow.saker"

SAKER_CONTAINER_SOCKET="$SOCK" start_sakerd --json "$E2E_TMP/shadow.saker"

# In a container: a read of /etc/shadow (no alert), then an append (one alert). The shell waits
# (at most 30 s) for a file in a bind-mounted directory before it writes, so the write happens
# after `podman run -d` has returned: while podman is still starting a container it holds the
# container's lock and the API's inspect of it can take longer than sakerd's 200 ms budget for
# one lookup. Not --rm: the container must still exist when sakerd asks about it; it is removed
# on exit.
mkdir "$E2E_TMP/sync"
# shellcheck disable=SC2016 # the script runs in the container's shell
cid=$(pm run -d --network=none --name "$CTR_NAME" -v "$E2E_TMP/sync:/sync" "$IMAGE" /bin/sh -c '
	i=0
	while [ ! -e /sync/go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e /sync/go ] || exit 3
	cat /etc/shadow > /dev/null && : >> /etc/shadow') || pm_fail "podman run failed"
echo "$cid" | grep -Eq '^[0-9a-f]{64}$' || pm_fail "podman run printed no container id: '$cid'"
# The service knows the container by its short id (podman --remote asks the libpod API; sakerd
# asks the Docker-compatible one), which also warms the service up before the write.
api=$(timeout -k 2 20 podman --remote --url "unix://$SOCK" container inspect \
	-f '{{.ImageName}} {{.Name}}' "${cid:0:12}" 2>> "$PODMAN_ERR") || pm_fail "inspect over $SOCK failed"
expect_eq "image and name from the API" "$api" "$IMAGE $CTR_NAME"
touch "$E2E_TMP/sync/go"
status=$(pm wait "$cid") || pm_fail "podman wait $cid failed"
expect_eq "container exit status" "$status" 0
wait_lines "$SAKERD_OUT" 1
sleep 0.5 # let any stray alert (from the read, or a second one) arrive
expect_eq "alerts after the container's read and write" "$(wc -l < "$SAKERD_OUT")" 1

line=$(sed -n 1p "$SAKERD_OUT")
echo "$line" | jq -e . > /dev/null || fail "alert is not JSON: $line"
field() { echo "$line" | jq -r "$1"; }
expect_eq rule "$(field .rule)" "Write to shadow"
expect_eq fd.name "$(field '.output_fields["fd.name"]')" "/etc/shadow"
expect_eq proc.name "$(field '.output_fields["proc.name"]')" "sh"
expect_eq container.id "$(field '.output_fields["container.id"]')" "${cid:0:12}"
expect_eq container.name "$(field '.output_fields["container.name"]')" "$CTR_NAME"
expect_eq container.image.name "$(field '.output_fields["container.image.name"]')" "$IMAGE"
expect_eq container.image.repository "$(field '.output_fields["container.image.repository"]')" "${IMAGE%:*}"
field .output | grep -Fq "container_id=${cid:0:12} container_name=$CTR_NAME image=$IMAGE repository=${IMAGE%:*})" ||
	fail "unexpected output text: $(field .output)"

# On the host, in the same run: container.id is "host", and there is no image.
pid=$("$OPENER" write /etc/shadow) || fail "write open of /etc/shadow on the host failed"
wait_lines "$SAKERD_OUT" 2
line=$(sed -n 2p "$SAKERD_OUT")
expect_eq "host: proc.pid" "$(field '.output_fields["proc.pid"]')" "$pid"
expect_eq "host: container.id" "$(field '.output_fields["container.id"]')" "host"
expect_eq "host: container.name" "$(field '.output_fields["container.name"]')" "host"
expect_eq "host: container.image.name" "$(field '.output_fields["container.image.name"]')" "null"

sleep 0.5
expect_eq "total alerts" "$(wc -l < "$SAKERD_OUT")" 2
stop_sakerd TERM
grep -q '^sakerd: events received 2, lost 0, alerts 2$' "$SAKERD_ERR" ||
	fail "counters line does not say 2 events and 2 alerts"
echo "PASS ($E2E_NAME): container ${cid:0:12} ($IMAGE) and host each gave one alert"
