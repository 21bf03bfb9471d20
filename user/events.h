/*
 * Kernel events into the models: the one place where the ring buffer's
 * records are checked, decoded (struct tt_event, bpf/threadtrace.h) and
 * handed to the model each kind feeds. main.c and the fuzz harness both drive
 * it. Adding a kind: docs/events.md.
 */
#ifndef TT_EVENTS_H
#define TT_EVENTS_H

#include <stddef.h>
#include <sys/types.h>
#include "threadtrace.h"
#include "model/record.h"

struct tt_threads;
struct tt_history;
struct tt_pystacks;

/* Where decoded events go. */
struct tt_event_sink {
	struct tt_threads *threads;   /* lifecycle, final scheduling figures */
	struct tt_history *history;   /* --timeline: state changes; NULL: none kept */
	/* every record the events make (start, exit, wait, ...) */
	void (*emit)(const struct tt_record *rec, void *ctx);
	/* exec: the process's executable now, into buf ("": unknown), when the event's path is cut or missing; NULL: none */
	void (*exec_path)(pid_t tgid, char *buf, size_t len);
	/* CPython: a new Python stack to resolve and keep (in pystacks); NULL: none */
	void (*pystack)(const struct tt_event *e, void *ctx);
	const struct tt_pystacks *pystacks; /* the stacks' text for `wait` records; NULL: none */
	void *ctx;
};

/*
 * One ring-buffer record of len bytes into *e (zero beyond its kind's
 * record). 0, or -EINVAL when it is no event: an unknown kind or too short.
 */
int events__decode(const void *data, size_t len, struct tt_event *e);

/*
 * A TT_EV_USTACK record where the ring buffer holds it (8 KiB: not copied into a struct
 * tt_event, which events__decode refuses it for): its head and record. 0, or -EINVAL.
 */
int events__ustack(const void *data, size_t len, const struct tt_event_head **h, const struct tt_ev_ustack **u);

/* A decoded event into the sink's models (and records to its emit). 0, or -ENOMEM. */
int events__apply(const struct tt_event_sink *s, const struct tt_event *e);

#endif
