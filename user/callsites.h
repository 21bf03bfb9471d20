/* --stacks: every blocking call site of the kernel's sites map under its id, frames named (model/sitetable.h). */
#ifndef TT_CALLSITES_H
#define TT_CALLSITES_H

#include "collect.h"
#include "loader.h"
#include "model/sitetable.h"
#include "model/threads.h"

/*
 * Adds to t every call site with ended waits (the sites map, their count and total) and those
 * of the waits still in progress (no waits counted: they have not ended), each named once as
 * the text's call sites are (collect__format_stack). 0 or -1.
 */
int callsites__collect(struct tt_loader *l, const struct tt_threads *threads, const struct ustacks *us,
		       struct tt_sitetable *t, tt_syms_fn syms_of, void *ctx);

#endif
