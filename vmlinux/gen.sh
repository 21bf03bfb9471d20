#!/bin/sh
# Writes vmlinux.h for the BPF side: from this kernel's BTF when it has one,
# else the vendored x86-64 copy (vmlinux/vmlinux_x86.h).
set -eu
out=$1
here=$(dirname "$0")
if [ -r /sys/kernel/btf/vmlinux ] && command -v bpftool >/dev/null 2>&1; then
	bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$out.tmp"
	mv "$out.tmp" "$out"
else
	echo "vmlinux: no readable /sys/kernel/btf/vmlinux or no bpftool: using the vendored x86-64 copy" >&2
	cp "$here/vmlinux_x86.h" "$out"
fi
