/* The lock table: every futex word the target's threads blocked on, with its figures. */
#ifndef TT_LOCKS_H
#define TT_LOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "threadtrace.h"
#include "model/index.h"
#include "model/pystacks.h"
#include "model/record.h"

#define TT_LOCK_NAME_LEN 160
#define TT_TOP_SITES 3

/* What a lock is for: contention (a thread holds it) or idle waiting (for work, an event, a join). */
enum tt_lock_role { TT_ROLE_CONTENTION, TT_ROLE_IDLE };

struct tt_pair {
	pid_t tgid;
	uint64_t addr;
	pid_t a, b;          /* waker -> wakee, or owner -> waiter */
	uint64_t count;
	uint64_t total_ns;
};

struct tt_lock {
	pid_t tgid;                  /* a word is an address in one process */
	uint64_t addr;
	char name[TT_LOCK_NAME_LEN]; /* symbol+off, [heap], ...; raw: from the target's files */
	char group[TT_LOCK_NAME_LEN]; /* words of one lock share a group (the GIL's three words) */
	bool is_gil;                 /* inside CPython's _PyRuntime GIL state */
	bool is_gil_cond;            /* the GIL's condition words: their holds are the GIL's */
	bool is_join;                /* a thread's tid word: a pthread_join wait */
	enum tt_py_kind py_kind;     /* CPython: which threading primitive (pylocks.c), TT_PY_NONE: not one */
	uint32_t go_kind;            /* Go: a sync mutex's contended acquisitions (enum tt_go_kind), 0: a futex word */
	bool is_go_runtime;          /* Go: a word of the Go runtime itself (idle threads, its own locks) */
	uint64_t py_stack;           /* CPython: the Python stack of its most waited call site, 0: none */
	uint64_t py_stack_ns;        /* ... and that site's wait total */
	uint32_t kinds;              /* 1 << TT_LOCK_* */
	uint32_t caller_kinds;       /* of kinds, what its waiters' code told (lockcallers.c), once callers_read */
	bool callers_read;
	/* sums over threads */
	uint64_t waits, total_ns, max_ns, timeouts, interrupted, woken;
	uint64_t hist[TT_LOG2_SLOTS];
	unsigned threads;            /* threads that blocked on it */
	struct tt_hold_stat hold;    /* contended holds */
	uint64_t handoffs;           /* wakes of one thread by another on this word */
	uint64_t blocked_by_known;   /* waits whose owner was read */
	/*
	 * A lock that spins before it sleeps (bpf/spin.bpf.c): its contended slow paths, those
	 * that took it without sleeping, their time spinning on a CPU (in total_ns: waiting,
	 * as its blocked waits are) and entry to return, and the threads that went through them.
	 */
	uint64_t spin_acquires, spun_only, spin_ns, slow_ns;
	unsigned spin_threads;
	struct tt_site {             /* --stacks: the top blocking call sites; count 0: none */
		int32_t stack_id;
		__u64 scan[TT_SCAN_HITS]; /* return addresses from the stack scan */
		uint64_t py_stack;   /* CPython: the id of its Python stack, 0: none */
		uint64_t id;         /* its native site's id (tt_site_id): what `wait` events carry */
		uint64_t count, total_ns;
		char *frames;        /* symbolized, "f < caller < ..."; NULL until named */
	} sites[TT_TOP_SITES];
};

struct tt_locks {
	struct tt_lock *v;
	size_t n, cap;
	struct tt_index by_addr; /* (addr, tgid) -> position in v */
	bool go;                 /* a Go program is traced (golang.c): its mutexes wait untimed */
	struct tt_pair *wakes, *owners;
	size_t nwakes, nowners, capwakes, capowners;
};

struct tt_locks *locks__new(void);
void locks__free(struct tt_locks *l);
/* Forget the figures (not the locks and names) before a fresh read of the kernel maps. */
void locks__reset_figures(struct tt_locks *l);

/* The lock for (tgid, addr), created when new (*created = true: name it). NULL on ENOMEM. */
struct tt_lock *locks__get(struct tt_locks *l, pid_t tgid, uint64_t addr, bool *created);
struct tt_lock *locks__find(const struct tt_locks *l, pid_t tgid, uint64_t addr);

/* Feeding the kernel's aggregates in. 0 or -1 (ENOMEM). Pairs carry tids only: tgid is theirs. */
int locks__add_wait_stat(struct tt_locks *l, const struct tt_lock_key *k, const struct tt_lock_stat *s);
int locks__add_hold_stat(struct tt_locks *l, const struct tt_addr_key *k, const struct tt_hold_stat *h);
int locks__add_wake_pair(struct tt_locks *l, pid_t tgid, const struct tt_pair_key *k, const struct tt_pair_val *v);
int locks__add_owner_pair(struct tt_locks *l, pid_t tgid, const struct tt_pair_key *k,
			  const struct tt_pair_val *v);

/* Keeps a blocking call site if it is among the lock's top TT_TOP_SITES by total wait. 0 or -1. */
int locks__add_site(struct tt_locks *l, const struct tt_site_key *k, const struct tt_pair_val *v);

/*
 * CPython: kinds and names for the locks of threading's primitives, from the
 * Python stack of each one's most waited call site ("Lock in post (app.py:12)"),
 * distinct for distinct words; named anew at each report, from its figures then.
 */
void locks__name_python(struct tt_locks *l, const struct tt_pystacks *stacks);

/*
 * Go (golocks.c): contended acquisitions of a sync.Mutex or an RWMutex's
 * semaphore, a row of their own (waits = acquisitions, no wait time). 0 or -1.
 */
int locks__add_go_mutex(struct tt_locks *l, const struct tt_go_key *k, uint64_t acquisitions);
/*
 * Spinning locks (spinlocks.c): one thread's slow paths of one lock. Their spin counts as
 * waiting (total_ns), an acquisition without sleep as a hand-off. Add after the wait
 * records (its threads are the most of both). 0 or -1.
 */
int locks__add_spin_stat(struct tt_locks *l, const struct tt_spin_key *k, const struct tt_spin_stat *s);
/* Go: whether a named word is the Go runtime's own ("runtime.m0+0x148", "futex in runtime.futex..."). */
bool lock__is_go_runtime_name(const char *name);

/* Sorts locks by total wait and pairs by count, most first (pointers into the table change). */
void locks__sort(struct tt_locks *l);

/* Whether the views show it: it had a blocking wait, or a spinning lock's contended acquisition. */
static inline bool lock__seen(const struct tt_lock *k)
{
	return k->waits || k->spin_acquires;
}

/* The kind to show: PI, mutex, join, cond, sem, futex; a CPython primitive's (py-lock, ...). */
const char *lock__kind_name(const struct tt_lock *k);
enum tt_lock_role lock__role(const struct tt_lock *k);

/* Percentile p (0..100) of the contended holds, from the histogram; 0 without holds. */
uint64_t hold__percentile(const struct tt_hold_stat *h, double p);
/* A `wait` or `hold` record from its kernel event (name: the thread's). Returns 1, or 0 if not one. */
int locks__event_record(const struct tt_event *e, uint64_t t0_ns, const char *name, struct tt_record *rec);

#endif
