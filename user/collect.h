/* Reads the kernel side's aggregating maps into the models. */
#ifndef TT_COLLECT_H
#define TT_COLLECT_H

#include <stdint.h>
#include "frames.h"
#include "loader.h"
#include "model/locks.h"
#include "model/sched.h"
#include "model/threads.h"
#include "ustacks.h"

struct syms;

/* Fresh figures for every lock, thread and the parallelism, as of now_ns. 0 or -1. */
int collect__figures(struct tt_loader *l, struct tt_threads *threads, struct tt_locks *locks,
		    struct tt_parallelism *par, uint64_t now_ns);

/* The mappings of a traced process (NULL: unknown). */
typedef struct syms *(*tt_syms_fn)(pid_t tgid, void *ctx);

/*
 * Names locks not named yet (symbol, GIL, join word; a word no symbol covers after the code
 * that waits on it, from us), drops owners that are no threads of ours.
 */
void collect__name_locks(struct tt_locks *locks, const struct tt_threads *threads, const struct ustacks *us,
			 tt_syms_fn syms_of, void *ctx);

struct perfmap;

/* A blocking call site's stack as the kernel side recorded it. */
struct tt_stack_src {
	pid_t tgid;
	uint64_t addr;                /* the word waited on */
	__s32 stack_id;               /* frame pointers (the stacks map), -1: none */
	__u64 scan[TT_SCAN_HITS];     /* the stack scan's return addresses */
	const struct ustacks *ustacks; /* its DWARF-unwound frames, if any; NULL: none */
};

/*
 * A site's frames, innermost first, at most max: its DWARF-unwound frames (TT_FRAME_DWARF) when
 * it has them past the first, else the frame-pointer walk and the scan (frames__gather). 0: none.
 */
size_t collect__site_frames(struct tt_loader *l, const struct tt_stack_src *src, struct tt_frame *out, size_t max);

/* The room a call site's frames get as text: the same everywhere, so the same sites read alike. */
#define TT_SITE_FRAMES_LEN 1024

/*
 * A recorded user stack as "frame < caller < ...", from the perf map (JITs) or ELF symbols:
 * its DWARF-unwound frames when it has them, else frame pointers and the scan. 0 or -1.
 */
int collect__format_stack(struct tt_loader *l, const struct tt_stack_src *src, struct syms *syms,
			 const struct perfmap *pm, char *buf, size_t len);
/* Symbolizes the blocking call sites of the first `top` locks (sort them first). */
void collect__stacks(struct tt_loader *l, struct tt_locks *locks, size_t top, const struct ustacks *us,
		     tt_syms_fn syms_of, void *ctx);

/* Names one address as lock tables do: "GIL (_PyRuntime+0x1b8)", "big_lock+0x0", "[heap]". */
void collect__lock_name(struct syms *syms, uint64_t addr, char *buf, size_t len, bool *is_gil);

#endif
