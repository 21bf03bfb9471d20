/*
 * CPython targets: the Python stacks their threads blocked in, by the id the
 * kernel side gives each (TT_EV_PYSTACK), and what each says about the wait:
 * which of threading's primitives it is (a Lock, a Condition.wait, a
 * Queue.get, ...) and where the program takes it (the innermost frame outside
 * the standard library's threading and queue modules).
 */
#ifndef TT_PYSTACKS_H
#define TT_PYSTACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/index.h"

/* What a Python wait is, from its frames (and the C function it blocks in). */
enum tt_py_kind {
	TT_PY_NONE = 0,     /* not known: no Python stack */
	TT_PY_LOCK,         /* threading.Lock: contention */
	TT_PY_RLOCK,        /* threading.RLock: contention */
	TT_PY_CONDITION,    /* Condition.wait / wait_for: waiting for a notify */
	TT_PY_EVENT,        /* Event.wait */
	TT_PY_SEMAPHORE,    /* Semaphore / BoundedSemaphore.acquire */
	TT_PY_QUEUE,        /* queue.Queue get/put/join, SimpleQueue.get */
	TT_PY_BARRIER,      /* Barrier.wait */
	TT_PY_JOIN,         /* Thread.join (and the interpreter's joins at exit) */
	TT_PY_CWAIT,        /* a wait in C called from Python, no Lock's (SimpleQueue.get, an extension) */
	TT_PY_KINDS,
};

/* One frame of a stack, as the CPython reader resolved it (strings are the caller's). */
struct tt_pyframe_ref {
	const char *file;   /* co_filename */
	const char *func;   /* co_qualname */
	int line;           /* -1: none */
};

/* The C function a wait was seen inside (TT_PY_CFUNC_* in the id's low bits). */
enum tt_py_cfunc { TT_PY_CF_NONE = 0, TT_PY_CF_RLOCK = 1, TT_PY_CF_LOCK = 2, TT_PY_CF_OTHER = 3 };

struct tt_pystack {
	uint64_t id;
	char *text;          /* "file:function:line < ...", innermost first; raw, untrusted */
	char *site;          /* "function (file.py:line)": where the program waits; raw, untrusted */
	/* each frame as text alone ("file:function:line"), innermost first: nframes strings one after another */
	char *frames;
	size_t nframes;
	bool truncated;      /* more frames were beyond */
	enum tt_py_kind kind;
};

struct tt_pystacks {
	struct tt_pystack *v;
	size_t n, cap;
	struct tt_index by_id;
};

struct tt_pystacks *pystacks__new(void);
void pystacks__free(struct tt_pystacks *t);

/*
 * Keeps the stack of id: frames innermost first (n of them; truncated: more
 * were beyond), cfunc the C function it blocked in. Known ids are kept as
 * they are. 0, or -1 on ENOMEM.
 */
int pystacks__add(struct tt_pystacks *t, uint64_t id, const struct tt_pyframe_ref *f, size_t n, bool truncated,
		  enum tt_py_cfunc cfunc);
const struct tt_pystack *pystacks__find(const struct tt_pystacks *t, uint64_t id);

/*
 * The kind of a wait in these frames (innermost first), and in *site the
 * index of the frame that names it: the innermost outside threading.py and
 * queue.py (the outermost of those when all are). Pure: for tests.
 */
enum tt_py_kind pystacks__classify(const struct tt_pyframe_ref *f, size_t n, enum tt_py_cfunc cfunc, size_t *site);

/*
 * Frames as text, innermost first: "file:function:line < ...", ending in
 * " < ..." when truncated or when they do not all fit in len (a frame is
 * never cut). The one format of a Python stack in every view.
 */
void pystacks__format(const struct tt_pyframe_ref *f, size_t n, bool truncated, char *buf, size_t len);

/* "py-lock", "py-condition", ...; "" for TT_PY_NONE. */
const char *pystack__kind_name(enum tt_py_kind k);
/* How a lock's name starts: "Lock", "Condition", ..., "join". */
const char *pystack__type_name(enum tt_py_kind k);
/* Whether waits of this kind are contention (a thread holds it) rather than waiting for something. */
bool pystack__is_contention(enum tt_py_kind k);

#endif
