/* Unit tests for user/view/csv.c: csv__write_field and the CSV view. */
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "model/record.h"
#include "view/view.h"

#define HEADER "ts_ns,tgid,tid,name,event,peer_tid,dur_ns,detail,addr,exit_code,signal,blocked_by,py_name,py_stack,site"

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

/* What csv__write_field writes for s; the caller frees it. */
static char *field(const char *s)
{
	struct mem m;

	mem_open(&m);
	csv__write_field(m.f, s);
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
 * Reads CSV text back with an independent reader, Python's csv module (strict: a stray quote is
 * an error), into rows[r][f] (each malloc'd). Returns the row count, or -1 when Python rejects
 * the text or cannot run. Python prints each field as hex ("-" when empty), one row a line.
 */
#define MAX_ROWS   4
#define MAX_FIELDS 16
static int python_csv_read(const char *text, char *rows[MAX_ROWS][MAX_FIELDS], int nfields[MAX_ROWS])
{
	static char line[65536]; /* a row, hex: long enough for a 5000-byte field */
	char path[] = "/tmp/tt-csv-XXXXXX", cmd[512];
	int fd = mkstemp(path), nrows = 0, bad = 0;
	FILE *f, *p;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		unlink(path);
		return -1;
	}
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import csv,sys\n"
		 "for r in csv.reader(open(sys.argv[1], newline=\"\"), strict=True):\n"
		 "    print(\" \".join(x.encode().hex() or \"-\" for x in r))' %s", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		char *save = NULL, *tok;

		if (nrows == MAX_ROWS) {
			bad = 1;
			break;
		}
		nfields[nrows] = 0;
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			size_t n = strcmp(tok, "-") ? strlen(tok) / 2 : 0;
			char *field = calloc(1, n + 1);

			for (size_t i = 0; field && i < n; i++)
				sscanf(tok + 2 * i, "%2hhx", (unsigned char *)&field[i]);
			if (!field || nfields[nrows] == MAX_FIELDS) {
				free(field);
				bad = 1;
				break;
			}
			rows[nrows][nfields[nrows]++] = field;
		}
		nrows++;
	}
	if (!p || pclose(p) != 0)
		bad = 1;
	unlink(path);
	if (bad) {
		for (int r = 0; r < nrows; r++)
			for (int i = 0; i < nfields[r]; i++)
				free(rows[r][i]);
		return -1;
	}
	return nrows;
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
	view__csv_init(&v, m.f);
	CHECK(v.ops != NULL && v.ops->record != NULL);
	if (v.ops && v.ops->record)
		v.ops->record(&v, &rec);
	CHECK_STR(mem_text(&m),
		  HEADER "\n"
		  "1500000123,100,101,\"evil,\"\"name\"\"\n\",exit,,250,process-exit,0x7f00dead10,3,0,,,,\n");
	mem_free(&m);
}

TEST(view_row_parses_back)
{
	static const char *const header[] = { "ts_ns", "tgid", "tid", "name", "event", "peer_tid",
					      "dur_ns", "detail", "addr", "exit_code", "signal",
					      "blocked_by", "py_name", "py_stack", "site" };
	static const char *const row[] = { "1500000123", "100", "101", "evil,\"name\"\n", "exit", "",
					   "250", "process-exit", "0x7f00dead10", "3", "0", "", "", "", "" };
	struct tt_record rec = evil_exit_record();
	char *rows[MAX_ROWS][MAX_FIELDS];
	int nfields[MAX_ROWS], n;
	struct tt_view v;
	struct mem m;

	mem_open(&m);
	view__csv_init(&v, m.f);
	v.ops->record(&v, &rec);
	n = python_csv_read(mem_text(&m), rows, nfields);
	CHECK_EQ_INT(n, 2); /* exactly header + one row */
	for (int r = 0; r < n; r++) {
		const char *const *want = r ? row : header;

		CHECK_EQ_INT(nfields[r], 15);
		for (int i = 0; i < nfields[r]; i++) {
			if (nfields[r] == 15)
				CHECK_STR(rows[r][i], want[i]);
			free(rows[r][i]);
		}
	}
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
	view__csv_init(&v, m.f);
	v.ops->record(&v, &rec);
	rec.kind = TT_REC_JOIN;
	rec.peer_tid = 0;
	rec.has_dur = true;
	rec.dur_ns = 0;
	snprintf(rec.name, sizeof(rec.name), "main");
	snprintf(rec.detail, sizeof(rec.detail), "pthread");
	v.ops->record(&v, &rec);
	CHECK_STR(mem_text(&m), HEADER "\n"
		  "0,5,6,\" worker \",start,5,,,,,,,,,\n"
		  "0,5,6,main,join,,0,pthread,,,,,,,\n");
	mem_free(&m);
}

TEST(view_python_name_and_frames)
{
	struct tt_record rec = evil_exit_record();
	char longname[400], stack[5000];
	char *rows[MAX_ROWS][MAX_FIELDS];
	int nfields[MAX_ROWS], n;
	struct tt_view v;
	struct mem m;

	/* a Python name and frames chosen by the target: quoted, byte for byte; a long name cut */
	rec.py_name = "odd, \"name\"\n\xc3\xbc";
	memset(stack, 'y', sizeof(stack) - 1);
	stack[sizeof(stack) - 1] = '\0';
	memcpy(stack, "a,b.py:f:1 < ", 13);
	rec.py_stack = stack;
	mem_open(&m);
	view__csv_init(&v, m.f);
	v.ops->record(&v, &rec);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	rec.py_name = longname;
	rec.py_stack = NULL;
	v.ops->record(&v, &rec);
	n = python_csv_read(mem_text(&m), rows, nfields);
	CHECK_EQ_INT(n, 3); /* exactly header + two rows */
	if (n == 3 && nfields[1] == 15 && nfields[2] == 15) {
		CHECK_STR(rows[1][12], "odd, \"name\"\n\xc3\xbc");
		CHECK_STR(rows[1][13], stack);
		CHECK_EQ_INT((int)strlen(rows[2][12]), TT_PY_NAME_LEN - 1);
		CHECK_STR(rows[2][13], "");
	} else {
		CHECK(!"three rows of 15 fields");
	}
	for (int r = 0; r < n; r++)
		for (int i = 0; i < nfields[r]; i++)
			free(rows[r][i]);
	mem_free(&m);
}

/* --stacks: a wait's call site as hexadecimal in the last column, after Python frames of any length */
TEST(view_wait_site_last)
{
	struct tt_record rec;
	char *rows[MAX_ROWS][MAX_FIELDS];
	int nfields[MAX_ROWS], n;
	struct tt_view v;
	struct mem m;

	memset(&rec, 0, sizeof(rec));
	rec.kind = TT_REC_WAIT;
	rec.ts_ns = 9;
	rec.tgid = 5;
	rec.tid = 6;
	rec.has_dur = true;
	rec.dur_ns = 70;
	rec.addr = 0xabc;
	rec.site = 0xfedcba9876543210ULL;
	snprintf(rec.name, sizeof(rec.name), "w");
	snprintf(rec.detail, sizeof(rec.detail), "woken");
	mem_open(&m);
	view__csv_init(&v, m.f);
	v.ops->record(&v, &rec);
	rec.py_stack = "a.py:f:1 < a.py:<module>:3";
	v.ops->record(&v, &rec);
	rec.site = 0;
	v.ops->record(&v, &rec);
	n = python_csv_read(mem_text(&m), rows, nfields);
	CHECK_EQ_INT(n, 4);
	if (n == 4 && nfields[1] == 15 && nfields[2] == 15 && nfields[3] == 15) {
		CHECK_STR(rows[0][14], "site");
		CHECK_STR(rows[1][14], "0xfedcba9876543210");
		CHECK_STR(rows[2][13], "a.py:f:1 < a.py:<module>:3");
		CHECK_STR(rows[2][14], "0xfedcba9876543210");
		CHECK_STR(rows[3][14], ""); /* none: empty */
	} else {
		CHECK(!"four rows of 15 fields");
	}
	for (int r = 0; r < n; r++)
		for (int i = 0; i < nfields[r]; i++)
			free(rows[r][i]);
	mem_free(&m);
}

int main(void)
{
	RUN(field_plain_unquoted);
	RUN(field_quoted_when_needed);
	RUN(view_header_and_row_exact);
	RUN(view_row_parses_back);
	RUN(view_row_optional_columns_empty);
	RUN(view_python_name_and_frames);
	RUN(view_wait_site_last);
	return check_summary();
}
