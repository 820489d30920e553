# Podman for the end-to-end tests (sourced after lib.sh): runc and cgroupfs (PLATFORM.md), a
# private containers.conf and storage under $E2E_TMP, an image imported from a busybox-static
# root filesystem (no registry, no network), and on exit the removal of the containers and of
# what podman 4.3 leaves on the host outside the temp dir when this run created it. Loud skip
# without podman, runc or busybox-static (a failure under SAKER_REQUIRE_E2E=1).
# podman_setup IMAGE: after it, pm runs podman with this configuration.

PODMAN_ERR="$E2E_TMP/podman.err"
PODMAN_CONFIGURED=
PODMAN_NEW_HOST_PATHS=

# pm ARGS...: podman with this test's configuration, at most 120 s, stderr kept for failures.
pm() {
	timeout -k 5 120 podman "$@" 2>> "$PODMAN_ERR"
}
pm_fail() {
	fail "$*$(printf '\n--- podman stderr (last lines) ---\n'; tail -n 20 "$PODMAN_ERR" 2>/dev/null)"
}

podman_cleanup() {
	local p busy
	[ -n "$PODMAN_CONFIGURED" ] && timeout -k 5 60 podman rm -a -f -t 0 > /dev/null 2>&1
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

podman_setup() {
	local image=$1 d p a rootfs
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
driver = "vfs"
graphroot = "$E2E_TMP/storage"
runroot = "$E2E_TMP/run"
CONF
	export CONTAINERS_CONF="$E2E_TMP/containers.conf"
	export CONTAINERS_STORAGE_CONF="$E2E_TMP/storage.conf"
	PODMAN_CONFIGURED=1
	rootfs="$E2E_TMP/rootfs"
	mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root"
	cp "$BUSYBOX" "$rootfs/bin/busybox"
	for a in $("$rootfs/bin/busybox" --list); do
		[ "$a" = busybox ] || [ -e "$rootfs/bin/$a" ] || ln -s busybox "$rootfs/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
	tar -C "$rootfs" -c . | pm import - "$image" > /dev/null ||
		pm_fail "podman import of the busybox root filesystem failed"
}
