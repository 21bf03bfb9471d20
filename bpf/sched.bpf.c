// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling of the target's threads: the maps, and the tracepoint that is
 * this part's alone. sched_switch, sched_waking and sched_process_exit are in
 * futex.bpf.c (they serve several parts); the accounting is in sched.bpf.h.
 */
#include "sched.bpf.h"

struct sched_stats_map sched_stats SEC(".maps");
struct parallelism_map parallelism SEC(".maps");
const volatile bool stream_states = false;

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_on_wakeup_new, struct task_struct *p)
{
	__u64 now;
	__u32 tid;

	if (!is_target(p->tgid))
		return 0;
	/* a new thread: its entry starts runnable, in one update */
	now = bpf_ktime_get_ns();
	tid = p->pid;
	struct tt_sched s = { .state = TT_ST_RUNQ, .since_ns = now };

	if (bpf_map_update_elem(&sched_stats, &tid, &s, BPF_NOEXIST) == 0)
		emit_state(p, TT_ST_RUNQ, now, 0);
	else
		sched_wakeup(p); /* already there (or the map is full: counted there) */
	return 0;
}
