/*
 * A thread alive before tracing began: what it is doing as tracing starts,
 * so that its scheduling entry accounts that time, and a wait (or a deadlock)
 * already in progress is seen.
 */
#ifndef TT_ATTACHWAIT_H
#define TT_ATTACHWAIT_H

#include <stdint.h>
#include <sys/types.h>
#include "threadtrace.h"

/*
 * s: a thread of tgid asleep now, from t0_ns on: blocked in a futex wait (its
 * word, call, kind and owner, as the kernel side would have read them) or
 * otherwise asleep. 0, or -1 when it runs or is gone (nothing to seed).
 */
int attach_wait_state(pid_t tgid, pid_t tid, uint64_t t0_ns, struct tt_sched *s);

#endif
