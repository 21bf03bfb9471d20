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

/* tid's PyThreadState: the one it had last time, else a walk of the interpreter's list. */
static __always_inline __u64 find_tstate(struct tt_sched *s, __u32 tid)
{
	__u64 t;

	if (tstate_is(s->py_tstate, tid))
		return s->py_tstate;
	t = read_ptr(py_conf.interp + py_conf.interp_threads_head);
	for (int i = 0; i < PY_MAX_THREADS && t; i++) {
		if (tstate_is(t, tid)) {
			s->py_tstate = t;
			return t;
		}
		t = read_ptr(t + py_conf.tstate_next);
	}
	return 0;
}

/*
 * Which of py_conf.cfunc a return address among the top words of the stack
 * is in (index + 1); TT_PY_CFUNC_MASK: neither, though both are known (the
 * wait is in other C code: SimpleQueue.get, an extension); 0: cannot tell.
 */
static __always_inline __u64 cfunc_of(__u64 sp)
{
	__u32 zero = 0;
	__u64 *buf;

	if (!py_conf.cfunc[0].end && !py_conf.cfunc[1].end)
		return 0;
	buf = bpf_map_lookup_elem(&py_scan, &zero);
	if (!buf || bpf_probe_read_user(buf, TT_PY_SCAN_WORDS * sizeof(__u64), (void *)sp))
		return 0;
	for (int i = 0; i < TT_PY_SCAN_WORDS; i++) {
		/* a return address is past its call: (start, end] */
		if (buf[i] > py_conf.cfunc[0].start && buf[i] <= py_conf.cfunc[0].end)
			return 1;
		if (buf[i] > py_conf.cfunc[1].start && buf[i] <= py_conf.cfunc[1].end)
			return 2;
	}
	return py_conf.cfunc[0].end && py_conf.cfunc[1].end ? TT_PY_CFUNC_MASK : 0;
}

/* FNV-1a over 64-bit words: a stack's id. */
static __always_inline __u64 mix(__u64 h, __u64 v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

__noinline __u64 py_capture(struct tt_sched *s, __u32 tgid, __u32 tid, __u64 sp)
{
	__u32 zero = 0, depth = py_conf.depth, n = 0, len = py_conf.iframe_window_len;
	struct tt_ev_pystack *b;
	__u64 frame, h = 0xcbf29ce484222325ULL, id;
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
	for (int i = 0; i < TT_PY_DEPTH; i++) {
		__u64 w[PY_WINDOW_WORDS] = {};

		if (i >= depth || !frame || !len)
			break;
		/* f_code, previous, prev_instr in one read */
		bpf_probe_read_user(w, len, (void *)(frame + py_conf.iframe_window));
		b->code[i] = w[py_conf.iframe_code_idx & (PY_WINDOW_WORDS - 1)];
		b->instr[i] = w[py_conf.iframe_prev_instr_idx & (PY_WINDOW_WORDS - 1)];
		h = mix(mix(h, b->code[i]), b->instr[i]);
		frame = w[py_conf.iframe_previous_idx & (PY_WINDOW_WORDS - 1)];
		n = i + 1;
	}
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
