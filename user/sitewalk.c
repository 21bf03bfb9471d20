/* The blocking call sites in the kernel's maps (sitewalk.h). */
#include "sitewalk.h"

struct walk {
	const struct tt_threads *threads;
	sitewalk_fn fn;
	void *ctx;
	pid_t pm_tgid; /* the perf map read last, for this process */
	const struct perfmap *pm;
};

static void visit(struct walk *w, struct sitewalk_site *s)
{
	if (w->pm_tgid != s->tgid) { /* read once per process, not once per site */
		w->pm = perfmap__get(s->tgid);
		w->pm_tgid = s->tgid;
	}
	s->pm = w->pm;
	w->fn(s, w->ctx);
}

static void on_site(const void *key, const void *val, void *ctx)
{
	const struct tt_site_key *k = key;
	const struct tt_pair_val *v = val;
	struct sitewalk_site s = { .tgid = (pid_t)k->tgid, .addr = k->addr, .stack_id = k->stack_id, .scan = k->scan,
				   .py_stack = k->py_stack, .count = v->count, .total_ns = v->total_ns };

	visit(ctx, &s);
}

static void on_sched(const void *key, const void *val, void *ctx)
{
	const struct tt_sched *e = val;
	struct walk *w = ctx;
	const struct tt_thread *th = threads__find(w->threads, (pid_t)*(const __u32 *)key);
	struct sitewalk_site s;

	if (!e->in_wait || !th)
		return;
	s = (struct sitewalk_site){ .tgid = th->tgid, .addr = e->wait.addr, .stack_id = e->wait.stack_id,
				    .scan = e->wait.scan, .py_stack = e->wait.py_stack, .open = &e->wait };
	visit(w, &s);
}

int sitewalk__each(struct tt_loader *l, const struct tt_threads *threads, sitewalk_fn fn, void *ctx)
{
	struct walk w = { .threads = threads, .fn = fn, .ctx = ctx, .pm_tgid = -1 };

	if (loader__dump(l, TT_MAP_SITES, on_site, &w) < 0 || loader__dump(l, TT_MAP_SCHED, on_sched, &w) < 0)
		return -1;
	return 0;
}
