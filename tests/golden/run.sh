#!/usr/bin/env bash
# Golden tests: each case is an input file whose command's output (stderr, then stdout, then the
# exit status) must equal the .expected file beside it. SAKER_UPDATE_GOLDEN=1 rewrites them.
#   parse/*.cond       saker parse FILE
#   check/*.yaml       saker check FILE
#   check-json/*.yaml  saker check --format json FILE
#   pred/*.yaml        saker check --dump-pred FILE
set -u
saker=${1:?usage: run.sh PATH/TO/saker}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
pass=0 fail=0
run_case() { # kind file
	case $1 in
	parse) "$saker" parse "$2" ;;
	check) "$saker" check "$2" ;;
	check-json) "$saker" check --format json "$2" ;;
	pred) "$saker" check --dump-pred "$2" ;;
	esac
}
for kind in parse check check-json pred; do
	[ -d "$kind" ] || continue
	for f in "$kind"/*.cond "$kind"/*.yaml; do
		[ -e "$f" ] || continue
		exp=${f%.*}.expected
		out=$( { run_case "$kind" "$f" 2>/tmp/saker-golden-err.$$; echo "[exit $?]"; } )
		got=$(printf '%s\n%s' "$(cat /tmp/saker-golden-err.$$)" "$out")
		if [ "${SAKER_UPDATE_GOLDEN:-0}" = 1 ]; then
			printf '%s\n' "$got" > "$exp"
			pass=$((pass + 1))
		elif [ -f "$exp" ] && [ "$got" = "$(cat "$exp")" ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $f"
			diff -u "$exp" <(printf '%s\n' "$got") | head -40
		fi
	done
done
rm -f /tmp/saker-golden-err.$$
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
