/*
 * The GIL-like verdict. A lock serializes the process when (1) most of the
 * process's blocked time goes to it, (2) at least two threads pass it back and
 * forth, often, and (3) fewer threads run at once than could: the mean
 * parallelism stays well below what the runnable threads and CPUs allow.
 * Idle waits (on a condition for work, an event, a join) count as blocked time
 * but never make a candidate: a lock held while others wait does (and the
 * GIL, whose mutex and condition make one lock).
 */
#include <stdio.h>
#include <string.h>
#include "model/verdict.h"

#define MIN_SHARE 0.5          /* of all blocked time */
#define MIN_THREAD_SHARE 0.2   /* of its waiters' time */
#define MIN_HANDOFFS_PER_S 10.0
#define MIN_LOST 0.3           /* threads-worth of parallelism */
#define MAX_BLOCKING_ONCPU 0.5 /* held across a blocking call: holders on a CPU less than this */
#define MIN_BLOCKING_HOLDS 5

/* Locks of one group (the GIL's words) count as one. */
static bool same_group(const struct tt_lock *a, const struct tt_lock *b)
{
	return a == b || (a->is_gil && b->is_gil && a->tgid == b->tgid);
}

static void pick_candidate(struct tt_verdict *v, const struct tt_locks *locks)
{
	const struct tt_lock *best = NULL;
	uint64_t best_ns = 0;

	for (size_t i = 0; i < locks->n; i++) {
		const struct tt_lock *k = &locks->v[i];
		uint64_t ns = 0;

		if (lock__role(k) != TT_ROLE_CONTENTION || !lock__seen(k))
			continue;
		if (!k->is_gil)
			ns = k->total_ns;
		else /* the GIL's words together: few, so the inner loop is cheap */
			for (size_t j = 0; j < locks->n; j++)
				if (same_group(k, &locks->v[j]))
					ns += locks->v[j].total_ns;
		if (ns > best_ns) {
			best = k;
			best_ns = ns;
		}
	}
	if (!best)
		return;
	v->has_candidate = true;
	v->is_gil = best->is_gil;
	v->lock_addr = best->addr;
	v->lock_tgid = best->tgid;
	snprintf(v->lock_name, sizeof(v->lock_name), "%s", best->is_gil ? "GIL" : best->name);
	for (size_t j = 0; j < locks->n; j++) {
		const struct tt_lock *k = &locks->v[j];

		if (!same_group(best, k))
			continue;
		v->wait_ns += k->total_ns;
		v->waits += k->waits;
		v->handoffs += k->handoffs;
		if (k->threads > v->threads)
			v->threads = k->threads;
		/* the GIL is held from its condition's wait to its next signal */
		if (best->is_gil && !k->is_gil_cond)
			continue;
		v->hold.count += k->hold.count;
		v->hold.total_ns += k->hold.total_ns;
		v->hold.oncpu_ns += k->hold.oncpu_ns;
		v->hold.bounded += k->hold.bounded;
		if (k->hold.max_ns > v->hold.max_ns)
			v->hold.max_ns = k->hold.max_ns;
		for (int s = 0; s < TT_HOLD_SLOTS; s++)
			v->hold.hist[s] += k->hold.hist[s];
	}
}

/* The futex words' verdict; a Go program's mutexes are weighed after it (goverdict.c). */
static void compute_futex(struct tt_verdict *v, const struct tt_locks *locks, const struct tt_threads *threads,
			  const struct tt_parallelism *par, double wall_s, unsigned ncpu)
{
	uint64_t blocked = 0, demand_ns = 0, waiter_life = 0, join_ns = 0;
	double demand;

	memset(v, 0, sizeof(*v));
	v->confidence = "low";
	v->par_mean = parallelism__mean(par);
	pick_candidate(v, locks);
	for (size_t i = 0; i < locks->n; i++) {
		const struct tt_lock *k = &locks->v[i];

		if (k->is_join) {
			join_ns += k->total_ns;
			continue;
		}
		blocked += k->total_ns;
		if (lock__role(k) == TT_ROLE_IDLE)
			v->idle_ns += k->total_ns;
	}
	for (size_t i = 0; i < threads->n; i++) {
		const struct tt_thread *th = &threads->v[i];

		blocked += th->sleep_ns;
		v->asleep_ns += th->sleep_ns;
		demand_ns += th->oncpu_ns + th->runq_ns;
		/* not the run queue: a busy machine's queueing says nothing about our locks */
		waiter_life += th->oncpu_ns + th->lock_ns + th->sleep_ns + th->spin_ns;
	}
	/* Without the lock, its waiters would have run: demand includes their waits on it. */
	demand = wall_s > 0 ? ((double)demand_ns + (double)v->wait_ns) / (wall_s * 1e9) : 0;
	v->par_without = demand < (double)ncpu ? demand : (double)ncpu;
	if (v->par_without < v->par_mean)
		v->par_without = v->par_mean;
	v->blocked_ns = blocked;
	if (!v->has_candidate) {
		/* say what the waits there were, if any: never "none" beside a table of idle waits */
		if (v->idle_ns + join_ns)
			snprintf(v->reason, sizeof(v->reason),
				 "no lock was held while others waited; the waits were for work, events or joins "
				 "(idle: %.3f s, joins: %.3f s)",
				 (double)v->idle_ns / 1e9, (double)join_ns / 1e9);
		else
			snprintf(v->reason, sizeof(v->reason), "no thread blocked on a lock");
		v->confidence = "high";
		return;
	}
	if (v->hold.total_ns) {
		v->hold_oncpu = (double)v->hold.oncpu_ns / (double)v->hold.total_ns;
		v->held_blocking = !v->is_gil && v->hold.count >= MIN_BLOCKING_HOLDS && v->hold_oncpu < MAX_BLOCKING_ONCPU;
	}
	v->share = blocked ? (double)v->wait_ns / (double)blocked : 0;
	v->thread_share = waiter_life ? (double)v->wait_ns / (double)waiter_life : 0;
	v->handoffs_per_s = wall_s > 0 ? (double)v->handoffs / wall_s : 0;

	if (v->share < MIN_SHARE) {
		snprintf(v->reason, sizeof(v->reason),
			 "waits on it are %.0f%% of the blocked time (%.3f s of %.3f s; idle waits %.3f s, "
			 "sleeps %.3f s)",
			 v->share * 100, (double)v->wait_ns / 1e9, (double)blocked / 1e9, (double)v->idle_ns / 1e9,
			 (double)v->asleep_ns / 1e9);
	} else if (v->threads < 2 || v->handoffs_per_s < MIN_HANDOFFS_PER_S) {
		snprintf(v->reason, sizeof(v->reason),
			 "it is not passed back and forth (%u waiting threads, %.1f hand-offs/s)", v->threads,
			 v->handoffs_per_s);
	} else if (v->thread_share < MIN_THREAD_SHARE) {
		snprintf(v->reason, sizeof(v->reason), "waits on it are only %.0f%% of the threads' time",
			 v->thread_share * 100);
	} else if (v->par_without - v->par_mean < MIN_LOST) {
		snprintf(v->reason, sizeof(v->reason),
			 "threads still run in parallel (%.2f at once, at most %.2f possible)", v->par_mean,
			 v->par_without);
	} else {
		v->gil_like = true;
		snprintf(v->reason, sizeof(v->reason),
			 "%.0f%% of the blocked time, %.0f hand-offs/s among %u threads, %.2f threads running at once where %.2f could",
			 v->share * 100, v->handoffs_per_s, v->threads, v->par_mean, v->par_without);
	}
	/* Confidence: how far from the thresholds, and how much was seen. */
	if (wall_s >= 1.0 && v->handoffs >= 50 &&
	    (v->gil_like ? v->share >= 0.7 && v->par_without - v->par_mean >= 0.5 : v->share < 0.3 ||
								 v->handoffs_per_s < 2))
		v->confidence = "high";
	else if (wall_s >= 0.3 && v->handoffs >= 10)
		v->confidence = "medium";
}

void verdict__compute(struct tt_verdict *v, const struct tt_locks *locks, const struct tt_threads *threads,
		     const struct tt_parallelism *par, double wall_s, unsigned ncpu)
{
	compute_futex(v, locks, threads, par, wall_s, ncpu);
	if (locks->go)
		verdict__go(v, locks, threads, wall_s, ncpu);
}

/*
 * Deadlocks: each was seen twice in a row, every thread asleep in the same
 * wait (deadwatch.c), so there is no threshold to weigh: the verdict names the
 * first cycle, "A waits for L1 held by B, B waits for L2 held by A".
 */
void verdict__deadlocks(struct tt_verdict *v, const struct tt_deadlocks *d)
{
	size_t n, len = 0, size = sizeof(v->deadlock_reason);
	const struct tt_deadlock_member *m = deadlocks__members(d, &n);

	v->deadlocks = deadlocks__count(d);
	v->deadlocked = (unsigned)n;
	v->deadlock_reason[0] = '\0';
	for (size_t i = 0; i < n && m[i].cycle == 1 && len < size; i++)
		len += (size_t)snprintf(v->deadlock_reason + len, size - len, "%s%d waits for %s held by %d",
					i ? ", " : "", (int)m[i].tid, m[i].lock, (int)m[i].owner);
}
