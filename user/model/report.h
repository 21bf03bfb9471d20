/* Everything the end-of-trace views read, in one place. */
#ifndef TT_REPORT_H
#define TT_REPORT_H

#include "model/deadlock.h"
#include "model/interval.h"
#include "model/locks.h"
#include "model/pystacks.h"
#include "model/sched.h"
#include "model/sitetable.h"
#include "model/threads.h"
#include "model/verdict.h"

struct tt_report {
	const struct tt_threads *threads;
	const struct tt_locks *locks;      /* sorted by total wait */
	const struct tt_pystacks *pystacks; /* CPython: the Python stacks of call sites; NULL: none */
	const struct tt_sitetable *sites;  /* --stacks, for sites.csv and the timeline: call sites by id; NULL: none */
	const struct tt_parallelism *par;
	const struct tt_verdict *verdict;
	const struct tt_deadlocks *deadlocks; /* found during the trace */
	const struct tt_interval *interval;   /* -i, in an interval's report: its own figures */
	double wall_s;                     /* length of the trace */
	bool all_threads;                  /* --all: text tables list every thread, not the top ones */
	unsigned ncpu;
	uint64_t lost[TT_DROP_MAX];        /* drops counted by the kernel side */
};

#endif
