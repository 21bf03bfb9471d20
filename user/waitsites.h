/* --folded: every blocking call site's waits from the kernel's maps, frames named. */
#ifndef TT_WAITSITES_H
#define TT_WAITSITES_H

#include <stdint.h>
#include "collect.h"
#include "loader.h"
#include "model/threads.h"
#include "model/waitstacks.h"

/*
 * Adds to ws the ended waits of every call site (the kernel's sites map) and
 * the waits still in progress at now_ns (with their time so far, as the lock
 * table counts them). Frames by function name (frames__name without offset),
 * root first; the scan's words that are no return address left out. 0 or -1.
 */
int waitsites__collect(struct tt_loader *l, const struct tt_threads *threads, const struct ustacks *us,
		       struct tt_waitstacks *ws, uint64_t now_ns, tt_syms_fn syms_of, void *ctx);

#endif
