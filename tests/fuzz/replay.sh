#!/usr/bin/env bash
# Replays the fuzz regressions (tests/fuzz/regressions/<harness>/) and the small seed corpus
# (tests/fuzz/corpus/<harness>/) through the real commands, without clang or libFuzzer:
#   parse/   saker parse FILE        rules/, output/   saker check FILE
#   bundle/  sakerd FILE, and sakerd --trusted-key keys/fuzz-a.pub --trusted-key keys/fuzz-b.pub
#            FILE (the public keys of fuzz_bundle.c's fixed seeds): each must be refused with
#            exit 2 and a one-line reason
#   cond/    fuzz_cond_replay FILE   (the residual-condition decoder's harness, tests/fuzz/fuzz_cond.c)
# Every run must end with exit status 0, 1 or 2, within the time limit, with no sanitizer report.
# Usage: replay.sh PATH/TO/saker PATH/TO/sakerd [PATH/TO/fuzz_cond_replay]
set -u
saker=${1:?usage: replay.sh SAKER SAKERD}
sakerd=${2:?usage: replay.sh SAKER SAKERD}
cond=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
err=$(mktemp)
trap 'rm -f "$err"' EXIT
# A sanitizer's exit status would be 1, which the commands also use: make it unmistakable.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=87"
pass=0 fail=0
keys=(--trusted-key "$here/keys/fuzz-a.pub" --trusted-key "$here/keys/fuzz-b.pub")
for dir in regressions corpus; do
	for kind in parse rules output bundle bundle-trusted cond; do
		src=$kind
		[ $kind = bundle-trusted ] && src=bundle
		for f in "$here/$dir/$src"/*; do
			[ -f "$f" ] || continue
			case $kind in
			parse) cmd=("$saker" parse "$f") ;;
			rules | output) cmd=("$saker" check "$f") ;;
			bundle) cmd=("$sakerd" "$f") ;;
			bundle-trusted) cmd=("$sakerd" "${keys[@]}" "$f") ;;
			cond)
				[ -n "$cond" ] || continue
				cmd=("$cond" "$f")
				;;
			esac
			timeout 30 "${cmd[@]}" >/dev/null 2>"$err" </dev/null
			rc=$?
			why=
			if [ $kind = cond ] && [ $rc -ne 0 ]; then
				why="exit status $rc"
			elif [ $rc -gt 2 ]; then
				why="exit status $rc"
			elif grep -q 'Sanitizer\|runtime error:' "$err"; then
				why="sanitizer report"
			elif [ $src = bundle ] && { [ $rc -ne 2 ] || [ "$(wc -l <"$err")" -ne 1 ] ||
				! grep -q "^sakerd: $f: ." "$err"; }; then
				why="not refused with exit 2 and one line (exit $rc)"
			fi
			if [ -n "$why" ]; then
				echo "FAIL $dir/$kind/${f##*/}: $why"
				head -c 4000 "$err"
				fail=$((fail + 1))
			else
				pass=$((pass + 1))
			fi
		done
	done
done
echo "fuzz replay: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
