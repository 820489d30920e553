#!/usr/bin/env bash
# saker's benchmark: the cost per openat+close pair of each tracer, measured in interleaved rounds
# of one run and reported as ns added over the same round's baseline, and as ratios. See README.md.
set -u -o pipefail

usage() {
	cat <<EOF
usage: bench/run.sh [options] [BUILD_DIR]
  BUILD_DIR            a saker build directory: saker and sakerd are taken from
                       BUILD_DIR/compiler/saker and BUILD_DIR/runtime/sakerd
                       (env SAKER and SAKERD override them)
  -r, --rounds N       interleaved rounds (default 7)
  -n, --pairs N        openat+close pairs (or mixed iterations) timed per condition and
                       round (default 150000; 300 with --loop mixed)
      --loop open|mixed  the workload: open (openat+close pairs of a file no rule names,
                       the default) or mixed (per iteration: openat+close, fork and exec of
                       /bin/true, a TCP connect to 127.0.0.1 accepted by the loop itself);
                       with mixed the report also gives the events that reached sakerd
                       per 10,000 syscalls of the loop (counted with strace -f -c)
  -o, --output FILE    JSON results (default bench/results.json)
  -c, --conditions L   comma list among base,floor,bpftrace,saker (default: all four)
      --rules PATH     rules compiled for sakerd (default: the repository's rules/)
      --prog-time      also measure each tool's BPF program run time per pair with the
                       kernel's own accounting (kernel.bpf_stats_enabled, restored at exit):
                       what the programs cost, without the syscall's noise; the accounting
                       itself slows every program a little, so the ns/pair figures of such
                       a run are not comparable with a run without it
  -h, --help           this text
Needs root (it loads BPF programs). Conditions that cannot run are skipped with a loud
SKIPPED line and recorded as skipped in the JSON.
EOF
}

die() { echo "run.sh: $*" >&2; exit 2; }
note() { echo "run.sh: $*" >&2; }
loud_skip() { echo "run.sh: *** SKIPPED condition '$1': $2 ***" >&2; SKIPPED+=("$1"$'\t'"$2"); }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
ROUNDS=7
PAIRS=""
LOOP=open
OUTPUT="$HERE/results.json"
CONDITIONS="base,floor,bpftrace,saker"
RULES="$ROOT/rules"
BUILD_DIR=""
PROG_TIME=""
CMDLINE="bench/run.sh $*"
READY_TIMEOUT=60   # seconds a tool may take to attach (bpftrace compiles with LLVM first)
STOP_TIMEOUT=15    # seconds a tool may take to exit after its signal

while [ $# -gt 0 ]; do
	case "$1" in
	-r|--rounds) ROUNDS=${2:?}; shift 2 ;;
	-n|--pairs) PAIRS=${2:?}; shift 2 ;;
	--loop) LOOP=${2:?}; shift 2 ;;
	-o|--output) OUTPUT=${2:?}; shift 2 ;;
	-c|--conditions) CONDITIONS=${2:?}; shift 2 ;;
	--rules) RULES=${2:?}; shift 2 ;;
	--prog-time) PROG_TIME=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) [ -z "$BUILD_DIR" ] || { usage >&2; exit 2; }; BUILD_DIR=$1; shift ;;
	esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds: not a positive integer: $ROUNDS"
case "$LOOP" in
open) PAIRS=${PAIRS:-150000}; UNIT="openat+close pairs" ;;
mixed) PAIRS=${PAIRS:-300}; UNIT="mixed iterations (openat+close, exec /bin/true, connect)" ;;
*) die "--loop: open or mixed, not '$LOOP'" ;;
esac
[[ "$PAIRS" =~ ^[1-9][0-9]*$ ]] || die "--pairs: not a positive integer: $PAIRS"
[ "$(id -u)" = 0 ] || die "needs root: it loads and attaches BPF programs"

WANT=()
IFS=, read -r -a _conds <<<"$CONDITIONS"
for c in "${_conds[@]}"; do
	case "$c" in base|floor|bpftrace|saker) WANT+=("$c") ;; *) die "--conditions: unknown '$c'" ;; esac
done
# Every added cost is measured against the same round's baseline, so it always runs.
[[ " ${WANT[*]} " == *" base "* ]] || WANT=(base "${WANT[@]}")

SAKER=${SAKER:-${BUILD_DIR:+$BUILD_DIR/compiler/saker}}
SAKERD=${SAKERD:-${BUILD_DIR:+$BUILD_DIR/runtime/sakerd}}
CC=${CC:-cc}
BPF_CLANG=${BPF_CLANG:-clang-14}

WORK=$(mktemp -d /tmp/saker-bench.XXXXXX) || die "mktemp failed"
TOOL_PID=""
cleanup() {
	if [ -n "$TOOL_PID" ] && kill -0 "$TOOL_PID" 2>/dev/null; then
		kill -KILL "$TOOL_PID" 2>/dev/null
		wait "$TOOL_PID" 2>/dev/null
	fi
	rm -rf "$WORK"
}
STATS_WAS=""
if [ -n "$PROG_TIME" ]; then
	STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled) || die "--prog-time: kernel.bpf_stats_enabled is not available"
	sysctl -qw kernel.bpf_stats_enabled=1 || die "--prog-time: cannot enable kernel.bpf_stats_enabled"
	command -v bpftool >/dev/null || die "--prog-time needs bpftool"
fi
restore_stats() { [ -z "$STATS_WAS" ] || sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"; }
trap 'cleanup; restore_stats' EXIT
trap 'exit 130' INT TERM

# --- build the helpers (small, so built here rather than in the project's build) ---
note "building helpers in $WORK"
$CC -O2 -Wall -Wextra -Werror -o "$WORK/openloop" "$HERE/openloop.c" ||
	die "cannot build openloop"
$CC -O2 -Wall -Wextra -Werror -o "$WORK/mixedloop" "$HERE/mixedloop.c" ||
	die "cannot build mixedloop"
LOOPBIN="$WORK/${LOOP}loop"
$CC -O2 -Wall -Wextra -Werror -o "$WORK/floor" "$HERE/floor.c" -lbpf ||
	die "cannot build the floor loader (libbpf-dev installed?)"
$CC -O2 -Wall -Wextra -Werror -I"$ROOT/include" -o "$WORK/sakerstats" "$HERE/sakerstats.c" -lbpf ||
	die "cannot build sakerstats"
$BPF_CLANG -target bpf -O2 -g -Wall -Werror -I"/usr/include/$($CC -dumpmachine)" \
	-c "$HERE/floor.bpf.c" -o "$WORK/floor.bpf.o" || die "cannot build floor.bpf.o with $BPF_CLANG"

# The file the loop opens: a fresh temp file that no rule is about.
TARGET="$WORK/target"
: >"$TARGET"

# --- decide which conditions can run ---
SKIPPED=()
COND=()
BUNDLE="$WORK/default.saker"
SAKERD_HAS_STATS=""
BPFTRACE_PROG='BEGIN { printf("saker-bench: attached\n"); }
tracepoint:syscalls:sys_enter_openat /str(args->filename) == "/etc/shadow" && (args->flags & 3)/
{ printf("%s opened %s\n", comm, str(args->filename)); }'
for c in "${WANT[@]}"; do
	case "$c" in
	base|floor) COND+=("$c") ;;
	bpftrace)
		if ! command -v bpftrace >/dev/null; then
			loud_skip bpftrace "bpftrace is not installed"
			continue
		fi
		if [ ! -d /sys/kernel/tracing/events ]; then
			mount -t tracefs nodev /sys/kernel/tracing ||
				{ loud_skip bpftrace "tracefs is not mounted and cannot be"; continue; }
		fi
		COND+=(bpftrace) ;;
	saker)
		if [ -z "$SAKER" ] || [ -z "$SAKERD" ]; then
			loud_skip saker "no BUILD_DIR given and SAKER/SAKERD not set"
			continue
		fi
		if [ ! -x "$SAKER" ] || [ ! -x "$SAKERD" ]; then
			loud_skip saker "missing binary: $SAKER or $SAKERD"
			continue
		fi
		# sakerd writes its own counters (events received from the kernel) at exit when it can.
		SAKERD_HAS_STATS=""
		"$SAKERD" --help 2>/dev/null | grep -q -- --stats-file && SAKERD_HAS_STATS=1
		if ! "$SAKER" compile "$RULES" -o "$BUNDLE" >"$WORK/compile.log" 2>&1; then
			sed 's/^/  saker compile: /' "$WORK/compile.log" >&2
			loud_skip saker "'saker compile $RULES' failed"
			continue
		fi
		COND+=(saker) ;;
	esac
done

# --- one tool's life: start, wait until attached, time, sample, stop ---

# wait_for FILE PATTERN: until PATTERN appears in FILE, the tool dies or READY_TIMEOUT passes.
wait_for() {
	local deadline=$((SECONDS + READY_TIMEOUT))
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		kill -0 "$TOOL_PID" 2>/dev/null || return 1
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

start_tool() { # COND OUTDIR
	local c=$1 d=$2
	case "$c" in
	base) TOOL_PID=""; return 0 ;;
	floor)
		"$WORK/floor" "$WORK/floor.bpf.o" >"$d/out" 2>"$d/err" &
		TOOL_PID=$!
		wait_for "$d/out" '^ready' ;;
	bpftrace)
		bpftrace -B line -e "$BPFTRACE_PROG" >"$d/out" 2>"$d/err" &
		TOOL_PID=$!
		# "Attaching N probes" comes before the attach; BEGIN fires once every probe is attached.
		wait_for "$d/out" 'Attaching' && wait_for "$d/out" '^saker-bench: attached' ;;
	saker)
		"$SAKERD" ${SAKERD_HAS_STATS:+--stats-file "$d/stats.json"} "$BUNDLE" >"$d/out" 2>"$d/err" &
		TOOL_PID=$!
		wait_for "$d/err" 'sakerd: ready' ;;
	esac
}

stop_tool() { # COND -> exit status of the tool (124 if it had to be killed)
	local sig=TERM deadline=$((SECONDS + STOP_TIMEOUT)) rc i=0
	[ -n "$TOOL_PID" ] || return 0
	[ "$1" = bpftrace ] && sig=INT
	while kill -0 "$TOOL_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
		# A zombie still answers kill -0; only wait can reap it.
		[ "$(awk '{print $3}' "/proc/$TOOL_PID/stat" 2>/dev/null)" = Z ] && break
		# The signal is sent again every second: bpftrace 0.17 can miss one that lands just
		# before it blocks in epoll_wait with no timeout, and then waits for its next event.
		[ $((i++ % 20)) = 0 ] && kill -$sig "$TOOL_PID" 2>/dev/null
		sleep 0.05
	done
	if kill -0 "$TOOL_PID" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$TOOL_PID/stat" 2>/dev/null)" != Z ]; then
		kill -KILL "$TOOL_PID" 2>/dev/null
		wait "$TOOL_PID" 2>/dev/null
		TOOL_PID=""
		return 124
	fi
	wait "$TOOL_PID"
	rc=$?
	TOOL_PID=""
	return $rc
}

# json_num FILE KEY: an integer member of a flat JSON object, or -1.
json_num() {
	local v
	v=$(sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1" 2>/dev/null)
	echo "${v:--1}"
}

# tool_prog_ids: the ids of the BPF programs the tool under test holds (through program or
# link file descriptors).
tool_prog_ids() {
	local f
	[ -n "$TOOL_PID" ] || return 0
	# A program's id appears once per descriptor that names it (the program's own and its
	# link's): each is counted once.
	for f in /proc/"$TOOL_PID"/fdinfo/*; do
		awk '$1 == "prog_id:" { print $2 }' "$f" 2>/dev/null
	done | sort -un | awk '{ printf " %s", $1 }'
}

# progs_gone IDS: waits until none of the programs IDS is loaded any more. The kernel frees a
# program some time after its last holder exits; until then the next condition would count it.
progs_gone() {
	local deadline=$((SECONDS + STOP_TIMEOUT)) id left
	[ -n "$HAVE_BPFTOOL" ] && [ -n "$1" ] || return 0
	while :; do
		left=""
		for id in $1; do
			bpftool prog show id "$id" >/dev/null 2>&1 && left+=" $id"
		done
		[ -z "$left" ] && return 0
		[ $SECONDS -lt $deadline ] || { note "WARNING: programs$left still loaded ${STOP_TIMEOUT}s after their tool exited"; return 1; }
		sleep 0.05
	done
}

# foreign_progs: "id:name" of the tracing BPF programs loaded now that the tool under test does
# not hold (another tracer, or another saker, running on the machine). Their cost falls on
# every condition of the round, the baseline included, so such rounds are flagged.
foreign_progs() {
	bpftool prog show 2>/dev/null | awk -v own=" $(tool_prog_ids) " '
		/^[0-9]+: / && $2 ~ /^(tracing|raw_tracepoint|tracepoint|kprobe|perf_event)$/ {
			id = $1; sub(":", "", id)
			if (index(own, " " id " ") == 0) printf "%s%s:%s", n++ ? "," : "", id, $4
		}'
}

status_kb() { # PID FIELD
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# prog_run_ns IDS: the kernel's run time (ns) summed over the programs IDS (bpf_stats).
prog_run_ns() {
	local id t=0 v
	for id in $1; do
		v=$(bpftool prog show id "$id" 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "run_time_ns") print $(i + 1) }')
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# --- the rounds ---
RES="$WORK/results.tsv"   # round cond ns_per_pair
PT="$WORK/progtime.tsv"   # round cond program-ns-per-pair (--prog-time)
: >"$PT"
FOREIGN="$WORK/foreign.tsv" # round cond programs: tracing programs no condition of ours loaded
SAK="$WORK/sakerd.tsv"    # round rss_kb hwm_kb seen matched lost path_trunc alert_lines received
: >"$RES"; : >"$SAK"; : >"$FOREIGN"
HAVE_BPFTOOL=""
if command -v bpftool >/dev/null; then
	HAVE_BPFTOOL=1
else
	note "WARNING: bpftool is not installed: rounds are not checked for other tracers' programs"
fi
NC=${#COND[@]}
# Syscalls per iteration of the loop (all its processes), from two strace -f -c runs whose
# difference cancels the set-up: the denominator of "events per 10,000 syscalls".
SYSCALLS_PER_ITER=-1
if command -v strace >/dev/null; then
	strace_total() { strace -f -c -o "$WORK/strace.txt" "$LOOPBIN" "$1" "$TARGET" 0 >/dev/null &&
		awk '$NF == "total" { print ($4 ~ /^[0-9]+$/ ? $4 : $3) }' "$WORK/strace.txt"; }
	if a=$(strace_total 100) && b=$(strace_total 200) && [ -n "$a" ] && [ -n "$b" ]; then
		SYSCALLS_PER_ITER=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b - a) / 100 }')
		note "the ${LOOP} loop makes $SYSCALLS_PER_ITER syscalls per iteration (strace -f -c)"
	fi
else
	note "WARNING: strace is not installed: no events-per-syscall figure"
fi
note "conditions: ${COND[*]}; $ROUNDS rounds x $PAIRS $UNIT on $TARGET"
for ((r = 0; r < ROUNDS; r++)); do
	order=()
	for ((i = 0; i < NC; i++)); do order+=("${COND[$(((i + r) % NC))]}"); done
	for c in "${order[@]}"; do
		d="$WORK/r$r-$c"; mkdir -p "$d"
		if ! start_tool "$c" "$d"; then
			echo "run.sh: round $((r + 1)): $c did not attach within ${READY_TIMEOUT}s or exited; its output:" >&2
			sed 's/^/  /' "$d/out" "$d/err" >&2
			stop_tool "$c"
			exit 1
		fi
		foreign=""
		[ -n "$HAVE_BPFTOOL" ] && foreign=$(foreign_progs)
		[ -n "$PROG_TIME" ] && pids=$(tool_prog_ids) && pt0=$(prog_run_ns "$pids")
		ns=$("$LOOPBIN" "$PAIRS" "$TARGET") || { stop_tool "$c"; die "${LOOP}loop failed"; }
		if [ -n "$PROG_TIME" ] && [ "$c" != base ]; then
			pt1=$(prog_run_ns "$pids")
			printf '%s\t%s\t%s\n' "$((r + 1))" "$c" "$(awk -v a="$pt0" -v b="$pt1" -v n="$PAIRS" 'BEGIN { printf "%.1f", (b - a) / n }')" >>"$PT"
		fi
		[ -n "$HAVE_BPFTOOL" ] && foreign=$(printf '%s\n' "$foreign" "$(foreign_progs)" | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -)
		if [ -n "$foreign" ]; then
			note "round $((r + 1)): WARNING: foreign tracing BPF programs loaded while timing $c: $foreign"
			printf '%s\t%s\t%s\n' "$((r + 1))" "$c" "$foreign" >>"$FOREIGN"
		fi
		if [ "$c" = saker ]; then
			rss=$(status_kb "$TOOL_PID" VmRSS); hwm=$(status_kb "$TOOL_PID" VmHWM)
			if ! st=$("$WORK/sakerstats" "$TOOL_PID" 2>"$d/stats.err"); then
				note "round $((r + 1)): cannot read sakerd's counters: $(cat "$d/stats.err")"
				st="seen=-1 matched=-1 lost=-1 path_trunc=-1"
			fi
		fi
		ids=$(tool_prog_ids)
		stop_tool "$c"; rc=$?
		progs_gone "$ids"
		if [ $rc -ne 0 ]; then
			echo "run.sh: round $((r + 1)): $c exited with status $rc when stopped; its output:" >&2
			sed 's/^/  /' "$d/out" "$d/err" >&2
			exit 1
		fi
		if [ "$c" = saker ]; then
			# shellcheck disable=SC2086 # split "k=v k=v" into fields
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$((r + 1))" "${rss:--1}" "${hwm:--1}" \
				"$(echo $st | sed 's/[a-z_]*=//g; s/ /\t/g')" "$(wc -l <"$d/out")" \
				"$(json_num "$d/stats.json" events_received)" >>"$SAK"
			tail -n 5 "$d/err" >"$WORK/sakerd-last-stderr"
			sed "s/^/  round $((r + 1)): /" "$d/out" >>"$WORK/sakerd-alerts"
		fi
		printf '%s\t%s\t%s\n' "$((r + 1))" "$c" "$ns" >>"$RES"
		note "round $((r + 1))/$ROUNDS  $(printf '%-9s' "$c") $ns ns/pair"
	done
done

# --- the report ---
SAKERD_SIZE=-1
[[ " ${COND[*]} " == *" saker "* ]] && SAKERD_SIZE=$(stat -c %s "$SAKERD")
BUNDLE_SIZE=-1
[ -f "$BUNDLE" ] && BUNDLE_SIZE=$(stat -c %s "$BUNDLE")
printf '%s\n' "${SKIPPED[@]+"${SKIPPED[@]}"}" >"$WORK/skipped.tsv"

mkdir -p "$(dirname "$OUTPUT")"
awk -F'\t' \
	-v rounds="$ROUNDS" -v pairs="$PAIRS" -v conds="${COND[*]}" -v json="$OUTPUT" \
	-v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v cmd="$CMDLINE" -v kernel="$(uname -r)" \
	-v ncpu="$(nproc)" -v unit="$UNIT" -v loop="$LOOP" -v spi="$SYSCALLS_PER_ITER" -v sakerd_size="$SAKERD_SIZE" -v bundle_size="$BUNDLE_SIZE" \
	-v sakerd_path="${SAKERD:-}" -v have_bpftool="$HAVE_BPFTOOL" -v rules="$RULES" \
	-v bpftrace_ver="$(command -v bpftrace >/dev/null && bpftrace --version 2>/dev/null)" '
function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
function median(a, n) { sort(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function minimum(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
function maximum(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
BEGIN { CONVFMT = "%.2f"; OFMT = "%.2f" }
function ratio(x, y) { return (y > 0 && x > 0) ? sprintf("%.2f", x / y) : "null" }
function shown(x) { return x == "null" ? "n/a (an added cost <= 0: noise)" : x }
function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
FILENAME ~ /results.tsv$/ { ns[$1, $2] = $3; next }
FILENAME ~ /sakerd.tsv$/ { nsak++; for (i = 1; i <= 9; i++) sak[nsak, i] = $i; next }
FILENAME ~ /skipped.tsv$/ { if ($1 != "") { nskip++; skipc[nskip] = $1; skipw[nskip] = $2 }; next }
FILENAME ~ /foreign.tsv$/ { nfor++; forr[nfor] = $1; forc[nfor] = $2; forp[nfor] = $3; if (!($1 in badround)) { badround[$1] = 1; nbad++ }; next }
END {
	nc = split(conds, cs, " ")
	for (k = 1; k <= nc; k++) {
		c = cs[k]; n = 0; m = 0
		for (r = 1; r <= rounds; r++) {
			v[++n] = ns[r, c]; w[++m] = ns[r, c] - ns[r, "base"]
			raw[c, r] = ns[r, c]; add[c, r] = w[m]
		}
		med_ns[c] = median(v, n); min_ns[c] = minimum(v, n); max_ns[c] = maximum(v, n)
		med_add[c] = median(w, m); min_add[c] = minimum(w, m)
		have[c] = 1
	}
	printf "\nsaker bench: %d rounds x %d %s, %s, kernel %s, %d CPUs\n", rounds, pairs, unit, date, kernel, ncpu
	printf "%-10s %12s %12s %12s %12s %14s\n", "condition", "ns/pair med", "ns/pair min", "added med", "added min", "added med %"
	for (k = 1; k <= nc; k++) {
		c = cs[k]
		if (c == "base") printf "%-10s %12.1f %12.1f %12s %12s %14s\n", c, med_ns[c], min_ns[c], "-", "-", "-"
		else printf "%-10s %12.1f %12.1f %12.1f %12.1f %13.1f%%\n", c, med_ns[c], min_ns[c], med_add[c], min_add[c], 100 * med_add[c] / med_ns["base"]
	}
	spread = 100 * (max_ns["base"] - min_ns["base"]) / med_ns["base"]
	printf "baseline spread over the rounds: %.1f%% of its median (%.1f..%.1f ns)%s\n", spread, min_ns["base"], max_ns["base"], (spread > 10 ? " -- noisy: added costs below that are not resolved" : "")
	r_floor = have["saker"] && have["floor"] ? ratio(med_add["saker"], med_add["floor"]) : "null"
	r_bt = have["saker"] && have["bpftrace"] ? ratio(med_add["saker"], med_add["bpftrace"]) : "null"
	rm_floor = have["saker"] && have["floor"] ? ratio(min_add["saker"], min_add["floor"]) : "null"
	rm_bt = have["saker"] && have["bpftrace"] ? ratio(min_add["saker"], min_add["bpftrace"]) : "null"
	if (have["saker"] && have["floor"])
		printf "saker added / floor added:    %s (medians), %s (mins)\n", shown(r_floor), shown(rm_floor)
	if (have["saker"] && have["bpftrace"])
		printf "saker added / bpftrace added: %s (medians), %s (mins)\n", shown(r_bt), shown(rm_bt)
	if (have["floor"] && have["bpftrace"])
		printf "bpftrace added / floor added: %s (medians)\n", shown(ratio(med_add["bpftrace"], med_add["floor"]))
	if (nsak) {
		rss = hwm = 0; seen = matched = lost = trunc = alerts = recv = 0
		for (i = 1; i <= nsak; i++) {
			if (sak[i, 2] > rss) rss = sak[i, 2]; if (sak[i, 3] > hwm) hwm = sak[i, 3]
			if (sak[i, 4] < 0 || seen < 0) seen = -1; else seen += sak[i, 4]
			if (sak[i, 5] < 0 || matched < 0) matched = -1; else matched += sak[i, 5]
			if (sak[i, 6] < 0 || lost < 0) lost = -1; else lost += sak[i, 6]
			if (sak[i, 7] < 0 || trunc < 0) trunc = -1; else trunc += sak[i, 7]
			alerts += sak[i, 8]
			if (sak[i, 9] < 0 || recv < 0) recv = -1; else recv += sak[i, 9]
		}
		printf "sakerd: binary %d bytes, bundle %d bytes, VmRSS max %d kB, VmHWM max %d kB\n", sakerd_size, bundle_size, rss, hwm
		printf "sakerd counters summed over the rounds (-1: unavailable):\n  kernel (saker_stats, read while running): seen=%d matched=%d lost=%d path_trunc=%d\n  sakerd (its --stats-file at exit): events_received=%d; alert lines on stdout=%d\n", seen, matched, lost, trunc, recv, alerts
		if (spi > 0 && recv >= 0) {
			per10k = recv * 10000 / (rounds * pairs * spi)
			printf "events that reached sakerd per 10,000 syscalls of the loop: %.3f (%d events, %.2f syscalls per iteration)\n", per10k, recv, spi
		}
		if (loop == "open" && (matched > 0 || alerts > 0 || recv > 0)) printf "WARNING: events reached user space: no rule matches the loop file, so another process did, or the filter lets too much through\n"
		if (lost > 0) printf "WARNING: the kernel side counted %d lost events\n", lost
	}
	if (nbad) printf "WARNING: %d of %d rounds ran while other tracing BPF programs were loaded (see the log); their figures include the cost of those programs\n", nbad, rounds
	# The same figures over the rounds no foreign program touched, when some were touched.
	nclean = 0
	if (nbad && nbad < rounds) {
		for (r = 1; r <= rounds; r++) if (!(r in badround)) cleanr[++nclean] = r
		printf "over the %d clean rounds only:\n", nclean
		for (k = 1; k <= nc; k++) {
			c = cs[k]
			if (c == "base") continue
			for (i = 1; i <= nclean; i++) w[i] = add[c, cleanr[i]]
			cmed[c] = median(w, nclean); cmin[c] = minimum(w, nclean)
			printf "  %-10s added med %8.1f   added min %8.1f\n", c, cmed[c], cmin[c]
		}
		if (have["saker"] && have["floor"])
			printf "  saker added / floor added:    %s (medians)\n", shown(ratio(cmed["saker"], cmed["floor"]))
		if (have["saker"] && have["bpftrace"])
			printf "  saker added / bpftrace added: %s (medians)\n", shown(ratio(cmed["saker"], cmed["bpftrace"]))
	}
	for (i = 1; i <= nskip; i++) printf "SKIPPED: %s (%s)\n", skipc[i], skipw[i]

	# JSON
	o = "{\n  \"date\": " jstr(date) ",\n  \"command\": " jstr(cmd) ",\n  \"kernel\": " jstr(kernel) ",\n"
	o = o "  \"cpus\": " ncpu ",\n  \"rounds\": " rounds ",\n  \"pairs\": " pairs ",\n  \"loop\": " jstr(loop) ",\n  \"syscalls_per_iteration\": " spi ",\n"
	o = o "  \"baseline_spread_pct\": " sprintf("%.1f", spread) ",\n"
	o = o "  \"bpftrace_version\": " (bpftrace_ver == "" ? "null" : jstr(bpftrace_ver)) ",\n"
	o = o "  \"conditions\": {\n"
	for (k = 1; k <= nc; k++) {
		c = cs[k]
		o = o "    " jstr(c) ": {\"ns_per_pair\": ["
		for (r = 1; r <= rounds; r++) o = o (r > 1 ? ", " : "") raw[c, r]
		o = o "], \"ns_per_pair_median\": " med_ns[c] ", \"ns_per_pair_min\": " min_ns[c]
		if (c != "base") {
			o = o ", \"added_ns\": ["
			for (r = 1; r <= rounds; r++) o = o (r > 1 ? ", " : "") add[c, r]
			o = o "], \"added_ns_median\": " med_add[c] ", \"added_ns_min\": " min_add[c]
		}
		o = o "}" (k < nc ? "," : "") "\n"
	}
	o = o "  },\n  \"skipped\": {"
	for (i = 1; i <= nskip; i++) o = o (i > 1 ? ", " : "") jstr(skipc[i]) ": " jstr(skipw[i])
	o = o "},\n  \"foreign_programs\": ["
	for (i = 1; i <= nfor; i++) o = o (i > 1 ? ", " : "") "{\"round\": " forr[i] ", \"condition\": " jstr(forc[i]) ", \"programs\": " jstr(forp[i]) "}"
	o = o "],\n  \"foreign_checked\": " (have_bpftool ? "true" : "false")
	o = o ",\n  \"clean_rounds\": "
	if (nclean) {
		o = o "{\"rounds\": ["
		for (i = 1; i <= nclean; i++) o = o (i > 1 ? ", " : "") cleanr[i]
		o = o "]"
		for (k = 1; k <= nc; k++) if (cs[k] != "base") o = o ", " jstr(cs[k] "_added_ns_median") ": " cmed[cs[k]] ", " jstr(cs[k] "_added_ns_min") ": " cmin[cs[k]]
		o = o ", \"saker_over_floor_median\": " (have["saker"] && have["floor"] ? ratio(cmed["saker"], cmed["floor"]) : "null")
		o = o ", \"saker_over_bpftrace_median\": " (have["saker"] && have["bpftrace"] ? ratio(cmed["saker"], cmed["bpftrace"]) : "null") "}"
	} else {
		o = o "null"
	}
	o = o ",\n  \"ratios\": {\"saker_over_floor_median\": " r_floor ", \"saker_over_floor_min\": " rm_floor
	o = o ", \"saker_over_bpftrace_median\": " r_bt ", \"saker_over_bpftrace_min\": " rm_bt "},\n"
	if (nsak)
		o = o "  \"sakerd\": {\"path\": " jstr(sakerd_path) ", \"rules\": " jstr(rules) ", \"binary_bytes\": " sakerd_size ", \"bundle_bytes\": " bundle_size ", \"vmrss_kb_max\": " rss ", \"vmhwm_kb_max\": " hwm ", \"seen\": " seen ", \"matched\": " matched ", \"lost\": " lost ", \"path_trunc\": " trunc ", \"events_received\": " recv ", \"events_per_10k_syscalls\": " (spi > 0 && recv >= 0 ? sprintf("%.3f", recv * 10000 / (rounds * pairs * spi)) : "null") ", \"alert_lines\": " alerts "}\n"
	else
		o = o "  \"sakerd\": null\n"
	o = o "}\n"
	printf "%s", o > json
	printf "results written to %s\n", json
}' "$RES" "$SAK" "$WORK/skipped.tsv" "$FOREIGN"

if [ -s "$WORK/sakerd-alerts" ]; then
	echo "sakerd's alerts while it ran (first 5 of $(wc -l <"$WORK/sakerd-alerts")):"
	head -n 5 "$WORK/sakerd-alerts"
fi
if [ -s "$WORK/sakerd-last-stderr" ]; then
	echo "sakerd's last stderr lines (last round):"
	sed 's/^/  /' "$WORK/sakerd-last-stderr"
fi

# --- program run time per pair (--prog-time) ---
if [ -n "$PROG_TIME" ] && [ -s "$PT" ]; then
	awk -F'\t' -v json="${OUTPUT%.json}-progtime.json" -v pairs="$PAIRS" '
	function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
	function median(a, n) { sort(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	{ n[$2]++; v[$2, n[$2]] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++nc] = $2 } }
	END {
		print "BPF program run time per pair (kernel.bpf_stats_enabled: the programs alone, no syscall):"
		o = "{\"pairs\": " pairs ", \"program_ns_per_pair\": {"
		for (k = 1; k <= nc; k++) {
			c = order[k]; m = n[c]
			for (i = 1; i <= m; i++) a[i] = v[c, i]
			med[c] = median(a, m); mn[c] = a[1]
			printf "  %-10s median %8.1f ns   min %8.1f ns   (%d rounds)\n", c, med[c], mn[c], m
			o = o (k > 1 ? ", " : "") "\"" c "\": {\"median\": " med[c] ", \"min\": " mn[c] "}"
		}
		o = o "}"
		if (("saker" in med) && ("floor" in med) && med["floor"] > 0) {
			printf "  saker / floor: %.2f (medians)\n", med["saker"] / med["floor"]
			o = o sprintf(", \"saker_over_floor\": %.2f", med["saker"] / med["floor"])
		}
		if (("saker" in med) && ("bpftrace" in med) && med["bpftrace"] > 0) {
			printf "  saker / bpftrace: %.2f (medians)\n", med["saker"] / med["bpftrace"]
			o = o sprintf(", \"saker_over_bpftrace\": %.2f", med["saker"] / med["bpftrace"])
		}
		print o "}" > json
		printf "program times written to %s\n", json
	}' "$PT"
fi
