/* A view writes the models in one format; it only reads them. */
#ifndef TT_VIEW_H
#define TT_VIEW_H

#include <stdio.h>
#include "model/record.h"
#include "model/history.h"
#include "model/report.h"
#include "model/sitetable.h"
#include "model/threads.h"

struct tt_view_ops;

struct tt_view {
	const struct tt_view_ops *ops;
	FILE *out;
	bool live;   /* write a line per record as it comes (text view) */
};

struct tt_view_ops {
	void (*record)(struct tt_view *v, const struct tt_record *rec);
	/* Every -i SECONDS: the threads alive now (as last sampled) and the figures so far (NULL: not shown). */
	void (*interval)(struct tt_view *v, const struct tt_report *report, uint64_t now_ns);
	/* Once, at the end, after the last record. */
	void (*summary)(struct tt_view *v, const struct tt_report *report);
};

void view__text_init(struct tt_view *v, FILE *out, bool live);
void view__csv_init(struct tt_view *v, FILE *out);
void view__json_init(struct tt_view *v, FILE *out);

/* Names a futex word of a process for a person ("big_lock+0x0", "GIL (...)"). */
typedef void (*tt_lock_name_fn)(pid_t tgid, uint64_t addr, char *buf, size_t len, void *ctx);

/*
 * The files below are opened by the caller before the trace starts (a bad path
 * costs no trace), and closed by it with every write error caught.
 */

/* --timeline FILE: the state history as Chrome trace event JSON. */
void timeline__write(FILE *f, const struct tt_history *h, const struct tt_threads *threads,
		     const struct tt_pystacks *pystacks, const struct tt_sitetable *sites, tt_lock_name_fn name_lock,
		     void *ctx);

/*
 * --folded FILE: the wait time of every call site as folded stacks (folded.c,
 * docs/folded.md), the lock as the last frame. 0, or -1 out of memory.
 */
struct tt_waitstacks;
int folded__write(FILE *f, const struct tt_waitstacks *ws, const struct tt_report *r);

/* --summary-json FILE: the summary tables and the verdict as one JSON document. */
void summary_json__write(FILE *f, const struct tt_report *report);
/* Writes s as a JSON string: escaped, invalid UTF-8 bytes as U+FFFD. */
void json__write_string(FILE *out, const char *s);

/* --summary-csv DIR: its files, in the order summary_csv__write takes them. */
enum { TT_SUMMARY_LOCKS, TT_SUMMARY_THREADS, TT_SUMMARY_PARALLELISM, TT_SUMMARY_DEADLOCKS, TT_SUMMARY_SITES,
       TT_SUMMARY_FILES };
extern const char *const summary_csv__names[TT_SUMMARY_FILES]; /* "locks.csv", ... */
void summary_csv__write(FILE *const files[TT_SUMMARY_FILES], const struct tt_report *report);

/* Writes s as one RFC 4180 CSV field (quoted when it needs to be). */
void csv__write_field(FILE *out, const char *s);

#endif
