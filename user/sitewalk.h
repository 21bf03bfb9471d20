/*
 * The blocking call sites in the kernel's maps, one callback each: the sites map's (ended waits)
 * and those of the waits still in progress. callsites.c (--stacks: sites.csv, ids) and
 * waitsites.c (--folded) read them this one way.
 */
#ifndef TT_SITEWALK_H
#define TT_SITEWALK_H

#include <stdint.h>
#include <sys/types.h>
#include "loader.h"
#include "model/threads.h"
#include "perfmap.h"

struct sitewalk_site {
	pid_t tgid;
	uint64_t addr;
	__s32 stack_id;
	const __u64 *scan;             /* TT_SCAN_HITS words */
	uint64_t py_stack;
	uint64_t count, total_ns;      /* its ended waits (0 for a wait in progress) */
	const struct tt_wait *open;    /* a wait in progress, else NULL */
	const struct perfmap *pm;      /* the process's perf map (read once per process) */
};

typedef void (*sitewalk_fn)(const struct sitewalk_site *s, void *ctx);

/* Calls fn for every site of the sites map, then for every wait in progress of threads'. 0 or -1. */
int sitewalk__each(struct tt_loader *l, const struct tt_threads *threads, sitewalk_fn fn, void *ctx);

#endif
