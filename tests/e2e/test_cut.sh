#!/usr/bin/env bash
# Paths the kernel cannot finish fail closed. The walk goes to the root through 100 directories
# and 20 nested mounts whole; a path longer than PATH_MAX is cut, marked (fd.name starts with
# <cut>, fd.name_cut is true), and a rule on a file "may match" it: it alerts, marked, and the
# cut is counted for the rule (stats file, exit line). A decoy whose path ends with the watched
# path, on top of 17 stacked mounts (more than the old walk's 16), stays silent.
. "$(dirname "$0")/lib.sh"
need_root
command -v unshare > /dev/null || skip "unshare is missing (util-linux)"

T="$E2E_TMP/t"
W="$T/etc/shadow"
mkdir -p "$T/etc"
printf 'root:*:19000:0:99999:7:::\n' > "$W"
# 100 directories deep, short names: a whole path of ~200 bytes
DEEP="$T/deep"
for i in $(seq 100); do DEEP="$DEEP/d"; done
mkdir -p "$DEEP"
: > "$DEEP/f"
# the route through 20 nested mounts (made in a private mount namespace below) to a bind of etc
ROUTE="$T/m"
for i in $(seq 20); do ROUTE="$ROUTE/m"; done
ROUTE="$ROUTE/etc/shadow"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Write to a watched file
  desc: the test's files, opened for writing
  condition: >
    evt.type in (open, openat, openat2, creat) and evt.is_open_write = true
    and fd.name in ($W, $DEEP/f, $ROUTE)
  output: file=%fd.name cut=%fd.name_cut vpid=%proc.vpid
  priority: WARNING
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/cut.saker"
start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/cut.saker"

# mine VPID: the alerts of the process VPID (other tests' cut paths may alert too)
mine() { jq -c --arg p "$1" 'select(.output_fields["proc.vpid"] == ($p | tonumber))' "$SAKERD_OUT"; }
# expect_alert WHAT VPID NAME CUT: one alert of VPID, naming NAME (a jq regex), cut CUT
expect_alert() {
	local what=$1 p=$2 i l
	for i in $(seq 100); do
		l=$(mine "$p")
		[ -n "$l" ] && break
		sleep 0.1
	done
	[ -n "$l" ] || fail "$what: no alert"
	expect_eq "$what: alerts" "$(wc -l <<< "$l")" 1
	jq -e --arg re "$3" '.output_fields["fd.name"] | test($re)' <<< "$l" > /dev/null ||
		fail "$what: fd.name $(jq -r '.output_fields["fd.name"]' <<< "$l"), want $3"
	expect_eq "$what: cut" "$(jq -r '.output_fields["fd.name_cut"]' <<< "$l")" "$4"
	echo "$what: fd.name=$(jq -r '.output_fields["fd.name"]' <<< "$l" | cut -c1-80)... cut=$4"
}

p=$("$OPENER" write "$DEEP/f") || fail "deep open failed"
expect_alert "100 directories deep" "$p" "^$DEEP/f\$" false

# longer than PATH_MAX: 100 directories of 50 bytes, reached step by step
LONG="$T/long"
mkdir -p "$LONG"
p=$(cd "$LONG" && for i in $(seq 100); do mkdir -p dddddddddddddddddddddddddddddddddddddddddddddddddd &&
	cd dddddddddddddddddddddddddddddddddddddddddddddddddd || exit 1; done &&
	touch f && "$OPENER" write f) || fail "long path open failed"
expect_alert "longer than PATH_MAX" "$p" '^<cut>/(d{50}/)+f$' true

# 20 nested mounts above a bind of etc, and a decoy under 17, in a private mount namespace
out=$(unshare -m --propagation private bash -c '
	set -e
	T=$1 OPENER=$2
	d=$T/m
	mkdir -p "$d"
	for i in $(seq 20); do mount -t tmpfs none "$d"; mkdir "$d/m"; d=$d/m; done
	mkdir "$d/etc"
	mount --bind "$T/etc" "$d/etc"
	"$OPENER" write "$d/etc/shadow"
	# the decoy: a file whose path ends with the watched one, on top of 17 mounts stacked on
	# one directory (crossing them adds no name: a walk cut after 16 read the watched path)
	d=$T/decoy
	mkdir -p "$d"
	for i in $(seq 17); do mount -t tmpfs none "$d"; done
	mkdir -p "$d$T/etc"
	: > "$d$T/etc/shadow"
	"$OPENER" write "$d$T/etc/shadow"
' bash "$T" "$OPENER") || fail "the mount namespace part failed"
p_route=$(sed -n 1p <<< "$out")
p_decoy=$(sed -n 2p <<< "$out")
expect_alert "20 nested mounts" "$p_route" "^$ROUTE\$" false
# the decoy: a marker after it, then nothing of its own
p=$("$OPENER" write "$W") || fail "marker open failed"
expect_alert "marker" "$p" "^$W\$" false
expect_eq "decoy under 17 mounts: alerts" "$(mine "$p_decoy" | wc -l)" 0
echo "decoy under 17 mounts: no alert"

stop_sakerd TERM
cuts=$(jq -r '.rules[0].kernel_path_cut' "$E2E_TMP/stats.json")
[ "$cuts" -ge 1 ] || fail "the rule's cut counter is $cuts"
grep -q "rule 'Write to a watched file': .* had a path the kernel could not finish" "$SAKERD_ERR" ||
	fail "no exit line for the rule's cuts"
echo "PASS ($E2E_NAME): whole paths through 100 directories and 20 mounts; a cut path alerts marked ($cuts cut matches counted); the decoy is silent"
