/* Terminal-safe copies of untrusted strings. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "sanitize.h"

size_t sanitize__utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t len;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Length of the sequence at s if a terminal may show it: printable ASCII or non-control UTF-8; else 0. */
static size_t printable_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n = sanitize__utf8_decode(s, &cp);

	if (!n || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

char *sanitize__for_terminal(char *dst, size_t dstlen, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;

	if (!dstlen)
		return dst;
	while (*s && o + 1 < dstlen) {
		size_t n = printable_len(s);

		if (!n) {
			dst[o++] = '?';
			s++;
			continue;
		}
		if (o + n >= dstlen)
			break;
		for (size_t i = 0; i < n; i++)
			dst[o++] = (char)*s++;
	}
	dst[o] = '\0';
	return dst;
}

char *sanitize__quote_name(char *dst, size_t dstlen, const char *src)
{
	char clean[256];
	bool bare;
	size_t o = 0;

	if (!dstlen)
		return dst;
	if (!src)
		src = "";
	sanitize__for_terminal(clean, sizeof(clean), src);
	bare = clean[0] && !strcmp(clean, src); /* a byte made '?' is news too */
	for (const char *c = clean; *c && bare; c++)
		bare = *c > ' ' && *c < 0x7f && *c != '"' && *c != '\\';
	if (bare) {
		snprintf(dst, dstlen, "%s", clean);
		return dst;
	}
	if (dstlen < 3) {
		dst[0] = '\0';
		return dst;
	}
	dst[o++] = '"';
	for (const unsigned char *c = (const unsigned char *)clean; *c;) {
		uint32_t cp;
		size_t n = sanitize__utf8_decode(c, &cp), esc = *c == '"' || *c == '\\';

		if (!n) /* not after sanitize__for_terminal; stop rather than loop */
			break;
		if (o + esc + n + 2 > dstlen) /* whole characters, room for the closing quote and NUL */
			break;
		if (esc)
			dst[o++] = '\\';
		for (size_t i = 0; i < n; i++)
			dst[o++] = (char)*c++;
	}
	dst[o++] = '"';
	dst[o] = '\0';
	return dst;
}
