/*
 * Call stacks without frame pointers: DWARF call-frame information (.eh_frame, and
 * .debug_frame of separate debug files when installed) applied to a copy of the top of a
 * thread's user stack and its registers, as perf's `--call-graph dwarf` does with elfutils'
 * libdwfl (docs/unwinding.md says why this design and what it costs).
 */
#ifndef TT_UNWIND_H
#define TT_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A thread's user registers where its stack is to be unwound from (for a blocking wait: at its
 * system call). The callee-saved registers matter too: a frame's CFA can be computed from one.
 */
struct unwind_regs {
	uint64_t ip, sp, bp, bx, r12, r13, r14, r15;
};

/* One process's modules (from /proc/PID/maps) and their call-frame information, cached. */
struct unwinder;

/* NULL on error (errno set; ESRCH: no such process). */
struct unwinder *unwinder__new(pid_t pid);
void unwinder__free(struct unwinder *u);

/*
 * Reads the process's maps again (libraries loaded, or an exec) and opens every module's file
 * and call-frame information now, so that unwinding goes on after the process ended. 0, or -1
 * when the maps could not be read (the process gone: what was read stays).
 */
int unwinder__refresh(struct unwinder *u);

/* Whether DWARF unwinding is on: unless THREADTRACE_DWARF=0 (read once). */
bool unwind__enabled(void);

/*
 * The frames of thread tid of u's process: pcs[0] = r->ip, then each caller's return address
 * (the address after its call: look a function up at pc - 1). stack holds len bytes copied from
 * the thread's stack at r->sp; the walk stops where it would read outside them, at an address
 * no module covers, or after max frames. Returns the number of frames (>= 1 when max >= 1),
 * or -1 when r or pcs is NULL or max < 1. A pc outside every module known makes one re-read
 * of the process's maps (a library loaded since).
 */
int unwinder__frames(struct unwinder *u, pid_t tid, const struct unwind_regs *r, const void *stack,
		     size_t len, uint64_t *pcs, int max);

#endif
