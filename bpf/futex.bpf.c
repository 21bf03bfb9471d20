// SPDX-License-Identifier: GPL-2.0
/*
 * Futex waits and wakes of the target's threads. For now this infers joins
 * that are not pthread joins (CPython 3.11's Thread.join waits on a lock the
 * ending thread releases about 0.1 ms before its OS thread exits): a thread
 * that wakes a waiter and exits right after is taken as joined by it.
 */
#include "common.bpf.h"

#define SYS_futex 202 /* x86-64 */
#define FUTEX_CMD_MASK 0x7f
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_UNLOCK_PI 7
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10

/* How soon after its last wake an exiting thread counts as the one joined. */
#define JOIN_GUESS_WINDOW_NS (2 * 1000 * 1000)

struct futex_wait {
	__u64 start_ns;
	__u64 addr;
	__u32 op;
};

/* A wake that woke one of the target's waiters. */
struct futex_wake {
	__u64 ts_ns;
	__u64 wait_start_ns;
	__u64 addr;
	__u32 wakee;
	__u32 op;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* resized by the loader (--max-threads) */
	__type(key, __u32);
	__type(value, struct futex_wait);
} waiting SEC(".maps");

/* Threads inside a futex wake call: tid -> futex word. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} waking SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct futex_wake);
} last_wake SEC(".maps");

static __always_inline bool is_wait_op(__u32 cmd)
{
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET;
}

static __always_inline bool is_wake_op(__u32 cmd)
{
	return cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET || cmd == FUTEX_WAKE_OP ||
	       cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE || cmd == FUTEX_UNLOCK_PI;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	__u64 addr;
	__u32 op;

	if (!is_target(pid_tgid >> 32) || id != SYS_futex)
		return 0;
	addr = BPF_CORE_READ(regs, di);
	op = BPF_CORE_READ(regs, si);
	if (is_wait_op(op & FUTEX_CMD_MASK)) {
		struct futex_wait w = { .start_ns = bpf_ktime_get_ns(), .addr = addr, .op = op };

		if (bpf_map_update_elem(&waiting, &tid, &w, BPF_ANY))
			count_drop(TT_DROP_MAP);
	} else if (is_wake_op(op & FUTEX_CMD_MASK)) {
		if (bpf_map_update_elem(&waking, &tid, &addr, BPF_ANY))
			count_drop(TT_DROP_MAP);
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;

	if (!is_target(pid_tgid >> 32) || BPF_CORE_READ(regs, orig_ax) != SYS_futex)
		return 0;
	bpf_map_delete_elem(&waiting, &tid);
	bpf_map_delete_elem(&waking, &tid);
	return 0;
}

/* Runs in the waker's context: tie the wakee's wait to the waker. */
SEC("tp_btf/sched_waking")
int BPF_PROG(on_sched_waking, struct task_struct *p)
{
	__u32 wakee = BPF_CORE_READ(p, pid);
	struct futex_wake wake = {};
	struct futex_wait *w;
	__u32 waker;
	__u64 *addr;

	if (!is_target(BPF_CORE_READ(p, tgid)))
		return 0;
	waker = (__u32)bpf_get_current_pid_tgid();
	addr = bpf_map_lookup_elem(&waking, &waker);
	if (!addr)
		return 0;
	w = bpf_map_lookup_elem(&waiting, &wakee);
	if (!w)
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
	bpf_map_delete_elem(&waking, &tid);
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
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&last_wake, &tid);
	return 0;
}
