// SPDX-License-Identifier: GPL-2.0
/* The stack copies of new call sites (ustack.bpf.h says what and why). */
#include "ustack.bpf.h"

/* Sites whose stack was sent (value unused), by a hash of the site. */
struct ustack_sent_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096); /* distinct call sites and words; preallocated (start-up time): kept small */
	__type(key, __u64);
	__type(value, __u8);
};

struct ustack_sent_map ustack_sent SEC(".maps");
const volatile bool want_ustacks = false;

#define USTACK_HEAD (sizeof(struct tt_event_head) + __builtin_offsetof(struct tt_ev_ustack, stack))

__noinline int ustack_capture(struct tt_ustack_req *r)
{
	struct {
		struct tt_event_head h;
		struct tt_ev_ustack u;
	} *e;
	__u64 sp;
	__u32 len = 0, chunks;
	__u8 one = 1;
	bool word;

	if (!r)
		return 0;
	if (bpf_map_lookup_elem(&ustack_sent, &r->key))
		return 1;
	/*
	 * A copy only names a site or a word: it never takes the room of the events. Past a
	 * quarter of the buffer waiting, it is left for the site's or word's next wait (not
	 * marked as sent), and no drop is counted: nothing recorded was lost.
	 */
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		return 0;
	/* not event_try: zeroing 8 KiB would be 1,000 instructions; only len bytes are read */
	word = r->stack_id == TT_USTACK_WORD;
	if (word)
		e = bpf_ringbuf_reserve(&events, USTACK_HEAD + TT_USTACK_WORD_BYTES, 0);
	else
		e = bpf_ringbuf_reserve(&events, USTACK_HEAD + TT_USTACK_BYTES, 0);
	if (!e)
		return 0; /* no room (a buffer smaller than a copy: --buffer 4): no event was lost */
	chunks = (word ? TT_USTACK_WORD_BYTES : TT_USTACK_BYTES) / TT_USTACK_CHUNK;
	e->h.ts_ns = bpf_ktime_get_ns();
	e->h.kind = TT_EV_USTACK;
	e->h.tgid = r->tgid;
	e->h.tid = r->tid;
	e->h.pad = 0;
	e->u.addr = r->addr;
	e->u.stack_id = r->stack_id;
	__builtin_memcpy(e->u.scan, r->scan, sizeof(e->u.scan));
	__builtin_memcpy(e->u.regs, r->regs, sizeof(e->u.regs));
	e->u.ret_slot = r->ret_slot;
	e->u.ret_addr = r->ret_addr;
	sp = r->regs[1];
	/* chunk by chunk: a read that crosses the stack's end fails whole */
	for (__u32 i = 0; i < TT_USTACK_BYTES / TT_USTACK_CHUNK; i++) {
		if (i >= chunks || bpf_probe_read_user(e->u.stack + i * TT_USTACK_CHUNK, TT_USTACK_CHUNK,
						       (void *)(sp + i * TT_USTACK_CHUNK)))
			break;
		len += TT_USTACK_CHUNK;
	}
	e->u.len = len;
	/* at once: unwound while the process (its maps, its files) is surely there */
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	bpf_map_update_elem(&ustack_sent, &r->key, &one, BPF_ANY);
	return 1;
}
