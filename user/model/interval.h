/*
 * -i SECONDS: each interval's own figures, as bcc's tools give them: the
 * running totals (threads, locks, parallelism) less their values at the
 * interval's start. The intervals of a trace add up to its totals.
 */
#ifndef TT_INTERVAL_H
#define TT_INTERVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/index.h"
#include "model/locks.h"
#include "model/sched.h"
#include "model/threads.h"

struct tt_interval {
	unsigned n;              /* which interval, from 1 */
	bool last;               /* the one the end of the trace cut short */
	uint64_t from_ns, to_ns; /* since the trace started */
	/*
	 * The interval's figures: the thread table's entries with their times and
	 * waits in the interval (threads alive at its end, or that ended in it),
	 * the locks waited on in it (waits, timeouts, total, holds, hand-offs; no
	 * max, threads or sites), most waited first, and the parallelism in it.
	 */
	struct tt_thread *threads;
	size_t nthreads;
	struct tt_lock *locks;
	size_t nlocks;
	struct tt_parallelism par;
	/* the totals at the next interval's start, and when that is */
	uint64_t mark_ns;
	struct tt_interval_mark {
		uint64_t oncpu_ns, runq_ns, lock_ns, sleep_ns, spin_ns, waits, wait_ns;
	} *marks;                /* by position in the thread table */
	size_t nmarks;
	struct tt_lock *lock_marks;
	size_t nlock_marks;
	struct tt_index lock_mark_by_addr; /* (addr, tgid) -> lock_marks */
	struct tt_parallelism par_mark;
	size_t capthreads, caplocks, capmarks, caplock_marks;
};

struct tt_interval *interval__new(void);
void interval__free(struct tt_interval *iv);

/*
 * The next interval, up to now_ns (CLOCK_MONOTONIC), from the totals of t, l
 * and par as they are now (l sorted or not); last: the trace ends with it.
 * 0, or -1 (ENOMEM: not filled; the next one covers it too, unless the
 * totals were half noted: then some figures of the next are off).
 */
int interval__next(struct tt_interval *iv, const struct tt_threads *t, const struct tt_locks *l,
		   const struct tt_parallelism *par, uint64_t now_ns, bool last);

#endif
