/*
 * The verdict on a Go program. A goroutine that waits for a sync.Mutex parks
 * in Go's scheduler: no thread blocks, and the futex words seen are the
 * runtime's idle threads. What is known: each mutex's contended acquisitions
 * (its slow path's entries) and how many threads ran at once.
 */
#include <stdio.h>
#include <string.h>
#include "model/verdict.h"

#define GO_MIN_SHARE 0.5      /* of all contended acquisitions */
#define GO_MIN_PER_S 10.0
#define GO_MIN_LOST 0.3       /* threads-worth of parallelism below what could run */

/* The CPUs the program could use: those online, at most one per thread that ran. */
static double could_run(const struct tt_threads *threads, unsigned ncpu)
{
	unsigned ran = 0;

	for (size_t i = 0; i < threads->n; i++)
		ran += threads->v[i].oncpu_ns > 0;
	return ran < ncpu ? ran : ncpu;
}

void verdict__go(struct tt_verdict *v, const struct tt_locks *locks, const struct tt_threads *threads,
		 double wall_s, unsigned ncpu)
{
	const struct tt_lock *best = NULL;
	double could = could_run(threads, ncpu), share;
	size_t len;

	v->go_acquisitions = 0;
	for (size_t i = 0; i < locks->n; i++) {
		const struct tt_lock *k = &locks->v[i];

		if (!k->go_kind)
			continue;
		v->go_acquisitions += k->waits;
		if (!best || k->waits > best->waits)
			best = k;
	}
	share = best && v->go_acquisitions ? (double)best->waits / (double)v->go_acquisitions : 0;
	v->go_per_s = wall_s > 0 ? (double)(best ? best->waits : 0) / wall_s : 0;
	if (best && !v->gil_like && share >= GO_MIN_SHARE && v->go_per_s >= GO_MIN_PER_S &&
	    could - v->par_mean >= GO_MIN_LOST) {
		v->has_candidate = v->gil_like = v->go_mutex = true;
		v->is_gil = v->held_blocking = false;
		snprintf(v->lock_name, sizeof(v->lock_name), "%s", best->name);
		v->lock_addr = best->addr;
		v->lock_tgid = best->tgid;
		v->waits = best->waits;
		v->wait_ns = v->handoffs = 0;
		v->threads = 0;
		memset(&v->hold, 0, sizeof(v->hold));
		v->par_without = could;
		/* never high: the waits themselves are not seen */
		v->confidence = wall_s >= 1.0 && best->waits >= 100 && share >= 0.8 ? "medium" : "low";
		snprintf(v->reason, sizeof(v->reason),
			 "%.0f contended acquisitions/s (%.0f%% of the Go mutexes'), %.2f threads running at once "
			 "where %.2f could; goroutines waiting on it park in Go's scheduler, whose waits are not timed",
			 v->go_per_s, share * 100, v->par_mean, could);
		return;
	}
	if (v->gil_like)
		return; /* a futex word (a C library's lock under cgo) serializes it, as seen */
	/* what the futex words said, and what they cannot see */
	if (!strcmp(v->confidence, "high"))
		v->confidence = v->go_acquisitions ? "low" : "medium";
	len = strlen(v->reason);
	if (wall_s > 0 && best)
		v->go_per_s = (double)v->go_acquisitions / wall_s;
	snprintf(v->reason + len, sizeof(v->reason) - len,
		 "; a Go program: goroutines wait in Go's scheduler, untimed (%.0f contended sync mutex "
		 "acquisitions/s, %.2f threads running at once where %.2f could)",
		 v->go_per_s, v->par_mean, could);
}
