/* Helpers shared by the fuzz targets: a strict RFC 4180 field reader and output checks. */
#ifndef TT_FUZZ_COMMON_H
#define TT_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* abort() with a message: libFuzzer keeps the input as a crash-* file. */
#define FUZZ_CHECK(cond)                                                                 \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                         \
		}                                                                        \
	} while (0)

/*
 * Reads one field at s[*pos] of s[0..len) into out (cap bytes, not NUL-terminated), strictly by
 * RFC 4180: a quoted field ends at a lone '"' that a ',' or '\n' or the end follows; an unquoted
 * one may hold no '"' and no CR. *pos is left on the delimiter (or len). 0, or -1 if malformed.
 */
static inline int csv_read_field(const char *s, size_t len, size_t *pos, char *out, size_t cap,
				 size_t *outlen)
{
	size_t p = *pos, o = 0;

	if (p < len && s[p] == '"') {
		p++;
		for (;;) {
			if (p >= len)
				return -1; /* no closing quote */
			if (s[p] == '"') {
				if (p + 1 < len && s[p + 1] == '"') {
					if (o >= cap)
						return -1;
					out[o++] = '"';
					p += 2;
					continue;
				}
				p++;
				break;
			}
			if (o >= cap)
				return -1;
			out[o++] = s[p++];
		}
		if (p < len && s[p] != ',' && s[p] != '\n')
			return -1; /* text after the closing quote */
	} else {
		while (p < len && s[p] != ',' && s[p] != '\n') {
			if (s[p] == '"' || s[p] == '\r')
				return -1; /* needed quoting */
			if (o >= cap)
				return -1;
			out[o++] = s[p++];
		}
	}
	*pos = p;
	*outlen = o;
	return 0;
}

/*
 * Whether text is safe for a terminal: no C0 control (but the allowed ones), no DEL, and no C1
 * control, raw (0x80..0x9f after an ASCII byte or at the start) or UTF-8 encoded (C2 80..C2 9F).
 */
static inline bool terminal_safe(const unsigned char *s, size_t len, bool allow_newline)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n' && allow_newline)
			continue;
		if (s[i] < 0x20 || s[i] == 0x7f)
			return false;
		if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			return false;
		if (s[i] >= 0x80 && s[i] <= 0x9f && (i == 0 || s[i - 1] < 0x80))
			return false;
	}
	return true;
}

#endif
