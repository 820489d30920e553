# Podman for the end-to-end tests (sourced after lib.sh): runc and cgroupfs (PLATFORM.md), a
# private containers.conf and storage under $E2E_TMP, an image imported from a busybox-static
# root filesystem (no registry, no network), and on exit the removal of the containers and of
# what podman 4.3 leaves on the host outside the temp dir when this run created it. Loud skip
# without podman, runc or busybox-static (a failure under SAKER_REQUIRE_E2E=1).
# podman_setup IMAGE: after it, pm runs podman with this configuration. Its parts, for a test
# that adds files to the image: podman_config, podman_rootfs (fills $PODMAN_ROOTFS),
# podman_import IMAGE. PODMAN_STORAGE_DRIVER (default vfs) picks the storage driver.
# podman_service SOCK: the Docker-compatible API on SOCK, stopped again by podman_cleanup.

PODMAN_ERR="$E2E_TMP/podman.err"
PODMAN_CONFIGURED=
PODMAN_NEW_HOST_PATHS=
PODMAN_SERVICE_PID=
PODMAN_ROOTFS="$E2E_TMP/rootfs"

# pm ARGS...: podman with this test's configuration, at most 120 s, stderr kept for failures.
pm() {
	timeout -k 5 120 podman "$@" 2>> "$PODMAN_ERR"
}
pm_fail() {
	fail "$*$(printf '\n--- podman stderr (last lines) ---\n'; tail -n 20 "$PODMAN_ERR" 2>/dev/null)"
}

podman_cleanup() {
	local p busy
	# containers first (their conmon processes and shm mounts), then the API service
	[ -n "$PODMAN_CONFIGURED" ] && timeout -k 5 60 podman rm -a -f -t 0 > /dev/null 2>&1
	if [ -n "$PODMAN_SERVICE_PID" ] && kill -0 "$PODMAN_SERVICE_PID" 2>/dev/null; then
		kill -TERM "$PODMAN_SERVICE_PID" 2>/dev/null
		for _ in $(seq 100); do
			kill -0 "$PODMAN_SERVICE_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$PODMAN_SERVICE_PID" 2>/dev/null
		wait "$PODMAN_SERVICE_PID" 2>/dev/null
	fi
	# anything still mounted under the temp dir, deepest first, so rm -rf cannot go through it
	awk -v t="$E2E_TMP/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r p; do umount -l "$p" 2>/dev/null; done
	# host leftovers this run created; cgroups may stay busy for a moment after conmon exits
	for _ in $(seq 50); do
		busy=0
		for p in $PODMAN_NEW_HOST_PATHS; do
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

podman_config() {
	local d p
	command -v podman > /dev/null || loud_skip "podman is not installed (apt-get install podman runc busybox-static)"
	command -v runc > /dev/null || loud_skip "runc is not installed (apt-get install runc)"
	BUSYBOX=$(static_busybox)
	[ -n "$BUSYBOX" ] || loud_skip "no statically linked busybox (apt-get install busybox-static)"
	command -v timeout > /dev/null || fail "timeout (coreutils) is needed for bounded waits"
	local host_paths="/var/lib/containers/cache/blob-info-cache-v1.boltdb /var/lib/containers/cache
/var/lib/containers /run/containers/networks /run/containers /run/runc /dev/shm/libpod_lock"
	for d in /sys/fs/cgroup /sys/fs/cgroup/*; do
		[ -d "$d" ] && host_paths="$host_paths $d/libpod_parent/conmon $d/libpod_parent"
	done
	for p in $host_paths; do
		[ -e "$p" ] || PODMAN_NEW_HOST_PATHS="$PODMAN_NEW_HOST_PATHS $p"
	done
	unset CONTAINER_HOST CONTAINER_CONNECTION
	cat > "$E2E_TMP/containers.conf" <<CONF
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
CONF
	cat > "$E2E_TMP/storage.conf" <<CONF
[storage]
driver = "${PODMAN_STORAGE_DRIVER:-vfs}"
graphroot = "$E2E_TMP/storage"
runroot = "$E2E_TMP/run"
CONF
	export CONTAINERS_CONF="$E2E_TMP/containers.conf"
	export CONTAINERS_STORAGE_CONF="$E2E_TMP/storage.conf"
	PODMAN_CONFIGURED=1
}

podman_rootfs() {
	local r=$PODMAN_ROOTFS a
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root"
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in $("$r/bin/busybox" --list); do
		[ "$a" = busybox ] || [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	[ -e "$r/bin/sh" ] || fail "busybox has no sh applet"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
}

podman_import() {
	tar -C "$PODMAN_ROOTFS" -c . | pm import - "$1" > /dev/null ||
		pm_fail "podman import of the busybox root filesystem failed"
}

podman_setup() {
	podman_config
	podman_rootfs
	podman_import "$1"
}

podman_service() {
	local sock=$1
	[ ${#sock} -lt 100 ] || fail "socket path too long for a unix socket: $sock"
	podman system service --time=0 "unix://$sock" >> "$PODMAN_ERR" 2>&1 &
	PODMAN_SERVICE_PID=$!
	for _ in $(seq 300); do
		[ -S "$sock" ] && timeout -k 2 10 podman --remote --url "unix://$sock" version > /dev/null 2>&1 && return 0
		kill -0 "$PODMAN_SERVICE_PID" 2>/dev/null || pm_fail "podman system service exited"
		sleep 0.1
	done
	[ -S "$sock" ] || pm_fail "podman system service did not create $sock within 30 s"
	pm_fail "podman system service does not answer on $sock"
}
