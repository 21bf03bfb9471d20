/*
 * Fuzz target: the kernel-event decoder, user/model/threads.c (threads__apply, threads__finish)
 * and user/model/locks.c (lock_event_record), as main.c drives them, and the records through the
 * CSV and text views (user/view/csv.c, user/view/text.c) and the text summary.
 *
 * Input: byte 0 is a mode byte, the rest raw struct tt_event images, sizeof(struct tt_event) bytes
 * each (a short tail is ignored): any kind, ids, flags, and comm bytes with no NUL.
 *   mode bit 0: accept_inferred (the target is CPython)
 *   mode bit 1: fold tids, peers and tgids into 1..8 and tid words into 0..15, so that events meet
 *   mode bit 2: fold kinds into 0..TT_EV_KIND_MAX
 *   mode bits 4-7: t0_ns, in units of 2^60 ns (so ts < t0 happens)
 * Checks, beyond ASan/UBSan: threads__apply returns 1 for every lifecycle kind, 0 for the others
 * (table unchanged), never -1; a record is about the event's tid, with NUL-terminated name and
 * detail; an exit leaves the thread ended; lock_event_record returns 1 exactly for WAIT and HOLD;
 * threads__finish emits one `end` per thread still alive; every CSV row reads back (RFC 4180) as
 * 12 fields with the record's name and detail; no text output holds a terminal control byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "threadtrace.h"
#include "model/locks.h"
#include "model/report.h"
#include "model/threads.h"
#include "model/verdict.h"
#include "view/view.h"
#include "fuzz_common.h"

#define CSV_COLUMNS 12

struct sink {
	struct tt_view csv, text;
	FILE *text_out;         /* the text view's stream, checked at the end */
	char *text_buf;
	size_t text_len;
	size_t ends;            /* `end` records from threads__finish */
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
	view_csv_init(&v, f);
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

static void apply_one(struct sink *s, struct tt_threads *t, const struct tt_event *e)
{
	struct tt_thread *th = threads__find(t, (pid_t)e->tid);
	struct tt_record rec;
	size_t before = t->n;
	int n, want;

	/* main.c: WAIT and HOLD go to the lock model with the thread's name */
	n = lock_event_record(e, t->t0_ns, th ? th->name : NULL, &rec);
	FUZZ_CHECK(n == (e->kind == TT_EV_WAIT || e->kind == TT_EV_HOLD));
	if (n) {
		FUZZ_CHECK(rec.tid == (pid_t)e->tid);
		show(s, &rec);
	}

	memset(&rec, 0xa5, sizeof(rec)); /* whatever apply leaves unset shows */
	n = threads__apply(t, e, &rec);
	FUZZ_CHECK(n >= 0); /* -1 is ENOMEM only */
	switch (e->kind) {
	case TT_EV_START: case TT_EV_FORK: case TT_EV_RENAME: case TT_EV_EXEC: case TT_EV_EXIT:
	case TT_EV_JOIN:
		want = 1;
		break;
	case TT_EV_JOIN_GUESS:
		want = n; /* 0 when not CPython or already joined */
		if (!t->accept_inferred)
			FUZZ_CHECK(n == 0);
		break;
	default:
		want = 0;
		FUZZ_CHECK(t->n == before);
		break;
	}
	FUZZ_CHECK(n == want);
	if (!n)
		return;
	FUZZ_CHECK(rec.tid == (pid_t)e->tid);
	th = threads__find(t, (pid_t)e->tid);
	FUZZ_CHECK(th);
	if (e->kind == TT_EV_EXIT)
		FUZZ_CHECK(th->ended && rec.kind == TT_REC_EXIT);
	/* the thread's name is the event's comm, cut to 15 bytes at its first NUL */
	if (e->kind != TT_EV_JOIN && e->kind != TT_EV_JOIN_GUESS)
		FUZZ_CHECK(!strncmp(th->name, e->comm, TT_NAME_LEN - 1) && !strcmp(rec.name, th->name));
	show(s, &rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t esz = sizeof(struct tt_event);
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
	view_text_init(&s.text, s.text_out, true);

	for (size_t off = 1; off + esz <= size; off += esz) {
		struct tt_event e;

		memcpy(&e, data + off, esz);
		if (mode & 2) {
			e.tid = 1 + e.tid % 8;
			e.peer_tid = 1 + e.peer_tid % 8;
			e.tgid = 1 + e.tgid % 8;
			e.addr %= 16;
		}
		if (mode & 4)
			e.kind %= TT_EV_KIND_MAX + 1;
		apply_one(&s, t, &e);
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
	verdict_compute(&verdict, locks, t, &par, (double)size / 100, 4);
	report = (struct tt_report){ .threads = t, .locks = locks, .par = &par, .verdict = &verdict,
				     .wall_s = (double)size / 100, .ncpu = 4 };
	report.lost[TT_DROP_RINGBUF] = mode & 8;
	s.text.ops->interval(&s.text, &report, UINT64_MAX / 2);
	s.text.ops->summary(&s.text, &report);

	FUZZ_CHECK(!fclose(s.text_out));
	FUZZ_CHECK(terminal_safe((const unsigned char *)s.text_buf, s.text_len, true));
	free(s.text_buf);
	locks__free(locks);
	threads__free(t);
	return 0;
}
