#!/usr/bin/env bash
# The main job: installs what is missing, builds, compiles the default rules in rules/ into a
# bundle, and runs sakerd on it (needs root), printing alerts until Ctrl-C.
# Usage: sudo scripts/run.sh [sakerd options, e.g. --json]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Build output goes to stderr: stdout carries only the alerts.
scripts/install-deps.sh >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"${SAKER_JOBS:-2}" >&2
build/compiler/saker compile rules/ -o build/default.saker
exec build/runtime/sakerd "$@" build/default.saker
