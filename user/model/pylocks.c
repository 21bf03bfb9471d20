/*
 * CPython's locks in Python's words (locks__name_python, model/locks.h): a
 * word CPython blocks on is a sem_t whatever threading primitive it serves;
 * the Python code that waits on it says which, and where.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/locks.h"

/* A word only CPython's lock code waits on: a sem_t, not the GIL, not a tid word. */
static bool is_python_lock(const struct tt_lock *k)
{
	return !k->is_gil && !k->is_join && k->kinds == (1u << TT_LOCK_SEM);
}

static int by_name(const void *a, const void *b)
{
	const struct tt_lock *x = *(const struct tt_lock *const *)a, *y = *(const struct tt_lock *const *)b;
	int c = strcmp(x->name, y->name);

	/* then by address: the same row absorbs the others in every report */
	return c ? c : (x->addr > y->addr) - (x->addr < y->addr);
}

/* into's figures absorb k's (k's become zero: views leave out locks without waits). */
static void absorb(struct tt_lock *into, struct tt_lock *k)
{
	into->waits += k->waits;
	into->total_ns += k->total_ns;
	into->max_ns = k->max_ns > into->max_ns ? k->max_ns : into->max_ns;
	into->timeouts += k->timeouts;
	into->interrupted += k->interrupted;
	into->woken += k->woken;
	into->threads += k->threads;
	into->handoffs += k->handoffs;
	into->blocked_by_known += k->blocked_by_known;
	for (int i = 0; i < TT_LOG2_SLOTS; i++)
		into->hist[i] += k->hist[i];
	k->waits = k->total_ns = k->max_ns = k->timeouts = k->interrupted = k->woken = 0;
	k->threads = 0;
	k->handoffs = k->blocked_by_known = 0;
	memset(k->hist, 0, sizeof(k->hist));
}

/*
 * Words named alike. A Lock or RLock is its word: several at one call site
 * (`with self.lock` of many objects) get their address. A wait for
 * something (Condition.wait, Event.wait, Queue.get, ...) blocks on a lock
 * of the waiting thread's own, a new one per wait: those words are one
 * primitive's waits only together, so they count as one row per call site.
 */
static void merge_or_tell_apart(struct tt_locks *l, bool contention)
{
	struct tt_lock **named;
	size_t n = 0;

	named = calloc(l->n ? l->n : 1, sizeof(*named));
	if (!named)
		return; /* names stay as they are: still right, maybe alike */
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].py_kind != TT_PY_NONE && pystack__is_contention(l->v[i].py_kind) == contention &&
		    l->v[i].waits)
			named[n++] = &l->v[i];
	qsort(named, n, sizeof(*named), by_name);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && !strcmp(named[i]->name, named[j]->name))
			j++;
		for (size_t k = i; j - i > 1 && k < j; k++) {
			char *name = named[k]->name;
			size_t used = strlen(name);

			if (!contention) {
				if (k > i)
					absorb(named[i], named[k]);
				continue;
			}
			snprintf(name + used, sizeof(named[k]->name) - used, " [0x%llx]",
				 (unsigned long long)named[k]->addr);
		}
		i = j;
	}
	free(named);
}

/*
 * A Thread.join waits on the joinee's tstate lock, which the joinee lets go
 * of as it ends: the one thread that woke the word is the one joined. An
 * index of each word's waker (its pair's position; -1: several wakers).
 */
static int index_wakers(const struct tt_locks *l, struct tt_index *ix)
{
	for (size_t i = 0; i < l->nwakes; i++) {
		const struct tt_pair *p = &l->wakes[i];
		size_t pos;

		if (p->a == p->b)
			continue;
		if (index__get(ix, p->addr, (uint32_t)p->tgid, &pos)) {
			if (pos != (size_t)-1 && l->wakes[pos].a != p->a && index__put(ix, p->addr, (uint32_t)p->tgid, (size_t)-1))
				return -1;
		} else if (index__put(ix, p->addr, (uint32_t)p->tgid, i)) {
			return -1;
		}
	}
	return 0;
}

void locks__name_python(struct tt_locks *l, const struct tt_pystacks *stacks)
{
	struct tt_index wakers = { 0 };
	bool named = false, have_wakers = !index_wakers(l, &wakers);

	for (size_t i = 0; i < l->n; i++) {
		struct tt_lock *k = &l->v[i];
		const struct tt_pystack *ps;
		size_t pos;

		/* again at each report: the most waited site may change (an RLock told apart late) */
		if (!k->py_stack || !is_python_lock(k))
			continue;
		ps = pystacks__find(stacks, k->py_stack);
		if (!ps || ps->kind == TT_PY_NONE || !ps->site)
			continue;
		k->py_kind = ps->kind;
		if (ps->kind == TT_PY_JOIN && have_wakers && index__get(&wakers, k->addr, (uint32_t)k->tgid, &pos) &&
		    pos != (size_t)-1)
			snprintf(k->name, sizeof(k->name), "join of %d in %s", (int)l->wakes[pos].a, ps->site);
		else
			snprintf(k->name, sizeof(k->name), "%s in %s", pystack__type_name(ps->kind), ps->site);
		named = true;
	}
	index__free(&wakers);
	if (named)
		merge_or_tell_apart(l, true);
	/* every time: the figures are read anew from the kernel for each report */
	merge_or_tell_apart(l, false);
}
