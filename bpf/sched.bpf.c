// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling of the target's threads: the maps. Its tracepoints serve several
 * parts, so their programs are in hooks.bpf.c; the accounting is in
 * sched.bpf.h.
 */
#include "sched.bpf.h"

struct sched_stats_map sched_stats SEC(".maps");
struct parallelism_map parallelism SEC(".maps");
const volatile bool stream_states = false;
