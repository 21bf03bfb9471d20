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
	if (is_target(p->tgid))
		sched_wakeup(p);
	return 0;
}
