#!/usr/bin/env bash
# Golden tests: each case is an input whose command's output (stderr, then stdout, then the exit
# status) must equal the .expected file beside it. SAKER_UPDATE_GOLDEN=1 rewrites them.
#   parse/*.cond          saker parse FILE
#   check/*.yaml          saker check FILE            (check/*.d: a folder of rules files)
#   check-json/*.yaml     saker check --format json FILE
#   pred/*.yaml           saker check --dump-pred FILE
#   explain/*.yaml        saker explain FILE          (explain/*.d: a folder)
#   explain-json/*.yaml   saker explain --format json FILE
#   compile/*.yaml        saker compile -o OUT FILE   (the output file is not compared)
#   check-io/*.path       saker check PATH, PATH the file's first line; @fifo, @folder and @big
#                         name a FIFO, a folder holding a folder named x.yaml and a 17 MiB file
#   parse-io/*.path       saker parse PATH, the same way (@stdin-zero: /dev/zero on stdin)
# A NAME.args file beside a case holds options put before the path (one line).
set -u
saker=${1:?usage: run.sh PATH/TO/saker}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkfifo "$tmp/fifo.yaml"
mkdir -p "$tmp/folder/x.yaml"
truncate -s 17M "$tmp/big.yaml"
pass=0 fail=0
run_case() { # kind file
	local args=()
	[ -f "${2%.*}.args" ] && read -r -a args < "${2%.*}.args"
	case $1 in
	parse) "$saker" parse "${args[@]}" "$2" ;;
	check) "$saker" check "${args[@]}" "$2" ;;
	check-json) "$saker" check --format json "${args[@]}" "$2" ;;
	pred) "$saker" check --dump-pred "${args[@]}" "$2" ;;
	explain) "$saker" explain "${args[@]}" "$2" ;;
	explain-json) "$saker" explain --format json "${args[@]}" "$2" ;;
	compile) "$saker" compile -o "$tmp/out.saker" "${args[@]}" "$2" ;;
	check-io | parse-io)
		local p cmd=check
		[ "$1" = parse-io ] && cmd=parse
		p=$(head -n 1 "$2")
		case $p in
		@fifo) p=fifo.yaml ;;
		@folder) p=folder ;;
		@big) p=big.yaml ;;
		@stdin-zero)
			(cd "$tmp" && timeout 10 "$saker" "$cmd" "${args[@]}" - < /dev/zero)
			return
			;;
		esac
		(cd "$tmp" && timeout 10 "$saker" "$cmd" "${args[@]}" "$p")
		;;
	esac
}
for kind in parse check check-json pred explain explain-json compile check-io parse-io; do
	[ -d "$kind" ] || continue
	for f in "$kind"/*.cond "$kind"/*.yaml "$kind"/*.d "$kind"/*.path; do
		[ -e "$f" ] || continue
		exp=${f%.*}.expected
		out=$( { run_case "$kind" "$f" 2>"$tmp/err"; echo "[exit $?]"; } )
		got=$(printf '%s\n%s' "$(cat "$tmp/err")" "$out")
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
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
