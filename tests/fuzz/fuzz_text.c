/*
 * Fuzz target: the text escapers, user/sanitize.c (sanitize__for_terminal) and user/view/csv.c
 * (csv__write_field).
 *
 * Input: byte 0 picks the destination sizes, the rest is the untrusted string (cut at its first NUL).
 * Checks, beyond ASan/UBSan:
 *   - sanitized text never holds a C0 control, DEL or a C1 control, fits its buffer, is cut at most
 *     3 bytes short of it, and is a prefix of the uncut result; with room for all of it, it keeps
 *     every byte's place (one output byte per input byte) and sanitizing it again changes nothing;
 *   - dstlen 0 writes nothing;
 *   - a CSV field (and a two-field record "s,s\n") reads back, by RFC 4180, as exactly s.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sanitize.h"
#include "view/view.h"
#include "fuzz_common.h"

/* The sanitized copy in a heap buffer of exactly dstlen bytes, so ASan sees any overflow. */
static char *sanitized(const char *src, size_t dstlen)
{
	char *dst = malloc(dstlen ? dstlen : 1);

	FUZZ_CHECK(dst);
	memset(dst, 'X', dstlen ? dstlen : 1);
	FUZZ_CHECK(sanitize__for_terminal(dst, dstlen, src) == dst);
	if (dstlen)
		FUZZ_CHECK(memchr(dst, '\0', dstlen));
	return dst;
}

static void check_sanitize(const char *src, size_t srclen, unsigned char sel)
{
	char *full = sanitized(src, srclen + 1);
	size_t flen = strlen(full);
	char *again;
	size_t sizes[4] = { sel % 8, (size_t)sel + 1, sel % 5 + 1, srclen ? srclen : 1 };

	/* room for everything: every input byte is itself or one '?' */
	FUZZ_CHECK(flen == srclen);
	for (size_t i = 0; i < srclen; i++)
		FUZZ_CHECK(full[i] == src[i] || full[i] == '?');
	FUZZ_CHECK(terminal_safe((const unsigned char *)full, flen, false));
	/* what is left is safe as is */
	again = sanitized(full, flen + 1);
	FUZZ_CHECK(!strcmp(again, full));
	free(again);

	for (int k = 0; k < 4; k++) {
		size_t dstlen = sizes[k];
		char *dst;

		if (!dstlen) {
			char canary = 'Z';

			FUZZ_CHECK(sanitize__for_terminal(&canary, 0, src) == &canary);
			FUZZ_CHECK(canary == 'Z'); /* nothing written */
			continue;
		}
		dst = sanitized(src, dstlen);
		size_t len = strlen(dst);

		FUZZ_CHECK(len < dstlen);
		FUZZ_CHECK(terminal_safe((const unsigned char *)dst, len, false));
		/* a cut copy is the start of the whole one, cut short only to keep a sequence whole */
		FUZZ_CHECK(!memcmp(dst, full, len));
		if (flen >= dstlen)
			FUZZ_CHECK(len + 3 >= dstlen - 1);
		else
			FUZZ_CHECK(len == flen);
		free(dst);
	}
	free(full);
}

/* The text csv__write_field writes for s (*len bytes, malloc'd). */
static char *csv_text(const char *s, int fields, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	FUZZ_CHECK(f);
	for (int i = 0; i < fields; i++) {
		if (i)
			fputc(',', f);
		csv__write_field(f, s);
	}
	if (fields > 1)
		fputc('\n', f);
	FUZZ_CHECK(!fclose(f));
	return buf;
}

static void check_csv(const char *s, size_t slen)
{
	size_t len, pos = 0, got;
	char *out = malloc(slen + 1);
	char *text = csv_text(s, 1, &len);

	FUZZ_CHECK(out);
	/* one field: the whole text is that field, and reads back as s */
	FUZZ_CHECK(!csv_read_field(text, len, &pos, out, slen + 1, &got));
	FUZZ_CHECK(pos == len);
	FUZZ_CHECK(got == slen && !memcmp(out, s, slen));
	free(text);

	/* a record of two: the separator and the line end are not taken for data */
	text = csv_text(s, 2, &len);
	pos = 0;
	for (int i = 0; i < 2; i++) {
		FUZZ_CHECK(!csv_read_field(text, len, &pos, out, slen + 1, &got));
		FUZZ_CHECK(got == slen && !memcmp(out, s, slen));
		FUZZ_CHECK(pos < len && text[pos] == (i ? '\n' : ','));
		pos++;
	}
	FUZZ_CHECK(pos == len);
	free(text);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char sel;
	char *src;
	size_t srclen;

	if (!size)
		return 0;
	sel = data[0];
	/* exactly the string's bytes and its NUL: an over-read is an ASan error */
	src = malloc(size);
	FUZZ_CHECK(src);
	memcpy(src, data + 1, size - 1);
	src[size - 1] = '\0';
	srclen = strlen(src);

	check_sanitize(src, srclen, sel);
	check_csv(src, srclen);
	free(src);
	return 0;
}
