/* SPDX-License-Identifier: GPL-2.0 */
/* What the kernel side and the user side share: event layout and constants. */
#ifndef THREADTRACE_H
#define THREADTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h> /* the BPF side gets these from vmlinux.h */
#endif

#define TT_COMM_LEN 16

/*
 * Event kinds carried by the ring buffer: each has its own record (struct
 * tt_ev_*, a member of struct tt_event below) and its size (tt_event_size).
 * Adding a kind: docs/events.md.
 */
enum tt_event_kind {
	TT_EV_START = 1,   /* a new thread (start) */
	TT_EV_EXIT = 2,    /* a thread ended (exit) */
	TT_EV_RENAME = 3,  /* its comm changed (rename) */
	TT_EV_EXEC = 4,    /* execve succeeded (exec) */
	TT_EV_JOIN = 5,    /* a pthread join returned (join) */
	TT_EV_JOIN_GUESS = 6, /* a futex wait woken by a thread that then exited: a CPython join (join_guess) */
	TT_EV_WAIT = 7,    /* a blocking futex wait ended (wait) */
	TT_EV_HOLD = 8,    /* a contended hold ended (hold) */
	TT_EV_FORK = 9,    /* -f: a new process (start; tgid = tid = the child) */
	TT_EV_STATE = 10,  /* --timeline: a thread's scheduling state changed (state) */
	TT_EV_SCHED = 11,  /* an ended thread's last switch: its final figures (sched) */
	TT_EV_PYSTACK = 12, /* a CPython thread's Python frames, the first time a wait had them (pystack) */
	TT_EV_USTACK = 13, /* --stacks: registers and stack top of a new call site, to unwind (ustack) */
	TT_EV_KIND_MAX,
};

/* TT_EV_EXIT flags */
#define TT_EXIT_SIGNALED   0x1 /* PF_SIGNALED: killed by a signal (incl. group exit) */
#define TT_EXIT_GROUP      0x2 /* SIGNAL_GROUP_EXIT: the whole process is exiting */
#define TT_EXIT_SHUTDOWN   0x4 /* called PyThread_exit_thread (CPython daemon at shutdown) */

/* Why an event or a record could not be kept, counted per kind. */
enum tt_drop_kind {
	TT_DROP_RINGBUF = 0, /* ring buffer full */
	TT_DROP_MAP = 1,     /* a per-thread map was full (--max-threads) */
	/*
	 * The maps sized by --max-locks, one kind each: what fills first tells
	 * what to raise. Their keys are not all one per word: lock_stats has one
	 * entry per (word, thread that waited on it), the pairs one per (word,
	 * thread, thread). Entries of ended threads are moved to user space
	 * (user/mapretire.c), so they bound the threads alive at once.
	 */
	TT_DROP_LOCKS = 2,   /* lock_stats: (word, waiting thread) */
	TT_DROP_HOLDS = 3,   /* hold_stats: (word) */
	TT_DROP_WAKES = 4,   /* wake_pairs: (word, waker, wakee) */
	TT_DROP_OWNERS = 5,  /* owner_pairs: (word, owner, waiter) */
	TT_DROP_SITES = 6,   /* sites: (word, call site) */
	TT_DROP_SPINS = 7,   /* spin_stats: (lock, thread in its slow path) */
	TT_DROP_MAX,
};

/* What a futex word is, as far as the futex calls on it tell (a bit each, TT_LOCK_*). */
enum tt_lock_kind {
	TT_LOCK_FUTEX = 0,   /* a plain futex wait of unknown purpose */
	TT_LOCK_MUTEX = 1,   /* glibc lock word, contended (FUTEX_WAIT with val 2) */
	TT_LOCK_PI = 2,      /* FUTEX_LOCK_PI: a priority-inheritance mutex */
	TT_LOCK_COND = 3,    /* a pthread_cond_t's __g_signals word */
	TT_LOCK_SEM = 4,     /* a sem_t (CPython's locks are sem_t) */
	TT_LOCK_KINDS,
};

/* Log2 histogram of nanoseconds: slot i holds [2^i, 2^(i+1)). */
#define TT_LOG2_SLOTS 40

/* floor(log2(v)), 0 for v < 2: branch-free, for the verifier */
static inline __attribute__((always_inline)) __u32 tt_log2(__u64 v)
{
	__u32 r = 0, shift;

	/* (c - v) >> 63 is v > c without a compare: clang makes a branch of each compare for BPF,
	 * and each branch doubles the verifier's paths through the code that counts a wait */
	if (v >> 63)
		return 63;
	shift = (__u32)((0xffffffffULL - v) >> 63) << 5; v >>= shift; r |= shift;
	shift = (__u32)((0xffffULL - v) >> 63) << 4; v >>= shift; r |= shift;
	shift = (__u32)((0xffULL - v) >> 63) << 3; v >>= shift; r |= shift;
	shift = (__u32)((0xfULL - v) >> 63) << 2; v >>= shift; r |= shift;
	shift = (__u32)((0x3ULL - v) >> 63) << 1; v >>= shift; r |= shift;
	return r | (__u32)(v >> 1);
}

/* The slot of a wait of ns in a log2 histogram (both sides count waits in them). */
static inline __attribute__((always_inline)) __u32 tt_wait_slot(__u64 ns)
{
	__u32 slot = tt_log2(ns);

	return slot < TT_LOG2_SLOTS ? slot : TT_LOG2_SLOTS - 1;
}
/* Hold-time histogram: 4 slots per power of two, for percentiles within ~19 %. */
#define TT_HOLD_SLOTS 160
#define TT_PAR_SLOTS 64

/*
 * The slot of a hold of ns in the hold histogram (the kernel counts, user
 * space reads percentiles): 0..3 exact, then slot 4 * log2 + the next two
 * bits (8 = [4, 5), 9 = [5, 6), ...; 4..7 stay empty); the top slot takes
 * everything above.
 */
static inline __attribute__((always_inline)) __u32 tt_hold_slot(__u64 ns)
{
	__u32 msb, slot;

	if (ns < 4)
		return (__u32)ns;
	msb = tt_log2(ns);
	slot = msb * 4 + ((ns >> (msb - 2)) & 3);
	return slot < TT_HOLD_SLOTS ? slot : TT_HOLD_SLOTS - 1;
}

/* The lowest ns of hold slot i (i = TT_HOLD_SLOTS: the top slot's end, were it not open). */
static inline __attribute__((always_inline)) __u64 tt_hold_slot_low(__u32 i)
{
	__u32 msb = i / 4, sub = i % 4;

	if (i < 8)
		return i < 4 ? i : 4; /* slots 0..3: values 0..3; 4..7 unused */
	return (1ULL << msb) + ((__u64)sub << (msb - 2));
}

/* Per futex word and waiting thread. */
struct tt_lock_key {
	__u64 addr;
	__u32 tid;
	__u32 tgid;         /* words are per process: one address, several processes (-f) */
};

/* A futex word of one process. */
struct tt_addr_key {
	__u64 addr;
	__u32 tgid;
	__u32 pad;
};

struct tt_lock_stat {
	__u64 waits;        /* blocking waits: the thread slept in the call */
	__u64 total_ns;
	__u64 max_ns;
	__u64 timeouts;     /* ended by its timeout (ETIMEDOUT) */
	__u64 interrupted;  /* ended by a signal (EINTR, or restarted) */
	__u64 woken;        /* woken by one of the target's threads (a wake, or its exit) */
	__u32 kinds;        /* 1 << TT_LOCK_* seen */
	__u32 pad;
	__u64 hist[TT_LOG2_SLOTS];
};

/*
 * Contended holds of a word: from a wait's return that won it (or a waiter
 * blocking on it, naming its owner) to its holder's wake of a waiter of it,
 * bounded by the word's last stretch with a sleeper (docs/locks.md).
 */
struct tt_hold_stat {
	__u64 count;
	__u64 total_ns;
	__u64 max_ns;
	__u64 oncpu_ns;     /* of total_ns, the holders' time on a CPU (the rest: asleep or waiting) */
	__u64 hist[TT_HOLD_SLOTS];
	__u64 bounded;      /* of count, holds timed from the stretch's start, not their take: lower bounds */
	/* The kernel's bookkeeping of the word, not a figure: */
	__u32 busy_slot;    /* its struct tt_word_busy in the kernel's word_busy array, 0: none yet */
	__u32 pad;
};

/*
 * A word's sleepers (threads asleep in a wait on it, as seen), the kernel's bookkeeping
 * for its holds. In an array at the slot its tt_hold_stat names (for good: the entries are
 * never deleted): a thread that sleeps on the word it slept on last, and every wake-up,
 * reach it without a hash look-up (two per blocking wait, docs/performance.md).
 */
struct tt_word_busy {
	__s64 sleepers;
	__u64 busy_since_ns; /* when sleepers last rose from 0: a release since then woke someone */
};

/*
 * Go: contended acquisitions of a sync.Mutex or RWMutex (bpf/gomutex.bpf.c),
 * counted at the entry of their slow paths. Goroutines that wait there park in
 * Go's scheduler, not in a futex: their waits are not timed.
 */
enum tt_go_kind {
	TT_GO_MUTEX = 1,   /* sync.(*Mutex).lockSlow: addr is the *Mutex */
	TT_GO_RWSEMA = 2,  /* an RWMutex's reader or writer semaphore: addr is that word */
};

struct tt_go_key {
	__u64 addr;
	__u32 tgid;
	__u32 kind;         /* enum tt_go_kind */
};

/*
 * Locks that spin before they sleep (Rust std's Mutex and RwLock, glibc's adaptive
 * mutexes): their contended slow paths, per (lock, thread), from bpf/spin.bpf.c.
 */
struct tt_spin_key {
	__u64 addr;         /* the lock (its futex word) */
	__u32 tgid;
	__u32 tid;
};

struct tt_spin_stat {
	__u64 acquires;     /* slow paths ended (the lock was taken) */
	__u64 spun_only;    /* of them, taken without sleeping: a hand-off no wake-up shows */
	__u64 spin_ns;      /* on a CPU inside them (TT_ST_SPIN) */
	__u64 slow_ns;      /* from entry to return, blocked and queued time included */
};

/* A (word, thread a, thread b) pair: waker -> wakee, or owner -> waiter. */
struct tt_pair_key {
	__u64 addr;
	__u32 a;
	__u32 b;
};

struct tt_pair_val {
	__u64 count;
	__u64 total_ns;     /* owner -> waiter: the waits' total */
};

#define TT_STACK_DEPTH 32
/*
 * libc is built without frame pointers, so a frame-pointer walk from inside
 * its futex calls skips the function that called pthread_mutex_lock & co.
 * The stack scan finds it: the first words at the stack top that point into
 * executable code are the return addresses of the innermost calls.
 */
#define TT_SCAN_WORDS 32
#define TT_SCAN_HITS 3
#define TT_TEXT_RANGES 32

/* The executable mappings of the targets, for the stack scan (--stacks). */
struct tt_range {
	__u64 start;
	__u64 end;
};

/*
 * CPython targets: the Python frames of a thread at each blocking wait, read
 * by the kernel side from the interpreter's structures (pywait.bpf.c) as
 * (code object, last instruction) pairs, innermost first; user space turns
 * them into file:function:line. A stack is sent once (TT_EV_PYSTACK) under
 * its id, a hash of its pairs; each wait carries the id.
 */
#define TT_PY_DEPTH 24
#define TT_PY_SCAN_WORDS 64  /* user stack words scanned for a return into py_conf.cfunc */
/*
 * C functions a wait may be inside, told apart by a return address into
 * their code on the stack top: the id's low bits say which (index + 1, 0:
 * none known, 3: in neither): RLock.acquire (rlock_acquire), Lock.acquire
 * (lock_PyThread_acquire_lock).
 */
#define TT_PY_CFUNCS 2
#define TT_PY_CFUNC_MASK 0x3ULL

/* Where the traced CPython keeps what the capture reads: set by user space once it found it. */
struct tt_py_conf {
	__u32 tgid;           /* 0: no CPython target (yet) */
	__u32 depth;          /* frames to read, <= TT_PY_DEPTH */
	__u64 interp;         /* the main PyInterpreterState */
	struct tt_range cfunc[TT_PY_CFUNCS]; /* their code, end 0: unknown */
	__u32 interp_threads_head, tstate_next, tstate_native_thread_id, tstate_cframe;
	__u32 cframe_current_frame;
	/*
	 * A _PyInterpreterFrame's f_code, previous and prev_instr lie within
	 * window_len (<= 64) bytes from window: one read per frame, then the
	 * words at these indices.
	 */
	__u32 iframe_window, iframe_window_len;
	__u32 iframe_code_idx, iframe_previous_idx, iframe_prev_instr_idx;
	__u32 pad;
};

#define TT_HOLDS 4 /* words a thread is seen to hold at once */

/* A futex wait in progress (the thread sleeps in it): in its struct tt_sched; user space reads it to find deadlocks. */
struct tt_wait {
	__u64 start_ns;
	__u64 addr;
	__u32 op;
	__u32 owner;        /* the word's owner when it blocked, 0: unknown */
	__u32 waker;        /* set by the wake that woke it: one of the target's threads */
	__u32 kind;         /* enum tt_lock_kind */
	__s32 stack_id;     /* --stacks: its user stack in the stacks map, else -1 */
	__s32 ret;          /* how it ends, as the call returns: 0, -ETIMEDOUT, -EINTR */
	__u32 woken;        /* the wake-up came: what ended it is known */
	__u32 timed;        /* the call has a timeout (counted in futex.bpf.c's timed_waits) */
	__u64 runtime_ns;   /* the thread's CPU time when it slept: dates a resume we did not see */
	__u64 scan[TT_SCAN_HITS]; /* --stacks: return addresses found on the stack top */
	__u64 py_stack;     /* CPython: its Python stack's id (TT_EV_PYSTACK), 0: none */
	__u64 woken_ns;     /* when its wake-up came (the wait ends there), 0: not yet */
	__u32 queued;       /* counted in its word's sleepers (tt_hold_stat), not yet taken out */
	__u32 pad;
	__u64 site;         /* --stacks: its call site's id (tt_site_id), 0: none */
};

/*
 * A blocking call site's id (--stacks): FNV-1a over its process, word, stack id and scan, as
 * struct tt_site_key without the Python stack. Both sides compute it: the kernel for each
 * wait (its `wait` and `state` events carry it), user space for each key of the sites map
 * (to name the ids: sites.csv, the timeline). 0 is no site.
 */
static inline __attribute__((always_inline)) __u64 tt_site_mix(__u64 h, __u64 v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

static inline __attribute__((always_inline)) __u64 tt_site_id(__u32 tgid, __u64 addr, __s32 stack_id,
							       const __u64 scan[TT_SCAN_HITS])
{
	__u64 id = tt_site_mix(tt_site_mix(tt_site_mix(0xcbf29ce484222325ULL, tgid), addr), (__u32)stack_id);

	for (int i = 0; i < TT_SCAN_HITS; i++)
		id = tt_site_mix(id, scan[i]);
	return id;
}

/* A blocking call site of a word: a user stack (--stacks), a Python stack (CPython), or both. */
struct tt_site_key {
	__u64 addr;
	__u32 tgid;
	__s32 stack_id;
	__u64 scan[TT_SCAN_HITS];
	__u64 py_stack;
};


/*
 * TT_ST_ENDED: past its exit (sched_process_exit), the books closed there. What a dying
 * thread does after its exit (blocked on the mm's lock in exit_mm, woken, run again) is
 * after its end: counted, it made states add up to more than the thread's lifetime.
 */
/*
 * TT_ST_SPIN: on a CPU inside a lock's contended slow path (spinning before it sleeps, or
 * back from its sleep to retry: bpf/spin.bpf.c): waiting for the lock, not useful work.
 */
enum tt_sched_state { TT_ST_UNKNOWN = 0, TT_ST_ONCPU, TT_ST_RUNQ, TT_ST_LOCK, TT_ST_SLEEP, TT_ST_SPIN, TT_ST_ENDED };

struct tt_sched {
	__u64 oncpu_ns;     /* on a CPU, not in a lock's slow path */
	__u64 runq_ns;
	__u64 lock_ns;      /* blocked in a futex wait */
	__u64 sleep_ns;     /* blocked otherwise: I/O, sleep, ... */
	__u64 spin_ns;      /* on a CPU in a lock's contended slow path (TT_ST_SPIN) */
	__u64 since_ns;
	__u32 state;        /* enum tt_sched_state */
	__u32 on_cpu;       /* counted in the parallelism figure: on a CPU, not spinning */
	__u32 in_wait;      /* a futex wait is open: `wait` below */
	__u32 exited;       /* it has passed its exit (for a join racing it: see join_pending) */
	__u64 joining_word; /* the tid word of the last thread it waited to join */
	/*
	 * The futex words it holds until it wakes a waiter (won in a wait, or
	 * seen as their owner): several, as a CPython thread holding a Lock
	 * still takes and drops the GIL's words; the oldest gives way.
	 */
	struct tt_hold {
		__u64 addr;     /* 0: a free slot */
		__u64 since_ns;
		__u64 cpu_ns;   /* its CPU time when the hold began (was it running while it held?) */
		__u32 kind;     /* the word's kind (enum tt_lock_kind): a condition's holds are not bounded */
		__u32 pad;
	} holds[TT_HOLDS];
	__u64 py_tstate;    /* CPython: its PyThreadState, as last found */
	__u64 ustack_key;   /* the last site or word whose stack copy it knows sent: a repeat costs a compare */
	__u64 busy_addr;    /* the word it last slept on (with busy_tgid) and its slot in word_busy: */
	__u32 busy_tgid;    /* a wait on it again costs a compare, not a hash look-up */
	__u32 busy_slot;
	struct tt_wait wait; /* the futex wait it sleeps in, while in_wait */
	/* in a lock's slow path (bpf/spin.bpf.c): which lock, since when, its spin_ns then */
	__u64 spin_addr;    /* 0: not in one */
	__u64 spin_since_ns;
	__u64 spin_mark_ns;
	__u64 spin_lock_mark; /* its lock_ns then: did it sleep in this slow path? */
	__u32 spin_no_owner;  /* a lock without glibc's __owner (Rust's: 0/1/2 and its data after) */
	__u32 spin_pad;
	/* the slow path's return address, which a return probe replaced on the stack: for unwinding */
	__u64 spin_ret_slot;
	__u64 spin_ret;
};

/* How many of the target's threads ran at once, time-weighted. */
struct tt_par {
	__u64 running;
	__u64 last_ns;
	__u64 ns[TT_PAR_SLOTS];
};

/* What every event starts with. */
struct tt_event_head {
	__u64 ts_ns;     /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 kind;      /* enum tt_event_kind: which member of struct tt_event follows */
	__u32 tgid;
	__u32 tid;       /* the thread the event is about */
	__u32 pad;
};

/* TT_EV_START (a new thread) and TT_EV_FORK (-f: a new process, tid = tgid = the child). */
struct tt_ev_start {
	__u64 tid_word;  /* its clear_child_tid: what a pthread_t leads to */
	__u32 creator;   /* the thread that created it */
	__u32 pad;
	char comm[TT_COMM_LEN]; /* its name: its creator's, until it renames itself */
};

/* TT_EV_EXIT: tid ended. */
struct tt_ev_exit {
	__u64 tid_word;  /* its clear_child_tid: the word its joiner waits on */
	__u32 exit_code; /* task->exit_code: status << 8 | signal */
	__u32 flags;     /* TT_EXIT_* */
	char comm[TT_COMM_LEN];
};

/* TT_EV_RENAME: tid's comm changed. */
struct tt_ev_rename {
	__u32 by;        /* the thread that renamed it (itself, or another of its process) */
	__u32 pad;
	char comm[TT_COMM_LEN];
};

/* TT_EV_EXEC: tid (now the process's only thread) runs a new program. */
#define TT_EXEC_PATH_LEN 128

struct tt_ev_exec {
	__u32 old_tid;   /* the thread that called execve (the leader takes its place) */
	__u32 pad;
	char comm[TT_COMM_LEN];
	char path[TT_EXEC_PATH_LEN]; /* the path execve was given (bprm->filename), "" if unreadable */
};

/* TT_EV_JOIN: tid's pthread join of the thread with tid_word returned. */
struct tt_ev_join {
	__u64 tid_word;
	__u64 wait_ns;   /* how long the join waited (0: its thread had ended) */
};

/* TT_EV_JOIN_GUESS: tid's futex wait on word was woken by joinee, which exited right after. */
struct tt_ev_join_guess {
	__u64 word;
	__u64 wait_ns;
	__u32 joinee;
	__u32 op;        /* the wait's futex op */
	__u64 py_stack;  /* the wait's Python stack id: one in no Thread.join is no join; 0: none */
	__u32 exit_flags; /* the joinee's TT_EXIT_*: killed as the process ended, after it was joined */
	__u32 pad;
	__u64 woken_ns;  /* when the joinee woke the joiner (the joiner may have ended since) */
};

/* TT_EV_WAIT (--csv, --timeline): tid's blocking futex wait on addr ended. */
struct tt_ev_wait {
	__u64 addr;
	__u64 dur_ns;
	__u32 waker;     /* the target's thread that woke it, 0: none seen */
	__u32 owner;     /* the word's owner when it blocked, 0: unknown */
	__s32 ret;       /* 0, -ETIMEDOUT, -EINTR */
	__u32 kind;      /* enum tt_lock_kind */
	__u64 py_stack;  /* CPython: the id of its Python stack (TT_EV_PYSTACK), 0: none */
	__u64 site;      /* --stacks: its call site's id (tt_site_id), 0: none */
};

/* TT_EV_HOLD (--csv, --timeline): tid's contended hold of addr ended (it woke a waiter). */
struct tt_ev_hold {
	__u64 addr;
	__u64 dur_ns;
};

/* TT_EV_STATE (--timeline): tid's scheduling state is now state. */
struct tt_ev_state {
	__u64 addr;      /* TT_ST_LOCK: the futex word it blocks on */
	__u32 state;     /* enum tt_sched_state */
	__u32 pad;
	__u64 py_stack;  /* TT_ST_LOCK, CPython: the id of its Python stack, 0: none */
	__u64 site;      /* TT_ST_LOCK, --stacks: its call site's id (tt_site_id), 0: none */
};

/* TT_EV_PYSTACK: the Python stack a wait of tid carries as id, sent once. */
struct tt_ev_pystack {
	__u64 id;        /* a hash of the pairs; low bits: TT_PY_CFUNC_MASK */
	__u32 depth;     /* pairs read: innermost first */
	__u32 truncated; /* more frames beyond depth */
	__u64 code[TT_PY_DEPTH];  /* _PyInterpreterFrame.f_code */
	__u64 instr[TT_PY_DEPTH]; /* _PyInterpreterFrame.prev_instr */
};

/*
 * TT_EV_USTACK: what user space needs to unwind a blocking call site with DWARF call-frame
 * information (user/unwind.c): the registers at the system call and a copy of the stack top.
 * Sent the first time a site (word, stack_id and scan, as in struct tt_site_key) is seen: on code
 * without frame pointers, and before the scan knows the code's ranges, the stack id and scan
 * of two call chains can be equal, so the word is part of the key. It is no
 * member of struct tt_event's union (its copy would grow every event): user space reads it
 * where the ring buffer holds it (events__ustack).
 */
#define TT_USTACK_BYTES 8192 /* perf's default dump size: deep enough for most blocking call chains */
#define TT_USTACK_CHUNK 512  /* read in chunks: a read past the stack's end fails whole */
/*
 * stack_id TT_USTACK_WORD: not a site but a word's first blocking wait (scan all 0),
 * to name a word no symbol covers after the code that waits on it; a shorter copy (the
 * caller outside the C library is near the stack top).
 */
#define TT_USTACK_WORD (-2)
#define TT_USTACK_WORD_BYTES 2048
struct tt_ev_ustack {
	__u64 addr;               /* the word waited on: a site is per word (two chains can share a key) */
	__s32 stack_id;           /* the site's frame-pointer stack (-1: none) */
	__u32 len;                /* bytes of stack copied (a multiple of TT_USTACK_CHUNK), all in the record */
	__u64 scan[TT_SCAN_HITS]; /* the site's stack-scan addresses */
	__u64 regs[8];            /* ip, sp, bp, bx, r12, r13, r14, r15 (struct unwind_regs) */
	/* a return probe's trampoline replaced the return address at ret_slot (0: none): the real one */
	__u64 ret_slot;
	__u64 ret_addr;
	__u8 stack[TT_USTACK_BYTES]; /* a record holds TT_USTACK_BYTES, or TT_USTACK_WORD_BYTES for a word's */
};

/* TT_EV_SCHED: an ended thread's final scheduling figures (its kernel entry is gone). */
struct tt_ev_sched {
	__u64 oncpu_ns;
	__u64 runq_ns;
	__u64 lock_ns;
	__u64 sleep_ns;
	__u64 spin_ns;
};

/*
 * An event as user space decodes it: the head, then the record of its kind.
 * The kernel side reserves only tt_event_size(kind) bytes of it.
 */
struct tt_event {
	struct tt_event_head h;
	union {
		struct tt_ev_start start;  /* TT_EV_START, TT_EV_FORK */
		struct tt_ev_exit exit;
		struct tt_ev_rename rename;
		struct tt_ev_exec exec;
		struct tt_ev_join join;
		struct tt_ev_join_guess join_guess;
		struct tt_ev_wait wait;
		struct tt_ev_hold hold;
		struct tt_ev_state state;
		struct tt_ev_sched sched;
		struct tt_ev_pystack pystack;
	};
};

#define TT_EV_SIZE(member) (sizeof(struct tt_event_head) + sizeof(((struct tt_event *)0)->member))

/* The size of an event of this kind, 0 for no kind: the one table of kind -> record. */
static inline __attribute__((always_inline)) __u32 tt_event_size(__u32 kind)
{
	switch (kind) {
	case TT_EV_START: return TT_EV_SIZE(start);
	case TT_EV_FORK: return TT_EV_SIZE(start);
	case TT_EV_EXIT: return TT_EV_SIZE(exit);
	case TT_EV_RENAME: return TT_EV_SIZE(rename);
	case TT_EV_EXEC: return TT_EV_SIZE(exec);
	case TT_EV_JOIN: return TT_EV_SIZE(join);
	case TT_EV_JOIN_GUESS: return TT_EV_SIZE(join_guess);
	case TT_EV_WAIT: return TT_EV_SIZE(wait);
	case TT_EV_HOLD: return TT_EV_SIZE(hold);
	case TT_EV_STATE: return TT_EV_SIZE(state);
	case TT_EV_SCHED: return TT_EV_SIZE(sched);
	case TT_EV_PYSTACK: return TT_EV_SIZE(pystack);
	/* the least: its copy's bytes follow (events__ustack checks them) */
	case TT_EV_USTACK: return sizeof(struct tt_event_head) + __builtin_offsetof(struct tt_ev_ustack, stack);
	}
	return 0;
}

#endif /* THREADTRACE_H */
