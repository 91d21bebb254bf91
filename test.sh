#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test.sh — build chibo with warnings as errors and run the whole test suite
# (cmocka unit tests and the shell tests that drive the real programs).
# Installs the Debian dependencies first when they are missing.
#   ./test.sh                  the normal build, in build/
#   CHIBO_SANITIZE=1 ./test.sh AddressSanitizer + UBSan, in build-asan/
set -euo pipefail
cd "$(dirname "$0")"

./packaging/install-deps.sh

build=build
flags=(-DCHIBO_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${CHIBO_SANITIZE:-0}" = 1 ]; then
	build=build-asan
	flags=(-DCHIBO_WERROR=ON -DCHIBO_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	       -DCMAKE_C_COMPILER=gcc)
	export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
echo "== configure ($build)"
cmake -S . -B "$build" "${flags[@]}" >/dev/null
echo "== build"
cmake --build "$build" -j "$(nproc)"
echo "== test"
ctest --test-dir "$build" --output-on-failure -j "${CHIBO_TEST_JOBS:-$(nproc)}" \
	--timeout 900
