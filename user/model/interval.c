/* -i: each interval's figures as differences of the running totals (see interval.h). */
#include <stdlib.h>
#include <string.h>
#include "model/array.h"
#include "model/interval.h"

struct tt_interval *interval__new(void)
{
	return calloc(1, sizeof(struct tt_interval));
}

void interval__free(struct tt_interval *iv)
{
	if (!iv)
		return;
	free(iv->threads);
	free(iv->locks);
	free(iv->marks);
	free(iv->lock_marks);
	index__free(&iv->lock_mark_by_addr);
	free(iv);
}

/* a - b, 0 if a total went down (it does not: a wait in progress counts up to now, then whole) */
static uint64_t minus(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static struct tt_interval_mark mark_of(const struct tt_thread *th)
{
	return (struct tt_interval_mark){ .oncpu_ns = th->oncpu_ns, .runq_ns = th->runq_ns, .lock_ns = th->lock_ns,
					  .sleep_ns = th->sleep_ns, .spin_ns = th->spin_ns, .waits = th->waits,
					  .wait_ns = th->wait_ns };
}

/* A lock's figures without its call sites: the interval's copies own no strings. */
static struct tt_lock bare(const struct tt_lock *k)
{
	struct tt_lock c = *k;

	memset(c.sites, 0, sizeof(c.sites));
	return c;
}

static int by_total_wait(const void *a, const void *b)
{
	const struct tt_lock *x = a, *y = b;

	return (x->total_ns < y->total_ns) - (x->total_ns > y->total_ns);
}

static int fill_threads(struct tt_interval *iv, const struct tt_threads *t)
{
	iv->nthreads = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct tt_thread *th = &t->v[i];
		struct tt_interval_mark m = i < iv->nmarks ? iv->marks[i] : (struct tt_interval_mark){ 0 };
		struct tt_thread *d;

		if (th->ended && th->end_ns <= iv->from_ns)
			continue; /* ended before: nothing of it in this interval */
		if (ARRAY_ROOM(iv->threads, iv->nthreads, iv->capthreads))
			return -1;
		d = &iv->threads[iv->nthreads++];
		*d = *th;
		d->py_stack = NULL; /* the table's: not ours to show or free */
		d->oncpu_ns = minus(th->oncpu_ns, m.oncpu_ns);
		d->runq_ns = minus(th->runq_ns, m.runq_ns);
		d->lock_ns = minus(th->lock_ns, m.lock_ns);
		d->sleep_ns = minus(th->sleep_ns, m.sleep_ns);
		d->spin_ns = minus(th->spin_ns, m.spin_ns);
		d->waits = minus(th->waits, m.waits);
		d->wait_ns = minus(th->wait_ns, m.wait_ns);
	}
	return 0;
}

static void lock_minus(struct tt_lock *d, const struct tt_lock *m)
{
	d->waits = minus(d->waits, m->waits);
	d->total_ns = minus(d->total_ns, m->total_ns);
	d->timeouts = minus(d->timeouts, m->timeouts);
	d->interrupted = minus(d->interrupted, m->interrupted);
	d->woken = minus(d->woken, m->woken);
	d->handoffs = minus(d->handoffs, m->handoffs);
	d->spin_acquires = minus(d->spin_acquires, m->spin_acquires);
	d->spun_only = minus(d->spun_only, m->spun_only);
	d->spin_ns = minus(d->spin_ns, m->spin_ns);
	d->slow_ns = minus(d->slow_ns, m->slow_ns);
	d->hold.count = minus(d->hold.count, m->hold.count);
	d->hold.total_ns = minus(d->hold.total_ns, m->hold.total_ns);
	for (int s = 0; s < TT_HOLD_SLOTS; s++)
		d->hold.hist[s] = minus(d->hold.hist[s], m->hold.hist[s]);
}

static int fill_locks(struct tt_interval *iv, const struct tt_locks *l)
{
	iv->nlocks = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct tt_lock *k = &l->v[i];
		struct tt_lock d = bare(k);
		size_t pos;

		if (index__get(&iv->lock_mark_by_addr, k->addr, (uint32_t)k->tgid, &pos))
			lock_minus(&d, &iv->lock_marks[pos]);
		/* what a single figure cannot give by difference */
		d.max_ns = 0;
		d.threads = 0;
		d.hold.max_ns = 0;
		memset(d.hist, 0, sizeof(d.hist));
		if (!d.waits && !d.total_ns && !d.hold.count)
			continue;
		if (ARRAY_ROOM(iv->locks, iv->nlocks, iv->caplocks))
			return -1;
		iv->locks[iv->nlocks++] = d;
	}
	if (iv->nlocks > 1)
		qsort(iv->locks, iv->nlocks, sizeof(*iv->locks), by_total_wait);
	return 0;
}

/* The totals now become the next interval's start. */
static int set_marks(struct tt_interval *iv, const struct tt_threads *t, const struct tt_locks *l,
		     const struct tt_parallelism *par)
{
	for (size_t i = 0; i < t->n; i++) {
		while (iv->nmarks <= i) {
			if (ARRAY_ROOM(iv->marks, iv->nmarks, iv->capmarks))
				return -1;
			iv->marks[iv->nmarks++] = (struct tt_interval_mark){ 0 };
		}
		iv->marks[i] = mark_of(&t->v[i]);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct tt_lock *k = &l->v[i];
		size_t pos;

		if (!index__get(&iv->lock_mark_by_addr, k->addr, (uint32_t)k->tgid, &pos)) {
			if (ARRAY_ROOM(iv->lock_marks, iv->nlock_marks, iv->caplock_marks) ||
			    index__put(&iv->lock_mark_by_addr, k->addr, (uint32_t)k->tgid, iv->nlock_marks))
				return -1;
			pos = iv->nlock_marks++;
		}
		iv->lock_marks[pos] = bare(k);
	}
	iv->par_mark = *par;
	return 0;
}

int interval__next(struct tt_interval *iv, const struct tt_threads *t, const struct tt_locks *l,
		   const struct tt_parallelism *par, uint64_t now_ns, bool last)
{
	uint64_t to = now_ns > t->t0_ns ? now_ns - t->t0_ns : 0;

	iv->from_ns = iv->mark_ns;
	iv->to_ns = to;
	iv->last = last;
	if (fill_threads(iv, t) || fill_locks(iv, l))
		return -1;
	for (int i = 0; i < TT_PAR_SLOTS; i++)
		iv->par.ns[i] = minus(par->ns[i], iv->par_mark.ns[i]);
	/* marks only after the figures: a failure to fill them leaves the start where it was */
	if (set_marks(iv, t, l, par))
		return -1;
	iv->mark_ns = to;
	iv->n++;
	return 0;
}
