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
 * otherwise asleep. *joinee: the tid its wait's word holds if that wait may be
 * a join (a plain futex wait on a word holding a tid is how pthread_join waits
 * on its joinee's tid word; the caller checks the tid is one of tgid's
 * threads), else 0. 0, or -1 when it runs or is gone (nothing to seed).
 */
int attachwait__state(pid_t tgid, pid_t tid, uint64_t t0_ns, struct tt_sched *s, pid_t *joinee);

/*
 * --stacks: where a thread found blocked in a call is, as the kernel side's
 * stack scan finds it for a wait it sees begin: the first TT_SCAN_HITS words
 * at its user stack top that point into code (ranges: the executable file
 * mappings, [start, end)). scan is zeroed first. 0, or -1 (none readable).
 */
int attachwait__scan(pid_t tgid, pid_t tid, const unsigned long (*ranges)[2], size_t nranges,
		     __u64 scan[TT_SCAN_HITS]);

#endif
