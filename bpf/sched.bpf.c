// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling of the target's threads: time on CPU, waiting for a CPU, blocked
 * in a futex wait, otherwise asleep; and how many of them ran at once.
 */
#include "common.bpf.h"

#define TASK_RUNNING 0
#define PF_EXITING 0x00000004

/* futex.bpf.c: the threads inside a futex wait */
extern struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct tt_wait);
} waiting SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* resized by the loader (--max-threads) */
	__type(key, __u32);
	__type(value, struct tt_sched);
} sched_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_par);
} parallelism SEC(".maps");

/* --timeline: an event per state change of a traced thread */
const volatile bool stream_states = false;

static const struct tt_sched zero_sched;

static __always_inline void emit_state(struct task_struct *t, __u32 state, __u64 now, __u64 addr)
{
	struct tt_event *e;

	if (!stream_states)
		return;
	e = event_new(TT_EV_STATE, BPF_CORE_READ(t, tgid), BPF_CORE_READ(t, pid));
	if (!e)
		return;
	e->ts_ns = now;
	e->flags = state;
	e->addr = addr;
	event_submit(e);
}

static __always_inline struct tt_sched *sched_of(__u32 tid)
{
	return lookup_or_init(&sched_stats, &tid, &zero_sched, TT_DROP_MAP);
}

/* Time-weighted count of running threads; racy by nanoseconds across CPUs, never lost. */
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

/* Close the current state's interval and account it. */
static __always_inline void account(struct tt_sched *s, __u64 now)
{
	__u64 d = s->since_ns && now > s->since_ns ? now - s->since_ns : 0;

	switch (s->state) {
	case TT_ST_ONCPU: s->oncpu_ns += d; break;
	case TT_ST_RUNQ: s->runq_ns += d; break;
	case TT_ST_LOCK: s->lock_ns += d; break;
	case TT_ST_SLEEP: s->sleep_ns += d; break;
	}
	s->since_ns = now;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u64 now = 0;
	struct tt_sched *s;
	__u32 tid;

	if (is_target(prev->tgid)) {
		now = bpf_ktime_get_ns();
		tid = prev->pid;
		s = sched_of(tid);
		if (s) {
			struct tt_wait *w = NULL;

			account(s, now);
			if (prev->flags & PF_EXITING)
				s->state = TT_ST_UNKNOWN; /* its last switch: nothing more to account */
			else if (preempt || prev_state == TASK_RUNNING)
				s->state = TT_ST_RUNQ;
			else
				s->state = (w = bpf_map_lookup_elem(&waiting, &tid)) ? TT_ST_LOCK : TT_ST_SLEEP;
			if (s->state != TT_ST_UNKNOWN)
				emit_state(prev, s->state, now, w ? w->addr : 0);
			if (s->on_cpu) {
				s->on_cpu = 0;
				par_change(now, -1);
			}
		}
	}
	if (is_target(next->tgid)) {
		now = now ?: bpf_ktime_get_ns();
		s = sched_of(next->pid);
		if (s) {
			account(s, now);
			s->state = TT_ST_ONCPU;
			emit_state(next, TT_ST_ONCPU, now, 0);
			if (!s->on_cpu) {
				s->on_cpu = 1;
				par_change(now, 1);
			}
		}
	}
	return 0;
}

static __always_inline void wakeup(struct task_struct *p)
{
	struct tt_sched *s;

	if (!is_target(p->tgid))
		return;
	s = sched_of(BPF_CORE_READ(p, pid));
	if (s && s->state != TT_ST_ONCPU && s->state != TT_ST_RUNQ) {
		__u64 now = bpf_ktime_get_ns();

		account(s, now);
		s->state = TT_ST_RUNQ;
		emit_state(p, TT_ST_RUNQ, now, 0);
	}
}

SEC("tp_btf/sched_waking")
int BPF_PROG(sched_on_waking, struct task_struct *p)
{
	wakeup(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_on_wakeup_new, struct task_struct *p)
{
	wakeup(p);
	return 0;
}

/* A thread's last switch-out comes after its exit: close its books here. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_on_exit, struct task_struct *task)
{
	struct tt_sched *s;
	__u32 tid;

	if (!is_target(BPF_CORE_READ(task, tgid)))
		return 0;
	tid = BPF_CORE_READ(task, pid);
	s = bpf_map_lookup_elem(&sched_stats, &tid);
	if (s) {
		account(s, bpf_ktime_get_ns());
		s->state = TT_ST_UNKNOWN; /* ended: nothing more to account */
	}
	return 0;
}
