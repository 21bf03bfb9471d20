/* CSV view: one row per record, RFC 4180 quoting, LF line ends; columns in docs/csv.md. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "view/view.h"

#define CSV_HEADER "ts_ns,tgid,tid,name,event,peer_tid,dur_ns,detail,addr,exit_code,signal,blocked_by,py_name,py_stack,site"

/* Quote anything a reader could split on or mistake: separators, quotes, line ends. */
static bool needs_quotes(const char *s, size_t len)
{
	return strpbrk(s, ",\"\r\n") || (len && (s[0] == ' ' || s[len - 1] == ' '));
}

/* n bytes of s at p, each quote doubled (p has room for 2 * n). Returns the end. */
static char *put_escaped(char *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			*p++ = '"';
		*p++ = s[i];
	}
	return p;
}

/* s as one CSV field at p; p has room for 2 * strlen(s) + 2 bytes. Returns the end. */
static char *put_field(char *p, const char *s)
{
	size_t len = strlen(s);

	if (!needs_quotes(s, len)) {
		memcpy(p, s, len);
		return p + len;
	}
	*p++ = '"';
	p = put_escaped(p, s, len);
	*p++ = '"';
	return p;
}

void csv__write_field(FILE *out, const char *s)
{
	size_t len = strlen(s);
	char buf[2 * 1024];

	if (!needs_quotes(s, len)) {
		fwrite(s, 1, len, out);
		return;
	}
	/* any length: escaped a chunk at a time */
	fputc('"', out);
	for (size_t off = 0; off < len; off += sizeof(buf) / 2) {
		size_t n = len - off < sizeof(buf) / 2 ? len - off : sizeof(buf) / 2;

		fwrite(buf, 1, (size_t)(put_escaped(buf, s + off, n) - buf), out);
	}
	fputc('"', out);
}

/* v at p in base 10 or 16 (lower-case digits); returns the end. */
static char *put_uint(char *p, uint64_t v, unsigned base)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Decimal v at p; returns the end. */
static char *put_u64(char *p, uint64_t v)
{
	return put_uint(p, v, 10);
}

static char *put_int(char *p, int v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u64(p, (uint64_t)-(int64_t)v);
	}
	return put_u64(p, (uint64_t)v);
}

static char *put_hex(char *p, uint64_t v)
{
	*p++ = '0';
	*p++ = 'x';
	return put_uint(p, v, 16);
}

/*
 * One row, formatted into a buffer and written at once: at a million events a second the
 * field-by-field stdio calls were the event mode's largest cost in user space.
 */
static void csv_record(struct tt_view *v, const struct tt_record *r)
{
	char row[2 * (TT_NAME_LEN + TT_DETAIL_LEN + TT_PY_NAME_LEN) + 224], *p = row;
	const char *kind = record__kind_name(r->kind);
	size_t klen = strlen(kind);

	p = put_u64(p, r->ts_ns);
	*p++ = ',';
	p = put_int(p, (int)r->tgid);
	*p++ = ',';
	p = put_int(p, (int)r->tid);
	*p++ = ',';
	p = put_field(p, r->name);
	*p++ = ',';
	memcpy(p, kind, klen);
	p += klen;
	*p++ = ',';
	if (r->peer_tid)
		p = put_int(p, (int)r->peer_tid);
	*p++ = ',';
	if (r->has_dur)
		p = put_u64(p, r->dur_ns);
	*p++ = ',';
	p = put_field(p, r->detail);
	*p++ = ',';
	if (r->addr)
		p = put_hex(p, r->addr);
	*p++ = ',';
	if (r->has_status) {
		p = put_int(p, r->exit_code);
		*p++ = ',';
		p = put_int(p, r->signal);
	} else {
		*p++ = ',';
	}
	*p++ = ',';
	if (r->blocked_by)
		p = put_int(p, (int)r->blocked_by);
	*p++ = ',';
	if (r->py_name) {
		char py_name[TT_PY_NAME_LEN]; /* the room the row has for it */

		snprintf(py_name, sizeof(py_name), "%s", r->py_name);
		p = put_field(p, py_name);
	}
	*p++ = ',';
	/* Python frames: rare (deadlocks, the end), of any length */
	if (r->py_stack) {
		fwrite(row, 1, (size_t)(p - row), v->out);
		csv__write_field(v->out, r->py_stack);
		p = row;
	}
	*p++ = ',';
	/* --stacks: the wait's call site, which sites.csv names */
	if (r->site)
		p = put_hex(p, r->site);
	*p++ = '\n';
	fwrite(row, 1, (size_t)(p - row), v->out);
	/* a reader watching the file must see these at once */
	if (r->kind == TT_REC_DEADLOCK || r->kind == TT_REC_ALIVE || r->kind == TT_REC_TRACE)
		fflush(v->out);
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

void view__csv_init(struct tt_view *v, FILE *out)
{
	v->ops = &csv_ops;
	v->out = out;
	v->live = false;
	fputs(CSV_HEADER "\n", out);
}
