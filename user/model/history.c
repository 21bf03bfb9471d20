/* The state history behind --timeline: slices per thread, marks, hand-offs, the running count. */
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "threadtrace.h"
#include "model/array.h"
#include "model/history.h"

/* Appends val to h's array arr (n used, cap allocated): 0 or -1. */
#define PUSH(h, arr, n, cap, val)                                                      \
	({                                                                             \
		int _err = ARRAY_ROOM((h)->arr, (h)->n, (h)->cap);                     \
		if (!_err)                                                             \
			(h)->arr[(h)->n++] = (val);                                    \
		_err;                                                                  \
	})

struct tt_history *history__new(void)
{
	return calloc(1, sizeof(struct tt_history));
}

void history__free(struct tt_history *h)
{
	if (!h)
		return;
	free(h->slices);
	free(h->marks);
	free(h->flows);
	free(h->counts);
	free(h->open);
	index__free(&h->open_by_tid);
	free(h);
}

static struct tt_open *open_of(struct tt_history *h, pid_t tid)
{
	size_t pos;

	return index__get(&h->open_by_tid, (uint64_t)tid, 0, &pos) ? &h->open[pos] : NULL;
}

static int count_change(struct tt_history *h, uint64_t ts, int delta)
{
	h->running = (uint32_t)((int)h->running + delta);
	return PUSH(h, counts, ncounts, capcounts, ((struct tt_count){ .ts_ns = ts, .running = h->running }));
}

/* Ends o's current state at ts as a slice. */
static int close_open(struct tt_history *h, struct tt_open *o, uint64_t ts)
{
	int err = 0;

	if (o->state == TT_ST_UNKNOWN)
		return 0;
	if (o->state == TT_ST_ONCPU)
		err |= count_change(h, ts, -1);
	if (ts > o->since_ns)
		err |= PUSH(h, slices, nslices, capslices,
			    ((struct tt_slice){ .tgid = o->tgid, .tid = o->tid, .ts_ns = o->since_ns,
						.dur_ns = ts - o->since_ns, .state = o->state, .addr = o->addr,
						.py_stack = o->py_stack, .site = o->site }));
	o->state = TT_ST_UNKNOWN;
	return err;
}

int history__state(struct tt_history *h, pid_t tgid, pid_t tid, uint32_t state, uint64_t ts, uint64_t addr,
		   uint64_t py_stack, uint64_t site)
{
	struct tt_open *o = open_of(h, tid);
	int err = 0;

	if (!o) {
		if (index__put(&h->open_by_tid, (uint64_t)tid, 0, h->nopen) ||
		    PUSH(h, open, nopen, capopen, ((struct tt_open){ .tgid = tgid, .tid = tid })))
			return -1;
		o = &h->open[h->nopen - 1];
	}
	err |= close_open(h, o, ts);
	o->state = state;
	o->since_ns = ts;
	o->addr = addr;
	o->py_stack = py_stack;
	o->site = site;
	if (state == TT_ST_ONCPU)
		err |= count_change(h, ts, 1);
	return err;
}

int history__record(struct tt_history *h, const struct tt_record *rec)
{
	struct tt_open *o;

	switch (rec->kind) {
	case TT_REC_START:
	case TT_REC_FORK:
		/* a new thread is runnable until it first runs */
		o = open_of(h, rec->tid);
		if (!o || o->state == TT_ST_UNKNOWN)
			if (history__state(h, rec->tgid, rec->tid, TT_ST_RUNQ, rec->ts_ns, 0, 0, 0))
				return -1;
		break;
	case TT_REC_EXIT:
		o = open_of(h, rec->tid);
		if (o && close_open(h, o, rec->ts_ns))
			return -1;
		break;
	case TT_REC_WAIT:
		if (rec->peer_tid && rec->peer_tid != rec->tid)
			return PUSH(h, flows, nflows, capflows,
				    ((struct tt_flow){ .tgid = rec->tgid, .waker = rec->peer_tid, .wakee = rec->tid,
						       .ts_ns = rec->ts_ns, .addr = rec->addr }));
		return 0;
	case TT_REC_RENAME:
	case TT_REC_EXEC:
	case TT_REC_JOIN:
	case TT_REC_DEADLOCK:
		break;
	default:
		return 0;
	}
	if (PUSH(h, marks, nmarks, capmarks, *rec))
		return -1;
	h->marks[h->nmarks - 1].stack = NULL; /* it pointed into the caller's buffer */
	h->marks[h->nmarks - 1].py_name = NULL; /* ... and these into the thread table */
	h->marks[h->nmarks - 1].py_stack = NULL;
	return 0;
}

void history__finish(struct tt_history *h, uint64_t now_ns)
{
	for (size_t i = 0; i < h->nopen; i++)
		close_open(h, &h->open[i], now_ns);
}
