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
char *sanitize__for_terminal(char *dst, size_t dstlen, const char *src);

/*
 * A name the target chose (a thread's comm), for a text column: sanitized as above, then shown
 * bare when it is non-empty printable ASCII without a space, '"' or '\\' (and
 * sanitizing changed nothing); otherwise quoted
 * ("    4242 bash", "", "caf\xc3\xa9" as "café"), with '"' and '\\' escaped by a backslash. So a
 * name never looks like more columns, or like another thread's line. Truncated names keep
 * their closing quote. Returns dst.
 */
char *sanitize__quote_name(char *dst, size_t dstlen, const char *src);

/* Length (1..4) of the valid UTF-8 sequence at s, its code point in *cp; 0 if not valid UTF-8. */
size_t sanitize__utf8_decode(const unsigned char *s, uint32_t *cp);

#endif
