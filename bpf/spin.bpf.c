// SPDX-License-Identifier: GPL-2.0
/*
 * Locks that spin before they sleep: Rust std's Mutex and RwLock (their
 * lock_contended, read_contended, write_contended), glibc's adaptive mutexes
 * (the spin loop inside pthread_mutex_lock). A waiter there burns its CPU
 * until the lock frees or it gives up and sleeps in a futex wait: on the CPU
 * it looks busy, and a lock that serializes the process looked idle.
 *
 * Probes at the slow path's entry and return (user/spinprobes.c finds them)
 * mark the thread as in it: its time on a CPU there is TT_ST_SPIN (waiting for
 * the lock, not useful work: out of the parallelism figure, sched.bpf.h), and
 * each slow path's spin, wall time and whether it slept go to spin_stats per
 * (lock, thread). The futex wait inside, if any, is counted as any wait is.
 */
#include "sched.bpf.h"
#include "futex.bpf.h"
#include "ustack.bpf.h"

struct spin_stats_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_spin_key);
	__type(value, struct tt_spin_stat);
};

struct spin_stats_map spin_stats SEC(".maps");

static const struct tt_spin_stat zero_spin;

/* The calling thread enters a slow path of lock addr; ret_slot: where a return probe hid its return address. */
static __always_inline void spin_begin(__u64 addr, __u64 ret_slot, bool no_owner)
{
	__u32 tid, host_tgid = bpf_get_current_pid_tgid() >> 32;
	struct tt_sched *s;
	__u64 now;

	if (!is_target(host_tgid) || !addr)
		return;
	tid = current_tid();
	s = bpf_map_lookup_elem(&sched_stats, &tid);
	/*
	 * No entry (its map full), or past its exit: nothing to split. Any other state: it runs
	 * this probe, so it is on a CPU, whatever its books say (a switch-in is missed now and
	 * then on this kernel, about 1 in 1000: see futex_missed_resume); they are right from here.
	 */
	if (!s || s->state == TT_ST_ENDED)
		return;
	now = bpf_ktime_get_ns();
	account(s, now);
	s->state = TT_ST_SPIN;
	s->spin_addr = addr;
	s->spin_since_ns = now;
	s->spin_mark_ns = s->spin_ns;
	s->spin_lock_mark = s->lock_ns;
	s->spin_no_owner = no_owner;
	s->spin_ret_slot = ret_slot;
	s->spin_ret = 0;
	if (ret_slot && bpf_probe_read_user(&s->spin_ret, sizeof(s->spin_ret), (void *)ret_slot))
		s->spin_ret_slot = 0;
	emit_state(bpf_get_current_task_btf(), TT_ST_SPIN, now, addr, NULL);
	if (s->on_cpu) {
		s->on_cpu = 0;
		par_change(now, -1);
	}
}

/*
 * The lock's stack for its name (a spin may be all its waiters ever do), and with --stacks,
 * a slow path's spin is waiting at a call site as a blocking wait is: counted at the
 * caller's stack (a return probe runs once the slow path returned, so its frame is gone; in
 * pthread_mutex_lock the unwinder steps out of it), with its stack copy for DWARF unwinding.
 */
static __noinline void spin_site(struct pt_regs *ctx, struct tt_sched *s, __u32 tgid, __u64 addr, __u64 spun)
{
	struct tt_wait w = { .addr = addr };
	__u32 tid;

	if (!ctx || !s)
		return;
	tid = current_tid();
	/* a lock no symbol covers is named after its caller: its first slow path's stack, as its first wait's */
	ustack_send_word(s, tgid, tid, ctx, addr);
	if (!want_stacks || !spun)
		return;
	w.stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	scan_stack(ctx, w.scan);
	w.site = tt_site_id(tgid, addr, w.stack_id, w.scan);
	count_site(tgid, &w, spun);
	ustack_send(s, tgid, tid, ctx, &w);
}

/* The calling thread took the lock: its slow path ends. */
static __always_inline void spin_end(struct pt_regs *ctx)
{
	__u32 tid, host_tgid = bpf_get_current_pid_tgid() >> 32;
	struct tt_spin_key key = {};
	struct tt_spin_stat *st;
	struct tt_sched *s;
	__u64 now, spun;

	if (!is_target(host_tgid))
		return;
	tid = current_tid();
	s = bpf_map_lookup_elem(&sched_stats, &tid);
	if (!s || !s->spin_addr) /* a slow path entered before the trace began */
		return;
	now = bpf_ktime_get_ns();
	account(s, now);
	key.addr = s->spin_addr;
	key.tgid = target_tgid(host_tgid);
	key.tid = tid;
	s->spin_addr = 0;
	s->spin_ret_slot = 0;
	/* on a CPU, as in spin_begin: whatever its books said (a missed switch-in) */
	if (s->state != TT_ST_ENDED) {
		s->state = TT_ST_ONCPU;
		emit_state(bpf_get_current_task_btf(), TT_ST_ONCPU, now, 0, NULL);
		if (!s->on_cpu) {
			s->on_cpu = 1;
			par_change(now, 1);
		}
	}
	spun = s->spin_ns - s->spin_mark_ns;
	st = lookup_or_init(&spin_stats, &key, &zero_spin, TT_DROP_SPINS); /* full: --max-locks */
	if (!st)
		return;
	/* per (lock, thread): only this thread updates its entry */
	st->acquires++;
	st->spun_only += s->lock_ns == s->spin_lock_mark;
	st->spin_ns += spun;
	st->slow_ns += now > s->spin_since_ns ? now - s->spin_since_ns : 0;
	spin_site(ctx, s, key.tgid, key.addr, spun);
}

/* Entry of a slow-path function (Rust std): the lock is its first argument; a return probe ends it. */
SEC("uprobe")
int BPF_KPROBE(spin_enter_fn, __u64 lock)
{
	/* the return probe replaces the return address at sp after this program runs */
	spin_begin(lock, PT_REGS_SP(ctx), true);
	return 0;
}

/* An instruction inside pthread_mutex_lock where an adaptive mutex starts to spin: the mutex in rdi. */
SEC("uprobe")
int BPF_KPROBE(spin_enter_at, __u64 mutex)
{
	spin_begin(mutex, 0, false);
	return 0;
}

/* The slow path's return (a return probe), or the instruction where the spin has taken the lock. */
SEC("uprobe")
int BPF_KPROBE(spin_exit)
{
	spin_end(ctx);
	return 0;
}
