/* Terminal-safe copies of untrusted strings. */
#include <stdint.h>
#include "sanitize.h"

/* Length of the valid UTF-8 sequence at s (1..4) that is not a C1 control, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t len;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF, C1 controls */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

char *sanitize_for_terminal(char *dst, size_t dstlen, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;

	if (!dstlen)
		return dst;
	while (*s && o + 1 < dstlen) {
		size_t n = *s >= 0x20 && *s < 0x7f ? 1 : utf8_len(s);

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
