// SPDX-License-Identifier: GPL-2.0
/*
 * Run once, before the tracer loads, and only when threadtrace runs inside a
 * PID namespace (user/pidns.c): which host tgid is the target whose pid is
 * want_nr here, and at which level and inode is "here". Its own object: the
 * tracer's filter takes that host tgid as a constant (common.bpf.h).
 */
#include "pidns.bpf.h"

/* the target's pid in threadtrace's namespace */
const volatile __u32 want_nr = 0;

/* results, read by user space after the iteration */
__u32 ns_level, ns_inum, host_tgid, found;

SEC("iter/task")
int find_task(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (ctx->meta->seq_num == 0) {
		/* current: threadtrace itself, reading the iterator */
		struct task_struct *self = bpf_get_current_task_btf();
		struct pid *pid = BPF_CORE_READ(self, thread_pid);
		struct upid *up;

		ns_level = BPF_CORE_READ(pid, level);
		up = (struct upid *)((void *)pid + bpf_core_field_offset(struct pid, numbers) +
				     (__u64)ns_level * bpf_core_type_size(struct upid));
		ns_inum = BPF_CORE_READ(up, ns, ns.inum);
	}
	if (!task || found)
		return 0;
	if (pidns_nr_at(BPF_CORE_READ(task, thread_pid), ns_level, ns_inum) == want_nr) {
		host_tgid = BPF_CORE_READ(task, tgid);
		found = 1;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
