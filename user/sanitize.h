/* Making untrusted strings (thread names, paths) safe for a terminal. */
#ifndef TT_SANITIZE_H
#define TT_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Copies src into dst (size dstlen, always NUL-terminated) keeping printable
 * ASCII and valid UTF-8 sequences; control characters (C0, DEL, and
 * C1 whether raw or UTF-8 encoded) and invalid bytes become one '?' per byte. Returns dst.
 */
char *sanitize_for_terminal(char *dst, size_t dstlen, const char *src);

/* Length (1..4) of the valid UTF-8 sequence at s, its code point in *cp; 0 if not valid UTF-8. */
size_t utf8_decode(const unsigned char *s, uint32_t *cp);

#endif
