/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --stacks without frame pointers: the first time a blocking call site is seen, the
 * registers at its system call and a copy of the top of its user stack go to user space,
 * which unwinds them with the binaries' call-frame information (user/unwind.c,
 * docs/unwinding.md). Defined in ustack.bpf.c; futex_sleeps calls it.
 */
#ifndef USTACK_BPF_H
#define USTACK_BPF_H

#include "common.bpf.h"

/* A site to send: the waiting thread (tgid as the user sees it), its site, its registers. */
struct tt_ustack_req {
	__u64 key;  /* ustack_key(): which site or word */
	__u64 addr;
	__u32 tgid;
	__u32 tid;
	__s32 stack_id;
	__u32 pad;
	__u64 scan[TT_SCAN_HITS];
	__u64 regs[8]; /* as struct tt_ev_ustack's */
	__u64 ret_slot; /* as struct tt_ev_ustack's: in a spinning lock's slow path (spin.bpf.c) */
	__u64 ret_addr;
};

/*
 * Sends r's stack once per site (again only when the map of sites sent evicted it, or the
 * buffer was busy: then at its next wait). 1: sent now or before; 0: not (try again). A global
 * function: verified once, on its own.
 */
int ustack_capture(struct tt_ustack_req *r);

/* A site's (or, stack_id TT_USTACK_WORD, a word's) key: its id (tt_site_id, threadtrace.h). */
static __always_inline __u64 ustack_key(__u32 tgid, __u64 addr, __s32 stack_id, const __u64 scan[TT_SCAN_HITS])
{
	return tt_site_id(tgid, addr, stack_id, scan);
}

/* Sends r unless its thread (entry s) knows it sent it last: most waits repeat the last one. */
static __always_inline void ustack_send_req(struct tt_sched *s, struct tt_ustack_req *r)
{
	if (s->ustack_key == r->key)
		return;
	if (ustack_capture(r))
		s->ustack_key = r->key;
}

/* Unless THREADTRACE_DWARF=0: with --stacks each new site's stack, always each new word's. */
extern const volatile bool want_ustacks;

/* The wait w of tid (entry s, registers regs at its system call) has a site (w->site): send its stack if new. */
static __always_inline void ustack_send(struct tt_sched *s, __u32 tgid, __u32 tid, struct pt_regs *regs,
					const struct tt_wait *w)
{
	/* x86-64's names (the Makefile builds for nothing else) */
	struct tt_ustack_req r = { .key = w->site, .addr = w->addr,
				   .tgid = tgid, .tid = tid, .stack_id = w->stack_id,
				   .regs = { regs->ip, regs->sp, regs->bp, regs->bx, regs->r12, regs->r13,
					     regs->r14, regs->r15 } };

	if (!want_ustacks)
		return;
	__builtin_memcpy(r.scan, w->scan, sizeof(r.scan));
	r.ret_slot = s->spin_ret_slot;
	r.ret_addr = s->spin_ret;
	ustack_send_req(s, &r);
}

/* The first blocking wait on word addr: its stack top, to name the word after its caller. */
static __always_inline void ustack_send_word(struct tt_sched *s, __u32 tgid, __u32 tid, struct pt_regs *regs,
					     __u64 addr)
{
	const __u64 none[TT_SCAN_HITS] = {};
	__u64 key = ustack_key(tgid, addr, TT_USTACK_WORD, none);

	/* a repeat (every blocking wait but a word's first, most often) builds no request */
	if (!want_ustacks || s->ustack_key == key)
		return;
	{
		struct tt_ustack_req r = { .key = key, .addr = addr, .tgid = tgid, .tid = tid,
					   .stack_id = TT_USTACK_WORD,
					   .regs = { regs->ip, regs->sp, regs->bp, regs->bx, regs->r12, regs->r13,
						     regs->r14, regs->r15 } };

		r.ret_slot = s->spin_ret_slot;
		r.ret_addr = s->spin_ret;
		ustack_send_req(s, &r);
	}
}

#endif /* USTACK_BPF_H */
