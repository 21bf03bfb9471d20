/*
 * The 3.11 location table, written from CPython's Objects/locations.md and
 * Objects/codeobject.c (read_varint, scan_signed_varint, advance_with_locations).
 *
 * Each entry starts with a byte 1CCCCLLL: bit 7 set, a 4-bit code, and the
 * number of code units it covers minus one. By code:
 *   15  no location                     (line, columns: none; line state unchanged)
 *   14  long: svarint line delta, varint end-line delta, varint col+1, varint end col+1
 *   13  no columns: svarint line delta
 *   10-12  one line: delta code-10, then a column byte and an end-column byte
 *   0-9    short: same line; next byte: col = code*8 + bits 4-6, end = col + bits 0-3
 * A varint is 6-bit groups, least significant first, bit 6 set while more
 * follow; a signed varint keeps the sign in bit 0.
 */
#include "linetable.h"

struct cursor {
	const uint8_t *p, *end;
	int bad;
};

static unsigned read_varint(struct cursor *c)
{
	unsigned val = 0, shift = 0, b;

	do {
		if (c->p >= c->end || shift > 28) {
			c->bad = 1;
			return 0;
		}
		b = *c->p++;
		val |= (b & 63u) << shift;
		shift += 6;
	} while (b & 64);
	return val;
}

static int read_svarint(struct cursor *c)
{
	unsigned u = read_varint(c);

	return (u & 1) ? -(int)(u >> 1) : (int)(u >> 1);
}

static int read_byte(struct cursor *c)
{
	if (c->p >= c->end) {
		c->bad = 1;
		return 0;
	}
	return *c->p++;
}

int linetable__walk(const uint8_t *table, size_t len, int firstlineno,
		      int (*fn)(unsigned start, unsigned end, const struct py_position *pos, void *ctx),
		      void *ctx)
{
	struct cursor c = { table, table + len, 0 };
	int line = firstlineno;
	unsigned addr = 0;

	while (c.p < c.end) {
		uint8_t first = *c.p++;
		int code = (first >> 3) & 15;
		unsigned units = (first & 7) + 1;
		struct py_position pos = { -1, -1, -1, -1 };
		int r;

		if (!(first & 0x80))
			return -1; /* not at an entry's start: a corrupt or misread table */
		switch (code) {
		case 15:
			break;
		case 14:
			line += read_svarint(&c);
			pos.line = line;
			pos.end_line = line + (int)read_varint(&c);
			pos.col = (int)read_varint(&c) - 1;
			pos.end_col = (int)read_varint(&c) - 1;
			break;
		case 13:
			line += read_svarint(&c);
			pos.line = pos.end_line = line;
			break;
		case 10: case 11: case 12:
			line += code - 10;
			pos.line = pos.end_line = line;
			pos.col = read_byte(&c);
			pos.end_col = read_byte(&c);
			break;
		default: {
			int second = read_byte(&c);

			pos.line = pos.end_line = line;
			pos.col = code * 8 + ((second >> 4) & 7);
			pos.end_col = pos.col + (second & 15);
			break;
		}
		}
		if (c.bad)
			return -1;
		r = fn(addr, addr + units, &pos, ctx);
		if (r)
			return r;
		addr += units;
	}
	return 0;
}

struct find_ctx {
	long unit;
	struct py_position *pos;
};

static int find_cb(unsigned start, unsigned end, const struct py_position *pos, void *ctx)
{
	struct find_ctx *f = ctx;

	if (f->unit < (long)start || f->unit >= (long)end)
		return 0;
	*f->pos = *pos;
	return 1;
}

int linetable__find(const uint8_t *table, size_t len, int firstlineno, long unit,
		      struct py_position *pos)
{
	struct find_ctx f = { unit, pos };

	if (unit < 0) {
		/* PyCode_Addr2Line: an address before the first instruction is co_firstlineno */
		pos->line = pos->end_line = firstlineno;
		pos->col = pos->end_col = -1;
		return 0;
	}
	return linetable__walk(table, len, firstlineno, find_cb, &f) == 1 ? 0 : -1;
}
