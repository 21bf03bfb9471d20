/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scheduling of the target's threads: time on CPU, waiting for a CPU, blocked
 * in a futex wait, otherwise asleep; and how many of them ran at once. The
 * maps live in sched.bpf.c; the scheduler tracepoints that call these are in
 * hooks.bpf.c, one program per tracepoint (each extra program is another
 * dispatch on every context switch of the machine).
 */
#ifndef SCHED_BPF_H
#define SCHED_BPF_H

#include "common.bpf.h"

#define TASK_RUNNING 0
#define TASK_DEAD 0x80
#define PF_EXITING 0x00000004

struct sched_stats_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* resized by the loader (--max-threads) */
	__type(key, __u32);
	__type(value, struct tt_sched);
};

struct parallelism_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_par);
};

extern struct sched_stats_map sched_stats SEC(".maps");
extern struct parallelism_map parallelism SEC(".maps");
/* --timeline: an event per state change of a traced thread */
extern const volatile bool stream_states;

static const struct tt_sched zero_sched;

/* On a CPU: running, or spinning in a lock's slow path. */
static __always_inline bool sched_running(const struct tt_sched *s)
{
	return s->state == TT_ST_ONCPU || s->state == TT_ST_SPIN;
}

/* The state of s on a CPU: spinning while in a lock's slow path (bpf/spin.bpf.c). */
static __always_inline __u32 sched_running_state(const struct tt_sched *s)
{
	return s->spin_addr ? TT_ST_SPIN : TT_ST_ONCPU;
}

/* w: TT_ST_LOCK's wait (its Python stack and site), else NULL; addr: the lock (blocked or spinning on) */
static __always_inline void emit_state(struct task_struct *t, __u32 state, __u64 now, __u64 addr,
				       const struct tt_wait *w)
{
	struct tt_event *e;

	if (!stream_states)
		return;
	e = event_new(TT_EV_STATE, target_tgid(t->tgid), task_tid(t));
	if (!e)
		return;
	e->h.ts_ns = now;
	e->state.state = state;
	e->state.addr = addr;
	e->state.py_stack = w ? w->py_stack : 0;
	e->state.site = w ? w->site : 0;
	event_submit(e);
}

static __always_inline struct tt_sched *sched_of(__u32 tid)
{
	if (pidns_level && !tid)
		return NULL; /* a thread whose tid here is unknown (pidns.bpf.h) */
	return lookup_or_init(&sched_stats, &tid, &zero_sched, TT_DROP_MAP);
}

/*
 * Time-weighted count of running threads; racy by nanoseconds across CPUs, never lost.
 * A switch from one target thread to another changes nothing: the caller skips it (the
 * three atomics on one cache line shared by all CPUs are the dearest part of a switch).
 */
static __always_inline void par_change(__u64 now, long delta)
{
	__u32 zero = 0;
	struct tt_par *p = bpf_map_lookup_elem(&parallelism, &zero);
	__u64 prev_ts, old;

	if (!p)
		return;
	prev_ts = __sync_lock_test_and_set(&p->last_ns, now);
	old = __sync_fetch_and_add(&p->running, delta);
	if (prev_ts && now > prev_ts && old < TT_PAR_SLOTS)
		__sync_fetch_and_add(&p->ns[old], now - prev_ts);
}

/* The five time accounts, in the order of the states they count (TT_ST_ONCPU .. TT_ST_SPIN). */
_Static_assert(__builtin_offsetof(struct tt_sched, oncpu_ns) == 0 && __builtin_offsetof(struct tt_sched, runq_ns) == 8 &&
		       __builtin_offsetof(struct tt_sched, lock_ns) == 16 && __builtin_offsetof(struct tt_sched, sleep_ns) == 24 &&
		       __builtin_offsetof(struct tt_sched, spin_ns) == 32 && TT_ST_ONCPU == 1 && TT_ST_RUNQ == 2 &&
		       TT_ST_LOCK == 3 && TT_ST_SLEEP == 4 && TT_ST_SPIN == 5,
	       "tt_sched's accounts follow enum tt_sched_state");

/*
 * Close the current state's interval and account it: the account indexed by
 * the state, one branch (a switch over the states made five paths through
 * every caller for the verifier: docs/performance.md, start-up).
 */
static __always_inline void account(struct tt_sched *s, __u64 now)
{
	__u64 d = s->since_ns && now > s->since_ns ? now - s->since_ns : 0;
	__u32 i = s->state - TT_ST_ONCPU;

	/*
	 * An instant before the books' last one (a missed wait's end dated from its CPU time, a
	 * wake's instant) adds nothing and must not move the books back: the time since would
	 * be counted twice (threads whose states added up to more than their lifetime).
	 */
	if (s->since_ns && now < s->since_ns)
		return;
	if (i < 5)
		((__u64 *)s)[i] += d;
	s->since_ns = now;
}

/*
 * A dead thread's last switch-out: hand its figures to user space and free
 * its entry, so that --max-threads bounds the threads alive at once, not all
 * threads ever seen. Kept in the map when the ring buffer is full.
 */
static __always_inline void sched_retire(struct task_struct *t, __u32 tid, struct tt_sched *s)
{
	struct tt_event *e = event_try(TT_EV_SCHED, target_tgid(t->tgid), tid);

	if (!e)
		return; /* not lost: the entry stays for the end */
	e->sched.oncpu_ns = s->oncpu_ns;
	e->sched.runq_ns = s->runq_ns;
	e->sched.lock_ns = s->lock_ns;
	e->sched.sleep_ns = s->sleep_ns;
	e->sched.spin_ns = s->spin_ns;
	event_submit(e);
	bpf_map_delete_elem(&sched_stats, &tid);
}

/*
 * prev (a target thread, its entry s) leaves its CPU; lock_addr: the futex
 * word it now sleeps on, or 0; resumed: when it came back from a wait we did
 * not see it leave (futex_missed_resume), or 0. Returns the change to the
 * count of running threads (-1 or 0) for par_change.
 */
static __always_inline long sched_out(struct tt_sched *s, struct task_struct *prev, bool preempt,
				      unsigned int prev_state, __u64 now, __u64 lock_addr, __u64 resumed)
{
	long delta = 0;

	if (!s)
		return 0;
	if (resumed && !sched_running(s) && s->state != TT_ST_ENDED) {
		account(s, resumed);
		s->state = sched_running_state(s);
	}
	account(s, now);
	/* past its exit (sched_exit) it stays ended; before it (PF_EXITING already), still its time */
	if (s->state != TT_ST_ENDED) {
		if (preempt || prev_state == TASK_RUNNING)
			s->state = TT_ST_RUNQ;
		else
			s->state = lock_addr ? TT_ST_LOCK : TT_ST_SLEEP;
		emit_state(prev, s->state, now, lock_addr, lock_addr ? &s->wait : NULL);
	}
	if (s->on_cpu) {
		s->on_cpu = 0;
		delta = -1;
	}
	if (prev_state & TASK_DEAD)
		sched_retire(prev, task_tid(prev), s);
	return delta;
}

/*
 * next (a target thread, its entry s) gets a CPU; returns the change to the running count (1 or 0):
 * none while it spins in a lock's slow path (its return counts it, spin.bpf.c).
 */
static __always_inline long sched_in(struct tt_sched *s, struct task_struct *next, __u64 now)
{
	if (!s)
		return 0;
	account(s, now);
	if (s->state != TT_ST_ENDED) { /* a dying thread back on a CPU after its exit stays ended */
		s->state = sched_running_state(s);
		emit_state(next, s->state, now, s->spin_addr, NULL);
	}
	if (s->on_cpu || s->spin_addr)
		return 0;
	s->on_cpu = 1;
	return 1;
}

/*
 * A thread's last switch-out comes after its exit: close its books here, at its
 * end; what it does from here on (switched out, woken, run) is not its time.
 */
static __always_inline void sched_exit(struct tt_sched *s, __u64 now)
{
	if (s) {
		account(s, now);
		s->state = TT_ST_ENDED;
	}
}

/* p (a target thread, its entry s) becomes runnable; not once ended (a wake in its exit path). */
static __always_inline void sched_wakeup(struct tt_sched *s, struct task_struct *p)
{
	if (s && !sched_running(s) && s->state != TT_ST_RUNQ && s->state != TT_ST_ENDED) {
		/* a futex wait ends when futex_woken saw it end: the lock table's instant too */
		__u64 now = s->state == TT_ST_LOCK && s->in_wait && s->wait.woken_ns ? s->wait.woken_ns
										    : bpf_ktime_get_ns();

		account(s, now);
		s->state = TT_ST_RUNQ;
		emit_state(p, TT_ST_RUNQ, now, 0, NULL);
	}
}

/* p (a target thread) becomes runnable for the first time: its entry starts runnable, in one update. */
static __always_inline void sched_new(struct task_struct *p, __u64 now)
{
	struct tt_sched s = { .state = TT_ST_RUNQ, .since_ns = now }, *old;
	__u32 tid = task_tid(p);
	struct tt_event *e;
	int err; /* the update's error is an int (common.bpf.h, lookup_or_init) */

	err = bpf_map_update_elem(&sched_stats, &tid, &s, BPF_NOEXIST);
	if (err == -EEXIST && (old = bpf_map_lookup_elem(&sched_stats, &tid))) {
		/*
		 * A new thread has no entry yet: this is a dead thread's of the same
		 * tid, kept because the ring buffer was full at its last switch
		 * (sched_retire). Its figures go now, after the new thread's start
		 * event (user space gives them to the ended thread); counted as lost
		 * if the buffer is still full. The new thread starts afresh instead
		 * of adding its time to the dead one's.
		 */
		if ((e = event_new(TT_EV_SCHED, target_tgid(p->tgid), tid))) {
			e->sched.oncpu_ns = old->oncpu_ns;
			e->sched.runq_ns = old->runq_ns;
			e->sched.lock_ns = old->lock_ns;
			e->sched.sleep_ns = old->sleep_ns;
			e->sched.spin_ns = old->spin_ns;
			event_submit(e);
		}
		*old = s;
		err = 0;
	}
	if (!err)
		emit_state(p, TT_ST_RUNQ, now, 0, NULL);
	else
		sched_wakeup(sched_of(tid), p); /* the map is full: counted there */
}

#endif /* SCHED_BPF_H */
