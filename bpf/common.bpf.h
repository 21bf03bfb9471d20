/* SPDX-License-Identifier: GPL-2.0 */
/* Maps, tunables and helpers every kernel-side file uses; defined once in common.bpf.c. */
#ifndef COMMON_BPF_H
#define COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "threadtrace.h"
#include "platform.h"
#include "pidns.bpf.h"

/* include/linux/sched.h and sched/signal.h: #defines, so absent from BTF. */
#define PF_SIGNALED 0x00000400
#define SIGNAL_GROUP_EXIT 0x00000004
#define CLONE_THREAD 0x00010000 /* uapi sched.h */
#define E2BIG 7
#define EEXIST 17

/* The process being traced, as the host numbers it: set before load through the skeleton's rodata. */
extern const volatile __u32 targ_tgid;
/*
 * threadtrace's PID namespace (pidns.bpf.h): its level (0: the host's, no
 * translation) and inode, and the target's tgid there.
 */
extern const volatile __u32 pidns_level;
extern const volatile __u32 pidns_inum;
extern const volatile __u32 targ_ns_tgid;
/* -f: its descendants too, kept in the targets map. */
extern const volatile bool follow_forks;
/* Waiting bytes in the ring buffer from which a submit wakes the reader (a quarter of it). */
extern const volatile __u64 wakeup_bytes;

/* Map types named so that each map is defined in one file and declared extern in others. */
struct events_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22); /* resized by the loader (--buffer) */
};

struct drops_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TT_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
};

/* A set of tids (value unused); resized by the loader (--max-threads). */
struct tid_set_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
};

/* -f: the processes traced besides targ_tgid (host tgid -> its tgid in threadtrace's namespace). */
struct targets_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
};

/* In a PID namespace: a dying thread's tid there, kept for its last switch (its struct pid is gone by then). */
struct ns_tids_map {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
};

/*
 * A pthread join still waiting: the joinee's tid word (its clear_child_tid)
 * -> the joiner. join.bpf.c adds it, the joinee's exit completes it
 * (lifecycle.bpf.h), a timed-out join's wait drops it (futex.bpf.h).
 *
 * The joinee's exit runs before its tid word is cleared (exit_mm), so a join
 * can read the word as live just after the exit looked for a joiner. So each
 * side first says it is there, then looks for the other: the exit sets the
 * `exited` flag of the joinee's scheduling entry, the join adds its entry
 * here; a full barrier; the exit looks here, the join at that flag (or, with
 * the entry gone at the joinee's last switch, at its word again, 0 by then).
 * Whoever deletes the entry here reports the join.
 */
struct join_key {
	__u64 tid_word;
	__u32 tgid;
	__u32 pad;
};

struct join_wait {
	__u64 start_ns;
	__u32 joiner;
	__u32 joinee; /* an entry left by a join that never ended names another thread */
};

struct join_pending_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* resized by the loader (--max-threads) */
	__type(key, struct join_key);
	__type(value, struct join_wait);
};

extern struct events_map events SEC(".maps");
extern struct join_pending_map join_pending SEC(".maps");
extern struct targets_map targets SEC(".maps");
extern struct drops_map drops SEC(".maps");
extern struct ns_tids_map ns_tids SEC(".maps");
/* Threads that called PyThread_exit_thread (join.bpf.c fills, exit_flags reads). */
extern struct tid_set_map py_exiting SEC(".maps");
/* Set once py_exiting has had an entry: until then no program needs to look there. */
extern bool py_exits_seen;

/* First thing every program does: this runs on every event of the machine. */
static __always_inline bool is_target(__u32 tgid)
{
	if (tgid == targ_tgid)
		return true;
	/* without -f the verifier drops the lookup */
	return follow_forks && bpf_map_lookup_elem(&targets, &tgid);
}

/*
 * The ids events, map keys and futex words use: threadtrace's namespace's
 * (pidns.bpf.h). Called only for a target's threads (is_target first) or
 * for current; on the host the verifier keeps only the first line of each.
 */

/* t's tid (t: a pointer the verifier trusts; 0 if t is no thread visible here) */
static __always_inline __u32 task_tid(struct task_struct *t)
{
	struct pid *pid;
	__u32 *kept;

	if (!pidns_level)
		return t->pid;
	pid = BPF_CORE_READ(t, thread_pid);
	if (pid)
		return pidns_nr_at(pid, pidns_level, pidns_inum);
	/* released (its last switch): the tid its exit kept (pidns_keep_tid) */
	kept = bpf_task_storage_get(&ns_tids, t, 0, 0);
	return kept ? *kept : 0;
}

/* task_tid of a task read through BPF_CORE_READ (not trusted): a live thread's */
static __always_inline __u32 task_tid_read(struct task_struct *t)
{
	if (!pidns_level)
		return BPF_CORE_READ(t, pid);
	return pidns_nr_at(BPF_CORE_READ(t, thread_pid), pidns_level, pidns_inum);
}

/* The tgid of host tgid, a traced process (is_target): targ_ns_tgid, or -f's targets map. */
static __always_inline __u32 target_tgid(__u32 host_tgid)
{
	__u32 *ns;

	if (!pidns_level || host_tgid == targ_tgid)
		return pidns_level ? targ_ns_tgid : host_tgid;
	ns = bpf_map_lookup_elem(&targets, &host_tgid);
	return ns ? *ns : 0;
}

/* current's tid */
static __always_inline __u32 current_tid(void)
{
	if (!pidns_level)
		return (__u32)bpf_get_current_pid_tgid();
	return task_tid_read(bpf_get_current_task_btf());
}

/* A target thread exits (t: trusted): keep its tid for its last switch, after its struct pid is released. */
static __always_inline void pidns_keep_tid(struct task_struct *t, __u32 tid)
{
	__u32 *kept;

	if (!pidns_level)
		return;
	kept = bpf_task_storage_get(&ns_tids, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (kept)
		*kept = tid;
}

static __always_inline void count_drop(__u32 kind)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &kind);

	if (n)
		(*n)++;
}

/*
 * The entry for key, created from zero when new; NULL (and a drop of kind
 * counted) when full. The update's result is kept in an int: the helper
 * returns a long, but the map's update function returns an int, and once
 * inlined the compiler need not sign-extend it, so -E2BIG compared as a long
 * may never match (libbpf-tools keeps it in an int for this reason: bcc's
 * libbpf-tools/maps.bpf.h, bpf_map_lookup_or_try_init).
 */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *zero, __u32 kind)
{
	void *v = bpf_map_lookup_elem(map, key);
	int err;

	if (v)
		return v;
	err = bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	if (err == -E2BIG)
		count_drop(kind);
	return bpf_map_lookup_elem(map, key); /* another CPU may have made it */
}

/*
 * Reserve an event of kind (a constant: its size, tt_event_size, must be one
 * for the verifier) with its head filled in and its record zeroed; NULL when
 * the buffer is full. Fill only the record of its kind: e->wait for
 * TT_EV_WAIT, and so on (the rest is not reserved).
 */
static __always_inline struct tt_event *event_try(__u32 kind, __u32 tgid, __u32 tid)
{
	__u32 size = tt_event_size(kind);
	struct tt_event *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e)
		return NULL;
	__builtin_memset(e, 0, size);
	e->h.ts_ns = bpf_ktime_get_ns();
	e->h.kind = kind;
	e->h.tgid = tgid;
	e->h.tid = tid;
	return e;
}

/* event_try, counting the drop when full: the event is lost. */
static __always_inline struct tt_event *event_new(__u32 kind, __u32 tgid, __u32 tid)
{
	struct tt_event *e = event_try(kind, tgid, tid);

	if (!e)
		count_drop(TT_DROP_RINGBUF);
	return e;
}

/*
 * Submit without waking the reader (it polls every 50 ms anyway) until a
 * quarter of the buffer waits: a wake-up per event cost more than the event.
 */
static __always_inline void event_submit(struct tt_event *e)
{
	__u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes
			      ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;

	bpf_ringbuf_submit(e, flags);
}

/*
 * A full barrier: a map update's stores may still sit in this CPU's store
 * buffer when its next load reads (x86 lets a load pass earlier stores); a
 * locked instruction drains them. Needed where two CPUs each write one thing
 * and then read the other's (join_pending).
 */
static __u64 fence_word;

static __always_inline void full_fence(void)
{
	__sync_fetch_and_add(&fence_word, 1);
}

/* The pending join on key, if this caller is the one to delete it (and so to report it). */
static __always_inline bool take_pending_join(struct join_key *key, struct join_wait *out)
{
	struct join_wait *w = bpf_map_lookup_elem(&join_pending, key);

	if (!w)
		return false;
	*out = *w;
	return bpf_map_delete_elem(&join_pending, key) == 0;
}

/* joiner joined the thread whose tid word is tid_word, after waiting dur_ns. */
static __always_inline void emit_join(__u32 tgid, __u32 joiner, __u64 tid_word, __u64 dur_ns)
{
	struct tt_event *e = event_new(TT_EV_JOIN, tgid, joiner);

	if (!e)
		return;
	e->join.wait_ns = dur_ns;
	e->join.tid_word = tid_word;
	event_submit(e);
}

/* How a task is ending, as TT_EXIT_* flags (read in the dying task). */
static __always_inline __u32 exit_flags(struct task_struct *task)
{
	__u32 pid = task_tid(task);
	__u32 flags = 0;

	if (task->flags & PF_SIGNALED)
		flags |= TT_EXIT_SIGNALED;
	/*
	 * Read as untrusted memory (BPF_CORE_READ): a direct load of the signal
	 * pointer makes the verifier look the field up in its trusted-type lists,
	 * linear searches of the kernel's 126,000 BTF types (about 1.5 ms of each
	 * start-up per path through the load, docs/performance.md).
	 */
	if (BPF_CORE_READ(task, signal, flags) & SIGNAL_GROUP_EXIT)
		flags |= TT_EXIT_GROUP;
	/* Left in place until the tid is reused: each exit hook reads it. */
	if (py_exits_seen && bpf_map_lookup_elem(&py_exiting, &pid))
		flags |= TT_EXIT_SHUTDOWN;
	return flags;
}

#endif /* COMMON_BPF_H */
