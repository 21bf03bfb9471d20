/* --folded: every blocking call site's waits, frames named (waitsites.h). */
#include <stdio.h>
#include <string.h>
#include "frames.h"
#include "perfmap.h"
#include "waitsites.h"

#define FRAME_NAME_LEN 192

struct walk {
	struct tt_loader *l;
	const struct tt_threads *threads;
	const struct ustacks *ustacks;
	struct tt_waitstacks *ws;
	uint64_t now_ns;
	tt_syms_fn syms_of;
	void *ctx;
	pid_t pm_tgid;              /* the perf map read last, for this process */
	const struct perfmap *pm;
	int err;
};

/* One call site: its frames named, root first, into the model. */
static void add_site(struct walk *w, pid_t tgid, uint64_t addr, __s32 stack_id, const __u64 scan[TT_SCAN_HITS],
		     uint64_t py_stack, uint64_t count, uint64_t total_ns)
{
	static char names[TT_FRAMES_MAX][FRAME_NAME_LEN];
	const char *order[TT_FRAMES_MAX];
	struct tt_frame frames[TT_FRAMES_MAX];
	struct syms *syms = w->syms_of(tgid, w->ctx);
	struct tt_stack_src src = { .tgid = tgid, .addr = addr, .stack_id = stack_id, .ustacks = w->ustacks };
	size_t n, kept = 0;

	if (w->pm_tgid != tgid) { /* read once per process, not once per site */
		w->pm = perfmap__get(tgid);
		w->pm_tgid = tgid;
	}
	memcpy(src.scan, scan, sizeof(src.scan));
	/* the same frames as the text's call sites: DWARF's when the site was unwound */
	n = collect__site_frames(w->l, &src, frames, TT_FRAMES_MAX);
	for (size_t i = n; i-- > 0;) {
		if (frames__not_a_return(syms, &frames[i]))
			continue;
		frames__name(syms, w->pm, &frames[i], false, names[kept], FRAME_NAME_LEN);
		order[kept] = names[kept];
		kept++;
	}
	if (waitstacks__add(w->ws, tgid, addr, py_stack, order, kept, count, total_ns))
		w->err = -1;
}

static void on_site(const void *key, const void *val, void *ctx)
{
	const struct tt_site_key *k = key;
	const struct tt_pair_val *v = val;

	add_site(ctx, (pid_t)k->tgid, k->addr, k->stack_id, k->scan, k->py_stack, v->count, v->total_ns);
}

/* A wait in progress counts with its time so far (a deadlock's waits never end). */
static void on_sched(const void *key, const void *val, void *ctx)
{
	const struct tt_sched *s = val;
	struct walk *w = ctx;
	const struct tt_thread *th = threads__find(w->threads, (pid_t)*(const __u32 *)key);

	if (!s->in_wait || !th)
		return;
	add_site(w, th->tgid, s->wait.addr, s->wait.stack_id, s->wait.scan, s->wait.py_stack, 1,
		 w->now_ns > s->wait.start_ns ? w->now_ns - s->wait.start_ns : 0);
}

int waitsites__collect(struct tt_loader *l, const struct tt_threads *threads, const struct ustacks *us,
		       struct tt_waitstacks *ws, uint64_t now_ns, tt_syms_fn syms_of, void *ctx)
{
	struct walk w = { .l = l, .threads = threads, .ustacks = us, .ws = ws, .now_ns = now_ns, .syms_of = syms_of, .ctx = ctx,
			  .pm_tgid = -1 };

	if (loader__dump(l, TT_MAP_SITES, on_site, &w) < 0 || loader__dump(l, TT_MAP_SCHED, on_sched, &w) < 0)
		return -1;
	return w.err;
}
