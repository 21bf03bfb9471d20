/* CPython targets: Python frames at each blocking wait (pywaits.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "cpython/pylayout.h"
#include "cpython/pyproc.h"
#include "model/pystacks.h"
#include "pythreads.h"
#include "pywaits.h"

/* Where a frame's three fields lie: a window of at most 64 bytes read at once. 0, or -1: none such. */
static int frame_window(const struct py_layout *L, struct tt_py_conf *c)
{
	uint32_t lo = L->iframe_code, hi = L->iframe_code;

	lo = L->iframe_previous < lo ? L->iframe_previous : lo;
	lo = L->iframe_prev_instr < lo ? L->iframe_prev_instr : lo;
	hi = L->iframe_previous > hi ? L->iframe_previous : hi;
	hi = L->iframe_prev_instr > hi ? L->iframe_prev_instr : hi;
	if (hi + 8 - lo > 64 || (L->iframe_code | L->iframe_previous | L->iframe_prev_instr | lo) % 8)
		return -1;
	c->iframe_window = lo;
	c->iframe_window_len = hi + 8 - lo;
	c->iframe_code_idx = (L->iframe_code - lo) / 8;
	c->iframe_previous_idx = (L->iframe_previous - lo) / 8;
	c->iframe_prev_instr_idx = (L->iframe_prev_instr - lo) / 8;
	return 0;
}

/* The C functions that tell an RLock's wait from a Lock's, once `_thread` is imported: true when known. */
static bool find_cfuncs(struct pyproc *p, struct tt_py_conf *c)
{
	uint64_t start, end;

	if (!c->cfunc[TT_PY_CF_RLOCK - 1].end &&
	    pyproc__c_func_range(p, PYPROC_RLOCK_ACQUIRE, &start, &end) == 0)
		c->cfunc[TT_PY_CF_RLOCK - 1] = (struct tt_range){ .start = start, .end = end };
	if (!c->cfunc[TT_PY_CF_LOCK - 1].end &&
	    pyproc__c_func_range(p, PYPROC_LOCK_ACQUIRE, &start, &end) == 0)
		c->cfunc[TT_PY_CF_LOCK - 1] = (struct tt_range){ .start = start, .end = end };
	return c->cfunc[TT_PY_CF_RLOCK - 1].end && c->cfunc[TT_PY_CF_LOCK - 1].end;
}

void pywaits__refresh(struct app *a, struct pyproc *p)
{
	struct tt_range before[TT_PY_CFUNCS];

	if (!a->py_conf.tgid || a->py_cfuncs_known)
		return;
	memcpy(before, a->py_conf.cfunc, sizeof(before));
	a->py_cfuncs_known = find_cfuncs(p, &a->py_conf);
	/* whatever was found since: the kernel side uses it from the next wait */
	if (memcmp(before, a->py_conf.cfunc, sizeof(before)))
		loader__set_py_conf(a->loader, &a->py_conf);
}

void pywaits__start(struct app *a, struct pyproc *p)
{
	const struct py_layout *L = pyproc__layout(p);
	struct tt_py_conf c = { 0 };

	/* THREADTRACE_PYFRAMES=0: names only, no frames at waits (what they cost: bench/run's tt-nopy) */
	const char *want = getenv("THREADTRACE_PYFRAMES");

	if (want && !strcmp(want, "0"))
		return;
	c.interp = pyproc__main_interp(p);
	if (!L || !c.interp || !a->loader)
		return;
	c.tgid = (__u32)a->tgid;
	c.depth = TT_PY_DEPTH;
	c.interp_threads_head = L->interp_threads_head;
	c.tstate_next = L->tstate_next;
	c.tstate_native_thread_id = L->tstate_native_thread_id;
	c.tstate_cframe = L->tstate_cframe;
	c.cframe_current_frame = L->cframe_current_frame;
	if (frame_window(L, &c))
		return; /* a layout whose frame fields lie too far apart: names only */
	/* tells an RLock's wait from a Lock's (found without symbols; until then: all are Locks) */
	a->py_cfuncs_known = find_cfuncs(p, &c);
	a->py_conf = c;
	loader__set_py_conf(a->loader, &c);
}

void pywaits__stop(struct app *a)
{
	a->py_conf = (struct tt_py_conf){ 0 };
	a->py_cfuncs_known = false;
	if (a->loader)
		loader__set_py_conf(a->loader, &a->py_conf);
}

void pywaits__on_pystack(const struct tt_event *e, void *ctx)
{
	const struct tt_ev_pystack *ps = &e->pystack;
	struct tt_pyframe_ref refs[TT_PY_DEPTH];
	static struct pyframe frames[TT_PY_DEPTH];
	struct app *a = ctx;
	struct pyproc *p = pythreads__proc(a);
	size_t n = 0;

	if (!p || !a->pystacks || pystacks__find(a->pystacks, ps->id))
		return;
	for (__u32 i = 0; i < ps->depth && i < TT_PY_DEPTH; i++) {
		/* a frame being set up (or torn down) has no code to name yet: left out */
		if (pyproc__resolve(p, ps->code[i], ps->instr[i], &frames[n]))
			continue;
		refs[n] = (struct tt_pyframe_ref){ .file = frames[n].file, .func = frames[n].func,
						   .line = frames[n].line };
		n++;
	}
	if (!n)
		return;
	if (pystacks__add(a->pystacks, ps->id, refs, n, ps->truncated != 0,
			  (enum tt_py_cfunc)(ps->id & TT_PY_CFUNC_MASK)))
		fprintf(stderr, "threadtrace: out of memory for Python stacks\n");
}
