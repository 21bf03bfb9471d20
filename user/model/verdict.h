/* Does one lock serialize the process, as CPython's GIL does? The verdict and its reasons. */
#ifndef TT_VERDICT_H
#define TT_VERDICT_H

#include <stdbool.h>
#include <stdint.h>
#include "model/deadlock.h"
#include "model/locks.h"
#include "model/sched.h"
#include "model/threads.h"

struct tt_verdict {
	/* a deadlock seen during the trace comes first (verdict__deadlocks) */
	unsigned deadlocks;         /* cycles found */
	unsigned deadlocked;        /* threads in them */
	char deadlock_reason[256];  /* the first cycle, thread by thread; raw lock names */
	bool has_candidate;         /* some non-join lock was waited on */
	bool gil_like;
	char lock_name[TT_LOCK_NAME_LEN]; /* the candidate: "GIL" or its symbol */
	pid_t lock_tgid;            /* its process */
	uint64_t lock_addr;         /* its first word */
	bool is_gil;
	double share;               /* of the process's blocked time (futex waits but joins, plus sleeps) */
	double thread_share;        /* of all the threads' time (on CPU, in futex waits, asleep) waiting on it */
	uint64_t wait_ns, handoffs, waits;
	double handoffs_per_s;
	unsigned threads;           /* threads that waited on it */
	struct tt_hold_stat hold;   /* its contended holds (all its words) */
	/*
	 * Its holders ran on a CPU for less than half of the time they held it
	 * (they slept, did I/O or waited for something else): "held across a
	 * blocking call", the lock's cost is that call, not the work under it.
	 */
	bool held_blocking;
	double hold_oncpu;          /* hold.oncpu_ns / hold.total_ns, 0 without holds */
	uint64_t blocked_ns;        /* the process's blocked time (the share's whole) */
	uint64_t idle_ns, asleep_ns; /* of it: idle waits (no candidate), sleeps outside futex waits */
	double par_mean;            /* threads running at once, mean */
	double par_without;         /* what it could be: runnable demand, bounded by the CPUs */
	/*
	 * Go: the candidate is a sync mutex (gil_like then), known by its
	 * contended acquisitions only: its goroutines park in Go's scheduler, untimed.
	 */
	bool go_mutex;
	uint64_t go_acquisitions;   /* the Go mutexes' contended acquisitions, all of them */
	double go_per_s;            /* the candidate's (or all's, without one) per second */
	const char *confidence;     /* "high", "medium", "low" */
	char reason[512];
};

/* Computes the verdict. locks must be sorted (locks__sort); ncpu = CPUs online. */
void verdict__compute(struct tt_verdict *v, const struct tt_locks *locks, const struct tt_threads *threads,
		     const struct tt_parallelism *par, double wall_s, unsigned ncpu);

/*
 * A Go program (verdict__compute calls it): its busiest sync mutex when it has
 * most contended acquisitions and parallelism stays below the CPUs, else what
 * the futex words said, never with high confidence about what it cannot see.
 */
void verdict__go(struct tt_verdict *v, const struct tt_locks *locks, const struct tt_threads *threads,
		 double wall_s, unsigned ncpu);

/*
 * The deadlocks found (after verdict__compute): a process whose threads wait
 * on each other forever has that as its first finding, whatever its locks did.
 */
void verdict__deadlocks(struct tt_verdict *v, const struct tt_deadlocks *d);

#endif
