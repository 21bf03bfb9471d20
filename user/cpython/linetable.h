/*
 * CPython 3.11+'s location table (co_linetable, PEP 626/657; CPython's
 * Objects/locations.md): which source line and columns a code unit came from.
 * Pure decoding of bytes already copied out of the target: no memory reads.
 */
#ifndef TT_LINETABLE_H
#define TT_LINETABLE_H

#include <stddef.h>
#include <stdint.h>

/* A code unit's source position; -1 where the table has none (Python's None). */
struct py_position {
	int line, end_line, col, end_col;
};

/*
 * Calls fn for each entry of the table, in order: code units [start, end) and
 * their position, as co_positions() yields them (one entry spans 1..8 units).
 * Stops when fn returns non-zero and returns that value; returns -1 for a
 * table cut short, 0 at its end.
 */
int linetable__walk(const uint8_t *table, size_t len, int firstlineno,
		      int (*fn)(unsigned start, unsigned end, const struct py_position *pos, void *ctx),
		      void *ctx);

/*
 * The position of code unit `unit` (a byte offset / 2), as PyCode_Addr2Line
 * and co_positions() give it: 0, or -1 when unit lies beyond the table.
 * A negative unit (a frame that has not run yet) is the first line.
 */
int linetable__find(const uint8_t *table, size_t len, int firstlineno, long unit,
		      struct py_position *pos);

#endif
