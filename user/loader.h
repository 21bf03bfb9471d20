/* The kernel side's lifecycle: open, size, load, attach, poll, read drop counts, destroy. */
#ifndef TT_LOADER_H
#define TT_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "threadtrace.h"

struct tt_config;
struct tt_loader;

typedef int (*tt_event_fn)(void *ctx, const struct tt_event *e);

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

/* Delivers pending events to fn; waits up to timeout_ms. Returns events or -errno. */
int loader__poll(struct tt_loader *l, int timeout_ms);

/* Drops counted by the kernel side, summed over CPUs, per enum tt_drop_kind. */
void loader__drops(struct tt_loader *l, uint64_t out[TT_DROP_MAX]);

#endif
