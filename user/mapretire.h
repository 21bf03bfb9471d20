/*
 * Kernel map entries of ended threads, moved to user space. lock_stats keeps
 * one entry per (futex word, thread that waited on it), wake_pairs and
 * owner_pairs one per (word, thread, thread), spin_stats one per (lock,
 * thread in its slow path): never deleted, they grew with
 * every thread ever seen, and a process that churns threads (stress-ng
 * --pthread: 8,000 threads waiting once on one mutex) filled them with a few
 * dozen words. A thread that ended adds nothing more to the entries where it is
 * the waiter (or the wakee), so those move here, and the maps hold the threads
 * alive at once. loader__dump gives the kernel's entries and these alike.
 */
#ifndef TT_MAPRETIRE_H
#define TT_MAPRETIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "loader.h"

struct mapretire;

void mapretire__free(struct mapretire *r);

/* Calls fn for every entry of map which moved to r (r may be NULL). Returns their count. */
size_t mapretire__replay(const struct mapretire *r, enum tt_map which, tt_entry_fn fn, void *ctx);

/*
 * Moves the entries of the waits and pairs maps that an ended thread made final
 * (ended(tid, ...), loader.h) from the kernel to *r (made when NULL). Returns the
 * entries moved, or -errno (what was moved stays moved).
 */
int mapretire__sweep(struct mapretire **r, struct tt_loader *l, tt_ended_fn ended, void *ctx);

#endif
