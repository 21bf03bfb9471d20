// SPDX-License-Identifier: GPL-2.0
/*
 * pthread joins, seen at libc's join functions: a join of a thread that has
 * already ended makes no futex call, so only these probes see every join.
 * Also CPython's PyThread_exit_thread, which marks a daemon thread stopped by
 * interpreter shutdown (it ends by itself, yet was killed by the exit).
 *
 * glibc's join functions all jump to one internal function whose first
 * instruction (a push) the kernel emulates: one uprobe there (join_core), and
 * no return probe, costs a thread churn ~2 us per join instead of ~25 us for
 * entry and return probes on each function (whose first instruction must be
 * single-stepped). Where that function is not found (another libc), the
 * entry/return pair (join_enter, join_return) is the fallback.
 */
#include "sched.bpf.h"

struct join_call {
	__u64 start_ns;
	__u64 tid_word; /* the joinee's tid word: its clear_child_tid */
};

/*
 * Used by the fallback probes only (another libc), and only from uprobes: not
 * preallocated, which cost every start-up a few ms for a map nearly always empty.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384); /* resized by the loader (--max-threads) */
	__type(key, __u32);
	__type(value, struct join_call);
} join_calls SEC(".maps");

/*
 * A pthread_t is the thread's struct pthread, which sits at the thread
 * pointer (x86-64: fs base, platform.h); its tid word is at the same offset in every
 * struct pthread. The caller's own pair gives that offset without knowing
 * glibc's layout: clear_child_tid - fsbase.
 */
static __always_inline __u64 tid_word_of(__u64 pthread)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	__u64 own_word = (__u64)cur->clear_child_tid;
	__u64 own_tp = TT_TASK_TP(cur);

	if (!own_word || !own_tp)
		return 0;
	return pthread + (own_word - own_tp);
}

/*
 * Whether the thread tid (its tid word at tid_word) has passed its exit: its
 * scheduling entry says so, or it has none left (gone at its last switch, or
 * never made) and its word is 0 (see join_pending).
 */
static __always_inline bool joinee_exited(__u32 tid, __u64 tid_word)
{
	struct tt_sched *s = bpf_map_lookup_elem(&sched_stats, &tid);
	__u32 word = 1;

	if (s)
		return s->exited;
	return !bpf_probe_read_user(&word, sizeof(word), (void *)tid_word) && !word;
}

/*
 * glibc's __pthread_clockjoin_ex(pthread, result, clockid, abstime, block):
 * the joinee has ended (its tid word is 0) and the join returns at once, or
 * the join waits until the joinee's exit (completed in lifecycle.bpf.h). A
 * try-join (block 0) of a live thread never gets here in glibc 2.36 (EBUSY
 * first); a timed join that times out is dropped by its wait (futex.bpf.h).
 */
SEC("uprobe") /* BPF_KPROBE: libbpf 1.1 has no BPF_UPROBE; same code */
int BPF_KPROBE(join_core, __u64 pthread, __u64 result, __u32 clockid, __u64 abstime, __u32 block)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct join_wait wait = {};
	struct join_key key = {};
	struct tt_sched *s;
	__u32 word = 0;

	if (!is_target(id >> 32))
		return 0;
	key.tid_word = tid_word_of(pthread);
	key.tgid = target_tgid(id >> 32);
	if (!key.tid_word || bpf_probe_read_user(&word, sizeof(word), (void *)key.tid_word))
		return 0;
	if (!word) {
		emit_join(key.tgid, current_tid(), key.tid_word, 0);
		return 0;
	}
	if (!block)
		return 0; /* busy: joins nothing */
	wait.start_ns = bpf_ktime_get_ns();
	wait.joiner = current_tid();
	wait.joinee = word;
	if (bpf_map_update_elem(&join_pending, &key, &wait, BPF_ANY)) {
		count_drop(TT_DROP_MAP);
		return 0;
	}
	/* should this thread end in there (cancelled), its exit drops the entry */
	s = sched_of(wait.joiner);
	if (s)
		s->joining_word = key.tid_word;
	/* the joinee's exit may have looked for this entry just before it existed */
	full_fence();
	if (joinee_exited(word, key.tid_word) && take_pending_join(&key, &wait))
		emit_join(key.tgid, wait.joiner, key.tid_word, bpf_ktime_get_ns() - wait.start_ns);
	return 0;
}

SEC("uprobe") /* BPF_KPROBE: libbpf 1.1 has no BPF_UPROBE; same code */
int BPF_KPROBE(join_enter, __u64 pthread)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct join_call call = {};
	__u32 tid;

	if (!is_target(id >> 32))
		return 0;
	tid = current_tid();
	call.start_ns = bpf_ktime_get_ns();
	call.tid_word = tid_word_of(pthread);
	if (bpf_map_update_elem(&join_calls, &tid, &call, BPF_ANY))
		count_drop(TT_DROP_MAP);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(join_return, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct join_call *call;
	__u32 tid;

	if (!is_target(id >> 32))
		return 0;
	tid = current_tid();
	call = bpf_map_lookup_elem(&join_calls, &tid);
	if (!call)
		return 0;
	/* A failed or busy join (EBUSY from tryjoin, ESRCH, ...) joined nothing. */
	if (ret == 0)
		emit_join(target_tgid(id >> 32), tid, call->tid_word, bpf_ktime_get_ns() - call->start_ns);
	bpf_map_delete_elem(&join_calls, &tid);
	return 0;
}

SEC("uprobe") /* BPF_KPROBE: libbpf 1.1 has no BPF_UPROBE; same code */
int BPF_KPROBE(py_thread_exit)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u8 one = 1;
	__u32 tid;

	if (!is_target(id >> 32))
		return 0;
	tid = current_tid();
	py_exits_seen = true;
	if (bpf_map_update_elem(&py_exiting, &tid, &one, BPF_ANY))
		count_drop(TT_DROP_MAP);
	return 0;
}
