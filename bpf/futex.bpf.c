// SPDX-License-Identifier: GPL-2.0
/*
 * The futex part's maps and tunables, declared in futex.bpf.h, defined once.
 * Its code is in futex.bpf.h; the programs that call it in hooks.bpf.c.
 */
#include "futex.bpf.h"

const volatile bool stream_locks = false;
const volatile bool want_stacks = false;
__u64 timed_waits;
__u32 word_busy_used;
struct tt_range text_ranges[TT_TEXT_RANGES];

struct scan_buf_map scan_buf SEC(".maps");
struct lock_stats_map lock_stats SEC(".maps");
struct hold_stats_map hold_stats SEC(".maps");
struct word_busy_map word_busy SEC(".maps");
struct pairs_map wake_pairs SEC(".maps");
struct pairs_map owner_pairs SEC(".maps");
struct stacks_map stacks SEC(".maps");
struct sites_map sites SEC(".maps");

/*
 * A global function: the verifier checks it once, on its own, and each call is one
 * instruction to the caller. Inlined, its 32 ranges inside scan_stack's 32 words made
 * on_sched_switch too complex for the verifier with --stacks --timeline (past its
 * 1,000,000 instructions: emit_state's branches multiplied the states reaching the loops).
 */
__noinline bool in_text(__u64 v)
{
	for (int j = 0; j < TT_TEXT_RANGES; j++) {
		if (!text_ranges[j].end)
			break;
		if (v >= text_ranges[j].start && v < text_ranges[j].end)
			return true;
	}
	return false;
}

/* finish_wait, checked once by the verifier (it was inlined three times: two in on_sched_switch). */
__noinline int futex_finish_wait(struct tt_sched *s, __u32 tgid, __u32 tid, __u64 end_ns)
{
	if (s)
		finish_wait(s, tgid, tid, end_ns);
	return 0;
}

/* end_hold, checked once by the verifier, apart from on_sched_waking's paths. */
__noinline int futex_end_hold(struct tt_sched *s, __u32 tgid, __u32 tid, __u64 addr)
{
	end_hold(s, tgid, tid, addr);
	return 0;
}

/* word_slot, checked once by the verifier: the path of a wait on the thread's last word stays short. */
__noinline __u32 futex_word_slot(__u64 addr, __u32 tgid)
{
	return word_slot(addr, tgid);
}
