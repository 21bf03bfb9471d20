/* Deadlocks as they form: cycles of threads each blocked on a lock the next one owns. */
#ifndef TT_DEADLOCK_H
#define TT_DEADLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

#endif
