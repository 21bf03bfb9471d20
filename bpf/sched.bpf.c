// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling of the target's threads: the maps. Its tracepoints serve several
 * parts, so their programs are elsewhere: sched_switch, sched_waking and
 * sched_process_exit in futex.bpf.c, sched_wakeup_new in lifecycle.bpf.c; the
 * accounting is in sched.bpf.h.
 */
#include "sched.bpf.h"

struct sched_stats_map sched_stats SEC(".maps");
struct parallelism_map parallelism SEC(".maps");
const volatile bool stream_states = false;
