/*
 * A CPython process read from outside: its interpreter's threads, their
 * Python stacks and their threading.Thread names. Needs only a pid and read
 * access to the process's memory (root, or ptrace rights); no debug symbols,
 * nothing from the rest of threadtrace.
 *
 *   struct pyproc *p;  char why[256];
 *   if (pyproc__open(pid, &p, why, sizeof(why)) != PYPROC_OK) { puts(why); ... }
 *   struct pysnapshot *s = NULL;
 *   pyproc__snapshot(p, &s);         // threads, names, frames (innermost first)
 *   ... s->threads[i].tid, .name, .frames[j].file/.func/.line ...
 *   pysnapshot__free(s); pyproc__free(p);
 *
 * The process keeps running while it is read: a thread that runs Python code
 * may show a stack that is a moment old or cut short (frames_err). Threads
 * blocked in a wait, the case threadtrace cares about, hold still.
 */
#ifndef TT_PYPROC_H
#define TT_PYPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "pylayout.h"

enum pyproc_status {
	PYPROC_OK = 0,
	PYPROC_NOT_PYTHON,   /* no mapped file defines _PyRuntime */
	PYPROC_UNSUPPORTED,  /* a CPython whose layout we have no table for: never read */
	PYPROC_NO_ACCESS,    /* the process or its memory cannot be read (EPERM, ESRCH, ...) */
	PYPROC_NOT_RUNNING,  /* an interpreter not (or no longer) initialised: no interpreter state */
};

#define PYPROC_MAX_FRAMES  128 /* deeper stacks keep their innermost frames, truncated set */
#define PYPROC_MAX_THREADS 4096
#define PYPROC_FILE_LEN    512
#define PYPROC_FUNC_LEN    256
#define PYPROC_NAME_LEN    128

struct pyframe {
	char file[PYPROC_FILE_LEN];  /* co_filename */
	char func[PYPROC_FUNC_LEN];  /* co_qualname: "Worker.run", "<module>" */
	int line;                    /* -1 where the code has no line (CPython's None) */
	uint64_t code;               /* PyCodeObject address */
	uint64_t instr;              /* prev_instr: the code unit being executed */
};

struct pythread {
	pid_t tid;                     /* tstate->native_thread_id: the OS thread id */
	uint64_t ident;                /* tstate->thread_id: pthread_self(), threading.get_ident() */
	uint64_t tstate;               /* PyThreadState address */
	char name[PYPROC_NAME_LEN];    /* Thread.name, "" when threading does not know the thread */
	bool has_name;
	int nframes;
	bool truncated;                /* more than PYPROC_MAX_FRAMES frames */
	int frames_err;                /* 0, or -errno where the frame chain could not be followed */
	struct pyframe *frames;        /* innermost first */
};

struct pysnapshot {
	int nthreads;
	int names_err;                 /* 0, or why no thread names (-ENOENT: threading not imported) */
	struct pythread *threads;      /* in the interpreter's order (newest first) */
};

struct pyproc;

/*
 * Finds the interpreter of pid and its version. On anything but PYPROC_OK, *out
 * is NULL and why holds one line saying what was found (e.g. "CPython 3.12.1
 * in /usr/bin/python3.12: unsupported (this reader knows 3.11)").
 */
enum pyproc_status pyproc__open(pid_t pid, struct pyproc **out, char *why, size_t whylen);
void pyproc__free(struct pyproc *p);

uint32_t pyproc__version(const struct pyproc *p);          /* PY_VERSION_HEX, e.g. 0x030b07f0 */
const char *pyproc__binary(const struct pyproc *p);         /* the file defining _PyRuntime */
uint64_t pyproc__runtime(const struct pyproc *p);           /* &_PyRuntime in the process */
const struct py_layout *pyproc__layout(const struct pyproc *p);

/*
 * The thread states alone, cheaply (no frames, no names): calls
 * fn(tid, ident, tstate) for each, in every interpreter. The count, or -errno.
 */
int pyproc__threads(struct pyproc *p, void (*fn)(pid_t tid, uint64_t ident, uint64_t tstate, void *ctx),
		    void *ctx);

/* Every thread of the (main) interpreter with names and frames. 0 or -errno. */
int pyproc__snapshot(struct pyproc *p, struct pysnapshot **out);
void pysnapshot__free(struct pysnapshot *s);

/*
 * One frame from the pair a BPF program would capture at a wait: the code
 * object and the instruction pointer (prev_instr) of a _PyInterpreterFrame.
 * Code objects are cached (checked against their fields on each use). 0 or -errno.
 */
int pyproc__resolve(struct pyproc *p, uint64_t code, uint64_t instr, struct pyframe *out);

/* The main interpreter's PyInterpreterState address, 0 when none can be read. */
uint64_t pyproc__main_interp(struct pyproc *p);

/* The frames of one thread state, innermost first, at most max. The count, or -errno. */
int pyproc__frames(struct pyproc *p, uint64_t tstate, struct pyframe *frames, int max, bool *truncated);

/*
 * Thread names: calls fn(ident, name) for each entry of threading._active.
 * 0, -ENOENT when threading is not imported, or -errno.
 */
int pyproc__thread_names(struct pyproc *p, void (*fn)(uint64_t ident, const char *name, void *ctx),
			 void *ctx);

/*
 * C functions of the interpreter a BPF program may look for on a thread's
 * stack: the code that blocks in a threading.RLock / threading.Lock acquire
 * (Modules/_threadmodule.c; both then wait in the same sem_t code).
 */
enum pyproc_cfunc {
	PYPROC_RLOCK_ACQUIRE,   /* rlock_acquire: RLock.acquire and RLock.__enter__ */
	PYPROC_LOCK_ACQUIRE,    /* lock_PyThread_acquire_lock: lock.acquire and lock.__enter__ */
};

/*
 * The code range [*start, *end) of a C function in the process (load bias
 * applied), without symbols: its start is the method table's pointer
 * (_thread.RLock / _thread.LockType, tp_methods "acquire", checked equal to
 * "__enter__"), its end from the interpreter file's .eh_frame (user/ehframe.h).
 * 0; or -errno with *start and *end untouched: -ENOENT (no _thread module, no
 * such method, no FDE for it), -EINVAL (an object or FDE that is not what it
 * should be), -ENOTSUP (unwind tables in an encoding not read), or a read error.
 */
int pyproc__c_func_range(struct pyproc *p, enum pyproc_cfunc which, uint64_t *start, uint64_t *end);

/* The C name of a pyproc_cfunc ("rlock_acquire"), or NULL. */
const char *pyproc__cfunc_name(enum pyproc_cfunc which);

/* The status's name, for messages ("not-python", "unsupported", ...). */
const char *pyproc__status_str(enum pyproc_status s);

#endif
