#!/usr/bin/env bash
# The main job: installs what is missing, builds, compiles the default rules in rules/ into a
# bundle, and runs sakerd on it (needs root), printing alerts until Ctrl-C.
# Usage: sudo scripts/run.sh [sakerd options, e.g. --json]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"${SAKER_JOBS:-2}"
build/compiler/saker compile rules/ -o build/default.saker
exec build/runtime/sakerd "$@" build/default.saker
