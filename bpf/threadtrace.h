/* SPDX-License-Identifier: GPL-2.0 */
/* What the kernel side and the user side share: event layout and constants. */
#ifndef THREADTRACE_H
#define THREADTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h> /* the BPF side gets these from vmlinux.h */
#endif

#define TT_COMM_LEN 16

/* Event kinds carried by the ring buffer. */
enum tt_event_kind {
	TT_EV_START = 1,   /* new thread: tid, peer = creator, addr = clear_child_tid */
	TT_EV_EXIT = 2,    /* thread ended: addr = clear_child_tid, arg = exit_code, flags */
	TT_EV_RENAME = 3,  /* comm changed: tid = renamed thread, peer = who renamed it */
	TT_EV_EXEC = 4,    /* execve succeeded: tid, peer = old tid */
	TT_EV_JOIN = 5,    /* pthread join returned: addr = joinee's tid word, dur = wait */
	TT_EV_JOIN_GUESS = 6, /* futex wait woken by a thread that then exited (CPython join) */
	TT_EV_KIND_MAX,
};

/* TT_EV_EXIT flags */
#define TT_EXIT_SIGNALED   0x1 /* PF_SIGNALED: killed by a signal (incl. group exit) */
#define TT_EXIT_GROUP      0x2 /* SIGNAL_GROUP_EXIT: the whole process is exiting */
#define TT_EXIT_SHUTDOWN   0x4 /* called PyThread_exit_thread (CPython daemon at shutdown) */

/* Why an event or a record could not be kept, counted per kind. */
enum tt_drop_kind {
	TT_DROP_RINGBUF = 0, /* ring buffer full */
	TT_DROP_MAP = 1,     /* a per-thread map was full */
	TT_DROP_MAX,
};

struct tt_event {
	__u64 ts_ns;     /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 dur_ns;
	__u64 addr;
	__u64 arg;
	__u32 kind;
	__u32 tgid;
	__u32 tid;
	__u32 peer_tid;
	__u32 flags;
	__s32 ret;
	char comm[TT_COMM_LEN];
};

#endif /* THREADTRACE_H */
