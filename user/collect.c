/* From the kernel's maps to the models; naming of lock addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collect.h"
#include "frames.h"
#include "lockcallers.h"
#include "model/array.h"
#include "model/index.h"
#include "perfmap.h"
#include "platform.h"
#include "syms.h"

/* CPython 3.11's GIL inside _PyRuntime (platform.h, docs/platform.md). */
#define GIL_FIRST TT_PY311_GIL_FIRST
#define GIL_END TT_PY311_GIL_END
#define GIL_COND_FIRST TT_PY311_GIL_COND_FIRST /* gil.cond's __g_signals[0..1] */
#define GIL_COND_END TT_PY311_GIL_COND_END

/* A futex wait still in progress: it counts, with its time so far (a deadlock's waits never end). */
struct open_wait {
	struct tt_lock_key key;
	struct tt_lock_stat stat;
	bool merged; /* into the thread's figures for that word */
};

struct fold {
	struct tt_threads *threads;
	struct tt_locks *locks;
	uint64_t now_ns;
	struct open_wait *open;
	size_t nopen, capopen;
	struct tt_index open_by_word; /* (addr, tid) -> open */
	int err;
};

static void add_wait_stat(struct fold *f, const struct tt_lock_key *k, const struct tt_lock_stat *s)
{
	struct tt_thread *th = threads__find(f->threads, (pid_t)k->tid);

	if (locks__add_wait_stat(f->locks, k, s))
		f->err = -1;
	if (th) {
		th->waits += s->waits;
		th->wait_ns += s->total_ns;
	}
}

/* A thread's figures for one word, with its wait on it in progress, if any. */
static void on_wait_stat(const void *key, const void *val, void *ctx)
{
	const struct tt_lock_key *k = key;
	struct tt_lock_stat s = *(const struct tt_lock_stat *)val;
	struct fold *f = ctx;
	size_t i;

	if (index__get(&f->open_by_word, k->addr, k->tid, &i) && f->open[i].key.tgid == k->tgid) {
		struct open_wait *o = &f->open[i];

		s.waits++;
		s.total_ns += o->stat.total_ns;
		if (o->stat.max_ns > s.max_ns)
			s.max_ns = o->stat.max_ns;
		s.kinds |= o->stat.kinds;
		for (int j = 0; j < TT_LOG2_SLOTS; j++)
			s.hist[j] += o->stat.hist[j];
		o->merged = true;
	}
	add_wait_stat(f, k, &s);
}

/* A thread's scheduling figures, and its wait in progress (kept for on_wait_stat). */
static void on_sched(const void *key, const void *val, void *ctx)
{
	const struct tt_sched *s = val;
	const struct tt_wait *w = &s->wait;
	struct fold *f = ctx;
	pid_t tid = (pid_t)*(const __u32 *)key;
	const struct tt_thread *th = threads__find(f->threads, tid);
	/* a wait ends at its wake-up (docs/locks.md): one woken, not yet running, is over */
	uint64_t end = w->woken_ns && w->woken_ns < f->now_ns ? w->woken_ns : f->now_ns;
	uint64_t dur = end > w->start_ns ? end - w->start_ns : 0;
	struct open_wait *o;

	threads__set_sched(f->threads, tid, s, f->now_ns);
	if (!s->in_wait || !th)
		return;
	if (ARRAY_ROOM(f->open, f->nopen, f->capopen) || index__put(&f->open_by_word, w->addr, (__u32)tid, f->nopen)) {
		f->err = -1;
		return;
	}
	o = &f->open[f->nopen++];
	memset(o, 0, sizeof(*o));
	o->key = (struct tt_lock_key){ .addr = w->addr, .tid = (__u32)tid, .tgid = (__u32)th->tgid };
	o->stat.waits = 1;
	o->stat.total_ns = o->stat.max_ns = dur;
	o->stat.kinds = 1u << (w->kind & 7);
	o->stat.hist[tt_wait_slot(dur)] = 1;
}

static void on_hold_stat(const void *key, const void *val, void *ctx)
{
	struct fold *f = ctx;

	if (locks__add_hold_stat(f->locks, key, val))
		f->err = -1;
}

/* A pair's word is in the process of its second thread (wakee, waiter): one of ours. */
static pid_t tgid_of(const struct fold *f, __u32 tid)
{
	const struct tt_thread *th = threads__find(f->threads, (pid_t)tid);

	return th ? th->tgid : f->threads->tgid;
}

static void on_wake_pair(const void *key, const void *val, void *ctx)
{
	const struct tt_pair_key *k = key;
	struct fold *f = ctx;

	if (locks__add_wake_pair(f->locks, tgid_of(f, k->b), k, val))
		f->err = -1;
}

static void on_owner_pair(const void *key, const void *val, void *ctx)
{
	const struct tt_pair_key *k = key;
	struct fold *f = ctx;

	if (locks__add_owner_pair(f->locks, tgid_of(f, k->b), k, val))
		f->err = -1;
}

static void on_site(const void *key, const void *val, void *ctx)
{
	struct fold *f = ctx;

	if (locks__add_site(f->locks, key, val))
		f->err = -1;
}

static void on_spin_stat(const void *key, const void *val, void *ctx)
{
	struct fold *f = ctx;

	if (locks__add_spin_stat(f->locks, key, val))
		f->err = -1;
}

static void on_go_mutex(const void *key, const void *val, void *ctx)
{
	struct fold *f = ctx;

	if (locks__add_go_mutex(f->locks, key, *(const uint64_t *)val))
		f->err = -1;
}

int collect__figures(struct tt_loader *l, struct tt_threads *threads, struct tt_locks *locks,
		    struct tt_parallelism *par, uint64_t now_ns)
{
	struct fold f = { .threads = threads, .locks = locks, .now_ns = now_ns };
	struct tt_par kpar;

	locks__reset_figures(locks);
	for (size_t i = 0; i < threads->n; i++)
		threads->v[i].waits = threads->v[i].wait_ns = 0;
	/* the scheduling entries first: they hold the waits in progress */
	if (loader__dump(l, TT_MAP_SCHED, on_sched, &f) < 0 ||
	    loader__dump(l, TT_MAP_LOCK_STATS, on_wait_stat, &f) < 0)
		f.err = -1;
	/* waits in progress on words their thread had not waited on before */
	for (size_t i = 0; i < f.nopen && !f.err; i++)
		if (!f.open[i].merged)
			add_wait_stat(&f, &f.open[i].key, &f.open[i].stat);
	free(f.open);
	index__free(&f.open_by_word);
	if (f.err || loader__dump(l, TT_MAP_HOLD_STATS, on_hold_stat, &f) < 0 ||
	    loader__dump(l, TT_MAP_WAKE_PAIRS, on_wake_pair, &f) < 0 ||
	    loader__dump(l, TT_MAP_OWNER_PAIRS, on_owner_pair, &f) < 0 ||
	    loader__dump(l, TT_MAP_SITES, on_site, &f) < 0 ||
	    loader__dump(l, TT_MAP_SPINS, on_spin_stat, &f) < 0 || /* after the waits: locks__add_spin_stat */
	    (locks->go && loader__dump(l, TT_MAP_GO_MUTEXES, on_go_mutex, &f) < 0))
		return -1;
	if (loader__parallelism(l, &kpar))
		return -1;
	parallelism__from_kernel(par, &kpar, now_ns);
	return f.err;
}

void collect__lock_name(struct syms *syms, uint64_t addr, char *buf, size_t len, bool *is_gil)
{
	struct sym_info si;
	char where[TT_LOCK_NAME_LEN];

	*is_gil = false;
	if (!syms || syms__resolve(syms, addr, &si)) {
		snprintf(buf, len, "[unknown]");
		return;
	}
	syms__format_info(&si, where, sizeof(where));
	if (!strcmp(si.region, "sym") && !strcmp(si.name, "_PyRuntime") && si.offset >= GIL_FIRST &&
	    si.offset < GIL_END) {
		*is_gil = true;
		snprintf(buf, len, "GIL (%s)", where);
		return;
	}
	snprintf(buf, len, "%s", where);
}

/* A word's +8 is an owner tid only for a pthread mutex: other lock words give garbage. */
static void drop_unknown_owners(struct tt_locks *locks, const struct tt_threads *threads)
{
	size_t kept = 0;

	for (size_t i = 0; i < locks->nowners; i++) {
		struct tt_pair *p = &locks->owners[i];
		struct tt_lock *k = locks__find(locks, p->tgid, p->addr);

		if (threads__find(threads, p->a)) {
			locks->owners[kept++] = *p;
		} else if (k) {
			k->blocked_by_known -= p->count;
		}
	}
	locks->nowners = kept;
}

void collect__name_locks(struct tt_locks *locks, const struct tt_threads *threads, const struct ustacks *us,
			 tt_syms_fn syms_of, void *ctx)
{
	drop_unknown_owners(locks, threads);
	for (size_t i = 0; i < locks->n; i++) {
		struct tt_lock *k = &locks->v[i];
		struct syms *syms = syms_of(k->tgid, ctx);
		const struct tt_thread *th;

		/* its waiters' code can tell what the futex calls cannot (Rust's Condvar): read once */
		if (!k->callers_read)
			k->caller_kinds = lockcallers__kinds(k, us, syms, &k->callers_read);
		k->kinds |= k->caller_kinds;
		/* a name by region ("[heap]") is tried again each time: its waiters' stack may have come since */
		if (!k->name[0] || (k->name[0] == '[' && !k->is_join)) {
			struct sym_info si;

			collect__lock_name(syms, k->addr, k->name, sizeof(k->name), &k->is_gil);
			k->is_gil_cond = k->is_gil && !syms__resolve(syms, k->addr, &si) &&
					 si.offset >= GIL_COND_FIRST && si.offset < GIL_COND_END;
			/* no symbol covers it: named after the code that waits on it */
			if (k->name[0] == '[' && k->py_kind == TT_PY_NONE)
				lockcallers__name(k, us, syms, k->name, sizeof(k->name));
		}
		if (locks->go && !k->go_kind)
			k->is_go_runtime = lock__is_go_runtime_name(k->name);
		/*
		 * the tid word of one of its threads: what pthread_join waits on. A
		 * reused word (glibc reuses stacks) was that of several threads in turn,
		 * its waits joins of several: named by its first, unique in the process.
		 */
		if (!k->is_join && (th = threads__by_tid_word(threads, k->tgid, k->addr))) {
			const struct tt_thread *first;
			size_t users = threads__tid_word_users(threads, k->tgid, k->addr, &first);

			k->is_join = true;
			if (users > 1 && first)
				snprintf(k->name, sizeof(k->name), "[tid word of %d and %zu later thread%s]", (int)first->tid,
					 users - 1, users == 2 ? "" : "s");
			else
				snprintf(k->name, sizeof(k->name), "[tid word of %d]", (int)th->tid);
		}
	}
}

size_t collect__site_frames(struct tt_loader *l, const struct tt_stack_src *src, struct tt_frame *out, size_t max)
{
	__u64 ips[TT_STACK_DEPTH] = { 0 };
	size_t nips = 0;
	int nunwound = 0;
	const uint64_t *pcs = ustacks__find(src->ustacks, src->tgid, src->addr, src->stack_id, src->scan, &nunwound);

	/* DWARF's frames when the site was unwound past its first frame */
	if (pcs && nunwound > 1)
		return frames__unwound(pcs, (size_t)nunwound, out, max);
	if (src->stack_id >= 0 && !loader__stack(l, src->stack_id, ips))
		while (nips < TT_STACK_DEPTH && ips[nips])
			nips++;
	if (!nips && !src->scan[0])
		return 0;
	return frames__gather(ips, nips, src->scan, out, max);
}

int collect__format_stack(struct tt_loader *l, const struct tt_stack_src *src, struct syms *syms,
			 const struct perfmap *pm, char *buf, size_t len)
{
	struct tt_frame frames[TT_FRAMES_MAX];
	size_t n, used = 0;

	if (!len)
		return -1;
	n = collect__site_frames(l, src, frames, TT_FRAMES_MAX);
	if (!n)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 4 < len; i++) {
		char frame[192];

		if (frames__not_a_return(syms, &frames[i]))
			continue;
		frames__name(syms, pm, &frames[i], true, frame, sizeof(frame));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " < " : "", frame);
	}
	return 0;
}

void collect__stacks(struct tt_loader *l, struct tt_locks *locks, size_t top, const struct ustacks *us,
		     tt_syms_fn syms_of, void *ctx)
{
	for (size_t i = 0; i < locks->n && i < top; i++) {
		struct tt_lock *k = &locks->v[i];
		const struct perfmap *pm = perfmap__get(k->tgid); /* read once, not once per lock */

		for (int s = 0; s < TT_TOP_SITES; s++) {
			char buf[TT_SITE_FRAMES_LEN];

			if (!k->sites[s].count || k->sites[s].frames)
				continue;
			struct tt_stack_src src = { .tgid = k->tgid, .addr = k->addr, .stack_id = k->sites[s].stack_id,
						    .ustacks = us };

			memcpy(src.scan, k->sites[s].scan, sizeof(src.scan));
			if (!collect__format_stack(l, &src, syms_of(k->tgid, ctx), pm, buf, sizeof(buf)))
				k->sites[s].frames = strdup(buf);
		}
	}
}
