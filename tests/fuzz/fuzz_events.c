/*
 * Fuzz target: the kernel-event decoder and dispatch, user/events.c (events__decode,
 * events__apply: the same code main.c runs on every ring-buffer record) into the thread table
 * (user/model/threads.c), the lock records (user/model/locks.c) and the timeline history, and the
 * records through the CSV and text views (user/view/csv.c, user/view/text.c) and the text summary.
 *
 * Input: byte 0 is a mode byte, then records, each one length byte n and n raw bytes (a ring-buffer
 * record as the kernel side writes it: struct tt_event_head, then its kind's record; any kind,
 * ids, flags, lengths, comm bytes with no NUL). A short tail is one last, short record.
 *   mode bit 0: accept_inferred (the target is CPython)
 *   mode bit 1: fold tids, peers and tgids into 1..8 and tid words into 0..15, so that events meet
 *   mode bit 2: fold kinds into 0..TT_EV_KIND_MAX
 *   mode bit 3: report lost events in the summary
 *   mode bits 4-7: t0_ns, in units of 2^60 ns (so ts < t0 happens)
 * Checks, beyond ASan/UBSan: a record decodes exactly when its kind is known and it is at least
 * tt_event_size(kind) long; start, fork, rename, exec, exit, join, wait and hold make one record
 * each, about the event's tid; an inferred join makes one exactly when the target is CPython and
 * its joinee was not joined yet; state and sched make none and add no thread; names and details
 * are NUL-terminated, a thread's name is its event's comm cut to 15 bytes; an exit leaves the
 * thread ended; threads__finish emits one `end` per thread still alive; every CSV row reads back
 * (RFC 4180) as 14 fields with the record's name and detail; no text output holds a terminal
 * control byte.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "threadtrace.h"
#include "events.h"
#include "model/history.h"
#include "model/locks.h"
#include "model/report.h"
#include "model/threads.h"
#include "model/verdict.h"
#include "view/view.h"
#include "fuzz_common.h"

#define CSV_COLUMNS 15

struct sink {
	struct tt_view csv, text;
	FILE *text_out;         /* the text view's stream, checked at the end */
	char *text_buf;
	size_t text_len;
	size_t ends;            /* `end` records from threads__finish */
	size_t records;         /* records from the events */
	struct tt_record last;  /* the last of them */
	const struct tt_threads *t;
};

/* The record through the CSV view, read back field by field. */
static void check_csv_row(const struct tt_record *r)
{
	char *buf = NULL, field[4 * TT_DETAIL_LEN];
	size_t len = 0, pos, flen;
	struct tt_view v;
	FILE *f = open_memstream(&buf, &len);
	int n;

	FUZZ_CHECK(f);
	view__csv_init(&v, f);
	v.ops->record(&v, r);
	FUZZ_CHECK(!fclose(f));
	pos = strchr(buf, '\n') - buf + 1; /* past the header */
	for (n = 0; pos < len; n++) {
		FUZZ_CHECK(!csv_read_field(buf, len, &pos, field, sizeof(field), &flen));
		if (n == 3)
			FUZZ_CHECK(flen == strlen(r->name) && !memcmp(field, r->name, flen));
		if (n == 7)
			FUZZ_CHECK(flen == strlen(r->detail) && !memcmp(field, r->detail, flen));
		FUZZ_CHECK(pos < len);
		if (buf[pos++] == '\n')
			break;
	}
	FUZZ_CHECK(n + 1 == CSV_COLUMNS && pos == len);
	free(buf);
}

static void check_record(const struct tt_record *r)
{
	FUZZ_CHECK(memchr(r->name, '\0', sizeof(r->name)));
	FUZZ_CHECK(memchr(r->detail, '\0', sizeof(r->detail)));
	FUZZ_CHECK(r->kind <= TT_REC_FORK);
	check_csv_row(r);
}

static void show(struct sink *s, const struct tt_record *r)
{
	check_record(r);
	s->text.ops->record(&s->text, r);
}

static void emit_end(const struct tt_record *r, void *ctx)
{
	struct sink *s = ctx;
	const struct tt_thread *th = threads__find(s->t, r->tid);

	FUZZ_CHECK(r->kind == TT_REC_END);
	FUZZ_CHECK(th); /* (the latest thread of that tid: with reused tids, maybe not this one) */
	s->ends++;
	show(s, r);
}

static int fake_sample(pid_t tgid, pid_t tid, char *state, unsigned long long *ticks)
{
	(void)tgid;
	if (tid & 1)
		return -1;
	*state = "RSDZ"[tid & 3];
	*ticks = (unsigned long long)tid * 3;
	return 0;
}

/* The sink's emit: every record an event makes. */
static void on_record(const struct tt_record *r, void *ctx)
{
	struct sink *s = ctx;

	s->records++;
	s->last = *r;
	show(s, r);
}

/* The comm an event of this kind carries, NULL if none. */
static const char *event_comm(const struct tt_event *e)
{
	switch (e->h.kind) {
	case TT_EV_START: case TT_EV_FORK: return e->start.comm;
	case TT_EV_EXIT: return e->exit.comm;
	case TT_EV_RENAME: return e->rename.comm;
	case TT_EV_EXEC: return e->exec.comm;
	}
	return NULL;
}

/* One raw record through the decoder and the dispatch, as main.c's on_event does. */
static void apply_one(struct sink *s, const struct tt_event_sink *es, struct tt_threads *t, uint8_t *raw,
		      size_t len, uint8_t mode)
{
	struct tt_event_head h = { 0 };
	const struct tt_thread *joinee, *joiner;
	uint64_t woken;
	const char *comm;
	struct tt_event e;
	size_t before = t->n, want;
	int decoded;

	if (len >= sizeof(h)) {
		memcpy(&h, raw, sizeof(h));
		if (mode & 4)
			h.kind %= TT_EV_KIND_MAX + 1;
		if (mode & 2) {
			h.tid = 1 + h.tid % 8;
			h.tgid = 1 + h.tgid % 8;
		}
		memcpy(raw, &h, sizeof(h));
	}
	decoded = events__decode(raw, len, &e);
	FUZZ_CHECK(decoded == 0 || decoded == -EINVAL);
	/* a stack copy is never decoded into the union (events__ustack reads it in place) */
	FUZZ_CHECK(!decoded == (len >= sizeof(h) && tt_event_size(h.kind) && len >= tt_event_size(h.kind) &&
				h.kind != TT_EV_USTACK));
	if (decoded)
		return;
	if (mode & 2) { /* the record's ids too, so that joins find their threads */
		e.start.creator = e.h.kind == TT_EV_START || e.h.kind == TT_EV_FORK ? 1 + e.start.creator % 8
										   : e.start.creator;
		e.join_guess.joinee = e.h.kind == TT_EV_JOIN_GUESS ? 1 + e.join_guess.joinee % 8 : e.join_guess.joinee;
		if (e.h.kind == TT_EV_START || e.h.kind == TT_EV_FORK)
			e.start.tid_word %= 16;
		if (e.h.kind == TT_EV_EXIT)
			e.exit.tid_word %= 16;
		if (e.h.kind == TT_EV_JOIN)
			e.join.tid_word %= 16;
	}
	switch (e.h.kind) {
	case TT_EV_STATE: case TT_EV_SCHED: case TT_EV_PYSTACK:
		want = 0;
		break;
	case TT_EV_JOIN_GUESS:
		/* CPython only; a joinee joined once; a joiner dead before the wake (or when the wake's
		 * instant is unknown) joins nothing; a joinee the process's end killed only with Python
		 * frames that show a join (none here) */
		joinee = threads__find(t, (pid_t)e.join_guess.joinee);
		joiner = threads__find(t, (pid_t)e.h.tid);
		woken = e.join_guess.woken_ns > t->t0_ns ? e.join_guess.woken_ns - t->t0_ns : 0;
		want = t->accept_inferred && !(joinee && joinee->joined) &&
		       !(joiner && joiner->ended && (!e.join_guess.woken_ns || joiner->end_ns <= woken)) &&
		       !e.join_guess.exit_flags;
		break;
	default:
		want = 1;
	}
	s->records = 0;
	FUZZ_CHECK(events__apply(es, &e) == 0); /* -ENOMEM only */
	FUZZ_CHECK(s->records == want);
	if (!want) {
		if (e.h.kind != TT_EV_JOIN_GUESS)
			FUZZ_CHECK(t->n == before);
		return;
	}
	FUZZ_CHECK(s->last.tid == (pid_t)e.h.tid);
	if (e.h.kind == TT_EV_WAIT || e.h.kind == TT_EV_HOLD)
		return;
	FUZZ_CHECK(threads__find(t, (pid_t)e.h.tid));
	if (e.h.kind == TT_EV_EXIT)
		FUZZ_CHECK(threads__find(t, (pid_t)e.h.tid)->ended && s->last.kind == TT_REC_EXIT);
	/* the thread's name is the event's comm, cut to 15 bytes at its first NUL */
	comm = event_comm(&e);
	if (comm)
		FUZZ_CHECK(!strncmp(threads__find(t, (pid_t)e.h.tid)->name, comm, TT_NAME_LEN - 1) &&
			   !strcmp(s->last.name, threads__find(t, (pid_t)e.h.tid)->name));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_event_sink es;
	struct tt_history *history;
	struct tt_parallelism par = { { 0 } };
	struct tt_verdict verdict;
	struct tt_report report;
	struct tt_threads *t;
	struct tt_locks *locks;
	struct sink s = { 0 };
	size_t alive = 0;
	uint8_t mode;

	if (!size)
		return 0;
	mode = data[0];
	t = threads__new(1000, (uint64_t)(mode >> 4) << 60);
	FUZZ_CHECK(t);
	t->accept_inferred = mode & 1;
	s.t = t;
	s.text_out = open_memstream(&s.text_buf, &s.text_len);
	FUZZ_CHECK(s.text_out);
	view__text_init(&s.text, s.text_out, true);

	history = history__new();
	FUZZ_CHECK(history);
	es = (struct tt_event_sink){ .threads = t, .history = history, .emit = on_record, .ctx = &s };
	for (size_t off = 1; off < size;) {
		size_t len = data[off++];
		uint8_t raw[256];

		if (len > size - off)
			len = size - off;
		memcpy(raw, data + off, len);
		off += len;
		apply_one(&s, &es, t, raw, len, mode);
	}

	threads__sample(t, fake_sample);
	for (size_t i = 0; i < t->n; i++)
		alive += !t->v[i].ended;
	threads__finish(t, UINT64_MAX - (mode & 0xf), NULL, emit_end, &s);
	FUZZ_CHECK(s.ends == alive);

	/* the end-of-trace text over this thread table (no locks) */
	locks = locks__new();
	FUZZ_CHECK(locks);
	locks__sort(locks);
	par.ns[mode % TT_PAR_SLOTS] = size;
	verdict__compute(&verdict, locks, t, &par, (double)size / 100, 4);
	report = (struct tt_report){ .threads = t, .locks = locks, .par = &par, .verdict = &verdict,
				     .wall_s = (double)size / 100, .ncpu = 4 };
	report.lost[TT_DROP_RINGBUF] = mode & 8;
	s.text.ops->interval(&s.text, &report, UINT64_MAX / 2);
	s.text.ops->summary(&s.text, &report);

	FUZZ_CHECK(!fclose(s.text_out));
	FUZZ_CHECK(terminal_safe((const unsigned char *)s.text_buf, s.text_len, true));
	free(s.text_buf);
	locks__free(locks);
	history__free(history);
	threads__free(t);
	return 0;
}
