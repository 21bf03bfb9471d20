/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The futex part: waits and wakes of the target's threads, per-word wait
 * statistics, who woke whom, who held the word, contended hold times, all
 * aggregated in maps (defined in futex.bpf.c); with --csv also a `wait`/`hold`
 * event each. Called by the scheduler programs in hooks.bpf.c.
 *
 * Seen from the scheduler, not from system calls: a wait is a thread going to
 * sleep inside a futex call (its registers say which call and word), woken by
 * a thread inside a futex wake, by its timeout's timer or by a signal. Any
 * sys_enter/sys_exit tracepoint puts every system call of every process on
 * the slow path (about 100 ns each here, even with an empty program); the
 * scheduler tracepoints cost nothing to a process that does not switch.
 * Calls that do not sleep (EAGAIN, a wake with nobody waiting) are not seen.
 */
#ifndef FUTEX_BPF_H
#define FUTEX_BPF_H

#include "sched.bpf.h"
#include "pywait.bpf.h"
#include "ustack.bpf.h"

/* A u32 of the current process's memory (futexword.h's reader), 0 if unreadable. */
static __always_inline __u32 read_u32(__u64 addr)
{
	__u32 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}
#define TT_READ_U32(ctx, addr) read_u32(addr)
#include "futexword.h"

#define EINTR 4
#define ETIMEDOUT 110
#define TASK_INTERRUPTIBLE 0x1
#define TASK_STATE_SLEEPS 0x3 /* TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE */

/* --csv: a `wait` and `hold` event each, besides the maps. */
extern const volatile bool stream_locks;
/* --stacks: where each wait blocked */
extern const volatile bool want_stacks;
/*
 * Open waits of the target's threads that have a timeout: the timer program
 * runs for every hrtimer of the machine and returns at once while this is 0.
 */
extern __u64 timed_waits;
/* --stacks: the targets' executable mappings, kept up to date by user space */
extern struct tt_range text_ranges[TT_TEXT_RANGES];

/* Map types named so that each map is defined in futex.bpf.c and declared here. */
struct scan_buf_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[TT_SCAN_WORDS]);
};

struct lock_stats_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* sized for the worst case, filled as needed */
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_lock_key);
	__type(value, struct tt_lock_stat);
};

struct hold_stats_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* sized for the worst case, filled as needed */
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_addr_key);
	__type(value, struct tt_hold_stat);
};

/* Each word's sleepers, at the slot its hold_stats entry names (slot 0 unused). */
struct word_busy_map {
	__uint(type, BPF_MAP_TYPE_ARRAY); /* a look-up is a few instructions: no hash, no call */
	__uint(max_entries, 16384); /* resized by the loader: above --max-locks (see word_slot) */
	__type(key, __u32);
	__type(value, struct tt_word_busy);
};

/* A (word, thread, thread) pair's count and total. */
struct pairs_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* sized for the worst case, filled as needed */
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_pair_key);
	__type(value, struct tt_pair_val);
};

struct stacks_map {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, TT_STACK_DEPTH * sizeof(__u64));
};

struct sites_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_site_key);
	__type(value, struct tt_pair_val);
};

extern struct scan_buf_map scan_buf SEC(".maps");
extern struct lock_stats_map lock_stats SEC(".maps");
extern struct hold_stats_map hold_stats SEC(".maps");
extern struct word_busy_map word_busy SEC(".maps");
/* word_busy's slots given out so far */
extern __u32 word_busy_used;
/* waker -> wakee per word */
extern struct pairs_map wake_pairs SEC(".maps");
/* owner -> waiter per word: who a blocked thread was waiting for */
extern struct pairs_map owner_pairs SEC(".maps");
extern struct stacks_map stacks SEC(".maps");
/* per word and call site: waits and their total */
extern struct sites_map sites SEC(".maps");

static const struct tt_lock_stat zero_stat;
static const struct tt_hold_stat zero_hold;
static const struct tt_pair_val zero_pair;

/* Whether v points into the targets' code (text_ranges); defined in futex.bpf.c. */
bool in_text(__u64 v);

/* The first return addresses on the user stack (see TT_SCAN_WORDS). */
static __always_inline void scan_stack(struct pt_regs *regs, __u64 scan[TT_SCAN_HITS])
{
	__u32 zero = 0, hits = 0;
	__u64 *buf = bpf_map_lookup_elem(&scan_buf, &zero);

	if (!buf || bpf_probe_read_user(buf, TT_SCAN_WORDS * sizeof(__u64), (void *)TT_REG_SP(regs)))
		return;
	for (int i = 0; i < TT_SCAN_WORDS; i++) {
		if (hits >= TT_SCAN_HITS)
			break;
		if (in_text(buf[i]))
			scan[hits++] = buf[i];
	}
}

/*
 * *p = max(*p, v) against other CPUs: compare-and-swap until v is stored or
 * another CPU stored a larger value. Each failed swap means another CPU raised
 * *p; the tries are bounded for the verifier, and running out (as many raises
 * by other CPUs in between) can lose only this one value.
 */
#define ATOMIC_MAX_TRIES 8

static __always_inline void atomic_max(__u64 *p, __u64 v)
{
	__u64 old = *p;

	for (int i = 0; i < ATOMIC_MAX_TRIES && v > old; i++) {
		__u64 seen = __sync_val_compare_and_swap(p, old, v);

		if (seen == old)
			return;
		old = seen;
	}
}

/* s's CPU time at now: what its last switches counted, and its run since, if it runs. */
static __always_inline __u64 cpu_time(const struct tt_sched *s, __u64 now)
{
	return s->oncpu_ns + s->spin_ns +
	       ((s->state == TT_ST_ONCPU || s->state == TT_ST_SPIN) && now > s->since_ns ? now - s->since_ns : 0);
}

/* The slot of s's hold of addr, or TT_HOLDS. */
static __always_inline __u32 hold_slot(const struct tt_sched *s, __u64 addr)
{
	for (__u32 i = 0; i < TT_HOLDS; i++)
		if (s->holds[i].addr == addr)
			return i;
	return TT_HOLDS;
}

/* s begins to hold addr (of kind) at now (until it wakes a waiter of it): in its slot, a free one, or the oldest. */
static __always_inline void begin_hold(struct tt_sched *s, __u64 addr, __u32 kind, __u64 now)
{
	__u32 slot = 0;

	for (__u32 i = 0; i < TT_HOLDS; i++) {
		if (s->holds[i].addr == addr || !s->holds[i].addr) {
			slot = i;
			break;
		}
		if (s->holds[i].since_ns < s->holds[slot].since_ns)
			slot = i;
	}
	s->holds[slot & (TT_HOLDS - 1)] = (struct tt_hold){ .addr = addr, .since_ns = now, .cpu_ns = cpu_time(s, now),
							    .kind = kind };
}

/* s let go of addr without waking anyone (or its hold is over): no hold to measure. */
static __always_inline void drop_hold(struct tt_sched *s, __u64 addr)
{
	__u32 slot = hold_slot(s, addr);

	if (slot < TT_HOLDS)
		s->holds[slot].addr = 0;
}

/*
 * The slot in word_busy of the word (addr, tgid): the one its hold_stats entry
 * names, else a new one (0: none). The entry is made here if missing: a full
 * map is counted once, by the wait's own record (count_wait). Two CPUs may
 * give the entry a slot at once: the first stored is kept, the other is lost
 * (the loader sizes word_busy above --max-locks for those; past its end no
 * slot is given, and that is counted).
 */
static __always_inline __u32 word_slot(__u64 addr, __u32 tgid)
{
	struct tt_addr_key key = { .addr = addr, .tgid = tgid };
	struct tt_hold_stat *hs = bpf_map_lookup_elem(&hold_stats, &key);
	__u32 slot, old;

	if (!hs) {
		bpf_map_update_elem(&hold_stats, &key, &zero_hold, BPF_NOEXIST);
		hs = bpf_map_lookup_elem(&hold_stats, &key);
		if (!hs)
			return 0;
	}
	if (hs->busy_slot)
		return hs->busy_slot;
	slot = __sync_fetch_and_add(&word_busy_used, 1) + 1;
	if (!bpf_map_lookup_elem(&word_busy, &slot)) {
		count_drop(TT_DROP_HOLDS);
		return 0;
	}
	old = __sync_val_compare_and_swap(&hs->busy_slot, 0, slot);
	return old ?: slot;
}

/* word_slot as a global function (futex.bpf.c): it runs only when a thread sleeps on another word than last time. */
__u32 futex_word_slot(__u64 addr, __u32 tgid);

/*
 * The word's sleepers (threads asleep in a wait on it) as seen: a wait
 * begins (+1) or its thread leaves the word's queue (-1: woken, timed out,
 * interrupted). When they rise from none, a stretch begins in which every
 * release of the word wakes someone, which is seen (docs/locks.md). The
 * thread (its entry s) keeps the slot of the word it slept on last: most
 * waits repeat it.
 */
static __always_inline void word_queue(struct tt_sched *s, struct tt_wait *w, __u32 tgid, __u64 now)
{
	struct tt_word_busy *b;
	__u32 slot = s->busy_slot;

	if (!slot || s->busy_addr != w->addr || s->busy_tgid != tgid) {
		slot = futex_word_slot(w->addr, tgid);
		if (!slot)
			return;
		s->busy_addr = w->addr;
		s->busy_tgid = tgid;
		s->busy_slot = slot;
	}
	b = bpf_map_lookup_elem(&word_busy, &slot);
	if (!b)
		return;
	if (__sync_fetch_and_add(&b->sleepers, 1) <= 0)
		b->busy_since_ns = now;
	w->queued = 1;
}

/* The wait w of the thread (its entry s) leaves its word's sleepers, once. */
static __always_inline void word_unqueue(struct tt_sched *s, struct tt_wait *w)
{
	/* the slot word_queue used: s's changes only at its next wait, after this one ended */
	__u32 slot = s->busy_slot;
	struct tt_word_busy *b;

	if (!w->queued)
		return;
	w->queued = 0;
	b = bpf_map_lookup_elem(&word_busy, &slot);
	if (b)
		__sync_fetch_and_add(&b->sleepers, -1);
}

/* When the word of hold_stats entry hs last rose from no sleeper, 0: never seen. */
static __always_inline __u64 word_busy_since(const struct tt_hold_stat *hs)
{
	__u32 slot = hs->busy_slot;
	struct tt_word_busy *b = slot ? bpf_map_lookup_elem(&word_busy, &slot) : NULL;

	return b ? b->busy_since_ns : 0;
}

/*
 * A hold of the word that the holder (tid, its entry s) let go of while
 * waking a waiter: a contended hold. Its release is seen only when it wakes
 * someone: a release that woke nobody (none asleep on the word) is not, and
 * the holder may have let go and taken the word again since the hold began.
 * Only a release while a thread slept on the word is sure to be seen, so the
 * hold is known from the start of the word's current stretch with a sleeper
 * (busy_since_ns), if that is later than its take: a lower bound. Not for a
 * condition variable's words (CPython's GIL): their "hold" is a hand-off
 * through the condition, which waiters wait on with timeouts and in two
 * groups; it runs from the wait's return to the holder's next signal.
 */
static __always_inline void end_hold(struct tt_sched *s, __u32 tgid, __u32 tid, __u64 addr)
{
	struct tt_addr_key hkey = { .addr = addr, .tgid = tgid };
	struct tt_hold_stat *hs;
	struct tt_event *e;
	__u64 dur, cpu, since, busy, now = bpf_ktime_get_ns();
	__u32 slot, bounded = 0;

	if (!s || (slot = hold_slot(s, addr)) >= TT_HOLDS)
		return;
	s->holds[slot].addr = 0;
	since = s->holds[slot].since_ns;
	hs = lookup_or_init(&hold_stats, &hkey, &zero_hold, TT_DROP_HOLDS);
	if (hs && s->holds[slot].kind != TT_LOCK_COND && (busy = word_busy_since(hs)) > since) {
		since = busy < now ? busy : now;
		bounded = 1;
	}
	dur = now - since;
	cpu = cpu_time(s, now);
	cpu = cpu > s->holds[slot].cpu_ns ? cpu - s->holds[slot].cpu_ns : 0;
	if (hs) {
		__sync_fetch_and_add(&hs->count, 1);
		__sync_fetch_and_add(&hs->bounded, bounded);
		__sync_fetch_and_add(&hs->total_ns, dur);
		__sync_fetch_and_add(&hs->oncpu_ns, cpu < dur ? cpu : dur);
		__sync_fetch_and_add(&hs->hist[tt_hold_slot(dur)], 1);
		atomic_max(&hs->max_ns, dur);
	}
	if (stream_locks && (e = event_new(TT_EV_HOLD, tgid, tid))) {
		e->hold.addr = addr;
		e->hold.dur_ns = dur;
		event_submit(e);
	}
}

/* end_hold as a global function (futex.bpf.c): the verifier checks it once, apart from its caller's paths. */
int futex_end_hold(struct tt_sched *s, __u32 tgid, __u32 tid, __u64 addr);

/*
 * prev (its scheduling entry s) goes to sleep (sched_switch, prev is
 * current): inside a futex wait? Its registers at the system call say which
 * call and word; the wait goes into s. Returns the word, or 0 when this is no
 * futex wait.
 */
static __always_inline __u64 futex_sleeps(void *ctx, struct tt_sched *s, struct task_struct *prev,
					  unsigned int prev_state, __u64 now)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(prev);
	struct tt_wait w = { .start_ns = now, .stack_id = -1, .runtime_ns = prev->se.sum_exec_runtime };
	__u32 tid = task_tid(prev), cmd, tgid;
	long nr;

	/* futex waits sleep interruptibly; a page fault inside the call would not */
	if (!regs || (prev_state & TASK_STATE_SLEEPS) != TASK_INTERRUPTIBLE)
		return 0;
	nr = TT_REG_NR(regs);
	if (nr == TT_NR_FUTEX) {
		w.addr = TT_REG_ARG1(regs);
		w.op = TT_REG_ARG2(regs);
		cmd = w.op & FUTEX_CMD_MASK;
		if (!tt_is_wait_op(cmd))
			return 0;
		w.kind = tt_classify_wait(NULL, w.addr, cmd, (__u32)TT_REG_ARG3(regs), &w.owner);
		/* a Rust Mutex waits as a glibc one (val 2) but keeps its data, not an owner, after the word */
		if (s->spin_no_owner && s->spin_addr == w.addr)
			w.owner = 0;
	} else if (nr == TT_NR_FUTEX_WAITV) {
		/* waits on several words: named by the first (struct futex_waitv: val, uaddr, ...) */
		bpf_probe_read_user(&w.addr, sizeof(w.addr), (void *)(TT_REG_ARG1(regs) + 8));
		w.op = OP_WAITV;
		w.kind = TT_LOCK_FUTEX;
	} else {
		return 0;
	}
	/* the process as the user knows it: once (with -f in a PID namespace, a map look-up) */
	tgid = target_tgid(prev->tgid);
	if (want_stacks) {
		w.stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
		scan_stack(regs, w.scan);
		w.site = ustack_key(tgid, w.addr, w.stack_id, w.scan);
		ustack_send(s, tgid, tid, regs, &w);
	}
	/* CPython: where in Python it waits (a global function: one call for the verifier; not
	 * called for other processes, where it would return at once) */
	if (py_conf.tgid && tgid == py_conf.tgid)
		w.py_stack = py_capture(s, tgid, tid, TT_REG_SP(regs));
	/*
	 * A word no symbol covers is named after the code that waits on it (its stack top, once
	 * per word); a CPython wait is named by its Python frames instead (each Condition.wait
	 * waits on a new Lock: a copy each would be wasted).
	 */
	if (!want_stacks && !w.py_stack)
		ustack_send_word(s, tgid, tid, regs, w.addr);
	/* it held this word and let go without waking anyone (unseen): no hold to measure */
	drop_hold(s, w.addr);
	/* the timeout: 4th argument of futex and futex_waitv (set after the stack scan's loops,
	 * whose verification a branch before them would double) */
	w.timed = TT_REG_ARG4(regs) != 0;
	word_queue(s, &w, tgid, now);
	s->wait = w; /* open once the caller sets s->in_wait */
	if (w.timed)
		__sync_fetch_and_add(&timed_waits, 1);
	/*
	 * The owner's side: it holds the word at least from now until it
	 * wakes it (a lower bound when it took the lock without waiting).
	 */
	if (w.owner && w.owner != tid) {
		struct tt_sched *o = bpf_map_lookup_elem(&sched_stats, &w.owner);

		/* unless its hold of this word is timed already */
		if (o && hold_slot(o, w.addr) >= TT_HOLDS)
			begin_hold(o, w.addr, w.kind, now);
	}
	return w.addr;
}

/* A signal waits for p that it does not block (signals 1-64: one word of them, platform.h). */
_Static_assert(sizeof(((sigset_t *)0)->sig) == TT_SIGSET_WORDS * sizeof(__u64), "sigset_t is not one word");

static __always_inline bool signal_pending_for(struct task_struct *p)
{
	__u64 pending = p->pending.signal.sig[0] | p->signal->shared_pending.signal.sig[0];

	return pending & ~p->blocked.sig[0];
}

/*
 * p (its entry s) is woken. Runs where that happens: in the waker's futex
 * call, exit, signal or timer. Returns the waker when it is one of the
 * target's threads ending p's futex wait, else 0; *waker_s is then its
 * scheduling entry when a futex wake call woke p (NULL: an exit did).
 */
static __always_inline __u32 futex_woken(struct tt_sched *s, struct task_struct *p, __u32 wakee,
					 struct tt_sched **waker_s)
{
	__u32 waker;
	struct tt_pair_key key = {};
	struct task_struct *cur;
	struct tt_pair_val *v;
	struct pt_regs *regs;
	struct tt_wait *w;

	if (!s || !s->in_wait)
		return 0;
	w = &s->wait;
	if (w->woken)
		return 0;
	w->woken = 1;
	w->woken_ns = bpf_ktime_get_ns();
	word_unqueue(s, w);
	if (w->ret)
		return 0; /* its timeout's timer (futex_timer_fires) */
	/*
	 * A signal is queued before it wakes the thread, from any context. (Read
	 * from the pending sets, not TIF_SIGPENDING: its bit moved in 6.18.)
	 */
	if (signal_pending_for(p)) {
		w->ret = -EINTR;
		return 0;
	}
	cur = bpf_get_current_task_btf();
	if (!is_target(cur->tgid))
		return 0; /* woken from outside: no waker of ours */
	waker = task_tid(cur);
	if (!(cur->flags & PF_EXITING)) {
		/* a thread ending wakes its joiner from the kernel (clear_child_tid): no call to check */
		regs = (struct pt_regs *)bpf_task_pt_regs(cur);
		if (!regs || TT_REG_NR(regs) != TT_NR_FUTEX || !tt_is_wake_op(TT_REG_ARG2(regs) & FUTEX_CMD_MASK))
			return 0;
		*waker_s = bpf_map_lookup_elem(&sched_stats, &waker);
		/* a call only when the waker holds the word (end_hold would return at once) */
		if (*waker_s && hold_slot(*waker_s, TT_REG_ARG1(regs)) < TT_HOLDS)
			futex_end_hold(*waker_s, target_tgid(cur->tgid), waker, TT_REG_ARG1(regs));
	}
	w->waker = waker;
	key.addr = w->addr;
	key.a = waker;
	key.b = wakee;
	v = lookup_or_init(&wake_pairs, &key, &zero_pair, TT_DROP_WAKES);
	if (v)
		__sync_fetch_and_add(&v->count, 1);
	return waker;
}

static __always_inline void count_wait(__u32 tgid, __u32 tid, struct tt_wait *w, __u64 dur)
{
	struct tt_lock_key key = { .addr = w->addr, .tid = tid, .tgid = tgid };
	struct tt_lock_stat *st;

	st = lookup_or_init(&lock_stats, &key, &zero_stat, TT_DROP_LOCKS);
	if (!st)
		return;
	/* One thread updates its own entry: no atomics needed. */
	st->kinds |= 1u << (w->kind & 7);
	st->waits++;
	st->total_ns += dur;
	if (dur > st->max_ns)
		st->max_ns = dur;
	st->hist[tt_wait_slot(dur)]++;
	if (w->ret == -ETIMEDOUT)
		st->timeouts++;
	else if (w->ret == -EINTR)
		st->interrupted++;
	else if (w->waker)
		st->woken++;
}

static __always_inline void count_site(__u32 tgid, struct tt_wait *w, __u64 dur)
{
	struct tt_site_key key = { .addr = w->addr, .tgid = tgid, .stack_id = w->stack_id,
				   .py_stack = w->py_stack };

	__builtin_memcpy(key.scan, w->scan, sizeof(key.scan));
	struct tt_pair_val *v;

	v = lookup_or_init(&sites, &key, &zero_pair, TT_DROP_SITES);
	if (!v)
		return;
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->total_ns, dur);
}

static __always_inline void count_owner(__u32 tid, struct tt_wait *w, __u64 dur)
{
	struct tt_pair_key key = { .addr = w->addr, .a = w->owner, .b = tid };
	struct tt_pair_val *v;

	v = lookup_or_init(&owner_pairs, &key, &zero_pair, TT_DROP_OWNERS);
	if (!v)
		return;
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->total_ns, dur);
}

/*
 * The wait of a target thread (its entry s) ended: it runs again at end_ns.
 * Count it, and start the hold it won. A wait lasts from the thread's sleep
 * to its wake-up (as the thread table's futex time): the time it then waits
 * for a CPU is the run queue's, not the lock's. A wake-up not seen: to end_ns.
 */
static __always_inline void finish_wait(struct tt_sched *s, __u32 tgid, __u32 tid, __u64 end_ns)
{
	struct tt_wait *w = &s->wait;
	__u64 woke = w->woken_ns && w->woken_ns < end_ns ? w->woken_ns : end_ns;
	__u64 dur = woke > w->start_ns ? woke - w->start_ns : 0;
	struct tt_event *e;

	word_unqueue(s, w);

	count_wait(tgid, tid, w, dur);
	if (w->owner && w->owner != tid)
		count_owner(tid, w, dur);
	if (want_stacks || w->py_stack)
		count_site(tgid, w, dur);
	if (w->ret == -ETIMEDOUT) {
		/* a timed join that timed out joined nothing */
		struct join_key jk = { .tid_word = w->addr, .tgid = tgid };

		bpf_map_delete_elem(&join_pending, &jk);
	}
	if (!w->ret)
		begin_hold(s, w->addr, w->kind, end_ns); /* it holds the word now, until it wakes it */
	if (stream_locks && (e = event_new(TT_EV_WAIT, tgid, tid))) {
		e->wait.addr = w->addr;
		e->wait.dur_ns = dur;
		e->wait.waker = w->waker;
		e->wait.ret = w->ret;
		e->wait.owner = w->owner;
		e->wait.kind = w->kind;
		e->wait.py_stack = w->py_stack;
		e->wait.site = w->site;
		event_submit(e);
	}
	if (w->timed)
		__sync_fetch_and_sub(&timed_waits, 1);
}

/* finish_wait as a global function (futex.bpf.c): the verifier checks it once, not at each caller. */
int futex_finish_wait(struct tt_sched *s, __u32 tgid, __u32 tid, __u64 end_ns);

/* Whether a thread (its scheduling entry s) has a wait open, which ends now. */
static __always_inline bool take_open_wait_flag(struct tt_sched *s)
{
	if (!s || !s->in_wait)
		return false;
	s->in_wait = 0;
	return true;
}

/* next (a target thread, its entry s) runs again: a futex wait it slept in has ended. */
static __always_inline void futex_resumes(struct tt_sched *s, struct task_struct *next, __u64 now)
{
	if (take_open_wait_flag(s))
		futex_finish_wait(s, target_tgid(next->tgid), task_tid(next), now);
}

/*
 * t is on a CPU (it switches out, or exits) but still has a wait open: on
 * this kernel about 1 sleep in 1000 comes back with neither its sched_waking
 * nor its sched_switch seen. It resumed when its CPU time started to grow
 * again: finish the wait then. Returns that time, or 0 with no wait open.
 */
static __always_inline __u64 futex_missed_resume(struct tt_sched *s, struct task_struct *t, __u64 now)
{
	__u64 ran, resumed;

	if (!take_open_wait_flag(s))
		return 0;
	ran = t->se.sum_exec_runtime - s->wait.runtime_ns;
	resumed = ran < now - s->wait.start_ns ? now - ran : s->wait.start_ns;
	futex_finish_wait(s, target_tgid(t->tgid), task_tid(t), resumed);
	return resumed;
}

/*
 * A timer fires (hrtimer_expire_entry), before it wakes its thread: if it
 * is the timeout of a target thread's futex wait, the wait timed out. The
 * timeout is a struct hrtimer_sleeper on the waiting thread's kernel stack;
 * any other timer either has no target thread after it or lies elsewhere.
 * (Comparing timer->function with hrtimer_wakeup would need its address from
 * /proc/kallsyms: libbpf's parse of it costs 100 ms of start-up.)
 */
static __always_inline void futex_timeout(struct hrtimer *timer)
{
	struct task_struct *t;
	struct tt_sched *s;
	__u64 stack;
	__u32 tid;

	if (!timed_waits)
		return;
	t = BPF_CORE_READ((struct hrtimer_sleeper *)timer, task);
	if (!t || !is_target(BPF_CORE_READ(t, tgid)))
		return;
	stack = (__u64)BPF_CORE_READ(t, stack);
	if ((__u64)timer < stack || (__u64)timer >= stack + TT_THREAD_SIZE)
		return;
	tid = task_tid_read(t);
	s = bpf_map_lookup_elem(&sched_stats, &tid);
	if (s && s->in_wait && !s->wait.woken)
		s->wait.ret = -ETIMEDOUT;
}

#endif /* FUTEX_BPF_H */
