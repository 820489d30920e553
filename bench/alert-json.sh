#!/usr/bin/env bash
# bench: sakerd's hand-written JSON alert writer against the same alert built with jansson
# (bench/alert_json.c), in interleaved rounds of one run. Needs no root.
# usage: bench/alert-json.sh BUILD_DIR [ROUNDS [ALERTS_PER_ROUND]]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:?usage: bench/alert-json.sh BUILD_DIR [ROUNDS [ALERTS_PER_ROUND]]}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2046 # pkg-config prints several words
${CC:-cc} -O2 -Wall -Wextra -Werror -I"$root/include" -I"$root/runtime" -o "$work/alert_json" \
	"$here/alert_json.c" "$build/runtime/libsaker_rt.a" "$build/runtime/libsaker_common.a" \
	$(pkg-config --libs libbpf libelf libcurl jansson libcrypto) -lpthread
"$work/alert_json" "${2:-7}" "${3:-100000}"
