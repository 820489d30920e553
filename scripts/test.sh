#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds twice (plain, and with ASan+UBSan), and
# runs unit, golden and end-to-end (real kernel, needs root) tests in both builds.
# Usage: scripts/test.sh            (README's test command; CI runs it through .ci/run)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh --test

jobs=${SAKER_JOBS:-2}
if [ "$(id -u)" -ne 0 ]; then
	echo "################################################################"
	echo "# NOT ROOT: the end-to-end kernel tests will be SKIPPED.        #"
	echo "# Run as root (sudo scripts/test.sh) to test the kernel side.    #"
	echo "################################################################"
fi

status=0
for variant in plain asan; do
	dir=build-test-$variant
	flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
	[ $variant = asan ] && flags+=(-DSAKER_SANITIZE=ON)
	echo "=== build ($variant) ==="
	cmake -S . -B "$dir" "${flags[@]}" >/dev/null
	cmake --build "$dir" -j"$jobs"
	echo "=== test ($variant) ==="
	# LLVM keeps a few allocations alive until exit by design; everything else must be freed.
	export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
	(cd "$dir" && ctest --output-on-failure --timeout 600) || status=1
done
exit $status
