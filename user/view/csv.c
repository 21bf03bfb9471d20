/* CSV view: one row per record, RFC 4180 quoting, LF line ends; columns in docs/csv.md. */
#include <inttypes.h>
#include <string.h>
#include "view/view.h"

#define CSV_HEADER "ts_ns,tgid,tid,name,event,peer_tid,dur_ns,detail,addr,exit_code,signal,blocked_by"

void csv_write_field(FILE *out, const char *s)
{
	/* Quote anything a reader could split on or mistake: separators, quotes, line ends. */
	if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_record(struct tt_view *v, const struct tt_record *r)
{
	FILE *o = v->out;

	fprintf(o, "%" PRIu64 ",%d,%d,", r->ts_ns, (int)r->tgid, (int)r->tid);
	csv_write_field(o, r->name);
	fprintf(o, ",%s,", record_kind_name(r->kind));
	if (r->peer_tid)
		fprintf(o, "%d", (int)r->peer_tid);
	fputc(',', o);
	if (r->has_dur)
		fprintf(o, "%" PRIu64, r->dur_ns);
	fputc(',', o);
	csv_write_field(o, r->detail);
	fputc(',', o);
	if (r->addr)
		fprintf(o, "0x%" PRIx64, r->addr);
	fputc(',', o);
	if (r->has_status)
		fprintf(o, "%d,%d", r->exit_code, r->signal);
	else
		fputc(',', o);
	fputc(',', o);
	if (r->blocked_by)
		fprintf(o, "%d", (int)r->blocked_by);
	fputc('\n', o);
	/* a reader watching the file must see these at once */
	if (r->kind == TT_REC_DEADLOCK || r->kind == TT_REC_ALIVE || r->kind == TT_REC_TRACE)
		fflush(o);
}

static void csv_summary(struct tt_view *v, const struct tt_report *report)
{
	(void)report;
	fflush(v->out);
}

static const struct tt_view_ops csv_ops = {
	.record = csv_record,
	.summary = csv_summary,
};

void view_csv_init(struct tt_view *v, FILE *out)
{
	v->ops = &csv_ops;
	v->out = out;
	v->live = false;
	fputs(CSV_HEADER "\n", out);
}
