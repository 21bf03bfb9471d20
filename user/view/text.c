/* Text view: a live line per lifecycle record and a per-thread table at the end. */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include "sanitize.h"
#include "view/view.h"

static void fmt_secs(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, ns / 1000000000, ns % 1000000000 / 1000);
}

static void text_record(struct tt_view *v, const struct tt_record *r)
{
	char name[4 * TT_NAME_LEN], detail[4 * TT_DETAIL_LEN], ts[32], dur[32];

	if (!v->live)
		return;
	sanitize_for_terminal(name, sizeof(name), r->name);
	sanitize_for_terminal(detail, sizeof(detail), r->detail);
	fmt_secs(ts, sizeof(ts), r->ts_ns);
	fprintf(v->out, "%12s %7d %-16s %-7s", ts, (int)r->tid, name, record_kind_name(r->kind));
	switch (r->kind) {
	case TT_REC_START:
		fprintf(v->out, " created by %d", (int)r->peer_tid);
		break;
	case TT_REC_RENAME:
		if (r->peer_tid)
			fprintf(v->out, " by %d", (int)r->peer_tid);
		break;
	case TT_REC_JOIN:
		fmt_secs(dur, sizeof(dur), r->dur_ns);
		if (r->peer_tid)
			fprintf(v->out, " joined %d after %ss (%s)", (int)r->peer_tid, dur, detail);
		else
			fprintf(v->out, " joined an unknown thread after %ss (%s)", dur, detail);
		break;
	case TT_REC_EXIT:
		fprintf(v->out, " %s", detail);
		if (r->signal && strcmp(r->detail, "daemon-killed"))
			fprintf(v->out, " (signal %d)", r->signal);
		else if (!strcmp(r->detail, "process-exit"))
			fprintf(v->out, " (status %d)", r->exit_code);
		break;
	default:
		if (detail[0])
			fprintf(v->out, " %s", detail);
		break;
	}
	fputc('\n', v->out);
	fflush(v->out);
}

static void fmt_opt_secs(char *buf, size_t len, bool known, uint64_t ns)
{
	if (known)
		fmt_secs(buf, len, ns);
	else
		snprintf(buf, len, "?");
}

static void text_summary(struct tt_view *v, const struct tt_threads *t)
{
	FILE *o = v->out;

	fprintf(o, "\nThreads of process %d (times in seconds since the trace started; ? = before attach)\n",
		(int)t->tgid);
	fprintf(o, "%7s %-16s %7s %10s %10s %10s  %-13s %s\n", "TID", "NAME", "CREATOR", "START", "END",
		"LIFETIME", "HOW IT ENDED", "JOINED BY (WAIT)");
	for (size_t i = 0; i < t->n; i++) {
		const struct tt_thread *th = &t->v[i];
		char name[4 * TT_NAME_LEN], creator[16], start[32], end[32], life[32], how[32], join[64];

		sanitize_for_terminal(name, sizeof(name), th->name);
		if (th->creator)
			snprintf(creator, sizeof(creator), "%d", (int)th->creator);
		else
			snprintf(creator, sizeof(creator), "?");
		fmt_opt_secs(start, sizeof(start), th->start_known, th->start_ns);
		fmt_opt_secs(end, sizeof(end), th->ended, th->end_ns);
		if (th->ended && th->start_known)
			fmt_secs(life, sizeof(life), th->end_ns - th->start_ns);
		else
			snprintf(life, sizeof(life), th->start_known ? "running" : "?");
		if (th->how == TT_END_PROCESS_EXIT)
			snprintf(how, sizeof(how), "process-exit %d", th->signal ? -th->signal : th->exit_code);
		else
			snprintf(how, sizeof(how), "%s", th->ended ? thread_end_name(th->how) : "still alive");
		if (th->joined) {
			char wait[32];

			fmt_secs(wait, sizeof(wait), th->join_wait_ns);
			snprintf(join, sizeof(join), "%d (%ss%s)", (int)th->joined_by, wait,
				 th->join_inferred ? ", inferred" : "");
		} else {
			snprintf(join, sizeof(join), "-");
		}
		fprintf(o, "%7d %-16s %7s %10s %10s %10s  %-13s %s\n", (int)th->tid, name, creator, start,
			end, life, how, join);
	}
	fflush(o);
}

static void text_interval(struct tt_view *v, const struct tt_threads *t, uint64_t now_ns)
{
	long hz = sysconf(_SC_CLK_TCK);
	char ts[32];

	fmt_secs(ts, sizeof(ts), now_ns > t->t0_ns ? now_ns - t->t0_ns : 0);
	fprintf(v->out, "-- %s: threads alive now --\n%7s %-16s %5s %12s\n", ts, "TID", "NAME", "STATE",
		"CPU(s)");
	for (size_t i = 0; i < t->n; i++) {
		const struct tt_thread *th = &t->v[i];
		char name[4 * TT_NAME_LEN];

		if (th->ended)
			continue;
		sanitize_for_terminal(name, sizeof(name), th->name);
		fprintf(v->out, "%7d %-16s %5c %12.3f\n", (int)th->tid, name, th->state ? th->state : '?',
			hz > 0 ? (double)th->cpu_ticks_delta / (double)hz : 0.0);
	}
	fflush(v->out);
}

static const struct tt_view_ops text_ops = {
	.record = text_record,
	.interval = text_interval,
	.summary = text_summary,
};

void view_text_init(struct tt_view *v, FILE *out, bool live)
{
	v->ops = &text_ops;
	v->out = out;
	v->live = live;
}
