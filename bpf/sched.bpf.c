// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling of the target's threads: the maps. Its tracepoints serve several
 * parts, so their programs are in hooks.bpf.c; the accounting is in
 * sched.bpf.h.
 */
#include "sched.bpf.h"

struct sched_stats_map sched_stats SEC(".maps");
struct parallelism_map parallelism SEC(".maps");
const volatile bool stream_states = false;

__noinline int sched_account(struct tt_sched *s, __u64 now)
{
	__u64 d;

	if (!s)
		return 0;
	d = s->since_ns && now > s->since_ns ? now - s->since_ns : 0;
	switch (s->state) {
	case TT_ST_ONCPU: s->oncpu_ns += d; break;
	case TT_ST_RUNQ: s->runq_ns += d; break;
	case TT_ST_LOCK: s->lock_ns += d; break;
	case TT_ST_SLEEP: s->sleep_ns += d; break;
	}
	s->since_ns = now;
	return 0;
}
