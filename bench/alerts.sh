#!/usr/bin/env bash
# sakerd's own footprint and alert throughput (README.md, "sakerd itself"):
#  1. resident memory with the default bundle, without the ring buffer's pages (from smaps);
#  2. the alert rate sakerd sustains on one core (taskset, both its threads on one CPU) writing
#     JSON to a file: while it is stopped, N matching opens fill its 1 GiB ring buffer (a record
#     with two paths is about 4 KiB: N up to ~250,000); then it is
#     continued and timed until the N alerts are in the file, with the check that nothing was
#     lost or dropped. Its CPU time over the same span is reported too.
# Usage: bench/alerts.sh [-n OPENS] [-r ROUNDS] [-c CPU] BUILD_DIR     (root)
set -u -o pipefail
N=300000 ROUNDS=3 CPU=1
while [ $# -gt 1 ]; do
	case "$1" in
	-n) N=$2; shift 2 ;;
	-r) ROUNDS=$2; shift 2 ;;
	-c) CPU=$2; shift 2 ;;
	*) break ;;
	esac
done
B=${1:?usage: bench/alerts.sh [-n OPENS] [-r ROUNDS] BUILD_DIR}
SAKER=$B/compiler/saker SAKERD=$B/runtime/sakerd OPENER=$B/tests/saker_opener
T=$(mktemp -d /tmp/saker-bench-alerts.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$T"' EXIT

wait_ready() {
	for i in $(seq 600); do grep -q 'ready$' "$T/err" && return; sleep 0.1; done
	echo "sakerd not ready: $(cat "$T/err")" >&2; exit 2
}
# smaps: own resident kB, and the ring buffer's (anon_inode:bpf-map mappings)
rss() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { ring = ($0 ~ /bpf-map|bpf_ringbuf/) } /^Rss:/ { if (ring) r += $2; else o += $2 } END { print o, r }' /proc/$1/smaps
}
# private (not shared with any other process: heap, stacks, written pages) kB, ring excluded
uss() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { ring = ($0 ~ /bpf-map|bpf_ringbuf/) } /^Private_(Clean|Dirty):/ { if (!ring) u += $2 } END { print u }' /proc/$1/smaps
}
cpu_ticks() { awk '{ print $14 + $15 }' /proc/$1/stat; }

# 1. footprint with the default bundle, idle and after a burst of alerts
"$SAKER" compile -o "$T/default.saker" "$(dirname "$0")/../rules" || exit 2
"$SAKERD" --json -o "$T/default.json" "$T/default.saker" 2> "$T/err" & pid=$!
wait_ready
sleep 1
read own ring < <(rss $pid)
echo "default bundle: resident ${own} kB without the ring buffer, of which $(uss $pid) kB private (ring buffer pages ${ring} kB, VmRSS $(awk '/VmRSS/ {print $2}' /proc/$pid/status) kB)"
kill -TERM $pid; wait $pid; pid=

# 2. throughput
: > "$T/hot"
cat > "$T/rules.yaml" <<YAML
- rule: Bench open
  desc: every open of the bench file
  condition: evt.type in (open, openat, openat2, creat) and fd.name = $T/hot
  output: open of %fd.name by %proc.name (pid=%proc.pid user=%user.name flags=%evt.arg.flags container=%container.id)
  priority: NOTICE
YAML
"$SAKER" compile -o "$T/hot.saker" "$T/rules.yaml" || exit 2
hz=$(getconf CLK_TCK)
for r in $(seq "$ROUNDS"); do
	rm -f "$T/alerts.json"
	# the whole burst fits the file output's queue: the rate measured is the writer's, not drops
	printf 'outputs_queue: {capacity: %d}\n' $((N + 1000)) > "$T/bench.yaml"
	taskset -c "$CPU" "$SAKERD" -c "$T/bench.yaml" --json --ring-buffer-size 1G -o "$T/alerts.json" \
		--stats-file "$T/stats.json" --container-socket "" "$T/hot.saker" 2> "$T/err" & pid=$!
	wait_ready
	kill -STOP $pid
	"$OPENER" many "$N" "$T/hot" r > /dev/null
	c0=$(cpu_ticks $pid)
	t0=$(date +%s.%N)
	kill -CONT $pid
	while [ "$(wc -l < "$T/alerts.json")" -lt "$N" ]; do
		sleep 0.01
		kill -0 $pid 2>/dev/null || { echo "sakerd died: $(cat "$T/err")" >&2; exit 2; }
		grep -Eq "dropped|events lost" "$T/err" && { echo "alerts lost or dropped: $(cat "$T/err")" >&2; exit 2; }
	done
	t1=$(date +%s.%N)
	c1=$(cpu_ticks $pid)
	read own ring < <(rss $pid)
	kill -TERM $pid; wait $pid; pid=
	lost=$(jq -r '.lost + .output_dropped + .output_failed' "$T/stats.json")
	awk -v n="$N" -v c="$((c1 - c0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v lost="$lost" -v own="$own" \
		'BEGIN { printf "round: %d alerts in %.3f s on one core -> %.0f alerts/s; sakerd CPU %.2f s -> %.0f alerts per CPU-second; lost+dropped %d; resident after %d kB\n", n, t1 - t0, n / (t1 - t0), c / hz, n / (c / hz), lost, own }'
done
