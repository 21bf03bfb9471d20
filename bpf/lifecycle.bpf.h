/* SPDX-License-Identifier: GPL-2.0 */
/* A thread's start and exit, as the lifecycle reports them: called by the one program of
 * sched_wakeup_new and of sched_process_exit (hooks.bpf.c). */
#ifndef LIFECYCLE_BPF_H
#define LIFECYCLE_BPF_H

#include "common.bpf.h"

/* p, a new thread of a target, is woken for the first time (now): its start event. */
static __always_inline void lifecycle_start(struct task_struct *p, __u64 now)
{
	__u32 tid = task_tid(p);
	struct tt_event *e;

	/* A reused tid must not inherit a flag of the thread that had it before (a lookup takes no lock). */
	if (py_exits_seen && bpf_map_lookup_elem(&py_exiting, &tid))
		bpf_map_delete_elem(&py_exiting, &tid);
	e = event_new(TT_EV_START, target_tgid(p->tgid), tid);
	if (!e)
		return;
	e->h.ts_ns = now;
	e->start.creator = current_tid();
	e->start.tid_word = (__u64)p->clear_child_tid;
	bpf_get_current_comm(e->start.comm, sizeof(e->start.comm));
	event_submit(e);
}

/*
 * A thread that ends cannot be waiting in a join: one still pending under its
 * name was left by a join it never finished (it was cancelled in there).
 */
static __always_inline void drop_own_join(__u32 tgid, __u32 tid, __u64 tid_word)
{
	struct join_key key = { .tid_word = tid_word, .tgid = tgid };
	struct join_wait *join = bpf_map_lookup_elem(&join_pending, &key);

	if (join && join->joiner == tid)
		bpf_map_delete_elem(&join_pending, &key);
}

/*
 * task (a target thread, ending as flags say) ends now: its exit event, and
 * the join waiting for it. s: its scheduling entry (NULL if none), which
 * holds its flag for a join that races this exit (see join_pending) and the
 * last thread it joined.
 */
static __always_inline void lifecycle_exit(struct task_struct *task, __u32 flags, __u64 now, struct tt_sched *s)
{
	struct join_key key = { .tid_word = (__u64)task->clear_child_tid, .tgid = target_tgid(task->tgid) };
	__u32 tid = task_tid(task);
	struct join_wait join;
	struct tt_event *e;

	if (s && s->joining_word)
		drop_own_join(key.tgid, tid, s->joining_word);

	e = event_new(TT_EV_EXIT, key.tgid, tid);
	if (e) {
		e->exit.flags = flags;
		e->exit.exit_code = task->exit_code;
		e->exit.tid_word = key.tid_word;
		bpf_probe_read_kernel_str(e->exit.comm, sizeof(e->exit.comm), task->comm);
		event_submit(e);
	}
	if (!key.tid_word)
		return;
	/* first say it has ended, then look for its joiner */
	if (s) {
		s->exited = 1;
		full_fence();
	}
	/*
	 * A joiner waits for this thread: its join returns now, unless the process is ending.
	 * (A join of an earlier thread on the same stack that never ended is taken away too.)
	 * The joinee is the tid its tid word held: as its own namespace numbers it.
	 */
	if (take_pending_join(&key, &join) && !(flags & TT_EXIT_GROUP) &&
	    (join.joinee == tid || join.joinee == pidns_own_tid(task)))
		emit_join(key.tgid, join.joiner, key.tid_word, now - join.start_ns);
}

#endif /* LIFECYCLE_BPF_H */
