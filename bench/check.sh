#!/usr/bin/env bash
# How long `saker check` takes on Falco's default ruleset, and its peak memory, next to the
# cost of starting saker at all (`saker parse` of a one-check condition: the process and its
# libLLVM loading), in interleaved runs so that both see the same machine.
# Usage: bench/check.sh [-n RUNS] BUILD_DIR [RULES]
set -euo pipefail
runs=21
if [ "${1:-}" = -n ]; then runs=$2; shift 2; fi
build=${1:?usage: bench/check.sh [-n RUNS] BUILD_DIR [RULES]}
saker=${SAKER:-$build/compiler/saker}
rules=${2:-$(dirname "$0")/../../shared/falco/falco_rules.yaml}
[ -f "$rules" ] || { echo "bench/check.sh: no rules file $rules (Falco's is in ../shared/falco/)" >&2; exit 2; }
[ -x "$saker" ] || { echo "bench/check.sh: no saker at $saker" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/check.sh: needs GNU time (Debian package time; install-deps.sh --test)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# one run: wall ns and peak RSS (KB) of "$@"
one() {
	local t0 t1
	t0=$(date +%s%N)
	/usr/bin/time -f "%M" -o "$tmp/m" "$@" > /dev/null 2>&1 || true
	t1=$(date +%s%N)
	echo "$((t1 - t0)) $(cat "$tmp/m")"
}
for i in $(seq "$runs"); do
	one "$saker" parse -e "proc.name = x" >> "$tmp/parse"
	one "$saker" check "$rules" >> "$tmp/check"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
p_t=$(cut -d' ' -f1 "$tmp/parse" | median)
c_t=$(cut -d' ' -f1 "$tmp/check" | median)
c_min=$(cut -d' ' -f1 "$tmp/check" | sort -n | head -1)
c_m=$(cut -d' ' -f2 "$tmp/check" | sort -n | tail -1)
p_m=$(cut -d' ' -f2 "$tmp/parse" | sort -n | tail -1)
echo "saker check $(basename "$rules"), $runs interleaved runs (median wall time; peak RSS of the highest run):"
awk -v p="$p_t" -v c="$c_t" -v cm="$c_min" -v pm="$p_m" -v km="$c_m" 'BEGIN {
	printf "  saker parse (start-up)   %6.1f ms   peak %6d KB\n", p / 1e6, pm
	printf "  saker check              %6.1f ms   peak %6d KB   (fastest run %.1f ms)\n", c / 1e6, km, cm / 1e6
	printf "  check beyond start-up    %6.1f ms   %6d KB\n", (c - p) / 1e6, km - pm }'
