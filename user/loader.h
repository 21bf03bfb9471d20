/* The kernel side's lifecycle: open, size, load, attach, poll, read drop counts, destroy. */
#ifndef TT_LOADER_H
#define TT_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "threadtrace.h"

struct tt_config;
struct tt_loader;

/* One ring-buffer record, as the kernel wrote it (events__decode reads it). */
typedef int (*tt_event_fn)(void *ctx, const void *data, size_t len);

/*
 * Opens and loads the BPF programs for process tgid and attaches the
 * tracepoints. On failure returns NULL and sets *exit_code (TT_EXIT_*) after
 * printing one line on stderr.
 */
struct tt_loader *loader__new(pid_t tgid, const struct tt_config *cfg, tt_event_fn fn, void *ctx,
			      int *exit_code);
void loader__free(struct tt_loader *l);

/* Attaches the join probes to a libc (each file once). 0 or -errno. */
int loader__attach_libc(struct tt_loader *l, const char *path);
/* Attaches the CPython shutdown probe to a python binary or libpython. 0 or -errno. */
int loader__attach_python(struct tt_loader *l, const char *path);
/* Attaches the Go mutex probes (entry only) to a Go executable. 0 or -errno. */
int loader__attach_go(struct tt_loader *l, const char *path);
/*
 * Attaches the spinning locks' probes (bpf/spin.bpf.c) to the slow paths in the file at path
 * (user/spinprobes.h), each file once: how many places were found (0: none), or -errno.
 */
int loader__attach_spin(struct tt_loader *l, const char *path);

/* Delivers pending events to fn; waits up to timeout_ms. Returns events or -errno. */
int loader__poll(struct tt_loader *l, int timeout_ms);

/* The kernel side's aggregating maps, for loader__dump. */
enum tt_map {
	TT_MAP_LOCK_STATS,  /* struct tt_lock_key -> struct tt_lock_stat */
	TT_MAP_HOLD_STATS,  /* struct tt_addr_key (word, tgid) -> struct tt_hold_stat */
	TT_MAP_WAKE_PAIRS,  /* struct tt_pair_key (a = waker, b = wakee) -> struct tt_pair_val */
	TT_MAP_OWNER_PAIRS, /* struct tt_pair_key (a = owner, b = waiter) -> struct tt_pair_val */
	TT_MAP_SCHED,       /* __u32 tid -> struct tt_sched (with the futex wait in progress) */
	TT_MAP_SITES,       /* struct tt_site_key -> struct tt_pair_val (count, total wait) */
	TT_MAP_GO_MUTEXES,  /* struct tt_go_key -> __u64 contended acquisitions */
	TT_MAP_SPINS,       /* struct tt_spin_key -> struct tt_spin_stat */
};

typedef void (*tt_entry_fn)(const void *key, const void *val, void *ctx);

/*
 * A thread alive before tracing began gets s as its scheduling entry, unless
 * the kernel side has made one meanwhile (it saw the thread run: it knows
 * better). 0, or -errno (-EEXIST then).
 */
int loader__seed_sched(struct tt_loader *l, pid_t tid, const struct tt_sched *s);

/*
 * Calls fn for every entry of a map: the kernel's, then those of ended threads
 * moved to user space (loader__retire_ended). Returns the count or -errno.
 */
int loader__dump(struct tt_loader *l, enum tt_map which, tt_entry_fn fn, void *ctx);
/* The kernel's entries only. */
int loader__dump_kernel(struct tt_loader *l, enum tt_map which, tt_entry_fn fn, void *ctx);
/* Deletes n keys from a map, in order; *deleted: how many were. 0 or -errno. */
int loader__delete(struct tt_loader *l, enum tt_map which, const void *keys, size_t n, size_t *deleted);
/*
 * Whether thread tid has ended (settled: and has been gone long enough to have
 * done its last wake, that of its joiner).
 */
typedef bool (*tt_ended_fn)(uint32_t tid, bool settled, void *ctx);
/* Moves the entries ended threads made final out of the kernel (mapretire.h). Moved or -errno. */
int loader__retire_ended(struct tt_loader *l, tt_ended_fn ended, void *ctx);
/* --stacks: where the targets' code is, for the kernel's stack scan. */
void loader__set_text_ranges(struct tt_loader *l, unsigned long (*ranges)[2], size_t n);
/* CPython: where the kernel side reads each waiting thread's Python frames (conf->tgid 0: nowhere). */
void loader__set_py_conf(struct tt_loader *l, const struct tt_py_conf *conf);
/* A user stack recorded with --stacks (zeros end it). 0 or -errno. */
int loader__stack(struct tt_loader *l, __s32 id, __u64 ips[TT_STACK_DEPTH]);
/* The parallelism counters. 0 or -errno. */
int loader__parallelism(struct tt_loader *l, struct tt_par *out);

/* Drops counted by the kernel side, summed over CPUs, per enum tt_drop_kind. */
void loader__drops(struct tt_loader *l, uint64_t out[TT_DROP_MAX]);

#endif
