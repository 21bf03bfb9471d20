/* From the kernel's maps to the models; naming of lock addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collect.h"
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
	uint64_t dur = f->now_ns > w->start_ns ? f->now_ns - w->start_ns : 0;
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
	    loader__dump(l, TT_MAP_SITES, on_site, &f) < 0)
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

void collect__name_locks(struct tt_locks *locks, const struct tt_threads *threads, tt_syms_fn syms_of, void *ctx)
{
	drop_unknown_owners(locks, threads);
	for (size_t i = 0; i < locks->n; i++) {
		struct tt_lock *k = &locks->v[i];
		struct syms *syms = syms_of(k->tgid, ctx);
		const struct tt_thread *th;

		if (!k->name[0]) {
			struct sym_info si;

			collect__lock_name(syms, k->addr, k->name, sizeof(k->name), &k->is_gil);
			k->is_gil_cond = k->is_gil && !syms__resolve(syms, k->addr, &si) &&
					 si.offset >= GIL_COND_FIRST && si.offset < GIL_COND_END;
		}
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

/* One frame: the JIT's name from the perf map, else the ELF symbol, else where it is. */
static void frame_name(struct syms *syms, const struct perfmap *pm, uint64_t ip, char *buf, size_t len)
{
	unsigned long off;
	const char *jit = perfmap__resolve(pm, ip, &off);
	struct sym_info si;

	if (jit) {
		snprintf(buf, len, "%s+0x%lx", jit, off);
		return;
	}
	if (syms && !syms__resolve(syms, ip, &si)) {
		syms__format_info(&si, buf, len);
		return;
	}
	snprintf(buf, len, "0x%llx", (unsigned long long)ip);
}

/* The frame-pointer walk's frames with the scan's return addresses after the first, once each. */
static size_t merge_frames(const __u64 *ips, size_t nips, const __u64 *scan, __u64 *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < nips + TT_SCAN_HITS && n < max; i++) {
		__u64 ip = i == 0 ? ips[0] : i <= TT_SCAN_HITS ? scan[i - 1] : ips[i - TT_SCAN_HITS];
		bool dup = !ip;

		for (size_t j = 0; j < n && !dup; j++)
			dup = out[j] == ip;
		if (!dup)
			out[n++] = ip;
	}
	return n;
}

int collect__format_stack(struct tt_loader *l, __s32 stack_id, const __u64 scan[TT_SCAN_HITS], struct syms *syms,
			 const struct perfmap *pm, char *buf, size_t len)
{
	__u64 ips[TT_STACK_DEPTH] = { 0 }, frames[TT_STACK_DEPTH + TT_SCAN_HITS];
	size_t nips = 0, n, used = 0;

	if (!len)
		return -1;
	if (!loader__stack(l, stack_id, ips))
		while (nips < TT_STACK_DEPTH && ips[nips])
			nips++;
	if (!nips && !scan[0])
		return -1;
	n = merge_frames(ips, nips ? nips : 1, scan, frames, sizeof(frames) / sizeof(frames[0]));
	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 4 < len; i++) {
		char frame[192];

		frame_name(syms, pm, frames[i], frame, sizeof(frame));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " < " : "", frame);
	}
	return 0;
}

void collect__stacks(struct tt_loader *l, struct tt_locks *locks, size_t top, tt_syms_fn syms_of, void *ctx)
{
	for (size_t i = 0; i < locks->n && i < top; i++) {
		struct tt_lock *k = &locks->v[i];
		const struct perfmap *pm = perfmap__get(k->tgid); /* read once, not once per lock */

		for (int s = 0; s < TT_TOP_SITES; s++) {
			char buf[1024];

			if (!k->sites[s].count || k->sites[s].frames)
				continue;
			if (!collect__format_stack(l, k->sites[s].stack_id, k->sites[s].scan, syms_of(k->tgid, ctx), pm,
						  buf, sizeof(buf)))
				k->sites[s].frames = strdup(buf);
		}
	}
}
