#!/usr/bin/env bash
# A write to /etc/shadow inside a real container gives exactly one alert whose container.id is
# the first 12 hex characters of the container's id (computed in the kernel from the cgroup v2
# leaf name) and whose container.name, .image, .image.repository, .image.tag, .image.id, .type,
# .privileged and .start_ts come from the container runtime's API socket, each equal to what
# podman says: over podman's own API and over its Docker-compatible one, for a plain and a
# privileged container. A write on the host in the same run gives container.id "host". A host
# file a rule names, written from a container through a volume (-v DIR:/hostetc), alerts by its
# identity with fd.name /hostetc/shadow (docs/kernel.md, "File identity"). With a
# runtime socket that accepts and never answers, alerts still flow, with <NA>, counted.
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
    image=%container.image.name repository=%container.image.repository
    tag=%container.image.tag image_id=%container.image.id type=%container.type
    privileged=%container.privileged started=%container.start_ts full_image=%container.image)
  priority: CRITICAL
  tags: [container, filesystem]
YAML
# File identity (docs/kernel.md): a host file a rule names, reached from a container through a
# volume; a scratch stand-in for /etc/shadow, mounted as /hostetc.
VOL="$E2E_TMP/vol"
mkdir -p "$VOL"
echo 'root:*:19000:0:99999:7:::' > "$VOL/shadow"
cat >> "$E2E_TMP/rules.yaml" <<YAML

- rule: Write to the host file
  desc: the host's stand-in for /etc/shadow opened for writing, by any name
  condition: open_write and fd.name = $VOL/shadow
  output: host file written (file=%fd.name ino=%fd.ino container_id=%container.id)
  priority: CRITICAL
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/shadow.saker"
mkdir "$E2E_TMP/sync"

# run_writer NAME [PODMAN-RUN-OPTIONS...]: starts a container that, once $E2E_TMP/sync/go-NAME
# exists (at most 30 s), reads /etc/shadow (no alert) and appends to it (one alert); prints its
# id. The write waits for the file, so it happens after `podman run -d` returned: while podman
# is still starting a container it holds the container's lock and the API's inspect of it can
# take longer than sakerd waits for one lookup. Not --rm: the container must still exist when
# sakerd asks about it; it is removed on exit.
run_writer() {
	local name=$1 cid
	shift
	# shellcheck disable=SC2016 # the script runs in the container's shell
	cid=$(pm run -d --network=none --name "$name" "$@" -v "$E2E_TMP/sync:/sync" "$IMAGE" /bin/sh -c '
		i=0
		while [ ! -e /sync/go-'"$name"' ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		[ -e /sync/go-'"$name"' ] || exit 3
		cat /etc/shadow > /dev/null && : >> /etc/shadow') || pm_fail "podman run $name failed"
	echo "$cid" | grep -Eq '^[0-9a-f]{64}$' || pm_fail "podman run printed no container id: '$cid'"
	echo "$cid"
}
# go NAME CID: lets container NAME write, and waits for it to exit 0.
go() {
	touch "$E2E_TMP/sync/go-$1"
	local status
	status=$(pm wait "$2") || pm_fail "podman wait $2 failed"
	expect_eq "exit status of container $1" "$status" 0
}

# Other tests on this machine may write /etc/shadow at the same time, from their own containers
# or the host: this test only counts the alerts of its own containers (by container.id) and of
# its own host process (by proc.pid).
# alerts_of FIELD VALUE: the alert lines (as sakerd wrote them: jq would round container.start_ts
# to a double) whose output field FIELD is the string or number VALUE.
alerts_of() {
	grep -E "\"${1//./\\.}\":(\"$2\"|$2)[,}]" "$SAKERD_OUT"
}
# wait_alerts FIELD VALUE N: waits up to 20 s for N such lines.
wait_alerts() {
	local i
	for i in $(seq 200); do
		[ "$(alerts_of "$1" "$2" | wc -l)" -ge "$3" ] && return 0
		sleep 0.1
	done
	fail "expected $3 alert(s) with $1=$2 within 20 s, got $(alerts_of "$1" "$2" | wc -l)"
}

# check_alert CID NAME PRIVILEGED TYPE: container CID gave exactly one alert, and its container
# fields are what podman itself says about the container.
check_alert() {
	local cid=$1 name=$2 priv=$3 type=$4 line
	wait_alerts container.id "${cid:0:12}" 1
	sleep 0.5 # let any stray alert (from the read, or a second one) arrive
	expect_eq "$name: alerts after the container's read and write" "$(alerts_of container.id "${cid:0:12}" | wc -l)" 1
	line=$(alerts_of container.id "${cid:0:12}")
	echo "$line" | jq -e . > /dev/null || fail "alert $n is not JSON: $line"
	f() { echo "$line" | jq -r ".output_fields[\"$1\"]"; }
	local started image_id
	started=$(pm inspect --format '{{.State.StartedAt.UnixNano}}' "$cid") || pm_fail "podman inspect $cid"
	image_id=$(pm inspect --format '{{.Image}}' "$cid") || pm_fail "podman inspect $cid"
	expect_eq "$name: rule" "$(echo "$line" | jq -r .rule)" "Write to shadow"
	expect_eq "$name: proc.name" "$(f proc.name)" "sh"
	expect_eq "$name: container.id" "$(f container.id)" "${cid:0:12}"
	expect_eq "$name: container.name" "$(f container.name)" "$name"
	expect_eq "$name: container.image" "$(f container.image)" "$IMAGE"
	expect_eq "$name: container.image.name" "$(f container.image.name)" "$IMAGE"
	expect_eq "$name: container.image.repository" "$(f container.image.repository)" "${IMAGE%:*}"
	expect_eq "$name: container.image.tag" "$(f container.image.tag)" "${IMAGE##*:}"
	expect_eq "$name: container.image.id" "$(f container.image.id)" "${image_id:0:12}"
	expect_eq "$name: container.type" "$(f container.type)" "$type"
	expect_eq "$name: container.privileged" "$(echo "$line" | jq -c '.output_fields["container.privileged"]')" "$priv"
	# From the raw line: jq reads numbers as doubles, which cannot hold nanoseconds since 1970.
	expect_eq "$name: container.start_ts" "$(echo "$line" | grep -o '"container.start_ts":[0-9]*' | cut -d: -f2)" "$started"
	echo "$line" | jq -r .output | grep -Fq "container_id=${cid:0:12} container_name=$name image=$IMAGE repository=${IMAGE%:*} tag=${IMAGE##*:} image_id=${image_id:0:12} type=$type privileged=$priv started=$started full_image=$IMAGE)" ||
		fail "$name: unexpected output text: $(echo "$line" | jq -r .output)"
}

# ---- podman's own API (learnt from /_ping) ----
SAKER_CONTAINER_SOCKET="$SOCK" start_sakerd --json "$E2E_TMP/shadow.saker"
cid=$(run_writer "$CTR_NAME")
# The service knows the container by its short id (podman --remote asks the libpod API, as sakerd
# does here), which also warms the service up before the write.
api=$(timeout -k 2 20 podman --remote --url "unix://$SOCK" container inspect \
	-f '{{.ImageName}} {{.Name}}' "${cid:0:12}" 2>> "$PODMAN_ERR") || pm_fail "inspect over $SOCK failed"
expect_eq "image and name from the API" "$api" "$IMAGE $CTR_NAME"
go "$CTR_NAME" "$cid"
check_alert "$cid" "$CTR_NAME" false podman

# A privileged container.
pcid=$(run_writer "$CTR_NAME-priv" --privileged)
go "$CTR_NAME-priv" "$pcid"
check_alert "$pcid" "$CTR_NAME-priv" true podman

# On the host, in the same run: container.id is "host", and there is no image.
pid=$("$OPENER" write /etc/shadow) || fail "write open of /etc/shadow on the host failed"
wait_alerts proc.pid "$pid" 1
line=$(alerts_of proc.pid "$pid")
field() { echo "$line" | jq -r "$1"; }
expect_eq "host: proc.pid" "$(field '.output_fields["proc.pid"]')" "$pid"
expect_eq "host: container.id" "$(field '.output_fields["container.id"]')" "host"
expect_eq "host: container.name" "$(field '.output_fields["container.name"]')" "host"
expect_eq "host: container.image.name" "$(field '.output_fields["container.image.name"]')" "null"
expect_eq "host: container.privileged" "$(field '.output_fields["container.privileged"]')" "null"

# A volume: the container writes /hostetc/shadow, which is the host's $VOL/shadow.
vcid=$(pm run -d --network=none -v "$VOL:/hostetc" "$IMAGE" /bin/sh -c ': >> /hostetc/shadow') ||
	pm_fail "podman run with a volume failed"
expect_eq "volume container: exit status" "$(pm wait "$vcid")" 0
wait_alerts container.id "${vcid:0:12}" 1
line=$(alerts_of container.id "${vcid:0:12}")
expect_eq "volume: alerts" "$(wc -l <<< "$line")" 1
expect_eq "volume: rule" "$(jq -r .rule <<< "$line")" "Write to the host file"
expect_eq "volume: fd.name" "$(jq -r '.output_fields["fd.name"]' <<< "$line")" /hostetc/shadow
expect_eq "volume: fd.ino" "$(jq -r '.output_fields["fd.ino"]' <<< "$line")" "$(stat -c %i "$VOL/shadow")"
echo "volume: the host file written as /hostetc/shadow from container ${vcid:0:12} alerts"

stop_sakerd TERM
grep -q '^sakerd: events received [0-9]*, lost 0, alerts [0-9]*$' "$SAKERD_ERR" ||
	fail "counters line does not say 0 events lost"
# Both containers were asked about once and answered (other tests' containers, unknown to this
# test's podman service, could only add requests and 404s).
grep -Eq '^sakerd: container lookups: [0-9]+ requests, 2 answered, [0-9]+ unknown, 0 failed; [0-9]+ field values <NA>, 0 waits expired$' "$SAKERD_ERR" ||
	fail "container lookup counters: $(grep 'container lookups' "$SAKERD_ERR")"

# ---- the Docker-compatible API of the same service ----
SAKER_CONTAINER_API=docker SAKER_CONTAINER_SOCKET="$SOCK" start_sakerd --json "$E2E_TMP/shadow.saker"
dcid=$(run_writer "$CTR_NAME-docker" --privileged)
go "$CTR_NAME-docker" "$dcid"
check_alert "$dcid" "$CTR_NAME-docker" true docker
stop_sakerd TERM

# ---- a runtime that never answers: alerts still flow, without the container's image ----
FAKE="$SAKER_BINARY_DIR/tests/saker_fake_runtime"
[ -x "$FAKE" ] || fail "$FAKE is missing"
"$FAKE" "$E2E_TMP/hung.sock" --never > /dev/null 2>&1 &
FAKE_PID=$!
for _ in $(seq 100); do [ -S "$E2E_TMP/hung.sock" ] && break; sleep 0.1; done
[ -S "$E2E_TMP/hung.sock" ] || fail "the fake runtime did not create its socket"
SAKER_CONTAINER_SOCKET="$E2E_TMP/hung.sock" start_sakerd --json --stats-file "$E2E_TMP/hung.json" "$E2E_TMP/shadow.saker"
# shellcheck disable=SC2016 # the script runs in the container's shell
hcid=$(pm run -d --network=none --name "$CTR_NAME-hung" -v "$E2E_TMP/sync:/sync" "$IMAGE" /bin/sh -c '
	i=0
	while [ ! -e /sync/go-hung ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	for n in 1 2 3 4 5; do : >> /etc/shadow; done') || pm_fail "podman run (hung) failed"
touch "$E2E_TMP/sync/go-hung"
pm wait "$hcid" > /dev/null || pm_fail "podman wait $hcid failed"
wait_alerts container.id "${hcid:0:12}" 5
for n in 1 2 3 4 5; do
	line=$(alerts_of container.id "${hcid:0:12}" | sed -n "${n}p")
	expect_eq "hung runtime, alert $n: container.id" "$(field '.output_fields["container.id"]')" "${hcid:0:12}"
	expect_eq "hung runtime, alert $n: container.image" "$(field '.output_fields["container.image"]')" null
	echo "$line" | jq -r .output | grep -Fq "container_name=<NA> image=<NA>" ||
		fail "hung runtime, alert $n: $(echo "$line" | jq -r .output)"
done
kill -USR1 "$SAKERD_PID"
for _ in $(seq 100); do [ -s "$E2E_TMP/hung.json" ] && break; sleep 0.1; done
# Only the first alert waited (sakerd's bounded wait), and every container field was <NA>.
expect_eq "hung runtime: waits expired" "$(jq .container_lookup_waits_expired "$E2E_TMP/hung.json")" 1
expect_eq "hung runtime: answered" "$(jq .container_lookup_answered "$E2E_TMP/hung.json")" 0
[ "$(jq .container_lookup_na "$E2E_TMP/hung.json")" -ge 5 ] || fail "hung runtime: <NA> counter $(cat "$E2E_TMP/hung.json")"
stop_sakerd TERM
kill "$FAKE_PID"
wait "$FAKE_PID" 2>/dev/null
echo "PASS ($E2E_NAME): containers ${cid:0:12}, ${pcid:0:12} (privileged) over podman's API, ${dcid:0:12} over the Docker-compatible API, ${hcid:0:12} with a runtime that never answers"
