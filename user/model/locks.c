/* The lock table: folds the kernel's per-(word, thread) aggregates into per-word figures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/array.h"
#include "model/locks.h"

struct tt_locks *locks__new(void)
{
	return calloc(1, sizeof(struct tt_locks));
}

static void free_sites(struct tt_lock *k)
{
	for (int s = 0; s < TT_TOP_SITES; s++) {
		free(k->sites[s].frames);
		k->sites[s] = (struct tt_site){ .stack_id = -1 };
	}
}

void locks__free(struct tt_locks *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free_sites(&l->v[i]);
	index__free(&l->by_addr);
	free(l->v);
	free(l->wakes);
	free(l->owners);
	free(l);
}

void locks__reset_figures(struct tt_locks *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct tt_lock *k = &l->v[i];

		k->kinds = 0;
		k->waits = k->total_ns = k->max_ns = k->timeouts = k->interrupted = 0;
		k->woken = k->handoffs = k->blocked_by_known = 0;
		k->spin_acquires = k->spun_only = k->spin_ns = k->slow_ns = 0;
		k->threads = k->spin_threads = 0;
		memset(k->hist, 0, sizeof(k->hist));
		memset(&k->hold, 0, sizeof(k->hold));
		k->py_stack = k->py_stack_ns = 0;
		free_sites(k);
	}
	l->nwakes = l->nowners = 0;
}

struct tt_lock *locks__find(const struct tt_locks *l, pid_t tgid, uint64_t addr)
{
	size_t pos;

	return index__get(&l->by_addr, addr, (uint32_t)tgid, &pos) ? &l->v[pos] : NULL;
}

struct tt_lock *locks__get(struct tt_locks *l, pid_t tgid, uint64_t addr, bool *created)
{
	struct tt_lock *k = locks__find(l, tgid, addr);

	*created = false;
	if (k)
		return k;
	if (ARRAY_ROOM(l->v, l->n, l->cap) || index__put(&l->by_addr, addr, (uint32_t)tgid, l->n))
		return NULL;
	k = &l->v[l->n++];
	memset(k, 0, sizeof(*k));
	for (int s = 0; s < TT_TOP_SITES; s++)
		k->sites[s].stack_id = -1;
	k->tgid = tgid;
	k->addr = addr;
	*created = true;
	return k;
}

int locks__add_wait_stat(struct tt_locks *l, const struct tt_lock_key *key, const struct tt_lock_stat *s)
{
	bool created;
	struct tt_lock *k = locks__get(l, (pid_t)key->tgid, key->addr, &created);

	if (!k)
		return -1;
	k->kinds |= s->kinds;
	if (!s->waits)
		return 0;
	k->waits += s->waits;
	k->total_ns += s->total_ns;
	if (s->max_ns > k->max_ns)
		k->max_ns = s->max_ns;
	k->timeouts += s->timeouts;
	k->interrupted += s->interrupted;
	k->woken += s->woken;
	for (int i = 0; i < TT_LOG2_SLOTS; i++)
		k->hist[i] += s->hist[i];
	k->threads++;
	return 0;
}

int locks__add_hold_stat(struct tt_locks *l, const struct tt_addr_key *key, const struct tt_hold_stat *h)
{
	bool created;
	struct tt_lock *k = locks__get(l, (pid_t)key->tgid, key->addr, &created);

	if (!k)
		return -1;
	k->hold = *h;
	return 0;
}

static int pair_push(struct tt_pair **v, size_t *n, size_t *cap, pid_t tgid, const struct tt_pair_key *key,
		     const struct tt_pair_val *val)
{
	if (ARRAY_ROOM(*v, *n, *cap))
		return -1;
	(*v)[(*n)++] = (struct tt_pair){ .tgid = tgid, .addr = key->addr, .a = (pid_t)key->a, .b = (pid_t)key->b,
					  .count = val->count, .total_ns = val->total_ns };
	return 0;
}

int locks__add_wake_pair(struct tt_locks *l, pid_t tgid, const struct tt_pair_key *key,
			 const struct tt_pair_val *val)
{
	bool created;
	struct tt_lock *k = locks__get(l, tgid, key->addr, &created);

	if (!k)
		return -1;
	if (key->a != key->b)
		k->handoffs += val->count;
	return pair_push(&l->wakes, &l->nwakes, &l->capwakes, tgid, key, val);
}

int locks__add_owner_pair(struct tt_locks *l, pid_t tgid, const struct tt_pair_key *key,
			  const struct tt_pair_val *val)
{
	bool created;
	struct tt_lock *k = locks__get(l, tgid, key->addr, &created);

	if (!k)
		return -1;
	k->blocked_by_known += val->count;
	return pair_push(&l->owners, &l->nowners, &l->capowners, tgid, key, val);
}

static int by_total_wait(const void *a, const void *b)
{
	const struct tt_lock *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int locks__add_site(struct tt_locks *l, const struct tt_site_key *key, const struct tt_pair_val *val)
{
	bool created;
	struct tt_lock *k = locks__get(l, (pid_t)key->tgid, key->addr, &created);
	int slot = TT_TOP_SITES - 1;

	if (!k)
		return -1;
	if (key->py_stack && (!k->py_stack || val->total_ns > k->py_stack_ns)) {
		k->py_stack = key->py_stack;
		k->py_stack_ns = val->total_ns;
	}
	if (key->stack_id < 0 && !key->scan[0] && !key->py_stack)
		return 0; /* no stack could be taken for those waits */
	if (k->sites[slot].count && k->sites[slot].total_ns >= val->total_ns)
		return 0;
	/* insert in order of total wait, dropping the last */
	free(k->sites[slot].frames);
	while (slot > 0 && (!k->sites[slot - 1].count || k->sites[slot - 1].total_ns < val->total_ns)) {
		k->sites[slot] = k->sites[slot - 1];
		slot--;
	}
	k->sites[slot] = (struct tt_site){ .stack_id = key->stack_id, .count = val->count,
					   .total_ns = val->total_ns, .py_stack = key->py_stack,
					   .id = tt_site_id(key->tgid, key->addr, key->stack_id, key->scan) };
	memcpy(k->sites[slot].scan, key->scan, sizeof(key->scan));
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct tt_pair *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->a != y->a ? (x->a < y->a ? -1 : 1) : (x->b > y->b) - (x->b < y->b);
}

void locks__sort(struct tt_locks *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), by_total_wait);
	/* positions moved: index them anew (put cannot fail: no growth) */
	index__clear(&l->by_addr);
	for (size_t i = 0; i < l->n; i++)
		index__put(&l->by_addr, l->v[i].addr, (uint32_t)l->v[i].tgid, i);
	if (l->nwakes)
		qsort(l->wakes, l->nwakes, sizeof(*l->wakes), by_count);
	if (l->nowners)
		qsort(l->owners, l->nowners, sizeof(*l->owners), by_count);
}

const char *lock__kind_name(const struct tt_lock *k)
{
	if (k->go_kind)
		return k->go_kind == TT_GO_MUTEX ? "go-mutex" : "go-rwmutex";
	if (k->py_kind != TT_PY_NONE)
		return pystack__kind_name(k->py_kind);
	if (k->kinds & (1u << TT_LOCK_PI))
		return "pi-lock";
	if (k->kinds & (1u << TT_LOCK_MUTEX))
		return "mutex";
	if (k->is_join)
		return "join";
	if (k->kinds & (1u << TT_LOCK_COND))
		return "condvar";
	if (k->kinds & (1u << TT_LOCK_SEM))
		return "semaphore";
	return "futex";
}

enum tt_lock_role lock__role(const struct tt_lock *k)
{
	/* A held lock makes others wait; a condition, semaphore or join is waited for.
	 * CPython's GIL is a mutex and a condition that together make one lock. */
	if (k->is_gil)
		return TT_ROLE_CONTENTION;
	if (k->go_kind)
		return TT_ROLE_CONTENTION;
	if (k->is_go_runtime) /* the runtime's idle threads and its own locks, not the program's */
		return TT_ROLE_IDLE;
	if (k->py_kind != TT_PY_NONE)
		return pystack__is_contention(k->py_kind) ? TT_ROLE_CONTENTION : TT_ROLE_IDLE;
	if (!k->is_join && (k->kinds & ((1u << TT_LOCK_PI) | (1u << TT_LOCK_MUTEX))))
		return TT_ROLE_CONTENTION;
	return TT_ROLE_IDLE;
}

uint64_t hold__percentile(const struct tt_hold_stat *h, double p)
{
	uint64_t total = 0, want, seen = 0;

	for (int i = 0; i < TT_HOLD_SLOTS; i++)
		total += h->hist[i];
	if (!total)
		return 0;
	want = (uint64_t)((double)total * p / 100.0 + 0.5);
	if (want < 1)
		want = 1;
	for (unsigned i = 0; i < TT_HOLD_SLOTS; i++) {
		seen += h->hist[i];
		if (seen >= want) {
			/* the middle of the slot: within its width of the truth */
			uint64_t lo = tt_hold_slot_low(i), hi = i + 1 < TT_HOLD_SLOTS ? tt_hold_slot_low(i + 1) : lo;
			uint64_t mid = lo + (hi - lo) / 2;

			return mid < h->max_ns || !h->max_ns ? mid : h->max_ns;
		}
	}
	return h->max_ns;
}

int locks__event_record(const struct tt_event *e, uint64_t t0_ns, const char *name, struct tt_record *rec)
{
	const struct tt_ev_wait *w = &e->wait;

	if (e->h.kind != TT_EV_WAIT && e->h.kind != TT_EV_HOLD)
		return 0;
	memset(rec, 0, sizeof(*rec));
	rec->ts_ns = e->h.ts_ns > t0_ns ? e->h.ts_ns - t0_ns : 0;
	rec->tgid = (pid_t)e->h.tgid;
	rec->tid = (pid_t)e->h.tid;
	rec->has_dur = true;
	snprintf(rec->name, sizeof(rec->name), "%s", name ? name : "");
	if (e->h.kind == TT_EV_HOLD) {
		rec->kind = TT_REC_HOLD;
		rec->addr = e->hold.addr;
		rec->dur_ns = e->hold.dur_ns;
		return 1;
	}
	rec->kind = TT_REC_WAIT;
	rec->addr = w->addr;
	rec->dur_ns = w->dur_ns;
	rec->peer_tid = (pid_t)w->waker;
	rec->blocked_by = (pid_t)w->owner;
	snprintf(rec->detail, sizeof(rec->detail), "%s",
		 w->ret == -ETIMEDOUT ? "timeout" : w->ret == -EINTR ? "interrupted" : "woken");
	return 1;
}
