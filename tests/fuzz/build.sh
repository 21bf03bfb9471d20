#!/bin/sh
# Builds the libFuzzer targets into build/fuzz/ (rules in tests/fuzz/Makefile); arguments go to
# make, e.g. `tests/fuzz/build.sh run FUZZ_TIME=300`. Needs clang and libclang-rt-14-dev.
set -eu
cd "$(dirname "$0")/../.."
CLANG=${FUZZ_CC:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "fuzz: $CLANG is missing: apt-get install clang" >&2
	exit 1
fi
rt="$("$CLANG" --print-runtime-dir)/libclang_rt.fuzzer-$(uname -m).a"
if [ ! -f "$rt" ]; then
	echo "fuzz: libFuzzer's runtime ($rt) is missing: apt-get install libclang-rt-14-dev" >&2
	exit 1
fi
exec make --no-print-directory -f tests/fuzz/Makefile -j"$(nproc)" FUZZ_CC="$CLANG" "$@"
