#!/bin/sh
# Installs the Debian packages threadtrace needs (idempotent, non-interactive):
#   scripts/install-deps.sh           to build and run it (make demo)
#   scripts/install-deps.sh --tests   ... and to run its tests and benchmarks (make test, CI)
set -eu
# build: compilers, the BPF toolchain, libbpf, libelf, libdw (DWARF unwinding), libiberty (demangling), zlib
PKGS="make gcc clang llvm bpftool libbpf-dev libelf-dev libdw-dev libiberty-dev zlib1g-dev binutils"
if [ "${1:-}" = "--tests" ]; then
	# tests: g++, rustc and golang-go (the C++, Rust and Go demos), clang's sanitizer runtime (fuzzers), Debian's CPython 3.11 and its shared libpython
	# (the Python demos, the CPython reader), pytest, matplotlib (tt-plot), bpftrace (an independent
	# oracle), glibc's debug symbols (the join-core oracle), valgrind, setpriv (hostile targets), man,
	# programs nobody here wrote (stress-ng: thread churn; pigz: holds; xz-utils: stacks without
	# frame pointers)
	PKGS="$PKGS g++ rustc golang-go libclang-rt-14-dev python3 python3.11 python3.11-dev libpython3.11-dev python3-pytest
	      python3-matplotlib bpftrace libc6-dbg valgrind libcap2-bin util-linux man-db stress-ng pigz xz-utils"
elif [ -n "${1:-}" ]; then
	echo "usage: install-deps.sh [--tests]" >&2
	exit 2
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install:$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
