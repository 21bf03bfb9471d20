/* Process-wide scheduling facts: how many threads ran at once. */
#ifndef TT_SCHED_H
#define TT_SCHED_H

#include <stdint.h>
#include <linux/types.h>
#include "threadtrace.h"

struct tt_parallelism {
	uint64_t ns[TT_PAR_SLOTS]; /* time with exactly i threads on a CPU */
};

/* From the kernel's counters; the interval still open is counted up to now_ns. */
void parallelism__from_kernel(struct tt_parallelism *p, const struct tt_par *k, uint64_t now_ns);
uint64_t parallelism__total_ns(const struct tt_parallelism *p);
/* Time-weighted mean number of threads running; 0 with no time. */
double parallelism__mean(const struct tt_parallelism *p);
/* Highest count seen (with any time). */
unsigned parallelism__max(const struct tt_parallelism *p);

#endif
