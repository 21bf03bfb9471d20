/* SPDX-License-Identifier: GPL-2.0 */
/* A thread's exit, as the lifecycle reports it; called by the sched_process_exit program. */
#ifndef LIFECYCLE_BPF_H
#define LIFECYCLE_BPF_H

#include "common.bpf.h"

/* task (a target thread, ending as flags say) ends now: its exit event, and the join waiting for it. */
static __always_inline void lifecycle_exit(struct task_struct *task, __u32 flags, __u64 now)
{
	struct join_key key = { .tid_word = (__u64)task->clear_child_tid, .tgid = task->tgid };
	struct join_wait join;
	struct tt_event *e;

	e = event_new(TT_EV_EXIT, key.tgid, task->pid);
	if (e) {
		e->flags = flags;
		e->arg = task->exit_code;
		e->addr = key.tid_word;
		bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), task->comm);
		event_submit(e);
	}
	if (!key.tid_word)
		return;
	/* first say it has ended (see exited_words), then look for its joiner */
	bpf_map_update_elem(&exited_words, &key, &now, BPF_ANY);
	full_fence();
	/* a joiner waits for this thread: its join returns now, unless the process is ending */
	if (take_pending_join(&key, &join) && !(flags & TT_EXIT_GROUP))
		emit_join(key.tgid, join.joiner, key.tid_word, now - join.start_ns);
}

#endif /* LIFECYCLE_BPF_H */
