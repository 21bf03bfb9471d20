/*
 * BPF_LINK_CREATE for uprobe_multi by hand: libbpf 1.1 (Debian 12) predates
 * it, and so do the system's uapi headers, hence the layout below (kernel ABI,
 * union bpf_attr.link_create, Linux 6.6+).
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "uprobe_multi.h"

#define BPF_LINK_CREATE_CMD 28
#define BPF_F_UPROBE_MULTI_RETURN 1

struct link_create_uprobe_multi {
	unsigned int prog_fd;
	unsigned int target_fd;
	unsigned int attach_type;
	unsigned int flags;
	unsigned long long path;
	unsigned long long offsets;
	unsigned long long ref_ctr_offsets;
	unsigned long long cookies;
	unsigned int cnt;
	unsigned int multi_flags;
	unsigned int pid;
	unsigned int pad[9]; /* up to the size of union bpf_attr's link_create */
};

bool uprobe_multi__supported(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool ok;

	if (!btf)
		return false;
	ok = btf__find_by_name_kind(btf, "bpf_uprobe_multi_link", BTF_KIND_STRUCT) >= 0;
	btf__free(btf);
	return ok;
}

int uprobe_multi__attach(int prog_fd, const char *path, const unsigned long *offsets, size_t n, bool retprobe)
{
	struct link_create_uprobe_multi attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = (unsigned int)prog_fd;
	attr.attach_type = TT_ATTACH_UPROBE_MULTI;
	attr.path = (unsigned long long)(unsigned long)path;
	attr.offsets = (unsigned long long)(unsigned long)offsets;
	attr.cnt = (unsigned int)n;
	attr.multi_flags = retprobe ? BPF_F_UPROBE_MULTI_RETURN : 0;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE_CMD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}
