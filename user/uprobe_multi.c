/*
 * BPF_LINK_CREATE for uprobe_multi by hand: libbpf 1.1 (Debian 12) predates
 * it, and so do the system's uapi headers, hence the layout below (kernel ABI,
 * union bpf_attr.link_create, Linux 6.6+).
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
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

/*
 * Asks the kernel, as libbpf 1.3+ does (probe_uprobe_multi_link): a two-instruction
 * program loaded for uprobe_multi, linked at the "file" "/": a kernel with such links
 * refuses the path (EBADF), one without refuses the attach type (EINVAL). About 0.1 ms,
 * where finding bpf_uprobe_multi_link in the kernel's BTF parsed all 5.5 MB of it a
 * second time (libbpf parses it for CO-RE anyway): 20-40 ms of every start-up.
 */
bool uprobe_multi__supported(void)
{
	/* r0 = 0; exit */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = TT_ATTACH_UPROBE_MULTI);
	unsigned long offset = 0;
	int prog, link, err;

	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2, &opts);
	if (prog < 0)
		return false;
	link = uprobe_multi__attach(prog, "/", &offset, 1, false);
	err = link < 0 ? link : 0;
	if (link >= 0)
		close(link);
	close(prog);
	return err == -EBADF;
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
