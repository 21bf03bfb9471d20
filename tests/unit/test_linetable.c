/*
 * Unit tests for user/cpython/linetable.c against CPython itself: python3.11
 * compiles a sample that uses every kind of location entry and prints each code
 * object's co_linetable with its co_positions() and co_lines(); the decoder
 * must give the same position for every code unit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "cpython/linetable.h"

#define PYTHON "/usr/bin/python3.11"

/* The oracle. SAMPLE spans big line jumps (varints of several groups), columns past 127, loops (negative deltas). */
static const char GEN[] =
	"import sys\n"
	"SRC = '''\n"
	"def f(a, b):\n"
	"    x = (a +\n"
	"         b)\n"
	"    if x > 10:\n"
	"        return [i * 2\n"
	"                for i in range(x)]\n"
	"    y = str(a) + \"''' + '.' * 300 + '''\" + str(b)\n"
	"    v = 1;''' + ' ' * 80 + '''v = (a + b) * (a - b)\n"
	"    while x:\n"
	"        x -= 1\n"
	"    for i in range(3):\n"
	"        pass\n"
	"    return x\n"
	"class C:\n"
	"    def m(self):\n"
	"        try:\n"
	"            return 1\n"
	"        finally:\n"
	"            print('x')\n"
	"def gen():\n"
	"    yield 1\n"
	"    yield 2\n"
	"''' + '\\n' * 700 + '''\n"
	"def far():\n"
	"    a = 1''' + '\\n' * 90 + '''\n"
	"    b = 2\n"
	"    return (a\n"
	"        + b)\n"
	"'''\n"
	"def walk(co):\n"
	"    yield co\n"
	"    for c in co.co_consts:\n"
	"        if hasattr(c, 'co_code'):\n"
	"            yield from walk(c)\n"
	"for co in walk(compile(SRC, 'sample.py', 'exec')):\n"
	"    print('CODE', co.co_firstlineno, co.co_linetable.hex() or '-', len(co.co_code) // 2)\n"
	"    for u, p in enumerate(co.co_positions()):\n"
	"        print('POS', u, *(-1 if v is None else v for v in p))\n"
	"    for s, e, l in co.co_lines():\n"
	"        for u in range(s // 2, e // 2):\n"
	"            print('LINE', u, -1 if l is None else l)\n"
	"print('END')\n";

#define MAX_UNITS 4096
#define MAX_TABLE 8192

struct code {
	int firstlineno, units;
	uint8_t table[MAX_TABLE];
	size_t len;
	struct py_position pos[MAX_UNITS];  /* from co_positions() */
	int line[MAX_UNITS];                /* from co_lines() */
};

static int kinds_seen[16];

struct expand {
	struct py_position pos[MAX_UNITS];
	unsigned units;
};

static int expand_cb(unsigned start, unsigned end, const struct py_position *pos, void *ctx)
{
	struct expand *e = ctx;

	for (unsigned u = start; u < end && u < MAX_UNITS; u++)
		e->pos[u] = *pos;
	e->units = end;
	return 0;
}

static void count_kinds(const struct code *c)
{
	for (size_t i = 0; i < c->len; i++)
		if (c->table[i] & 0x80)
			kinds_seen[(c->table[i] >> 3) & 15]++;
}

/* Compares one code object's decoding with what CPython said; returns the mismatches. */
static int check_code(const struct code *c)
{
	static struct expand e;
	int bad = 0;

	memset(&e, 0, sizeof(e));
	CHECK_EQ_INT(linetable__walk(c->table, c->len, c->firstlineno, expand_cb, &e), 0);
	CHECK_EQ_INT(e.units, c->units);
	for (int u = 0; u < c->units && bad < 5; u++) {
		struct py_position p = { 0, 0, 0, 0 };
		const struct py_position *w = &c->pos[u];

		if (memcmp(&e.pos[u], w, sizeof(*w))) {
			check_fail(__FILE__, __LINE__, "unit %d: walk (%d,%d,%d,%d), co_positions (%d,%d,%d,%d)", u,
				   e.pos[u].line, e.pos[u].end_line, e.pos[u].col, e.pos[u].end_col, w->line,
				   w->end_line, w->col, w->end_col);
			bad++;
		}
		if (linetable__find(c->table, c->len, c->firstlineno, u, &p) || p.line != c->line[u]) {
			check_fail(__FILE__, __LINE__, "unit %d: find line %d, co_lines %d", u, p.line, c->line[u]);
			bad++;
		}
	}
	return bad;
}

static int hexval(int ch)
{
	return ch <= '9' ? ch - '0' : ch - 'a' + 10;
}

TEST(matches_cpython_positions_and_lines)
{
	char path[] = "/tmp/tt-linetable-XXXXXX", cmd[256], line[MAX_TABLE * 2 + 64];
	static struct code c;
	int fd = mkstemp(path), ncodes = 0, have = 0, ended = 0, units_total = 0;
	FILE *f;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ_INT(write(fd, GEN, sizeof(GEN) - 1), (long)sizeof(GEN) - 1);
	close(fd);
	snprintf(cmd, sizeof(cmd), PYTHON " %s", path);
	f = popen(cmd, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		char hex[MAX_TABLE * 2 + 1];
		int u, a, b, d, e;

		if (sscanf(line, "CODE %d %16383s %d", &a, hex, &b) == 3) {
			if (have)
				check_code(&c);
			memset(&c, 0, sizeof(c));
			c.firstlineno = a;
			c.units = b;
			c.len = strcmp(hex, "-") ? strlen(hex) / 2 : 0;
			for (size_t i = 0; i < c.len; i++)
				c.table[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
			count_kinds(&c);
			have = 1;
			ncodes++;
			units_total += b;
		} else if (sscanf(line, "POS %d %d %d %d %d", &u, &a, &b, &d, &e) == 5 && u < MAX_UNITS) {
			c.pos[u] = (struct py_position){ a, b, d, e };
		} else if (sscanf(line, "LINE %d %d", &u, &a) == 2 && u < MAX_UNITS) {
			c.line[u] = a;
		} else if (!strcmp(line, "END\n")) {
			ended = 1;
		}
	}
	if (have)
		check_code(&c);
	CHECK_EQ_INT(f ? pclose(f) : -1, 0);
	unlink(path);
	CHECK(ended);
	/* <module>, f, its listcomp, C, C.m, gen, far */
	CHECK_EQ_INT(ncodes, 7);
	CHECK(units_total > 200);
	/* every form of entry was exercised: short (0-9), one-line (10-12), no columns, long, none */
	CHECK(kinds_seen[0] + kinds_seen[1] + kinds_seen[2] > 0);
	for (int k = 10; k <= 15; k++)
		if (!kinds_seen[k])
			check_fail(__FILE__, __LINE__, "the sample has no entry of code %d", k);
}

TEST(hand_made_entries)
{
	/* long: line +3 (svarint 6), end line +1, col 5 (+1 = 6), end col 200 (+1 = 201: 9 | 64, 3) */
	static const uint8_t t[] = { 0x80 | 14 << 3 | 1, 6, 1, 6, 201 % 64 | 64, 201 / 64,
				     /* no columns: line -2 (svarint 5), 1 unit */
				     0x80 | 13 << 3, 5,
				     /* none, 3 units */
				     0x80 | 15 << 3 | 2,
				     /* one line +1, columns 7..9 */
				     0x80 | 11 << 3, 7, 9,
				     /* short code 2: col 16 + 3, end col + 4 */
				     0x80 | 2 << 3, 3 << 4 | 4 };
	struct py_position p;

	CHECK_EQ_INT(linetable__find(t, sizeof(t), 10, 1, &p), 0);
	CHECK_EQ_INT(p.line, 13);
	CHECK_EQ_INT(p.end_line, 14);
	CHECK_EQ_INT(p.col, 5);
	CHECK_EQ_INT(p.end_col, 200);
	CHECK_EQ_INT(linetable__find(t, sizeof(t), 10, 2, &p), 0);
	CHECK_EQ_INT(p.line, 11);
	CHECK_EQ_INT(p.col, -1);
	CHECK_EQ_INT(linetable__find(t, sizeof(t), 10, 5, &p), 0);
	CHECK_EQ_INT(p.line, -1);
	CHECK_EQ_INT(linetable__find(t, sizeof(t), 10, 6, &p), 0);
	CHECK_EQ_INT(p.line, 12);  /* "none" left the line state at 11 */
	CHECK_EQ_INT(p.col, 7);
	CHECK_EQ_INT(p.end_col, 9);
	CHECK_EQ_INT(linetable__find(t, sizeof(t), 10, 7, &p), 0);
	CHECK_EQ_INT(p.line, 12);
	CHECK_EQ_INT(p.col, 19);
	CHECK_EQ_INT(p.end_col, 23);
	/* before the first unit: a frame that has not started is on its first line */
	CHECK_EQ_INT(linetable__find(t, sizeof(t), 10, -1, &p), 0);
	CHECK_EQ_INT(p.line, 10);
	/* past the end */
	CHECK_EQ_INT(linetable__find(t, sizeof(t), 10, 8, &p), -1);
}

TEST(cut_or_garbled_tables_fail)
{
	static const uint8_t long_entry[] = { 0x80 | 14 << 3, 6, 1, 6, 9 | 64, 3 };
	static const uint8_t not_entry[] = { 0x05, 0x80 };
	static const uint8_t endless[] = { 0x80 | 13 << 3, 64, 64, 64, 64, 64, 64, 64, 64, 64 };
	struct py_position p;

	for (size_t n = 1; n < sizeof(long_entry); n++)
		CHECK_EQ_INT(linetable__find(long_entry, n, 1, 0, &p), -1);
	CHECK_EQ_INT(linetable__find(long_entry, sizeof(long_entry), 1, 0, &p), 0);
	CHECK_EQ_INT(linetable__find(not_entry, sizeof(not_entry), 1, 0, &p), -1);
	CHECK_EQ_INT(linetable__find(endless, sizeof(endless), 1, 0, &p), -1);
	CHECK_EQ_INT(linetable__find(NULL, 0, 1, 0, &p), -1);
}

int main(void)
{
	RUN(matches_cpython_positions_and_lines);
	RUN(hand_made_entries);
	RUN(cut_or_garbled_tables_fail);
	return check_summary();
}
