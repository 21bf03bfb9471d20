/* --timeline: each thread's states over time, and the moments worth marking. */
#ifndef TT_HISTORY_H
#define TT_HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "model/index.h"
#include "model/record.h"

struct tt_slice {
	pid_t tgid, tid;
	uint64_t ts_ns, dur_ns;   /* since the trace started */
	uint32_t state;           /* enum tt_sched_state */
	uint64_t addr;            /* TT_ST_LOCK: the futex word */
	uint64_t py_stack;        /* TT_ST_LOCK, CPython: its Python stack's id, 0: none */
	uint64_t site;            /* TT_ST_LOCK, --stacks: its call site's id (model/sitetable.h), 0: none */
};

/* A hand-off: waker woke wakee on addr at ts (the end of the wakee's wait). */
struct tt_flow {
	pid_t tgid, waker, wakee;
	uint64_t ts_ns, addr;
};

/* Threads running at once, from ts on. */
struct tt_count {
	uint64_t ts_ns;
	uint32_t running;
};

struct tt_history {
	struct tt_slice *slices;
	size_t nslices, capslices;
	struct tt_record *marks;  /* start, rename, exec, join, exit, fork, deadlock */
	size_t nmarks, capmarks;
	struct tt_flow *flows;
	size_t nflows, capflows;
	struct tt_count *counts;
	size_t ncounts, capcounts;
	struct tt_open {          /* each thread's state since when, by tid */
		pid_t tgid, tid;
		uint32_t state;
		uint64_t since_ns, addr, py_stack, site;
	} *open;
	size_t nopen, capopen;
	struct tt_index open_by_tid;
	uint32_t running;
};

struct tt_history *history__new(void);
void history__free(struct tt_history *h);
/* A thread's state changed at ts_ns (since the trace start). 0 or -1. */
int history__state(struct tt_history *h, pid_t tgid, pid_t tid, uint32_t state, uint64_t ts_ns, uint64_t addr,
		   uint64_t py_stack, uint64_t site);
/* A record: lifecycle marks, hand-offs from woken waits; a start opens, an exit closes a thread. 0 or -1. */
int history__record(struct tt_history *h, const struct tt_record *rec);
/* Closes every open state at now_ns. */
void history__finish(struct tt_history *h, uint64_t now_ns);

#endif
