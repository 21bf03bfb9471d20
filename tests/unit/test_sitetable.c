/* Unit tests for user/model/sitetable.c and tt_site_id: call sites by the id wait events carry. */
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "check.h"
#include "threadtrace.h"
#include "model/sitetable.h"

TEST(site_id_covers_every_part_of_the_key)
{
	const __u64 scan[TT_SCAN_HITS] = { 0x401000, 0x401100, 0 };
	__u64 other[TT_SCAN_HITS] = { 0x401000, 0x401100, 0 };
	__u64 id = tt_site_id(100, 0xabc0, 7, scan);

	CHECK(id != 0);
	CHECK_EQ_U64(tt_site_id(100, 0xabc0, 7, scan), id); /* the kernel's and user space's: one function */
	CHECK(tt_site_id(101, 0xabc0, 7, scan) != id);
	CHECK(tt_site_id(100, 0xabc8, 7, scan) != id);
	CHECK(tt_site_id(100, 0xabc0, 8, scan) != id);
	CHECK(tt_site_id(100, 0xabc0, -1, scan) != id);
	other[2] = 0x401200;
	CHECK(tt_site_id(100, 0xabc0, 7, other) != id);
}

TEST(adds_sum_per_id_and_sort_keeps_them_found)
{
	struct tt_sitetable *t = sitetable__new();
	struct tt_site_entry *e;
	const struct tt_site_entry *f;
	int created;

	CHECK(t != NULL);
	if (!t)
		return;
	e = sitetable__add(t, 0x11, 100, 0xa0, 2, 300, &created);
	CHECK(e && created);
	CHECK(e && !sitetable__set_frames(e, "lll_lock_wait+0x2b < deposit+0x1e"));
	/* the same native site under two Python stacks: one entry, the waits summed */
	e = sitetable__add(t, 0x11, 100, 0xa0, 1, 50, &created);
	CHECK(e && !created);
	e = sitetable__add(t, 0x22, 100, 0xb0, 1, 1000, &created);
	CHECK(e && created);
	/* a wait in progress: no waits yet, still named */
	e = sitetable__add(t, 0x33, 100, 0xc0, 0, 0, &created);
	CHECK(e && created);
	CHECK_EQ_INT(t->n, 3);
	CHECK(!sitetable__sort(t));
	/* most waited first */
	CHECK_EQ_U64(t->v[0].id, 0x22);
	CHECK_EQ_U64(t->v[1].id, 0x11);
	CHECK_EQ_U64(t->v[2].id, 0x33);
	f = sitetable__find(t, 0x11);
	CHECK(f && f->waits == 3 && f->total_ns == 350 && f->addr == 0xa0 && f->tgid == 100);
	CHECK(f && f->frames && !strcmp(f->frames, "lll_lock_wait+0x2b < deposit+0x1e"));
	f = sitetable__find(t, 0x22);
	CHECK(f && f->waits == 1 && !f->frames);
	CHECK(sitetable__find(t, 0x44) == NULL);
	CHECK(sitetable__find(t, 0) == NULL); /* 0: no site */
	CHECK(sitetable__find(NULL, 0x11) == NULL);
	sitetable__free(t);
}

int main(void)
{
	RUN(site_id_covers_every_part_of_the_key);
	RUN(adds_sum_per_id_and_sort_keeps_them_found);
	return check_summary();
}
