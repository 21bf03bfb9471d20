/* Cycle finding over "waits for the owner of" edges, confirmed across two snapshots. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "model/array.h"
#include "model/deadlock.h"

struct tt_deadlocks {
	struct tt_wait_edge *prev;     /* the snapshot before, sorted by tid */
	size_t nprev;
	struct tt_wait_edge *reported; /* first edge of each cycle reported */
	size_t nreported, capreported;
	struct tt_deadlock_member *found; /* every deadlock kept, one thread after another */
	size_t nfound, capfound;
	unsigned cycles;
};

struct tt_deadlocks *deadlocks__new(void)
{
	return calloc(1, sizeof(struct tt_deadlocks));
}

void deadlocks__free(struct tt_deadlocks *d)
{
	if (!d)
		return;
	free(d->prev);
	free(d->reported);
	for (size_t i = 0; i < d->nfound; i++) {
		free(d->found[i].stack);
		free(d->found[i].py_stack);
	}
	free(d->found);
	free(d);
}

/* The snapshot sorted by tid: a thread's wait is found by a binary search. */
static int by_tid(const void *a, const void *b)
{
	const struct tt_wait_edge *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* Index of tid's wait in v (sorted by tid), or n. */
static size_t find(const struct tt_wait_edge *v, size_t n, pid_t tid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].tid == tid ? lo : n;
}

static bool same_edge(const struct tt_wait_edge *a, const struct tt_wait_edge *b)
{
	return a->tid == b->tid && a->owner == b->owner && a->addr == b->addr && a->start_ns == b->start_ns;
}

static bool was_reported(const struct tt_deadlocks *d, const struct tt_wait_edge *first)
{
	for (size_t i = 0; i < d->nreported; i++)
		if (same_edge(&d->reported[i], first))
			return true;
	return false;
}

/*
 * A cycle through v[at]: offered from its lowest tid if every wait in it is
 * the one of the snapshot before. 1 reported, 0 not, -1 out of memory.
 */
static int offer(struct tt_deadlocks *d, const struct tt_wait_edge *v, size_t n, size_t at,
		 struct tt_wait_edge *cycle, tt_cycle_fn fn, void *ctx)
{
	size_t len = 0, lowest = at, i = at;

	do {
		size_t p = find(d->prev, d->nprev, v[i].tid);

		if (p == d->nprev || !same_edge(&v[i], &d->prev[p]))
			return 0; /* it moved: perhaps a passing state */
		if (v[i].tid < v[lowest].tid)
			lowest = i;
		len++;
		i = find(v, n, v[i].owner);
	} while (i != at);
	if (len < 2 || was_reported(d, &v[lowest]))
		return 0;
	for (size_t k = 0, j = lowest; k < len; k++, j = find(v, n, v[j].owner))
		cycle[k] = v[j];
	if (ARRAY_ROOM(d->reported, d->nreported, d->capreported))
		return -1;
	if (!fn(cycle, len, ctx))
		return 0;
	d->reported[d->nreported++] = cycle[0];
	return 1;
}

/*
 * Each thread waits for at most one owner: following owners from a thread
 * ends at a thread not waiting or goes round a cycle. Each thread is visited
 * once (marked with the walk that reached it), so any number of waits and
 * any cycle length are scanned in O(n log n).
 */
int deadlocks__scan(struct tt_deadlocks *d, const struct tt_wait_edge *edges, size_t n, tt_cycle_fn fn,
		    void *ctx)
{
	struct tt_wait_edge *v = NULL, *cycle = NULL;
	size_t *walk = NULL, m = 0;
	int found = 0;

	if (n) {
		v = malloc(n * sizeof(*v));
		cycle = malloc(n * sizeof(*cycle));
		walk = calloc(n, sizeof(*walk));
		if (!v || !cycle || !walk) {
			found = -1;
			goto out;
		}
		memcpy(v, edges, n * sizeof(*v));
		qsort(v, n, sizeof(*v), by_tid);
		/* one wait per thread (the kernel's map has one entry each): a repeated tid keeps one */
		for (size_t i = 0; i < n; i++)
			if (!m || v[i].tid != v[m - 1].tid)
				v[m++] = v[i];
	}
	for (size_t start = 0; start < m; start++) {
		size_t i = start;

		/* walk from start until a thread not waiting, one seen by an earlier walk, or our own */
		while (i < m && !walk[i]) {
			walk[i] = start + 1;
			i = find(v, m, v[i].owner);
		}
		if (i < m && walk[i] == start + 1) {
			int r = offer(d, v, m, i, cycle, fn, ctx);

			if (r < 0) {
				found = -1;
				goto out;
			}
			found += r;
		}
	}
out:
	/* this snapshot is the next scan's before */
	free(d->prev);
	d->prev = found < 0 ? NULL : v;
	d->nprev = found < 0 ? 0 : m;
	if (found < 0)
		free(v);
	free(cycle);
	free(walk);
	return found;
}

/* A copy of s, or NULL for NULL; *nomem when the copy failed. */
static char *dup_or_null(const char *s, bool *nomem)
{
	char *c = s ? strdup(s) : NULL;

	*nomem |= s && !c;
	return c;
}

int deadlocks__add(struct tt_deadlocks *d, const struct tt_deadlock_member *m, size_t n)
{
	size_t first = d->nfound;
	bool nomem = false;

	for (size_t i = 0; i < n && !nomem; i++) {
		struct tt_deadlock_member *k;

		if (ARRAY_ROOM(d->found, d->nfound, d->capfound)) {
			nomem = true;
			break;
		}
		k = &d->found[d->nfound++];
		*k = m[i];
		k->cycle = d->cycles + 1;
		k->lock[sizeof(k->lock) - 1] = '\0';
		k->stack = dup_or_null(m[i].stack, &nomem);
		k->py_stack = dup_or_null(m[i].py_stack, &nomem);
	}
	if (nomem) {
		while (d->nfound > first) {
			d->nfound--;
			free(d->found[d->nfound].stack);
			free(d->found[d->nfound].py_stack);
		}
		return -1;
	}
	d->cycles++;
	return 0;
}

const struct tt_deadlock_member *deadlocks__members(const struct tt_deadlocks *d, size_t *n)
{
	*n = d ? d->nfound : 0;
	return d ? d->found : NULL;
}

unsigned deadlocks__count(const struct tt_deadlocks *d)
{
	return d ? d->cycles : 0;
}
