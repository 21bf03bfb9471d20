/* Demangled names (demangle.h): libiberty's cplus_demangle in its automatic style. */
#include <libiberty/demangle.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "demangle.h"

const char *demangle__name(const char *sym, char *buf, size_t len)
{
	char *d = NULL;

	if (!len)
		return buf;
	/* only what looks mangled: a C name never goes through the demangler */
	if (sym && (!strncmp(sym, "_Z", 2) || !strncmp(sym, "_R", 2)))
		d = cplus_demangle(sym, DMGL_AUTO | DMGL_ANSI);
	snprintf(buf, len, "%s", d ? d : sym ? sym : "");
	free(d);
	return buf;
}
