/* Unit tests for user/view/csv.c: csv_write_field and the CSV view. */
#include <stdlib.h>
#include "check.h"
#include "model/record.h"
#include "view/view.h"

#define HEADER "ts_ns,tgid,tid,name,event,peer_tid,dur_ns,detail,addr,exit_code,signal,blocked_by,py_name,py_stack"

/* A memory stream whose text the tests read back. */
struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	if (!m->f)
		abort();
}

/* Closes the stream; m->buf holds the text until mem_free. */
static const char *mem_text(struct mem *m)
{
	fclose(m->f);
	m->f = NULL;
	return m->buf;
}

static void mem_free(struct mem *m)
{
	if (m->f)
		fclose(m->f);
	free(m->buf);
}

/* What csv_write_field writes for s; the caller frees it. */
static char *field(const char *s)
{
	struct mem m;

	mem_open(&m);
	csv_write_field(m.f, s);
	return (char *)mem_text(&m);
}

#define CHECK_FIELD(in, want)            \
	do {                             \
		char *got_ = field(in);  \
		CHECK_STR(got_, want);   \
		free(got_);              \
	} while (0)

TEST(field_plain_unquoted)
{
	CHECK_FIELD("abc", "abc");
	CHECK_FIELD("", "");
	CHECK_FIELD("a b", "a b");
	CHECK_FIELD("a\tb", "a\tb");
	CHECK_FIELD("h\xc3\xa9", "h\xc3\xa9");
	CHECK_FIELD("x'y;z", "x'y;z");
}

TEST(field_quoted_when_needed)
{
	CHECK_FIELD("a,b", "\"a,b\"");
	CHECK_FIELD("say \"hi\"", "\"say \"\"hi\"\"\"");
	CHECK_FIELD("\"", "\"\"\"\"");
	CHECK_FIELD("a\nb", "\"a\nb\"");
	CHECK_FIELD("a\rb", "\"a\rb\"");
	CHECK_FIELD("\r\n", "\"\r\n\"");
	CHECK_FIELD(" lead", "\" lead\"");
	CHECK_FIELD("trail ", "\"trail \"");
	CHECK_FIELD(" ", "\" \"");
	CHECK_FIELD(",", "\",\"");
}

/*
 * An RFC 4180 parser for one record: splits s into at most max fields
 * (unquoted, unescaped, each malloc'd). Sets *end past the record's LF.
 * Returns the field count, or -1 if the text is not valid CSV.
 */
static int csv_parse_record(const char *s, const char **end, char **fields, int max)
{
	int n = 0;

	for (;;) {
		char *f = malloc(strlen(s) + 1);
		size_t o = 0;

		if (!f)
			abort();
		if (*s == '"') {
			for (s++;; s++) {
				if (!*s)
					goto bad; /* unterminated quote */
				if (*s == '"') {
					if (s[1] != '"')
						break;
					s++;
				}
				f[o++] = *s;
			}
			s++;
			if (*s != ',' && *s != '\n' && *s)
				goto bad; /* text after a closing quote */
		} else {
			for (; *s && *s != ',' && *s != '\n'; s++) {
				if (*s == '"' || *s == '\r')
					goto bad; /* bare quote or CR in an unquoted field */
				f[o++] = *s;
			}
		}
		f[o] = '\0';
		if (n == max)
			goto bad;
		fields[n++] = f;
		if (*s != ',')
			break;
		s++;
		continue;
bad:
		free(f);
		while (n > 0)
			free(fields[--n]);
		return -1;
	}
	if (*s == '\n')
		s++;
	*end = s;
	return n;
}

static void free_fields(char **fields, int n)
{
	for (int i = 0; i < n; i++)
		free(fields[i]);
}

TEST(parser_self_check)
{
	const char *end;
	char *f[4];
	int n = csv_parse_record("a,\"b,\"\"c\"\"\n\",\n", &end, f, 4);

	CHECK_EQ_INT(n, 3);
	if (n == 3) {
		CHECK_STR(f[0], "a");
		CHECK_STR(f[1], "b,\"c\"\n");
		CHECK_STR(f[2], "");
		CHECK_STR(end, "");
		free_fields(f, n);
	}
	CHECK_EQ_INT(csv_parse_record("\"a\"b\n", &end, f, 4), -1);
}

static struct tt_record evil_exit_record(void)
{
	struct tt_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.kind = TT_REC_EXIT;
	rec.ts_ns = 1500000123;
	rec.tgid = 100;
	rec.tid = 101;
	rec.peer_tid = 0;
	rec.has_dur = true;
	rec.dur_ns = 250;
	rec.addr = 0x7f00dead10;
	rec.has_status = true;
	rec.exit_code = 3;
	rec.signal = 0;
	snprintf(rec.name, sizeof(rec.name), "%s", "evil,\"name\"\n");
	snprintf(rec.detail, sizeof(rec.detail), "%s", "process-exit");
	return rec;
}

TEST(view_header_and_row_exact)
{
	struct tt_record rec = evil_exit_record();
	struct tt_view v;
	struct mem m;

	mem_open(&m);
	view_csv_init(&v, m.f);
	CHECK(v.ops != NULL && v.ops->record != NULL);
	if (v.ops && v.ops->record)
		v.ops->record(&v, &rec);
	CHECK_STR(mem_text(&m),
		  HEADER "\n"
		  "1500000123,100,101,\"evil,\"\"name\"\"\n\",exit,,250,process-exit,0x7f00dead10,3,0,,,\n");
	mem_free(&m);
}

TEST(view_row_parses_back)
{
	struct tt_record rec = evil_exit_record();
	const char *text, *p;
	struct tt_view v;
	char *f[16];
	struct mem m;
	int n;

	mem_open(&m);
	view_csv_init(&v, m.f);
	v.ops->record(&v, &rec);
	text = mem_text(&m);

	n = csv_parse_record(text, &p, f, 16);
	CHECK_EQ_INT(n, 14);
	if (n == 14) {
		CHECK_STR(f[0], "ts_ns");
		CHECK_STR(f[10], "signal");
		CHECK_STR(f[11], "blocked_by");
		CHECK_STR(f[12], "py_name");
		CHECK_STR(f[13], "py_stack");
	}
	free_fields(f, n > 0 ? n : 0);

	n = csv_parse_record(p, &p, f, 16);
	CHECK_EQ_INT(n, 14);
	if (n == 14) {
		CHECK_STR(f[0], "1500000123");
		CHECK_STR(f[1], "100");
		CHECK_STR(f[2], "101");
		CHECK_STR(f[3], "evil,\"name\"\n");
		CHECK_STR(f[4], "exit");
		CHECK_STR(f[5], "");
		CHECK_STR(f[6], "250");
		CHECK_STR(f[7], "process-exit");
		CHECK_STR(f[8], "0x7f00dead10");
		CHECK_STR(f[9], "3");
		CHECK_STR(f[10], "0");
		CHECK_STR(f[11], "");
		CHECK_STR(f[12], "");
		CHECK_STR(f[13], "");
	}
	free_fields(f, n > 0 ? n : 0);
	CHECK_STR(p, ""); /* exactly header + one row */
	mem_free(&m);
}

TEST(view_row_optional_columns_empty)
{
	struct tt_record rec;
	struct tt_view v;
	struct mem m;

	memset(&rec, 0, sizeof(rec));
	rec.kind = TT_REC_START;
	rec.ts_ns = 0;
	rec.tgid = 5;
	rec.tid = 6;
	rec.peer_tid = 5;
	snprintf(rec.name, sizeof(rec.name), " worker ");

	mem_open(&m);
	view_csv_init(&v, m.f);
	v.ops->record(&v, &rec);
	rec.kind = TT_REC_JOIN;
	rec.peer_tid = 0;
	rec.has_dur = true;
	rec.dur_ns = 0;
	snprintf(rec.name, sizeof(rec.name), "main");
	snprintf(rec.detail, sizeof(rec.detail), "pthread");
	v.ops->record(&v, &rec);
	CHECK_STR(mem_text(&m), HEADER "\n"
		  "0,5,6,\" worker \",start,5,,,,,,,,\n"
		  "0,5,6,main,join,,0,pthread,,,,,,\n");
	mem_free(&m);
}

TEST(view_python_name_and_frames)
{
	struct tt_record rec = evil_exit_record();
	char longname[400], stack[5000];
	const char *text, *p;
	struct tt_view v;
	char *f[16];
	struct mem m;
	int n;

	/* a Python name and frames chosen by the target: quoted, byte for byte; a long name cut */
	rec.py_name = "odd, \"name\"\n\xc3\xbc";
	memset(stack, 'y', sizeof(stack) - 1);
	stack[sizeof(stack) - 1] = '\0';
	memcpy(stack, "a,b.py:f:1 < ", 13);
	rec.py_stack = stack;
	mem_open(&m);
	view_csv_init(&v, m.f);
	v.ops->record(&v, &rec);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	rec.py_name = longname;
	rec.py_stack = NULL;
	v.ops->record(&v, &rec);
	text = mem_text(&m);
	n = csv_parse_record(text, &p, f, 16);
	free_fields(f, n > 0 ? n : 0);
	n = csv_parse_record(p, &p, f, 16);
	CHECK_EQ_INT(n, 14);
	if (n == 14) {
		CHECK_STR(f[12], "odd, \"name\"\n\xc3\xbc");
		CHECK_STR(f[13], stack);
	}
	free_fields(f, n > 0 ? n : 0);
	n = csv_parse_record(p, &p, f, 16);
	CHECK_EQ_INT(n, 14);
	if (n == 14) {
		CHECK_EQ_INT((int)strlen(f[12]), TT_PY_NAME_LEN - 1);
		CHECK_STR(f[13], "");
	}
	free_fields(f, n > 0 ? n : 0);
	CHECK_STR(p, "");
	mem_free(&m);
}

int main(void)
{
	RUN(field_plain_unquoted);
	RUN(field_quoted_when_needed);
	RUN(parser_self_check);
	RUN(view_header_and_row_exact);
	RUN(view_row_parses_back);
	RUN(view_row_optional_columns_empty);
	RUN(view_python_name_and_frames);
	return check_summary();
}
