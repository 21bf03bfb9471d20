/*
 * --timeline FILE: Chrome trace event JSON, as ui.perfetto.dev and
 * chrome://tracing open it: a track per thread ("name (tid)") with its states
 * as slices, instants for lifecycle marks, arrows for lock hand-offs, and a
 * counter of the threads running.
 */
#include <inttypes.h>
#include <string.h>
#include <linux/types.h>
#include "threadtrace.h"
#include "view/view.h"

static void ts_us(FILE *f, const char *key, uint64_t ns)
{
	fprintf(f, ",\"%s\":%" PRIu64 ".%03" PRIu64, key, ns / 1000, ns % 1000);
}

static const char *state_name(uint32_t state)
{
	switch (state) {
	case TT_ST_ONCPU: return "running";
	case TT_ST_RUNQ: return "runnable";
	case TT_ST_LOCK: return "blocked";
	case TT_ST_SLEEP: return "asleep";
	case TT_ST_SPIN: return "spinning"; /* in a spinning lock's slow path (args.lock: which) */
	}
	return "unknown";
}

static void write_threads(FILE *f, const struct tt_threads *t, bool *first)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct tt_thread *th = &t->v[i];
		/* CPython: the thread's name in Python, when read */
		const char *name = th->py_name[0] ? th->py_name : th->name;
		char label[TT_PY_NAME_LEN + 32];

		snprintf(label, sizeof(label), "%s (%d)", name, (int)th->tid);
		fprintf(f, "%s\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":",
			*first ? "" : ",", (int)th->tgid, (int)th->tid);
		json__write_string(f, label);
		fputs("}}", f);
		*first = false;
		if (th->tid == th->tgid) {
			snprintf(label, sizeof(label), "%s (pid %d)", th->name, (int)th->tgid); /* the program */
			fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"args\":{\"name\":", (int)th->tgid);
			json__write_string(f, label);
			fputs("}}", f);
		}
	}
}

/*
 * A blocked slice's details in Perfetto: where it blocked, in Python (CPython) and in native
 * frames (--stacks: the text's call site, and its id as `wait` events and sites.csv carry it).
 */
static void write_slice_args(FILE *f, const struct tt_slice *s, const struct tt_pystacks *ps,
			     const struct tt_sitetable *sites)
{
	const struct tt_pystack *py = s->py_stack ? pystacks__find(ps, s->py_stack) : NULL;
	const struct tt_site_entry *site = sitetable__find(sites, s->site);
	const char *sep = "{";

	if (!py && !s->site)
		return;
	fputs(",\"args\":", f);
	if (py) {
		fputs("{\"python\":", f);
		json__write_string(f, py->text);
		sep = ",";
	}
	if (s->site) {
		fprintf(f, "%s\"site\":\"0x%" PRIx64 "\"", sep, s->site);
		if (site && site->frames) {
			fputs(",\"stack\":", f);
			json__write_string(f, site->frames);
		}
	}
	fputc('}', f);
}

static void write_slices(FILE *f, const struct tt_history *h, const struct tt_pystacks *ps,
			 const struct tt_sitetable *sites, tt_lock_name_fn name_lock, void *ctx)
{
	for (size_t i = 0; i < h->nslices; i++) {
		const struct tt_slice *s = &h->slices[i];
		char name[TT_LOCK_NAME_LEN + 16];

		if ((s->state == TT_ST_LOCK || s->state == TT_ST_SPIN) && s->addr) {
			char lock[TT_LOCK_NAME_LEN];

			name_lock(s->tgid, s->addr, lock, sizeof(lock), ctx);
			snprintf(name, sizeof(name), "%s on %s", s->state == TT_ST_LOCK ? "blocked" : "spinning", lock);
		} else {
			snprintf(name, sizeof(name), "%s", state_name(s->state));
		}
		fprintf(f, ",\n{\"ph\":\"X\",\"cat\":\"%s\",\"pid\":%d,\"tid\":%d", state_name(s->state), (int)s->tgid,
			(int)s->tid);
		ts_us(f, "ts", s->ts_ns);
		ts_us(f, "dur", s->dur_ns);
		fputs(",\"name\":", f);
		json__write_string(f, name);
		write_slice_args(f, s, ps, sites);
		fputc('}', f);
	}
}

static void write_marks(FILE *f, const struct tt_history *h)
{
	for (size_t i = 0; i < h->nmarks; i++) {
		const struct tt_record *r = &h->marks[i];
		char name[TT_DETAIL_LEN + 32];

		if (r->kind == TT_REC_EXIT)
			snprintf(name, sizeof(name), "exit: %s", r->detail);
		else if (r->kind == TT_REC_JOIN)
			snprintf(name, sizeof(name), "joined %d (%s)", (int)r->peer_tid, r->detail);
		else if (r->kind == TT_REC_RENAME)
			snprintf(name, sizeof(name), "rename: %s", r->name);
		else
			snprintf(name, sizeof(name), "%s", record__kind_name(r->kind));
		fprintf(f, ",\n{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"lifecycle\",\"pid\":%d,\"tid\":%d", (int)r->tgid,
			(int)r->tid);
		ts_us(f, "ts", r->ts_ns);
		fputs(",\"name\":", f);
		json__write_string(f, name);
		fputs(",\"args\":{\"detail\":", f);
		json__write_string(f, r->detail);
		fputs("}}", f);
	}
}

static void write_flows(FILE *f, const struct tt_history *h)
{
	for (size_t i = 0; i < h->nflows; i++) {
		const struct tt_flow *fl = &h->flows[i];
		uint64_t wake = fl->ts_ns > 1000 ? fl->ts_ns - 1000 : 0; /* the wake came just before */

		fprintf(f, ",\n{\"ph\":\"s\",\"cat\":\"hand-off\",\"name\":\"hand-off\",\"id\":%zu,\"pid\":%d,\"tid\":%d", i + 1,
			(int)fl->tgid, (int)fl->waker);
		ts_us(f, "ts", wake);
		fprintf(f, "},\n{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"hand-off\",\"name\":\"hand-off\",\"id\":%zu,\"pid\":%d,"
			   "\"tid\":%d", i + 1, (int)fl->tgid, (int)fl->wakee);
		ts_us(f, "ts", fl->ts_ns);
		fputc('}', f);
	}
}

static void write_counter(FILE *f, const struct tt_history *h, pid_t tgid)
{
	for (size_t i = 0; i < h->ncounts; i++) {
		fprintf(f, ",\n{\"ph\":\"C\",\"name\":\"threads running\",\"pid\":%d", (int)tgid);
		ts_us(f, "ts", h->counts[i].ts_ns);
		fprintf(f, ",\"args\":{\"running\":%u}}", h->counts[i].running);
	}
}

void timeline__write(FILE *f, const struct tt_history *h, const struct tt_threads *threads,
		     const struct tt_pystacks *pystacks, const struct tt_sitetable *sites, tt_lock_name_fn name_lock,
		     void *ctx)
{
	bool first = true;

	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", f);
	write_threads(f, threads, &first);
	write_slices(f, h, pystacks, sites, name_lock, ctx);
	write_marks(f, h);
	write_flows(f, h);
	write_counter(f, h, threads->tgid);
	fputs("\n]}\n", f);
}
