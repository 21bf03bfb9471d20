/* Cycle finding over "waits for the owner of" edges, confirmed across two snapshots. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "model/array.h"
#include "model/deadlock.h"

#define MAX_CYCLE 64

struct tt_deadlocks {
	struct tt_wait_edge *prev;
	size_t nprev;
	struct tt_wait_edge *reported; /* first edge of each cycle reported */
	size_t nreported, capreported;
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
	free(d);
}

static const struct tt_wait_edge *edge_of(const struct tt_wait_edge *v, size_t n, pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].tid == tid)
			return &v[i];
	return NULL;
}

static bool same_edge(const struct tt_wait_edge *a, const struct tt_wait_edge *b)
{
	return a && b && a->tid == b->tid && a->owner == b->owner && a->addr == b->addr &&
	       a->start_ns == b->start_ns;
}

static bool was_reported(const struct tt_deadlocks *d, const struct tt_wait_edge *first)
{
	for (size_t i = 0; i < d->nreported; i++)
		if (same_edge(&d->reported[i], first))
			return true;
	return false;
}

int deadlocks__scan(struct tt_deadlocks *d, const struct tt_wait_edge *edges, size_t n, tt_cycle_fn fn,
		    void *ctx)
{
	struct tt_wait_edge cycle[MAX_CYCLE];
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		const struct tt_wait_edge *e = &edges[i];
		size_t len = 0, lowest = 0;
		bool closed = false, stable = true;

		/* follow owners from e; a cycle through e comes back to e */
		while (e && len < MAX_CYCLE) {
			cycle[len++] = *e;
			stable = stable && same_edge(e, edge_of(d->prev, d->nprev, e->tid));
			e = edge_of(edges, n, e->owner);
			if (e == &edges[i]) {
				closed = true;
				break;
			}
		}
		if (!closed || !stable || len < 2)
			continue;
		/* report each cycle once, from its lowest tid */
		for (size_t j = 1; j < len; j++)
			if (cycle[j].tid < cycle[lowest].tid)
				lowest = j;
		if (lowest != 0 || was_reported(d, &cycle[0]))
			continue;
		if (ARRAY_ROOM(d->reported, d->nreported, d->capreported))
			return -1;
		if (!fn(cycle, len, ctx))
			continue;
		d->reported[d->nreported++] = cycle[0];
		found++;
	}
	free(d->prev);
	d->prev = NULL;
	d->nprev = 0;
	if (n) {
		d->prev = malloc(n * sizeof(*edges));
		if (!d->prev)
			return -1;
		memcpy(d->prev, edges, n * sizeof(*edges));
		d->nprev = n;
	}
	return found;
}
