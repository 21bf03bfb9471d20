/* The end of a trace: last records, every model's figures, the views' summaries. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include "app.h"
#include "callsites.h"
#include "collect.h"
#include "model/drops.h"
#include "procfs.h"
#include "pythreads.h"
#include "syms.h"
#include "waitsites.h"

void report__emit_trace(struct app *a, const char *detail, bool has_dur, uint64_t dur)
{
	struct tt_record rec = { .kind = TT_REC_TRACE, .tgid = a->tgid, .tid = a->tgid };
	uint64_t now = app__now_ns(CLOCK_MONOTONIC);

	rec.ts_ns = now > a->threads->t0_ns ? now - a->threads->t0_ns : 0;
	rec.has_dur = has_dur;
	rec.dur_ns = dur;
	snprintf(rec.detail, sizeof(rec.detail), "%s", detail);
	app__emit(&rec, a);
}

/* The trace's first record: when it started, as an absolute UTC time. */
void report__emit_trace_start(struct app *a, uint64_t realtime_ns)
{
	time_t secs = (time_t)(realtime_ns / 1000000000ULL);
	char detail[TT_DETAIL_LEN], stamp[32];
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(detail, sizeof(detail), "start %s.%09" PRIu64 "Z", stamp, (uint64_t)(realtime_ns % 1000000000ULL));
	report__emit_trace(a, detail, false, 0);
}

/* Each kind of drop on stderr and as a `lost` record, with what was full and the option (and size) to raise. */
static void report_drops(struct app *a)
{
	uint64_t drops[TT_DROP_MAX];

	loader__drops(a->loader, drops);
	for (int k = 0; k < TT_DROP_MAX; k++) {
		struct tt_record rec = { .kind = TT_REC_LOST, .tgid = a->tgid, .tid = a->tgid };
		const struct tt_drop_info *d = drops__info(k);
		unsigned size = !strcmp(d->option, "--max-locks") ? a->cfg.max_locks
				: !strcmp(d->option, "--max-threads") ? a->cfg.max_threads : a->cfg.buffer_kb;

		if (!drops[k])
			continue;
		fprintf(stderr, "threadtrace: lost %" PRIu64 " %s (%s was full: raise %s, now %u%s)\n", drops[k], d->what,
			d->full, d->option, size, k == TT_DROP_RINGBUF ? " KiB" : "");
		rec.ts_ns = app__now_ns(CLOCK_MONOTONIC) - a->threads->t0_ns;
		snprintf(rec.detail, sizeof(rec.detail), "%s:%" PRIu64, d->key, drops[k]);
		app__emit(&rec, a);
	}
}

static void name_lock(pid_t tgid, uint64_t addr, char *buf, size_t len, void *ctx)
{
	struct app *a = ctx;
	const struct tt_lock *k = locks__find(a->locks, tgid, addr);
	bool gil;

	if (k && k->name[0])
		snprintf(buf, len, "%s", k->name);
	else
		collect__lock_name(targets__syms_of(tgid, a), addr, buf, len, &gil);
}

/* Every model's figures as of now, for the summary and the -i reports. 0 or -1. */
int report__build(struct app *a, uint64_t now, struct tt_report *r, struct tt_parallelism *par,
			struct tt_verdict *verdict)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int err = 0;

	memset(r, 0, sizeof(*r));
	memset(par, 0, sizeof(*par));
	if (collect__figures(a->loader, a->threads, a->locks, par, now)) {
		fprintf(stderr, "threadtrace: cannot read the kernel's figures\n");
		err = -1;
	}
	collect__name_locks(a->locks, a->threads, a->ustacks, targets__syms_of, a);
	locks__name_python(a->locks, a->pystacks);
	locks__sort(a->locks);
	if (a->cfg.stacks)
		collect__stacks(a->loader, a->locks, TT_TOP_LOCKS, a->ustacks, targets__syms_of, a);
	r->threads = a->threads;
	r->locks = a->locks;
	r->pystacks = a->cfg.stacks ? a->pystacks : NULL; /* call sites: with --stacks only */
	r->par = par;
	r->wall_s = (double)(now - a->threads->t0_ns) / 1e9;
	r->all_threads = a->cfg.all;
	r->ncpu = ncpu > 0 ? (unsigned)ncpu : 1;
	verdict__compute(verdict, a->locks, a->threads, par, r->wall_s, r->ncpu);
	verdict__deadlocks(verdict, a->deadlocks);
	r->verdict = verdict;
	r->deadlocks = a->deadlocks;
	loader__drops(a->loader, r->lost);
	return err;
}

/* -i: the interval to now from the figures r (just built), to the interval view (text on stderr if not the main view). */
static void interval_to_view(struct app *a, struct tt_report *r, uint64_t now, bool last)
{
	struct tt_view *iv = a->view.ops->interval ? &a->view : &a->report_view;

	threads__sample(a->threads, procfs__thread_stat); /* the state letters */
	if (interval__next(a->interval, a->threads, a->locks, r->par, now, last)) {
		fprintf(stderr, "threadtrace: warning: out of memory for the interval's figures: the next covers it\n");
		return;
	}
	r->interval = a->interval;
	if (iv->ops)
		iv->ops->interval(iv, r, now);
	r->interval = NULL;
}

void report__interval(struct app *a, uint64_t now)
{
	struct tt_parallelism par;
	struct tt_verdict verdict;
	struct tt_report r;

	pythreads__refresh(a, false);
	report__build(a, now, &r, &par, &verdict);
	interval_to_view(a, &r, now, false);
}

/* --folded: every call site's waits, named now (the lock table's figures are as of now too). */
static int write_folded(struct app *a, uint64_t now, const struct tt_report *r)
{
	struct tt_waitstacks *ws = waitstacks__new();
	int err = -1;

	if (ws && !waitsites__collect(a->loader, a->threads, a->ustacks, ws, now, targets__syms_of, a))
		err = folded__write(a->folded_file.f, ws, r);
	waitstacks__free(ws);
	if (err)
		fprintf(stderr, "threadtrace: cannot write the folded stacks (%s): out of memory, or the kernel's "
				"maps unreadable\n", a->cfg.folded);
	return err;
}

/* --stacks: every call site by id, named, for sites.csv and the timeline; NULL: failed (said). */
static struct tt_sitetable *call_sites(struct app *a)
{
	struct tt_sitetable *t = sitetable__new();

	if (t && !callsites__collect(a->loader, a->threads, a->ustacks, t, targets__syms_of, a) && !sitetable__sort(t))
		return t;
	fprintf(stderr, "threadtrace: cannot name the call sites (sites.csv, the timeline's stacks): out of memory, "
			"or the kernel's maps unreadable\n");
	sitetable__free(t);
	return NULL;
}

/* Each part is written even when another failed. */
int report__print(struct app *a)
{
	uint64_t now = app__now_ns(CLOCK_MONOTONIC);
	struct tt_sitetable *sites = NULL;
	struct tt_parallelism par;
	struct syms_usage usage;
	struct tt_verdict verdict;
	struct tt_report r;
	int err = 0;

	/* CPython: the names as they are now, and where the threads still blocked wait */
	pythreads__refresh(a, a->cfg.stacks);
	threads__finish(a->threads, now, procfs__process_running, app__emit, a);
	report_drops(a);
	report__emit_trace(a, "stop", true, now - a->threads->t0_ns);
	if (report__build(a, now, &r, &par, &verdict))
		err = -1;
	if (a->cfg.stacks && (a->cfg.summary_dir || a->history) && !(sites = call_sites(a)))
		err = -1;
	r.sites = sites;
	/* -i: the last stretch too, so that the intervals add up to the totals below */
	if (a->interval)
		interval_to_view(a, &r, now, true);
	a->view.ops->summary(&a->view, &r);
	if (a->report_view.ops)
		a->report_view.ops->summary(&a->report_view, &r);
	syms__usage(&usage);
	if (usage.refused)
		fprintf(stderr, "threadtrace: the symbol tables of %zu mapped file%s did not fit the %zu MiB budget "
				"(THREADTRACE_SYMBOL_MB): addresses there are named by region, [FILE+0xOFFSET]\n",
			usage.refused, usage.refused == 1 ? "" : "s", usage.budget >> 20);
	/* the files were opened before the trace started; outputs__finish closes them */
	if (a->cfg.summary_dir) {
		FILE *files[TT_SUMMARY_FILES];

		for (int i = 0; i < TT_SUMMARY_FILES; i++)
			files[i] = a->summary_csv_files[i].f;
		summary_csv__write(files, &r);
	}
	if (a->cfg.summary_json)
		summary_json__write(a->summary_json_file.f, &r);
	if (a->cfg.folded && write_folded(a, now, &r))
		err = -1;
	if (a->history) {
		history__finish(a->history, now - a->threads->t0_ns);
		timeline__write(a->timeline_file.f, a->history, a->threads, a->pystacks, r.sites, name_lock, a);
	}
	sitetable__free(sites);
	return err;
}

/* A thread ending wakes its joiner microseconds after its exit event: after this, surely done. */
#define SETTLED_NS (100 * 1000 * 1000ULL)

struct ended_ctx {
	const struct tt_threads *threads;
	uint64_t now_rel_ns; /* since the trace started */
};

/* Whether tid's latest thread has ended (tt_ended_fn): nothing it waits on adds to its entries any more. */
static bool thread_ended(uint32_t tid, bool settled, void *ctx)
{
	const struct ended_ctx *e = ctx;
	const struct tt_thread *th = threads__find(e->threads, (pid_t)tid);

	return th && th->ended && (!settled || th->end_ns + SETTLED_NS < e->now_rel_ns);
}

/*
 * Every RETIRE_NS when threads ended since, sooner once a sixteenth of
 * --max-locks has (each has an entry or more there: a fast churn fills the maps
 * between sweeps otherwise). A sweep reads the three maps whole (a batch read
 * each, ~1 ms per 10,000 entries here).
 */
#define RETIRE_NS (250 * 1000 * 1000ULL)

void report__retire_ended(struct app *a, uint64_t now)
{
	struct ended_ctx e = { a->threads, now - a->threads->t0_ns };
	static bool warned;
	int n;

	size_t ended = a->threads->nended - a->retire_nended;

	if (!ended || (now - a->retire_ns < RETIRE_NS && ended < a->cfg.max_locks / 16))
		return;
	a->retire_ns = now;
	a->retire_nended = a->threads->nended;
	n = loader__retire_ended(a->loader, thread_ended, &e);
	if (n < 0 && !warned) {
		warned = true;
		fprintf(stderr, "threadtrace: warning: cannot move ended threads' figures out of the kernel's maps (they stay there): %s\n",
			strerror(-n));
	}
}

/* Tracing into a file with a person watching stderr: a one-line status, rewritten in place. */
void report__status_line(struct app *a, uint64_t now, bool last)
{
	uint64_t drops[TT_DROP_MAX], lost = 0;

	loader__drops(a->loader, drops);
	for (int k = 0; k < TT_DROP_MAX; k++)
		lost += drops[k];
	fprintf(stderr, "\rthreadtrace: %.1f s, %" PRIu64 " events, %" PRIu64 " lost%s",
		(double)(now - a->threads->t0_ns) / 1e9, a->events, lost, last ? "\n" : "");
}
