// SPDX-License-Identifier: GPL-2.0
/*
 * Futex waits and wakes of the target's threads: per-word wait statistics,
 * who woke whom, who held the word, contended hold times, all aggregated in
 * maps; with --csv also a `wait`/`hold` event each. Also infers joins that are
 * not pthread joins (CPython 3.11's Thread.join waits on a lock the ending
 * thread releases about 0.1 ms before its OS thread exits): a thread that
 * wakes a waiter and exits right after is taken as joined by it.
 */
#include "common.bpf.h"

#define SYS_futex 202 /* x86-64 */
#define SYS_futex_waitv 449
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
#define EAGAIN 11
#define EINTR 4
#define ETIMEDOUT 110

/* How soon after its last wake an exiting thread counts as the one joined. */
#define JOIN_GUESS_WINDOW_NS (2 * 1000 * 1000)

/* --csv: a `wait` and `hold` event each, besides the maps. */
const volatile bool stream_locks = false;
/* --stacks: where each wait blocked */
const volatile bool want_stacks = false;
/* --stacks: the targets' executable mappings, kept up to date by user space */
struct tt_range text_ranges[TT_TEXT_RANGES];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[TT_SCAN_WORDS]);
} scan_buf SEC(".maps");

/* A wake that woke one of the target's waiters. */
struct futex_wake {
	__u64 ts_ns;
	__u64 wait_start_ns;
	__u64 addr;
	__u32 wakee;
	__u32 op;
};

/* A thread's last woken wait: the start of a contended hold. */
struct hold_start {
	__u64 ts_ns;
	__u64 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* resized by the loader (--max-threads) */
	__type(key, __u32);
	__type(value, struct tt_wait);
} waiting SEC(".maps");

/*
 * The futex call running on this CPU: a wake (for sched_waking to name its
 * waker) or not. Per CPU, not per thread: a wake with no waiter, the common
 * case, then costs no hash map operation. A call that migrates between CPUs
 * loses its waker attribution, nothing else.
 */
struct futex_call {
	__u32 tid;
	__u32 wake;
	__u64 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct futex_call);
} in_call SEC(".maps");

static __always_inline struct futex_call *this_cpu_call(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&in_call, &zero);
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct futex_wake);
} last_wake SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct hold_start);
} holding SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* sized for the worst case, filled as needed */
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_lock_key);
	__type(value, struct tt_lock_stat);
} lock_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* sized for the worst case, filled as needed */
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_addr_key);
	__type(value, struct tt_hold_stat);
} hold_stats SEC(".maps");

/* waker -> wakee per word */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* sized for the worst case, filled as needed */
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_pair_key);
	__type(value, struct tt_pair_val);
} wake_pairs SEC(".maps");

/* owner -> waiter per word: who a blocked thread was waiting for */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* sized for the worst case, filled as needed */
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_pair_key);
	__type(value, struct tt_pair_val);
} owner_pairs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, TT_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* per word and call site: waits and their total */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_site_key);
	__type(value, struct tt_pair_val);
} sites SEC(".maps");

static const struct tt_lock_stat zero_stat;
static const struct tt_hold_stat zero_hold;
static const struct tt_pair_val zero_pair;

static __always_inline bool is_wait_op(__u32 cmd)
{
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
	       cmd == FUTEX_LOCK_PI2 || cmd == FUTEX_WAIT_REQUEUE_PI;
}

static __always_inline bool is_wake_op(__u32 cmd)
{
	return cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET || cmd == FUTEX_WAKE_OP ||
	       cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE || cmd == FUTEX_UNLOCK_PI ||
	       cmd == FUTEX_CMP_REQUEUE_PI;
}

static __always_inline bool in_text(__u64 v)
{
	for (int j = 0; j < TT_TEXT_RANGES; j++) {
		if (!text_ranges[j].end)
			break;
		if (v >= text_ranges[j].start && v < text_ranges[j].end)
			return true;
	}
	return false;
}

/* The first return addresses on the user stack (see TT_SCAN_WORDS). */
static __always_inline void scan_stack(struct pt_regs *regs, __u64 scan[TT_SCAN_HITS])
{
	__u32 zero = 0, hits = 0;
	__u64 *buf = bpf_map_lookup_elem(&scan_buf, &zero);

	if (!buf || bpf_probe_read_user(buf, TT_SCAN_WORDS * sizeof(__u64), (void *)BPF_CORE_READ(regs, sp)))
		return;
	for (int i = 0; i < TT_SCAN_WORDS; i++) {
		if (hits >= TT_SCAN_HITS)
			break;
		if (in_text(buf[i]))
			scan[hits++] = buf[i];
	}
}

static __always_inline __u32 read_u32(__u64 addr)
{
	__u32 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

/*
 * What the word is, from the call and glibc's layouts (x86-64, glibc 2.36):
 * a mutex waits with val 2 and keeps its owner's tid at +8 (__owner); a sem_t
 * waits on a zero value with its waiter count at +4; a pthread_cond_t waits on
 * __g_signals[0/1] at +0x28/+0x2c with __wrefs (waiters << 3) at +0x24.
 */
static __always_inline __u32 classify(__u64 addr, __u32 cmd, __u32 val, __u32 *owner)
{
	__u32 wrefs;

	*owner = 0;
	if (cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2) {
		*owner = read_u32(addr) & FUTEX_TID_MASK;
		return TT_LOCK_PI;
	}
	if (cmd == FUTEX_WAIT_REQUEUE_PI)
		return TT_LOCK_COND;
	if (val == 2) {
		*owner = read_u32(addr + 8);
		return TT_LOCK_MUTEX;
	}
	if (!(addr & 7) && val == 0) {
		__u32 nwaiters = read_u32(addr + 4);

		if (nwaiters && nwaiters < 65536)
			return TT_LOCK_SEM;
	}
	wrefs = read_u32((addr & 7) ? addr - 8 : addr - 4);
	if (wrefs >= 8 && wrefs < (1u << 20))
		return TT_LOCK_COND;
	return TT_LOCK_FUTEX;
}

/* slot of ns in a log2 histogram */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/* slot in the hold histogram: 4 per power of two */
static __always_inline __u32 hold_slot(__u64 v)
{
	__u32 msb, slot;

	if (v < 4)
		return (__u32)v;
	msb = log2_slot(v);
	slot = msb * 4 + ((v >> (msb - 2)) & 3);
	return slot < TT_HOLD_SLOTS ? slot : TT_HOLD_SLOTS - 1;
}

static __always_inline void atomic_max(__u64 *p, __u64 v)
{
	if (v > *p)
		*p = v; /* racy across CPUs, and only a maximum */
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	__u32 op, cmd;
	__u64 addr;

	if (!is_target(pid_tgid >> 32) || (id != SYS_futex && id != SYS_futex_waitv))
		return 0;
	if (id == SYS_futex_waitv) {
		/* waits on several words: named by the first (struct futex_waitv: val, uaddr, ...) */
		addr = 0;
		bpf_probe_read_user(&addr, sizeof(addr), (void *)(BPF_CORE_READ(regs, di) + 8));
		op = OP_WAITV;
		cmd = FUTEX_WAIT;
	} else {
		addr = regs->di;
		op = regs->si;
		cmd = op & FUTEX_CMD_MASK;
	}
	if (is_wait_op(cmd)) {
		struct tt_wait w = { .start_ns = bpf_ktime_get_ns(), .addr = addr, .op = op, .stack_id = -1 };

		if (want_stacks) {
			w.stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
			scan_stack(regs, w.scan);
		}
		if (op == OP_WAITV)
			w.kind = TT_LOCK_FUTEX;
		else
			w.kind = classify(addr, cmd, (__u32)regs->dx, &w.owner);
		if (bpf_map_update_elem(&waiting, &tid, &w, BPF_ANY))
			count_drop(TT_DROP_MAP);
		/*
		 * The owner's side: it holds the word at least from now until it
		 * wakes it (a lower bound when it took the lock without waiting).
		 */
		if (w.owner && w.owner != tid && w.owner < 4194304) {
			struct hold_start h = { .ts_ns = w.start_ns, .addr = addr };

			bpf_map_update_elem(&holding, &w.owner, &h, BPF_NOEXIST);
		}
	} else if (is_wake_op(cmd)) {
		struct hold_start *h = bpf_map_lookup_elem(&holding, &tid);

		struct futex_call *c = this_cpu_call();

		if (c) {
			c->tid = tid;
			c->wake = 1;
			c->addr = addr;
		}
		/* the holder lets go of a word it got through a wait: a contended hold */
		if (h && h->addr == addr) {
			__u64 now = bpf_ktime_get_ns(), dur = now - h->ts_ns;
			struct tt_addr_key hkey = { .addr = addr, .tgid = pid_tgid >> 32 };
			struct tt_hold_stat *hs;
			struct tt_event *e;

			hs = lookup_or_init(&hold_stats, &hkey, &zero_hold, TT_DROP_LOCKS);
			if (hs) {
				__sync_fetch_and_add(&hs->count, 1);
				__sync_fetch_and_add(&hs->total_ns, dur);
				__sync_fetch_and_add(&hs->hist[hold_slot(dur)], 1);
				atomic_max(&hs->max_ns, dur);
			}
			if (stream_locks && (e = event_new(TT_EV_HOLD, pid_tgid >> 32, tid))) {
				e->addr = addr;
				e->dur_ns = dur;
				event_submit(e);
			}
			bpf_map_delete_elem(&holding, &tid);
		}
	}
	return 0;
}

static __always_inline void count_wait(__u32 tgid, __u32 tid, struct tt_wait *w, long ret, __u64 dur)
{
	struct tt_lock_key key = { .addr = w->addr, .tid = tid, .tgid = tgid };
	struct tt_lock_stat *st;
	__u32 slot;

	st = lookup_or_init(&lock_stats, &key, &zero_stat, TT_DROP_LOCKS);
	if (!st)
		return;
	/* One thread updates its own entry: no atomics needed. */
	st->kinds |= 1u << (w->kind & 7);
	if (ret == -EAGAIN) {
		st->eagain++;
		return;
	}
	st->waits++;
	st->total_ns += dur;
	if (dur > st->max_ns)
		st->max_ns = dur;
	slot = log2_slot(dur);
	if (slot >= TT_LOG2_SLOTS)
		slot = TT_LOG2_SLOTS - 1;
	st->hist[slot]++;
	if (ret == -ETIMEDOUT)
		st->timeouts++;
	else if (ret == -EINTR)
		st->interrupted++;
	else if (ret == 0 && w->waker)
		st->woken++;
}

static __always_inline void count_site(__u32 tgid, struct tt_wait *w, __u64 dur)
{
	struct tt_site_key key = { .addr = w->addr, .tgid = tgid, .stack_id = w->stack_id };

	__builtin_memcpy(key.scan, w->scan, sizeof(key.scan));
	struct tt_pair_val *v;

	v = lookup_or_init(&sites, &key, &zero_pair, TT_DROP_LOCKS);
	if (!v)
		return;
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->total_ns, dur);
}

static __always_inline void count_owner(__u32 tid, struct tt_wait *w, __u64 dur)
{
	struct tt_pair_key key = { .addr = w->addr, .a = w->owner, .b = tid };
	struct tt_pair_val *v;

	v = lookup_or_init(&owner_pairs, &key, &zero_pair, TT_DROP_LOCKS);
	if (!v)
		return;
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->total_ns, dur);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct futex_call *c;
	struct tt_wait *w;
	long nr;

	if (!is_target(pid_tgid >> 32))
		return 0;
	nr = regs->orig_ax;
	if (nr != SYS_futex && nr != SYS_futex_waitv)
		return 0;
	c = this_cpu_call();
	if (c && c->tid == tid && c->wake) {
		c->wake = 0; /* a wake: nothing waited */
		return 0;
	}
	w = bpf_map_lookup_elem(&waiting, &tid);
	if (!w)
		return 0;
	/* futex_waitv returns the index of the word that woke it */
	if (w->op == OP_WAITV && ret > 0)
		ret = 0;
	if (ret == 0 || ret == -EAGAIN || ret == -ETIMEDOUT || ret == -EINTR) {
		__u64 now = bpf_ktime_get_ns(), dur = now - w->start_ns;
		struct tt_event *e;

		count_wait(pid_tgid >> 32, tid, w, ret, dur);
		if (ret != -EAGAIN && w->owner && w->owner != tid)
			count_owner(tid, w, dur);
		if (want_stacks && ret != -EAGAIN)
			count_site(pid_tgid >> 32, w, dur);
		if (ret == 0) {
			/* it holds the word now, until it wakes it */
			struct hold_start h = { .ts_ns = now, .addr = w->addr };

			if (bpf_map_update_elem(&holding, &tid, &h, BPF_ANY))
				count_drop(TT_DROP_MAP);
		}
		if (stream_locks && ret != -EAGAIN && (e = event_new(TT_EV_WAIT, pid_tgid >> 32, tid))) {
			e->addr = w->addr;
			e->dur_ns = dur;
			e->peer_tid = w->waker;
			e->ret = ret;
			e->arg = w->owner;
			e->flags = w->kind;
			event_submit(e);
		}
	}
	bpf_map_delete_elem(&waiting, &tid);
	return 0;
}

/* Runs in the waker's context: tie the wakee's wait to the waker. */
SEC("tp_btf/sched_waking")
int BPF_PROG(on_sched_waking, struct task_struct *p)
{
	__u32 wakee = BPF_CORE_READ(p, pid);
	struct futex_wake wake = {};
	struct tt_pair_key key = {};
	struct tt_pair_val *v;
	struct futex_call *c;
	struct tt_wait *w;
	__u32 waker;

	if (!is_target(p->tgid))
		return 0;
	waker = (__u32)bpf_get_current_pid_tgid();
	c = this_cpu_call();
	if (!c || !c->wake || c->tid != waker)
		return 0;
	w = bpf_map_lookup_elem(&waiting, &wakee);
	if (!w)
		return 0;
	w->waker = waker;
	key.addr = w->addr;
	key.a = waker;
	key.b = wakee;
	v = lookup_or_init(&wake_pairs, &key, &zero_pair, TT_DROP_LOCKS);
	if (v)
		__sync_fetch_and_add(&v->count, 1);
	/*
	 * A CPython join waits on the thread's lock, a sem_t; the thread's last
	 * GIL release wakes its joiner too, right after: only semaphore waits
	 * can be a join.
	 */
	if (w->kind != TT_LOCK_SEM)
		return 0;
	wake.ts_ns = bpf_ktime_get_ns();
	wake.wait_start_ns = w->start_ns;
	wake.addr = w->addr;
	wake.wakee = wakee;
	wake.op = w->op;
	if (bpf_map_update_elem(&last_wake, &waker, &wake, BPF_ANY))
		count_drop(TT_DROP_MAP);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(guess_join_at_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u32 tid = BPF_CORE_READ(task, pid);
	struct futex_wake *wake;
	struct tt_event *e;

	if (!is_target(tgid))
		return 0;
	/* A thread killed inside a futex call never reaches sys_exit. */
	bpf_map_delete_elem(&waiting, &tid);
	bpf_map_delete_elem(&holding, &tid);
	wake = bpf_map_lookup_elem(&last_wake, &tid);
	if (!wake)
		return 0;
	/* Only a thread ending by itself, right after the wake, was joined. */
	if (!exit_flags(task) && bpf_ktime_get_ns() - wake->ts_ns < JOIN_GUESS_WINDOW_NS &&
	    (e = event_new(TT_EV_JOIN_GUESS, tgid, wake->wakee))) {
		e->peer_tid = tid;
		e->dur_ns = wake->ts_ns - wake->wait_start_ns;
		e->addr = wake->addr;
		e->arg = wake->op;
		event_submit(e);
	}
	bpf_map_delete_elem(&last_wake, &tid);
	return 0;
}
