// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling of the target's threads: the maps, and the tracepoints that are
 * this part's alone. sched_switch and sched_waking are in futex.bpf.c (they
 * serve both parts); the accounting itself is in sched.bpf.h.
 */
#include "sched.bpf.h"

struct sched_stats_map sched_stats SEC(".maps");
struct parallelism_map parallelism SEC(".maps");
const volatile bool stream_states = false;

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_on_wakeup_new, struct task_struct *p)
{
	if (is_target(p->tgid))
		sched_wakeup(p);
	return 0;
}

/* A thread's last switch-out comes after its exit: close its books here. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_on_exit, struct task_struct *task)
{
	struct tt_sched *s;
	__u32 tid;

	if (!is_target(task->tgid))
		return 0;
	tid = task->pid;
	s = bpf_map_lookup_elem(&sched_stats, &tid);
	if (s) {
		account(s, bpf_ktime_get_ns());
		s->state = TT_ST_UNKNOWN; /* ended: nothing more to account */
	}
	return 0;
}
