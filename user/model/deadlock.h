/* Deadlocks as they form: cycles of threads each blocked on a lock the next one owns. */
#ifndef TT_DEADLOCK_H
#define TT_DEADLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "model/locks.h"

/* One blocked thread: tid waits on addr, which owner holds (since start_ns). */
struct tt_wait_edge {
	pid_t tid;
	pid_t owner;
	uint64_t addr;
	uint64_t start_ns;
};

struct tt_deadlocks;

struct tt_deadlocks *deadlocks__new(void);
void deadlocks__free(struct tt_deadlocks *d);

/* Reports a cycle; false if the caller finds it is none after all (offered again next scan). */
typedef bool (*tt_cycle_fn)(const struct tt_wait_edge *cycle, size_t n, void *ctx);

/*
 * Feeds one snapshot of the waits in progress (edges with an owner). A cycle
 * is reported once, when every wait in it is the very same wait (same start)
 * as in the snapshot before: a real deadlock never moves, a passing state
 * (an owner read just before it let go) does. Returns cycles reported, or -1.
 */
int deadlocks__scan(struct tt_deadlocks *d, const struct tt_wait_edge *edges, size_t n, tt_cycle_fn fn,
		    void *ctx);

/* One thread of a deadlock found: what the summary and the verdict show. */
struct tt_deadlock_member {
	unsigned cycle;              /* which deadlock, from 1, in the order they were found */
	pid_t tgid, tid;
	pid_t owner;                 /* holds the lock tid waits on: the next thread of the cycle */
	uint64_t addr;               /* the lock's word */
	uint64_t found_ns;           /* since the trace started */
	uint64_t blocked_ns;         /* how long tid had waited when found */
	char lock[TT_LOCK_NAME_LEN]; /* its name; raw: from the target's files */
	char *stack;                 /* --stacks: where tid blocked, or NULL */
	char *py_stack;              /* --stacks, CPython: its Python frames, or NULL */
};

/*
 * Keeps a deadlock found: its n threads (copied, strings too), in cycle order;
 * their cycle is set to the next number. 0, or -1 (ENOMEM: nothing kept).
 */
int deadlocks__add(struct tt_deadlocks *d, const struct tt_deadlock_member *m, size_t n);
/* The threads of every deadlock kept, in the order found (*n of them). */
const struct tt_deadlock_member *deadlocks__members(const struct tt_deadlocks *d, size_t *n);
/* How many deadlocks were kept. */
unsigned deadlocks__count(const struct tt_deadlocks *d);

#endif
