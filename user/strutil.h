/* Small string tests more than one module needs. */
#ifndef TT_STRUTIL_H
#define TT_STRUTIL_H

#include <stdbool.h>
#include <string.h>

/* Whether s ends with tail. */
static inline bool str__ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

#endif
