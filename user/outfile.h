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
FILE *outfile__create(const char *path, bool overwrite);
/*
 * fclose that also catches earlier write errors (a full disk): 0, or -1 after
 * one line on stderr naming path.
 */
int outfile__close(FILE *f, const char *path);
/* The one line for a failed write to path; err is errno, or 0 when unknown. */
void outfile_failed(const char *path, int err);

#endif
