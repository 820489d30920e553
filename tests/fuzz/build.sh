#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) with clang-14, outside the main CMake build.
# Usage: tests/fuzz/build.sh [OUTDIR]   (default: /tmp/saker-fuzz); binaries land in OUTDIR/bin.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/saker-fuzz}
cc=${CC:-clang-14}
mkdir -p "$out/gen" "$out/bin"

bison -Wall -Werror -o "$out/gen/condition.tab.c" --defines="$out/gen/condition.tab.h" \
	"$top/grammar/condition.y"
flex -o "$out/gen/condition.lex.c" --header-file="$out/gen/condition.lex.h" \
	"$top/grammar/condition.l"

cflags=(-std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=all -I"$top/include" -I"$top/compiler/front" -I"$top/compiler/plan" -I"$top/runtime" -I"$out/gen")
# saker_common, as runtime/CMakeLists.txt lists it
common=("$top"/runtime/{fields,event_fields,event_cond,bundle,sha256,cond,match,regex,diag,keys,json}.c
	"$top"/runtime/cond_{value,check,eval,codec,print}.c)
# arena_asan.c replaces arena.c so that ASan sees each arena object's bounds.
front=("$top"/tests/fuzz/arena_asan.c "$top"/compiler/front/{ast,parse,text,names}.c "$out"/gen/condition.{tab,lex}.c)
# saker_rules: compiler/front/rules.cmake (the front passes) and every file of compiler/plan/
rules=("$top"/compiler/front/{comp,loader,collect,exceptions,expand,check,typecheck,output,lint}.c
	"$top"/compiler/plan/*.c)
libs=$(pkg-config --libs yaml-0.1 libpcre2-8 libcrypto jansson)

build() { # NAME SOURCES... (the flex/bison output is not ours to warn about)
	local name=$1
	shift
	echo "building $out/bin/$name"
	$cc "${cflags[@]}" -Wno-unused-function -Wno-sign-compare -Wno-unused-parameter \
		-o "$out/bin/$name" "$@" $libs
}
build fuzz_parse "$top/tests/fuzz/fuzz_parse.c" "${front[@]}" "${common[@]}"
build fuzz_rules "$top/tests/fuzz/fuzz_rules.c" "${rules[@]}" "${front[@]}" "${common[@]}"
build fuzz_output "$top/tests/fuzz/fuzz_output.c" "${rules[@]}" "${front[@]}" "${common[@]}"
build fuzz_bundle "$top/tests/fuzz/fuzz_bundle.c" "${common[@]}"
build fuzz_cond "$top/tests/fuzz/fuzz_cond.c" "${common[@]}"
build fuzz_record "$top/tests/fuzz/fuzz_record.c" "${common[@]}"
