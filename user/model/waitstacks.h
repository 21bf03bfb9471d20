/*
 * The wait time of every blocking call site, with its frames named: what
 * --folded writes. One entry per (process, futex word, user stack, Python
 * stack) as the kernel side counts them, plus the waits still in progress.
 */
#ifndef TT_WAITSTACKS_H
#define TT_WAITSTACKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tt_waitstack {
	pid_t tgid;
	uint64_t addr;       /* the futex word: its lock in the lock table */
	uint64_t py_stack;   /* CPython: its Python stack (model/pystacks.h), 0: none */
	/* native frames' names, root first: nframes strings one after another; raw, untrusted */
	char *frames;
	size_t nframes;
	uint64_t count, total_ns;
};

struct tt_waitstacks {
	struct tt_waitstack *v;
	size_t n, cap;
};

struct tt_waitstacks *waitstacks__new(void);
void waitstacks__free(struct tt_waitstacks *w);

/* Adds the waits of one call site; frames root first (copied). 0, or -1 on ENOMEM. */
int waitstacks__add(struct tt_waitstacks *w, pid_t tgid, uint64_t addr, uint64_t py_stack,
		    const char *const *frames, size_t nframes, uint64_t count, uint64_t total_ns);

#endif
