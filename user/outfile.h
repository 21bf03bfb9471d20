/* Output files: created safely, closed with every write error caught. */
#ifndef TT_OUTFILE_H
#define TT_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Creates path for writing: an existing file is refused unless overwrite,
 * and a symlink is never followed (a planted one in /tmp stays harmless).
 * NULL after one line on stderr.
 */
FILE *outfile_create(const char *path, bool overwrite);
/* fclose that also reports earlier write errors: 0 or -1. */
int outfile_close(FILE *f);

#endif
