/*
 * CPython targets in Python's words: each thread's threading.Thread name, and
 * with --stacks the Python frames of threads that block, read from the
 * interpreter (user/cpython/) into the thread table. This file decides when to
 * read, so that the tool never waits on the target and the target never waits
 * on the tool: a few process_vm_readv calls per read, reads spaced out, and
 * spaced out further when they cost more.
 *
 *   - names: soon after a thread starts (its name is set in Python after the
 *     OS thread exists), then every 250 ms while threads come and go, else
 *     every second; at each -i report; and at the end. A thread's last name
 *     read before it exits is the one it keeps.
 *   - frames: at a deadlock, and at the end for threads still blocked.
 */
#ifndef TT_PYTHREADS_H
#define TT_PYTHREADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct app;
struct pythreads;

/* ~ 1 poll tick after a thread starts; at least this far apart while threads come and go */
#define PYTHREADS_START_DELAY_NS (20 * 1000 * 1000ULL)
#define PYTHREADS_OPEN_FIRST_NS  (2 * 1000 * 1000ULL)   /* an interpreter starting: look again this soon, */
#define PYTHREADS_OPEN_FAST_NS   (5 * 1000 * 1000ULL)   /* then this often */
#define PYTHREADS_OPEN_FAST_TRIES 80                   /* so many times, then twice as far apart each time */
#define PYTHREADS_MIN_GAP_NS     (100 * 1000 * 1000ULL)
#define PYTHREADS_BUSY_NS        (250 * 1000 * 1000ULL)  /* period while threads start */
#define PYTHREADS_IDLE_NS        (1000 * 1000 * 1000ULL) /* period otherwise */
#define PYTHREADS_BUSY_FOR_NS    (2000 * 1000 * 1000ULL) /* "while": this long after a start */
#define PYTHREADS_COST_FACTOR    20 /* a read that took T waits at least 20 T for the next */
#define PYTHREADS_FRAMES         32 /* innermost frames kept per stack */
#define PYTHREADS_STACK_LEN      4096

void pythreads__free(struct pythreads *p);

/* A kernel event of this kind (TT_EV_*) was applied: a start makes a read due, an exec forgets. */
void pythreads__on_event(struct app *a, uint32_t kind);

/*
 * How long the poll loop may wait (at most max_ms): less while an interpreter
 * starts (it is looked for every few ms then: waits before it is found have
 * no Python frames).
 */
int pythreads__poll_ms(struct app *a, uint64_t now, int max_ms);

/* Every turn of the poll loop: opens the interpreter and reads names when due. Cheap otherwise. */
void pythreads__tick(struct app *a, uint64_t now);

/*
 * Reads names now (the -i report, the end of the trace). With stacks, also
 * stores the Python frames of each thread not running (asleep or blocked) in
 * the thread table. Nothing when the target is gone or not CPython 3.11.
 */
void pythreads__refresh(struct app *a, bool stacks);

/* The interpreter's reader when it is open, else NULL. */
struct pyproc *pythreads__proc(struct app *a);

/*
 * The Python frames of thread tid now, innermost first, as
 * "file:function:line < file:function:line" into buf. 0, or -1 ("" in buf)
 * when none are known.
 */
int pythreads__stack(struct app *a, pid_t tid, char *buf, size_t len);

#endif
