/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The futex calls and what a wait says about its word: shared by the kernel
 * side (a wait as it starts, futex.bpf.h) and user space (a wait already in
 * progress when tracing starts, user/attachwait.c). The includer defines
 * TT_READ_U32(ctx, addr): a u32 of the traced process's memory, 0 if unreadable.
 */
#ifndef FUTEXWORD_H
#define FUTEXWORD_H

#include "platform.h"

#define OP_WAITV 0xffffffff /* our mark for a futex_waitv wait: it has no op */
#define FUTEX_CMD_MASK 0x7f
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_LOCK_PI2 13
#define FUTEX_TID_MASK 0x3fffffff

static inline __attribute__((always_inline)) bool tt_is_wait_op(__u32 cmd)
{
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
	       cmd == FUTEX_LOCK_PI2 || cmd == FUTEX_WAIT_REQUEUE_PI;
}

static inline __attribute__((always_inline)) bool tt_is_wake_op(__u32 cmd)
{
	return cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET || cmd == FUTEX_WAKE_OP ||
	       cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE || cmd == FUTEX_UNLOCK_PI ||
	       cmd == FUTEX_CMP_REQUEUE_PI;
}

/*
 * What the word is (enum tt_lock_kind), from the call and glibc's layouts
 * (platform.h): a mutex waits with val 2 and keeps its owner's tid in
 * __owner; a sem_t waits on a zero value with its waiter count after it; a
 * pthread_cond_t waits on __g_signals[0/1] with __wrefs (waiters << 3) before
 * them. *owner: the word's owner when known, else 0: a value no tid can have (above
 * PID_MAX_LIMIT) is no owner (a lock of another layout waiting with val 2, Rust's Mutex,
 * keeps its data there).
 */
static inline __attribute__((always_inline)) __u32 tt_classify_wait(void *ctx, __u64 addr, __u32 cmd,
								    __u32 val, __u32 *owner)
{
	__u32 wrefs;

	*owner = 0;
	if (cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2) {
		*owner = TT_READ_U32(ctx, addr) & FUTEX_TID_MASK;
		return TT_LOCK_PI;
	}
	if (cmd == FUTEX_WAIT_REQUEUE_PI)
		return TT_LOCK_COND;
	if (val == 2) {
		*owner = TT_READ_U32(ctx, addr + TT_GLIBC_MUTEX_OWNER);
		if (*owner > TT_PID_MAX_LIMIT)
			*owner = 0;
		return TT_LOCK_MUTEX;
	}
	if (!(addr & 7) && val == 0) {
		__u32 nwaiters = TT_READ_U32(ctx, addr + TT_GLIBC_SEM_NWAITERS);

		if (nwaiters && nwaiters < 65536)
			return TT_LOCK_SEM;
	}
	/* __g_signals[0] is 8-aligned, [1] 4 bytes after it */
	wrefs = TT_READ_U32(ctx, (addr & 7) ? addr - (TT_GLIBC_COND_SIGNALS + 4 - TT_GLIBC_COND_WREFS)
					    : addr - (TT_GLIBC_COND_SIGNALS - TT_GLIBC_COND_WREFS));
	if (wrefs >= 8 && wrefs < (1u << 20))
		return TT_LOCK_COND;
	return TT_LOCK_FUTEX;
}

#endif /* FUTEXWORD_H */
