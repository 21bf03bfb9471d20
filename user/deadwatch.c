/* Deadlocks as they form: cycles among the futex waits in progress, checked every 250 ms. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "collect.h"
#include "model/array.h"
#include "perfmap.h"
#include "procfs.h"
#include "pythreads.h"

/* Every thread waiting for an owner: as many as the process has (no cap: a cap dropped waits). */
struct edges {
	const struct tt_threads *threads;
	struct tt_wait_edge *v;
	struct tt_wait *waits; /* the waits behind the edges: their stacks */
	size_t n, cap, capwaits;
	bool nomem;
};

static void on_thread(const void *key, const void *val, void *ctx)
{
	const struct tt_sched *s = val;
	const struct tt_wait *w = &s->wait;
	struct edges *e = ctx;
	pid_t tid = (pid_t)*(const __u32 *)key;

	/* only a held lock has an owner to wait for */
	if (!s->in_wait || (w->kind != TT_LOCK_MUTEX && w->kind != TT_LOCK_PI) || !w->owner || (pid_t)w->owner == tid ||
	    !threads__find(e->threads, (pid_t)w->owner))
		return;
	if (ARRAY_ROOM(e->v, e->n, e->cap) || ARRAY_ROOM(e->waits, e->n, e->capwaits)) {
		e->nomem = true;
		return;
	}
	e->waits[e->n] = *w;
	e->v[e->n++] = (struct tt_wait_edge){ .tid = tid, .owner = (pid_t)w->owner, .addr = w->addr,
					      .start_ns = w->start_ns };
}

struct cycle_ctx {
	struct app *a;
	const struct edges *edges;
};

/* --stacks: where a deadlocked thread blocked. */
static void deadlock_stack(struct app *a, const struct edges *e, pid_t tid, pid_t tgid, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < e->n; i++) {
		if (e->v[i].tid != tid)
			continue;
		struct tt_stack_src src = { .tgid = tgid, .addr = e->v[i].addr, .stack_id = e->waits[i].stack_id,
					    .ustacks = a->ustacks };

		memcpy(src.scan, e->waits[i].scan, sizeof(src.scan));
		if (collect__format_stack(a->loader, &src, targets__syms_of(tgid, a), perfmap__get(tgid), buf, len))
			buf[0] = '\0';
		return;
	}
}

/*
 * A deadlocked thread sleeps. The kernel side can hold a wait whose end it did
 * not see (docs/locks.md: about 1 sleep in 1000) until the thread next leaves
 * its CPU: a thread /proc shows running is not in the cycle.
 */
static bool all_asleep(const struct app *a, const struct tt_wait_edge *cycle, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct tt_thread *th = threads__find(a->threads, cycle[i].tid);
		unsigned long long ticks;
		char state;

		if (!procfs__thread_stat(th ? th->tgid : a->tgid, cycle[i].tid, &state, &ticks) && state != 'S' &&
		    state != 'D')
			return false;
	}
	return true;
}

/* The deadlock kept for the summary and the verdict (m: its threads; their strings are ours). */
static void keep(struct app *a, struct tt_deadlock_member *m, size_t n)
{
	if (!m || deadlocks__add(a->deadlocks, m, n))
		fprintf(stderr, "threadtrace: warning: out of memory: a deadlock is missing from the summary\n");
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].stack);
		free(m[i].py_stack);
	}
	free(m);
}

static bool on_cycle(const struct tt_wait_edge *cycle, size_t n, void *ctx)
{
	struct cycle_ctx *cc = ctx;
	struct app *a = cc->a;
	char path[TT_DETAIL_LEN] = "", *p = path;
	uint64_t now = app__now_ns(CLOCK_MONOTONIC);
	struct tt_deadlock_member *m;

	/* a wait whose end went unseen can make a cycle of a running thread: look again next scan */
	if (!all_asleep(a, cycle, n))
		return false;

	for (size_t i = 0; i < n && p < path + sizeof(path) - 16; i++)
		p += snprintf(p, (size_t)(path + sizeof(path) - p), "%d->", (int)cycle[i].tid);
	snprintf(p, (size_t)(path + sizeof(path) - p), "%d", (int)cycle[0].tid);
	m = calloc(n, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		struct tt_thread *th = threads__find(a->threads, cycle[i].tid);
		struct tt_record rec = { .kind = TT_REC_DEADLOCK, .tgid = a->tgid, .tid = cycle[i].tid };
		char lock[TT_LOCK_NAME_LEN], stack[1024], py_stack[PYTHREADS_STACK_LEN];
		bool gil;

		collect__lock_name(targets__syms_of(th ? th->tgid : a->tgid, a), cycle[i].addr, lock, sizeof(lock), &gil);
		rec.ts_ns = now - a->threads->t0_ns;
		rec.peer_tid = cycle[i].owner;
		rec.blocked_by = cycle[i].owner;
		rec.addr = cycle[i].addr;
		rec.has_dur = true;
		rec.dur_ns = now > cycle[i].start_ns ? now - cycle[i].start_ns : 0;
		snprintf(rec.name, sizeof(rec.name), "%s", th ? th->name : "");
		snprintf(rec.detail, sizeof(rec.detail), "cycle %.60s: waits for %.60s", path, lock);
		if (a->cfg.stacks) {
			deadlock_stack(a, cc->edges, cycle[i].tid, th ? th->tgid : a->tgid, stack, sizeof(stack));
			rec.stack = stack[0] ? stack : NULL;
			/* CPython: its Python frames too; it holds still, and they stay with the thread */
			if (!pythreads__stack(a, cycle[i].tid, py_stack, sizeof(py_stack)) && py_stack[0]) {
				rec.py_stack = py_stack;
				threads__set_py_stack(a->threads, cycle[i].tid, py_stack);
			}
		}
		if (th && th->py_name[0])
			rec.py_name = th->py_name;
		app__emit(&rec, a);
		if (m) {
			m[i] = (struct tt_deadlock_member){ .tgid = th ? th->tgid : a->tgid, .tid = cycle[i].tid,
							    .owner = cycle[i].owner, .addr = cycle[i].addr,
							    .found_ns = rec.ts_ns, .blocked_ns = rec.dur_ns };
			snprintf(m[i].lock, sizeof(m[i].lock), "%s", lock);
			m[i].stack = rec.stack ? strdup(rec.stack) : NULL;
			m[i].py_stack = rec.py_stack ? strdup(rec.py_stack) : NULL;
		}
	}
	keep(a, m, n);
	return true;
}

/* A scan that could not look at every wait says so, once a run: a deadlock may go unreported. */
static void scan_failed(const char *why)
{
	static bool said;

	if (!said)
		fprintf(stderr, "threadtrace: warning: deadlock scan incomplete (%s): a deadlock may go unreported\n",
			why);
	said = true;
}

/* A deadlock stays put: look for cycles among the waits in progress. */
void deadwatch__scan(struct app *a)
{
	struct edges e = { .threads = a->threads };
	struct cycle_ctx cc = { .a = a, .edges = &e };
	int err = loader__dump(a->loader, TT_MAP_SCHED, on_thread, &e);

	if (err < 0)
		scan_failed(strerror(-err));
	else if (e.nomem)
		scan_failed(strerror(ENOMEM));
	else {
		if (e.n && !a->nprocs)
			targets__refresh_maps(a);
		if (deadlocks__scan(a->deadlocks, e.v, e.n, on_cycle, &cc) < 0)
			scan_failed(strerror(ENOMEM));
	}
	free(e.v);
	free(e.waits);
}
