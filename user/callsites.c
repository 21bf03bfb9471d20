/* Call sites by id from the kernel's maps, named (callsites.h). */
#include <string.h>
#include "callsites.h"
#include "perfmap.h"

struct walk {
	struct tt_loader *l;
	const struct tt_threads *threads;
	const struct ustacks *ustacks;
	struct tt_sitetable *t;
	tt_syms_fn syms_of;
	void *ctx;
	pid_t pm_tgid;              /* the perf map read last, for this process */
	const struct perfmap *pm;
	int err;
};

static void add_site(struct walk *w, pid_t tgid, uint64_t addr, __s32 stack_id, const __u64 scan[TT_SCAN_HITS],
		     uint64_t count, uint64_t total_ns)
{
	struct tt_stack_src src = { .tgid = tgid, .addr = addr, .stack_id = stack_id, .ustacks = w->ustacks };
	uint64_t id = tt_site_id((__u32)tgid, addr, stack_id, scan);
	char buf[TT_SITE_FRAMES_LEN];
	struct tt_site_entry *e;
	int created;

	e = sitetable__add(w->t, id, tgid, addr, count, total_ns, &created);
	if (!e) {
		w->err = -1;
		return;
	}
	if (!created)
		return;
	if (w->pm_tgid != tgid) { /* read once per process, not once per site */
		w->pm = perfmap__get(tgid);
		w->pm_tgid = tgid;
	}
	memcpy(src.scan, scan, sizeof(src.scan));
	/* the text's call sites' names (collect__stacks): the same function, the same room */
	if (!collect__format_stack(w->l, &src, w->syms_of(tgid, w->ctx), w->pm, buf, sizeof(buf)) &&
	    sitetable__set_frames(e, buf))
		w->err = -1;
}

static void on_site(const void *key, const void *val, void *ctx)
{
	const struct tt_site_key *k = key;
	const struct tt_pair_val *v = val;

	add_site(ctx, (pid_t)k->tgid, k->addr, k->stack_id, k->scan, v->count, v->total_ns);
}

/* A wait in progress: its site may have no ended wait yet (a deadlock's), but a timeline slice names it. */
static void on_sched(const void *key, const void *val, void *ctx)
{
	const struct tt_sched *s = val;
	struct walk *w = ctx;
	const struct tt_thread *th = threads__find(w->threads, (pid_t)*(const __u32 *)key);

	if (s->in_wait && s->wait.site && th)
		add_site(w, th->tgid, s->wait.addr, s->wait.stack_id, s->wait.scan, 0, 0);
}

int callsites__collect(struct tt_loader *l, const struct tt_threads *threads, const struct ustacks *us,
		       struct tt_sitetable *t, tt_syms_fn syms_of, void *ctx)
{
	struct walk w = { .l = l, .threads = threads, .ustacks = us, .t = t, .syms_of = syms_of, .ctx = ctx,
			  .pm_tgid = -1 };

	if (loader__dump(l, TT_MAP_SITES, on_site, &w) < 0 || loader__dump(l, TT_MAP_SCHED, on_sched, &w) < 0)
		return -1;
	return w.err;
}
