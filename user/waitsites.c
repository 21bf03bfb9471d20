/* --folded: every blocking call site's waits, frames named (waitsites.h). */
#include <stdio.h>
#include <string.h>
#include "frames.h"
#include "sitewalk.h"
#include "waitsites.h"

#define FRAME_NAME_LEN 192

struct walk {
	struct tt_loader *l;
	const struct ustacks *ustacks;
	struct tt_waitstacks *ws;
	uint64_t now_ns;
	tt_syms_fn syms_of;
	void *ctx;
	int err;
};

/* One call site: its frames named, root first, into the model; a wait in progress with its time so far. */
static void add_site(const struct sitewalk_site *s, void *ctx)
{
	static char names[TT_FRAMES_MAX][FRAME_NAME_LEN];
	struct walk *w = ctx;
	const char *order[TT_FRAMES_MAX];
	struct tt_frame frames[TT_FRAMES_MAX];
	struct syms *syms = w->syms_of(s->tgid, w->ctx);
	struct tt_stack_src src = { .tgid = s->tgid, .addr = s->addr, .stack_id = s->stack_id, .ustacks = w->ustacks };
	uint64_t count = s->count, total_ns = s->total_ns;
	size_t n, kept = 0;

	/* a deadlock's waits never end: they count with their time so far, as the lock table counts them */
	if (s->open) {
		count = 1;
		total_ns = w->now_ns > s->open->start_ns ? w->now_ns - s->open->start_ns : 0;
	}
	memcpy(src.scan, s->scan, sizeof(src.scan));
	/* the same frames as the text's call sites: DWARF's when the site was unwound */
	n = collect__site_frames(w->l, &src, frames, TT_FRAMES_MAX);
	for (size_t i = n; i-- > 0;) {
		if (frames__not_a_return(syms, &frames[i]))
			continue;
		frames__name(syms, s->pm, &frames[i], false, names[kept], FRAME_NAME_LEN);
		order[kept] = names[kept];
		kept++;
	}
	if (waitstacks__add(w->ws, s->tgid, s->addr, s->py_stack, order, kept, count, total_ns))
		w->err = -1;
}

int waitsites__collect(struct tt_loader *l, const struct tt_threads *threads, const struct ustacks *us,
		       struct tt_waitstacks *ws, uint64_t now_ns, tt_syms_fn syms_of, void *ctx)
{
	struct walk w = { .l = l, .ustacks = us, .ws = ws, .now_ns = now_ns, .syms_of = syms_of, .ctx = ctx };

	return sitewalk__each(l, threads, add_site, &w) ? -1 : w.err;
}
