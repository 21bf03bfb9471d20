// SPDX-License-Identifier: GPL-2.0
/*
 * Thread lifecycle: renames, exec, and with -f new and freed processes, one
 * event each. A thread's start and exit events come from lifecycle.bpf.h,
 * called by the programs of sched_wakeup_new and sched_process_exit
 * (hooks.bpf.c), which other parts share.
 */
#include "lifecycle.bpf.h"

SEC("tp_btf/task_rename")
int BPF_PROG(on_task_rename, struct task_struct *task, const char *comm)
{
	__u32 tgid = task->tgid;
	struct task_struct *cur = bpf_get_current_task_btf();
	struct tt_event *e;

	if (!is_target(tgid))
		return 0;
	/* execve renames the task too; the exec event reports that. */
	if (bpf_core_field_exists(cur->in_execve) && cur == task &&
	    BPF_CORE_READ_BITFIELD(cur, in_execve))
		return 0;
	e = event_new(TT_EV_RENAME, target_tgid(tgid), task_tid(task));
	if (!e)
		return 0;
	e->rename.by = current_tid(); /* 0: a task of another namespace */
	bpf_probe_read_kernel_str(e->rename.comm, sizeof(e->rename.comm), comm);
	event_submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = task->tgid;
	struct tt_event *e;

	if (!is_target(tgid))
		return 0;
	e = event_new(TT_EV_EXEC, target_tgid(tgid), task_tid(task));
	if (!e)
		return 0;
	/* the tid that exec'd (old_pid is the host's): the leader's once exec is done, or another's */
	e->exec.old_tid = pidns_level ? (old_pid == task->pid ? task_tid(task) : 0) : old_pid;
	bpf_get_current_comm(e->exec.comm, sizeof(e->exec.comm));
	/* read now: /proc/PID/exe, read later, may name the next program or be gone with the process */
	bpf_probe_read_kernel_str(e->exec.path, sizeof(e->exec.path), BPF_CORE_READ(bprm, filename));
	/* at once, not at the next poll: a new program may be an interpreter to find before it runs threads */
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* -f: a traced process forked: trace the child too. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 child_tgid = child->tgid, ns_tgid;
	struct tt_event *e;

	if (!follow_forks || !is_target(parent->tgid) ||
	    child_tgid != child->pid)
		return 0; /* a new thread, not a new process: on_new_task reports it */
	ns_tgid = task_tid(child); /* a process: its tid is its tgid */
	if (bpf_map_update_elem(&targets, &child_tgid, &ns_tgid, BPF_ANY)) {
		count_drop(TT_DROP_MAP);
		return 0;
	}
	e = event_new(TT_EV_FORK, ns_tgid, ns_tgid);
	if (!e)
		return 0;
	e->start.creator = task_tid(parent);
	e->start.tid_word = (__u64)child->clear_child_tid;
	bpf_get_current_comm(e->start.comm, sizeof(e->start.comm));
	event_submit(e);
	return 0;
}

/* A followed process is gone for good once its leader is freed (reaped). */
SEC("tp_btf/sched_process_free")
int BPF_PROG(on_free, struct task_struct *task)
{
	__u32 tgid = task->tgid;

	if (follow_forks && tgid == task->pid)
		bpf_map_delete_elem(&targets, &tgid);
	return 0;
}
