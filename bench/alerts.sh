#!/usr/bin/env bash
# sakerd's own footprint and alert throughput (README.md, "sakerd itself"):
#  1. resident memory with the default bundle, without the ring buffer's pages (from smaps);
#  2. alerts per CPU-second of sakerd (all its threads) writing JSON to a file, with a rule that
#     matches every open of one file, and the check that nothing was lost or dropped.
# Usage: bench/alerts.sh [-n OPENS] [-r ROUNDS] BUILD_DIR     (root)
set -u -o pipefail
N=300000 ROUNDS=3
while [ $# -gt 1 ]; do
	case "$1" in
	-n) N=$2; shift 2 ;;
	-r) ROUNDS=$2; shift 2 ;;
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
cpu_ticks() { awk '{ print $14 + $15 }' /proc/$1/stat; }

# 1. footprint with the default bundle, idle and after a burst of alerts
"$SAKER" compile -o "$T/default.saker" "$(dirname "$0")/../rules" || exit 2
"$SAKERD" --json -o "$T/default.json" "$T/default.saker" 2> "$T/err" & pid=$!
wait_ready
sleep 1
read own ring < <(rss $pid)
echo "default bundle: resident ${own} kB without the ring buffer (ring buffer pages ${ring} kB, VmRSS $(awk '/VmRSS/ {print $2}' /proc/$pid/status) kB)"
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
	"$SAKERD" --json --ring-buffer-size 256M -o "$T/alerts.json" --stats-file "$T/stats.json" \
		--container-socket "" "$T/hot.saker" 2> "$T/err" & pid=$!
	wait_ready
	c0=$(cpu_ticks $pid)
	t0=$(date +%s.%N)
	"$OPENER" many "$N" "$T/hot" r > /dev/null
	# until every alert is written
	while [ "$(wc -l < "$T/alerts.json")" -lt "$N" ]; do sleep 0.05; done
	t1=$(date +%s.%N)
	c1=$(cpu_ticks $pid)
	read own ring < <(rss $pid)
	kill -TERM $pid; wait $pid; pid=
	lost=$(jq -r '.lost + .output_dropped + .output_failed' "$T/stats.json")
	awk -v n="$N" -v c="$((c1 - c0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v lost="$lost" -v own="$own" \
		'BEGIN { printf "round: %d alerts, sakerd CPU %.2f s -> %.0f alerts per CPU-second; wall %.2f s; lost+dropped %d; resident after %d kB\n", n, c / hz, n / (c / hz), t1 - t0, lost, own }'
done
