// SPDX-License-Identifier: GPL-2.0
/* The CPython part's code and maps (pywait.bpf.h says what and why). */
#include "pywait.bpf.h"

struct tt_py_conf py_conf;

/* A stack being read: the event's record, built per CPU before it is known to be new. */
struct py_buf_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_ev_pystack);
};

struct py_scan_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[TT_PY_SCAN_WORDS]);
};

/* Ids of the stacks sent (value unused): a stack is sent once (again if evicted: user space dedups). */
struct py_sent_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096); /* distinct call sites; preallocated (start-up time): kept small */
	__type(key, __u64);
	__type(value, __u8);
};

struct py_buf_map py_buf SEC(".maps");
struct py_scan_map py_scan SEC(".maps");
struct py_sent_map py_sent SEC(".maps");

#define PY_MAX_THREADS 512 /* thread states looked at to find one thread's */
#define PY_WINDOW_WORDS 8  /* a frame's fields read at once: 64 bytes at most */

static __always_inline __u64 read_ptr(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

static __always_inline bool tstate_is(__u64 tstate, __u32 tid)
{
	return tstate && read_ptr(tstate + py_conf.tstate_native_thread_id) == tid;
}

/*
 * The loops below run through bpf_loop (kernel 5.17): the verifier checks a
 * callback once, where it walks a bounded loop once per iteration (the 512
 * thread states alone were 14,000 of on_sched_switch's 34,000 verified
 * instructions, about 15 ms of every start-up; docs/performance.md).
 */
struct tstate_walk {
	__u64 t;     /* the thread state looked at next, 0: end of the list */
	__u64 found;
	__u32 tid;
};

static long tstate_step(__u32 i, void *data)
{
	struct tstate_walk *w = data;

	if (!w->t)
		return 1;
	if (tstate_is(w->t, w->tid)) {
		w->found = w->t;
		return 1;
	}
	w->t = read_ptr(w->t + py_conf.tstate_next);
	return 0;
}

/* tid's PyThreadState: the one it had last time, else a walk of the interpreter's list. */
static __always_inline __u64 find_tstate(struct tt_sched *s, __u32 tid)
{
	struct tstate_walk w = { .tid = tid };

	if (tstate_is(s->py_tstate, tid))
		return s->py_tstate;
	w.t = read_ptr(py_conf.interp + py_conf.interp_threads_head);
	bpf_loop(PY_MAX_THREADS, tstate_step, &w, 0);
	if (w.found)
		s->py_tstate = w.found;
	return w.found;
}

/*
 * Which of py_conf.cfunc a return address among the top words of the stack
 * is in (index + 1); TT_PY_CFUNC_MASK: neither, though both are known (the
 * wait is in other C code: SimpleQueue.get, an extension); 0: cannot tell.
 */
struct cfunc_scan {
	__u64 *buf;
	__u64 which;
};

static long cfunc_step(__u32 i, void *data)
{
	struct cfunc_scan *c = data;
	__u64 v;

	if (i >= TT_PY_SCAN_WORDS)
		return 1;
	v = c->buf[i];
	/* a return address is past its call: (start, end] */
	if (v > py_conf.cfunc[0].start && v <= py_conf.cfunc[0].end)
		c->which = 1;
	else if (v > py_conf.cfunc[1].start && v <= py_conf.cfunc[1].end)
		c->which = 2;
	return c->which != 0;
}

static __always_inline __u64 cfunc_of(__u64 sp)
{
	struct cfunc_scan c = {};
	__u32 zero = 0;

	if (!py_conf.cfunc[0].end && !py_conf.cfunc[1].end)
		return 0;
	c.buf = bpf_map_lookup_elem(&py_scan, &zero);
	if (!c.buf || bpf_probe_read_user(c.buf, TT_PY_SCAN_WORDS * sizeof(__u64), (void *)sp))
		return 0;
	bpf_loop(TT_PY_SCAN_WORDS, cfunc_step, &c, 0);
	if (c.which)
		return c.which;
	return py_conf.cfunc[0].end && py_conf.cfunc[1].end ? TT_PY_CFUNC_MASK : 0;
}

/* FNV-1a over 64-bit words: a stack's id. */
static __always_inline __u64 mix(__u64 h, __u64 v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

/* The frame walk: one frame per call, innermost first. */
struct frame_walk {
	struct tt_ev_pystack *b;
	__u64 frame; /* the frame read next, 0: none */
	__u64 h;     /* the stack's hash so far */
	__u32 len;   /* bytes read per frame, <= PY_WINDOW_WORDS * 8 */
	__u32 n;     /* frames read */
};

static long frame_step(__u32 i, void *data)
{
	struct frame_walk *fw = data;
	__u64 w[PY_WINDOW_WORDS] = {};
	__u32 len = fw->len;

	if (i >= TT_PY_DEPTH || !fw->frame || !len || len > PY_WINDOW_WORDS * 8)
		return 1;
	/* f_code, previous, prev_instr in one read */
	bpf_probe_read_user(w, len, (void *)(fw->frame + py_conf.iframe_window));
	fw->b->code[i] = w[py_conf.iframe_code_idx & (PY_WINDOW_WORDS - 1)];
	fw->b->instr[i] = w[py_conf.iframe_prev_instr_idx & (PY_WINDOW_WORDS - 1)];
	fw->h = mix(mix(fw->h, fw->b->code[i]), fw->b->instr[i]);
	fw->frame = w[py_conf.iframe_previous_idx & (PY_WINDOW_WORDS - 1)];
	fw->n = i + 1;
	return 0;
}

__noinline __u64 py_capture(struct tt_sched *s, __u32 tgid, __u32 tid, __u64 sp)
{
	__u32 zero = 0, depth = py_conf.depth, n = 0, len = py_conf.iframe_window_len;
	struct frame_walk fw = {};
	struct tt_ev_pystack *b;
	__u64 frame, h, id;
	struct tt_event *e;

	if (!py_conf.tgid || tgid != py_conf.tgid || !s)
		return 0;
	b = bpf_map_lookup_elem(&py_buf, &zero);
	if (!s || !b)
		return 0;
	frame = find_tstate(s, tid);
	if (!frame)
		return 0;
	frame = read_ptr(read_ptr(frame + py_conf.tstate_cframe) + py_conf.cframe_current_frame);
	if (depth > TT_PY_DEPTH)
		depth = TT_PY_DEPTH;
	if (len > PY_WINDOW_WORDS * 8)
		len = PY_WINDOW_WORDS * 8;
	fw.b = b;
	fw.frame = frame;
	fw.h = 0xcbf29ce484222325ULL;
	fw.len = len;
	bpf_loop(depth, frame_step, &fw, 0);
	n = fw.n;
	frame = fw.frame;
	h = fw.h;
	if (!n)
		return 0;
	id = (h & ~TT_PY_CFUNC_MASK) | cfunc_of(sp);
	if (!id)
		id = TT_PY_CFUNC_MASK + 1;
	if (bpf_map_lookup_elem(&py_sent, &id))
		return id;
	/* new: send it; marked as sent only once it is (a lost one is sent at its next wait) */
	e = event_new(TT_EV_PYSTACK, tgid, tid);
	if (!e)
		return id;
	e->pystack.id = id;
	e->pystack.depth = n;
	e->pystack.truncated = frame != 0;
	__builtin_memcpy(e->pystack.code, b->code, sizeof(b->code));
	__builtin_memcpy(e->pystack.instr, b->instr, sizeof(b->instr));
	/* at once (a new stack is rare): resolved while its code is surely alive, even if the process ends next */
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	bpf_map_update_elem(&py_sent, &id, &zero, BPF_ANY);
	return id;
}
