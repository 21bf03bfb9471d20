// SPDX-License-Identifier: GPL-2.0
/*
 * The programs of the kernel's scheduler hooks, one per tracepoint: each of
 * these tracepoints runs for every switch, wake-up, timer or exit of the
 * whole machine, and each extra program would be another dispatch there
 * (docs/performance.md). So the parts that need a hook do not attach their
 * own program; the one program here calls them, in this order:
 *
 *   sched_switch (prev leaves its CPU, next gets it)
 *     prev: futex_missed_resume  a wait it came back from unseen ends first,
 *                                and when (the scheduling part needs it)
 *           futex_sleeps         does prev sleep in a futex wait, on which word?
 *           sched_out            ... which decides its state: lock or asleep
 *     next: futex_resumes        its wait ends now
 *           sched_in             on a CPU
 *     par_change                 once for both: a switch between two target
 *                                threads changes nothing
 *   sched_waking (p becomes runnable; runs in the waker's context)
 *     futex_woken                who ended p's wait: read here, while the
 *                                waker (current) is still in its wake call
 *     joinguess_woken            needs that waker and its entry (its CPU and
 *                                blocked time at the wake): a semaphore wake
 *                                may be a CPython join
 *     sched_wakeup               runnable: from a futex wait, at the instant
 *                                futex_woken noted (the lock table's too)
 *   hrtimer_expire_entry (any timer of the machine)
 *     futex_timeout              a target's timed wait timed out
 *   sched_wakeup_new (a new task's first wake-up)
 *     lifecycle_start            its start event, before any of its states
 *     sched_new                  its scheduling entry, runnable
 *   sched_process_exit (in the dying thread)
 *     sched_of                   its entry made if missing: the exited flag
 *                                (lifecycle_exit) serves a racing join
 *     futex_missed_resume        a wait it came back from unseen is counted,
 *                                its event before the thread's exit event
 *     joinguess_exit             the waiter it just woke joined it (needs
 *                                the exit flags and its entry: CPU and
 *                                blocked time since that wake; before the
 *                                exit event, the order user space has always
 *                                seen)
 *     lifecycle_exit             the exit event, the pthread join it ends
 *     sched_exit                 last: closes its time accounts up to now
 *
 * The parts: futex.bpf.h (futex waits, wakes, holds), joinguess.bpf.h
 * (inferred joins), sched.bpf.h (CPU states, parallelism), lifecycle.bpf.h
 * (start and exit events); their maps are in the .bpf.c of the same name.
 */
#include "futex.bpf.h"
#include "joinguess.bpf.h"
#include "lifecycle.bpf.h"
#include "sched.bpf.h"

SEC("tp_btf/sched_switch")
int BPF_PROG(on_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u64 now = 0, addr = 0;
	struct tt_sched *s;
	long running = 0;

	if (is_target(prev->tgid)) {
		__u64 missed = 0;

		now = bpf_ktime_get_ns();
		s = sched_of(task_tid(prev));
		missed = futex_missed_resume(s, prev, now);
		if (s && !preempt && prev_state != TASK_RUNNING)
			addr = futex_sleeps(ctx, s, prev, prev_state, now);
		if (s)
			s->in_wait = addr != 0;
		running += sched_out(s, prev, preempt, prev_state, now, addr, missed);
	}
	if (is_target(next->tgid)) {
		now = now ?: bpf_ktime_get_ns();
		s = sched_of(task_tid(next));
		futex_resumes(s, next, now);
		running += sched_in(s, next, now);
	}
	if (running)
		par_change(now, running);
	return 0;
}

SEC("tp_btf/sched_waking")
int BPF_PROG(on_sched_waking, struct task_struct *p)
{
	struct tt_sched *s, *waker_s = NULL;
	__u32 waker, tid;

	if (!is_target(p->tgid))
		return 0;
	tid = task_tid(p);
	s = sched_of(tid);
	waker = futex_woken(s, p, tid, &waker_s);
	if (s && waker)
		joinguess_woken(&s->wait, waker, waker_s, tid);
	sched_wakeup(s, p);
	return 0;
}

SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(futex_timer_fires, struct hrtimer *timer, ktime_t *now)
{
	futex_timeout(timer);
	return 0;
}

/*
 * A new task is woken for the first time: the one program for a new thread
 * (its start event, then its scheduling entry). One program, not one at
 * task_newtask too: each costs the creating thread another dispatch. The
 * task cannot run before this returns (its runqueue is locked), so the start
 * event comes before anything the thread does.
 */
SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_new_task, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	__u64 now;

	if (!is_target(tgid))
		return 0;
	now = bpf_ktime_get_ns();
	/* a thread; a new process (-f) is reported by on_fork */
	if (p->pid != tgid)
		lifecycle_start(p, now);
	sched_new(p, now);
	return 0;
}

/* Runs in the dying thread. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_thread_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid, tid;
	struct tt_sched *s;
	__u32 flags;
	__u64 now;

	if (!is_target(tgid))
		return 0;
	tid = task_tid(task);
	pidns_keep_tid(task, tid);
	flags = exit_flags(task);
	now = bpf_ktime_get_ns();
	s = sched_of(tid); /* made if missing: its exited flag serves a racing join */
	futex_missed_resume(s, task, now);
	joinguess_exit(task, flags, s);
	lifecycle_exit(task, flags, now, s);
	sched_exit(s, now);
	return 0;
}
