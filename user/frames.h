/*
 * The frames of a recorded user stack: where each came from, and its name.
 * The innermost frame is the thread's pc (where it is); every other one is
 * a return address, named by the call before it (syms__resolve_return).
 */
#ifndef TT_FRAMES_H
#define TT_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "threadtrace.h"

struct syms;
struct perfmap;

enum tt_frame_how {
	TT_FRAME_PC,   /* the innermost: a real pc, named as it is */
	TT_FRAME_FP,   /* a return address from the frame-pointer walk */
	/*
	 * A return address from the stack scan (TT_SCAN_HITS words at the stack
	 * top that point into code): may be stale, a word left from an earlier
	 * call or a function pointer. Kept apart so that a better unwinder can
	 * check or drop them.
	 */
	TT_FRAME_SCAN,
	TT_FRAME_DWARF, /* a return address from the DWARF unwinder (unwind.c): the true caller */
};

struct tt_frame {
	uint64_t addr;
	enum tt_frame_how how;
};

/* frames of one stack: the DWARF unwinder's 64, or the walk's and the scan's */
#define TT_FRAMES_MAX 64
_Static_assert(TT_FRAMES_MAX >= TT_STACK_DEPTH + TT_SCAN_HITS, "TT_FRAMES_MAX: the walk and the scan fit");

/*
 * The frame-pointer walk's frames (ips, innermost first, nips of them) with the
 * scan's addresses after its first, each address once; innermost first, at most
 * max. Without a walk (nips 0) the scan's first is the innermost frame, still a
 * return address. A scanned address the walk has too is TT_FRAME_FP. Returns how many.
 */
size_t frames__gather(const __u64 *ips, size_t nips, const __u64 scan[TT_SCAN_HITS], struct tt_frame *out,
		      size_t max);

/* DWARF-unwound frames (pcs[0] the pc, then return addresses) as frames; returns how many (<= max). */
size_t frames__unwound(const uint64_t *pcs, size_t n, struct tt_frame *out, size_t max);

/*
 * A scanned word that cannot be a return address: it is a function's first
 * byte, and the byte before it lies in no function (alignment padding), so
 * no call ends there. A function pointer left on the stack (a cleanup
 * handler pthread_cond_wait pushed, the start routine given to
 * pthread_create). Only TT_FRAME_SCAN frames are ever judged so; without
 * symbols there, false.
 */
bool frames__not_a_return(struct syms *syms, const struct tt_frame *f);

/*
 * Names a frame: the JIT's name from the perf map, else the ELF symbol, else
 * where it is. With offset: "worker+0x2a", "[libc.so.6+0x1234]", "0x7f..." (no
 * mapping known); the offset of a return address counts to the return address
 * itself. Without: "worker", "[libc.so.6]", "[unknown]" (for stacks merged by
 * function, as flame graphs are). Raw: names come from the target's files.
 */
void frames__name(struct syms *syms, const struct perfmap *pm, const struct tt_frame *f, bool offset, char *buf,
		  size_t len);

#endif
