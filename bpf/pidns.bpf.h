/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thread and process ids as threadtrace's own PID namespace numbers them
 * (docs/platform.md, "PID namespaces"). In a container task->pid and
 * task->tgid are the host's numbers, while the user, /proc, and the futex
 * words glibc writes (lock owners, a thread's tid word) use the container's.
 *
 * The choice: the target filter (is_target) keeps comparing the host tgid,
 * one load and a compare on every switch of the machine; user space found
 * that host tgid before the load (pidfind.bpf.c). Every other id, read only
 * for the target's own threads, is the number at threadtrace's level of the
 * task's struct pid (task->thread_pid->numbers[level]), so that events, map
 * keys and futex words all speak the one numbering. On the host (level 0)
 * the verifier drops that code: task->pid as before, at no cost.
 */
#ifndef PIDNS_BPF_H
#define PIDNS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/*
 * pid's number in the namespace at level whose inode is inum; 0 when pid is
 * NULL (a released task) or not visible there (a task of an outer or a
 * sibling namespace). CO-RE reads: numbers[] is a flexible array.
 */
static __always_inline __u32 pidns_nr_at(struct pid *pid, __u32 level, __u32 inum)
{
	struct upid *up;

	if (!pid || BPF_CORE_READ(pid, level) < level)
		return 0;
	up = (struct upid *)((void *)pid + bpf_core_field_offset(struct pid, numbers) +
			     (__u64)level * bpf_core_type_size(struct upid));
	if (BPF_CORE_READ(up, ns, ns.inum) != inum)
		return 0;
	return BPF_CORE_READ(up, nr);
}

/*
 * t's tid as its own namespace numbers it: what its libc writes in futex
 * words. Differs from threadtrace's numbers when a host threadtrace traces
 * a process in a container (-p HOSTPID).
 */
static __always_inline __u32 pidns_own_tid(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	struct upid *up;

	if (!pid)
		return 0;
	up = (struct upid *)((void *)pid + bpf_core_field_offset(struct pid, numbers) +
			     (__u64)BPF_CORE_READ(pid, level) * bpf_core_type_size(struct upid));
	return BPF_CORE_READ(up, nr);
}

#endif /* PIDNS_BPF_H */
