/* The thread table: every thread of the target, built from lifecycle events. */
#ifndef TT_THREADS_H
#define TT_THREADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "threadtrace.h"
#include "model/index.h"
#include "model/record.h"

enum tt_end {
	TT_END_ALIVE = 0,     /* not ended (yet) */
	TT_END_EXITED,        /* returned or called pthread_exit by itself */
	TT_END_DAEMON_KILLED, /* killed when the process ended under it */
	TT_END_PROCESS_EXIT,  /* the thread that ended the process (exit_group) */
};

struct tt_thread {
	pid_t tid;
	pid_t tgid;             /* its process (-f traces several) */
	pid_t creator;          /* 0: unknown (alive at attach) */
	bool start_known;
	uint64_t start_ns;      /* since the trace started */
	bool ended;
	uint64_t end_ns;
	enum tt_end how;
	int exit_code;          /* exit status, as the process's when killed by its exit */
	int signal;             /* fatal signal, 0: none */
	bool python_shutdown;   /* stopped itself in PyThread_exit_thread at interpreter exit */
	uint64_t tid_word;      /* its clear_child_tid: what a pthread_t leads to */
	char name[TT_NAME_LEN]; /* raw, untrusted */
	unsigned renames;       /* OS renames, and Python renames after the first name read */
	char py_name[TT_PY_NAME_LEN]; /* CPython: its threading.Thread name, "" unknown; raw, untrusted */
	char *py_stack;         /* CPython, --stacks: its Python frames when last blocked, or NULL */
	bool joined;
	bool join_inferred;
	pid_t joined_by;
	uint64_t join_wait_ns;
	/* scheduling, from the kernel's per-thread accounting */
	uint64_t oncpu_ns, runq_ns, lock_ns, sleep_ns;
	uint64_t spin_ns;         /* on a CPU in a spinning lock's slow path (not in oncpu_ns) */
	uint64_t waits, wait_ns;  /* its blocking futex waits, all words */
	/* sampled from /proc for the interval report */
	char state;
	unsigned long long cpu_ticks;      /* at the last sample */
	unsigned long long cpu_ticks_delta; /* since the sample before */
};

struct tt_threads {
	pid_t tgid;             /* the process traced (with -f, its descendants come too) */
	uint64_t t0_ns;         /* CLOCK_MONOTONIC at trace start */
	bool accept_inferred;   /* the target is CPython: trust inferred joins */
	struct tt_thread *v;
	size_t n, cap;
	size_t nended;          /* threads seen to end so far */
	struct tt_index by_tid;  /* tid -> position of the latest thread with it */
	struct tt_index by_word; /* (tid word, tgid) -> position of the latest thread given it */
	struct tt_index by_word_ended; /* ... of the latest thread with it to end */
	struct tt_index word_first; /* (tid word, tgid) -> position of the first thread given it */
	struct tt_index word_users; /* (tid word, tgid) -> how many threads have it (a count, not a position) */
};

struct tt_threads *threads__new(pid_t tgid, uint64_t t0_ns);
void threads__free(struct tt_threads *t);

/* The latest thread with this tid (tids can be reused), or NULL. */
struct tt_thread *threads__find(const struct tt_threads *t, pid_t tid);

/* The thread whose tid word (struct pthread) this is: the latest to end with it, else the latest given it. */
struct tt_thread *threads__by_tid_word(const struct tt_threads *t, pid_t tgid, uint64_t word);

/*
 * How many threads have had this tid word, in turn (glibc gives a new thread
 * the stack, so the struct pthread and its word, of one that ended), and
 * *first: the first of them (NULL with 0).
 */
size_t threads__tid_word_users(const struct tt_threads *t, pid_t tgid, uint64_t word, const struct tt_thread **first);

/* A thread found in /proc at attach. Returns 1 and fills *rec when it is new. */
int threads__add_alive(struct tt_threads *t, pid_t tid, const char *name, uint64_t now_ns,
		       struct tt_record *rec);

/*
 * A thread found at attach has tid_word as its tid word (learnt from a join
 * waiting on it), unless it has one. 0, or -1 (unknown thread, ENOMEM).
 */
int threads__learn_tid_word(struct tt_threads *t, pid_t tid, uint64_t tid_word);

/* Applies one kernel event. Returns 1 and fills *rec when it makes a record, 0 when not, -1 on ENOMEM. */
int threads__apply(struct tt_threads *t, const struct tt_event *e, struct tt_record *rec);

/*
 * At stop: an `end` record for every thread not seen to end, passed to emit:
 * detail "alive", or "unknown" when running(its tgid) says its process is gone
 * (its exit event was lost). running may be NULL: all alive.
 */
void threads__finish(struct tt_threads *t, uint64_t now_ns, bool (*running)(pid_t tgid),
		     void (*emit)(const struct tt_record *rec, void *ctx), void *ctx);

/* Samples state and CPU time of every live thread: sample(tid) fills state and ticks, 0 or -1. */
void threads__sample(struct tt_threads *t,
		     int (*sample)(pid_t tgid, pid_t tid, char *state, unsigned long long *ticks));

/* Sets a thread's scheduling figures; an open interval of a live thread counts up to now_ns. */
void threads__set_sched(struct tt_threads *t, pid_t tid, const struct tt_sched *s, uint64_t now_ns);
/*
 * An ended thread's final figures (its kernel entry is gone): the latest thread with tid that
 * has ended, even when a new thread has taken its tid since.
 */
void threads__set_final_sched(struct tt_threads *t, pid_t tid, const struct tt_sched *s);

/*
 * CPython: the threading name of the latest thread with this tid, as read from
 * the interpreter. A change after the first name counts as a rename. 1 when
 * the name changed, 0 when not, -1 when no thread has this tid.
 */
int threads__set_py_name(struct tt_threads *t, pid_t tid, const char *name);

/*
 * CPython: the thread's Python frames as text ("file:function:line < ...",
 * innermost first), copied; NULL forgets them. 0, or -1 (unknown tid, ENOMEM).
 */
int threads__set_py_stack(struct tt_threads *t, pid_t tid, const char *stack);

/* What is known of a thread's join. */
enum tt_join_seen {
	TT_JOIN_NONE = 0,    /* no join: alive, killed, or not a CPython thread (every pthread join is seen) */
	TT_JOIN_PTHREAD,     /* joined, seen at libc's join functions */
	TT_JOIN_INFERRED,    /* joined, inferred from the wake that ended its joiner's wait (CPython) */
	/*
	 * A CPython thread that returned with no join seen: a Thread.join of a
	 * thread already ended returns without waiting (its lock is free), so no
	 * wait shows whether one came. Joined or not, threadtrace cannot tell.
	 */
	TT_JOIN_NOT_SEEN,
};

enum tt_join_seen threads__join_seen(const struct tt_threads *t, const struct tt_thread *th);
/* "pthread", "inferred", "not-seen" or "" (CSV, JSON). */
const char *thread__join_seen_name(enum tt_join_seen j);

/* "exited", "daemon-killed", "process-exit" or "alive". */
const char *thread__end_name(enum tt_end how);

#endif
