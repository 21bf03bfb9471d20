/* Call sites by id from the kernel's maps, named (callsites.h). */
#include <string.h>
#include "callsites.h"
#include "sitewalk.h"

struct walk {
	struct tt_loader *l;
	const struct ustacks *ustacks;
	struct tt_sitetable *t;
	tt_syms_fn syms_of;
	void *ctx;
	int err;
};

/*
 * A site under its id; a wait in progress adds none of its own (not ended) but names its
 * site: a deadlock's may have no ended wait, yet a timeline slice names it.
 */
static void add_site(const struct sitewalk_site *s, void *ctx)
{
	struct walk *w = ctx;
	struct tt_stack_src src = { .tgid = s->tgid, .addr = s->addr, .stack_id = s->stack_id, .ustacks = w->ustacks };
	uint64_t id = tt_site_id((__u32)s->tgid, s->addr, s->stack_id, s->scan);
	char buf[TT_SITE_FRAMES_LEN];
	struct tt_site_entry *e;
	int created;

	if (s->open && !s->open->site)
		return;
	e = sitetable__add(w->t, id, s->tgid, s->addr, s->count, s->total_ns, &created);
	if (!e) {
		w->err = -1;
		return;
	}
	if (!created)
		return;
	memcpy(src.scan, s->scan, sizeof(src.scan));
	/* the text's call sites' names (collect__stacks): the same function, the same room */
	if (!collect__format_stack(w->l, &src, w->syms_of(s->tgid, w->ctx), s->pm, buf, sizeof(buf)) &&
	    sitetable__set_frames(e, buf))
		w->err = -1;
}

int callsites__collect(struct tt_loader *l, const struct tt_threads *threads, const struct ustacks *us,
		       struct tt_sitetable *t, tt_syms_fn syms_of, void *ctx)
{
	struct walk w = { .l = l, .ustacks = us, .t = t, .syms_of = syms_of, .ctx = ctx };

	return sitewalk__each(l, threads, add_site, &w) ? -1 : w.err;
}
