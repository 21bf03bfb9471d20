/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The inferred-join part: joins that are not pthread joins. CPython 3.11's
 * Thread.join waits on a lock (a sem_t) the ending thread releases about
 * 0.1 ms before its OS thread exits: a thread that wakes a semaphore waiter
 * and exits right after is taken as joined by it. The futex part says who
 * woke whom (futex.bpf.h); the programs that call this are in hooks.bpf.c;
 * its map in joinguess.bpf.c.
 */
#ifndef JOINGUESS_BPF_H
#define JOINGUESS_BPF_H

#include "common.bpf.h"

/*
 * An exiting thread counts as joined by the waiter it woke last if it has
 * done little else since: it ran for less than JOIN_GUESS_CPU_NS and blocked
 * for less than JOIN_GUESS_BLOCKED_NS (CPython's ending thread drops the GIL
 * and ends; with a GIL drop request pending it first waits until the joiner
 * has taken the GIL). Waiting for a CPU does not count: a wall-clock window
 * (it was 2 ms) missed joins whenever a loaded machine left the ending thread
 * runnable for longer. A thread that posts a semaphore and then sleeps for
 * longer before it exits is not taken for joined.
 */
#define JOIN_GUESS_CPU_NS (2 * 1000 * 1000)
#define JOIN_GUESS_BLOCKED_NS (50 * 1000 * 1000)

/* A wake that woke one of the target's waiters. */
struct futex_wake {
	__u64 ts_ns;
	__u64 wait_start_ns;
	__u64 addr;
	__u64 runtime_ns;   /* the waker's CPU time at the wake */
	__u64 blocked_ns;   /* the waker's time blocked (lock + asleep) until the wake */
	__u64 py_stack;     /* the wait's Python stack id (CPython: was it in Thread.join?), 0: none */
	__u32 wakee;
	__u32 op;
};

struct last_wake_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct futex_wake);
};

/* The last semaphore wait each thread ended by its wake (waker -> wake). */
extern struct last_wake_map last_wake SEC(".maps");
/* Set once last_wake has had an entry: until then an exit need not look there. */
extern bool last_wake_used;

/* waker's (its entry waker_s) futex wake ended wakee's wait w (futex_woken): it may be a join. */
static __always_inline void joinguess_woken(struct tt_wait *w, __u32 waker, struct tt_sched *waker_s, __u32 wakee)
{
	struct futex_wake wake = {};
	struct task_struct *cur;

	/*
	 * A CPython join waits on the thread's lock, a sem_t; the thread's last
	 * GIL release wakes its joiner too, right after: only semaphore waits
	 * can be a join.
	 */
	if (w->kind != TT_LOCK_SEM || !waker_s)
		return;
	wake.ts_ns = bpf_ktime_get_ns();
	wake.wait_start_ns = w->start_ns;
	wake.addr = w->addr;
	wake.wakee = wakee;
	wake.op = w->op;
	wake.py_stack = w->py_stack;
	cur = bpf_get_current_task_btf(); /* the waker */
	wake.runtime_ns = cur->se.sum_exec_runtime;
	wake.blocked_ns = waker_s->lock_ns + waker_s->sleep_ns;
	last_wake_used = true;
	if (bpf_map_update_elem(&last_wake, &waker, &wake, BPF_ANY))
		count_drop(TT_DROP_MAP);
}

/*
 * Thread task (ending as flags say, its entry s) exits now: the waiter it
 * woke right before, if any, joined it.
 */
static __always_inline void joinguess_exit(struct task_struct *task, __u32 flags, struct tt_sched *s)
{
	__u32 tgid = target_tgid(task->tgid), tid = task_tid(task);
	struct futex_wake *wake;
	struct tt_event *e;

	wake = last_wake_used ? bpf_map_lookup_elem(&last_wake, &tid) : NULL;
	if (wake) {
		/*
		 * Only a thread ending by itself, right after the wake, was joined;
		 * or one the process's end killed right after it woke its joiner (the
		 * interpreter's shutdown joins it, then exits while its OS thread is
		 * still on its way out): user space takes that one only from a
		 * waiter whose Python frames show a join.
		 */
		if (!(flags & TT_EXIT_SHUTDOWN) && s && s->lock_ns + s->sleep_ns - wake->blocked_ns < JOIN_GUESS_BLOCKED_NS &&
		    task->se.sum_exec_runtime - wake->runtime_ns < JOIN_GUESS_CPU_NS &&
		    (e = event_new(TT_EV_JOIN_GUESS, tgid, wake->wakee))) {
			e->join_guess.joinee = tid;
			e->join_guess.wait_ns = wake->ts_ns - wake->wait_start_ns;
			e->join_guess.word = wake->addr;
			e->join_guess.op = wake->op;
			e->join_guess.py_stack = wake->py_stack;
			e->join_guess.exit_flags = flags;
			e->join_guess.woken_ns = wake->ts_ns;
			event_submit(e);
		}
		bpf_map_delete_elem(&last_wake, &tid);
	}
}

#endif /* JOINGUESS_BPF_H */
