/* Output files: opened before the trace starts, closed with every write error caught. */
#ifndef TT_OUTFILE_H
#define TT_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct tt_outfile {
	char path[4096];
	FILE *f;
	bool created;  /* made by this run: removed again when the trace never starts */
};

/*
 * Opens path for writing before anything is traced, so a bad path costs no
 * trace: an existing file is refused unless overwrite, and a symlink is never
 * followed (a planted one in /tmp stays harmless). An existing file is kept as
 * it is until outfile__begin. 0, or -1 after one line on stderr.
 */
int outfile__open(struct tt_outfile *o, const char *path, bool overwrite);
/* The trace starts: a file kept until now (--force) is emptied. 0, or -1 after one line on stderr. */
int outfile__begin(struct tt_outfile *o);
/* The trace never started: closes o, and removes its file if this run made it. */
void outfile__discard(struct tt_outfile *o);
/*
 * Closes o, catching earlier write errors too (a full disk): 0, or -1 after
 * one line on stderr naming its path. A closed or never opened o: 0.
 */
int outfile__finish(struct tt_outfile *o);
/*
 * --summary-csv DIR: the folder is made when missing (its parent must exist).
 * 1 when this call made it, 0 when it was there, -1 after one line on stderr.
 */
int outfile__make_dir(const char *dir);
/* The one line for a failed write to path; err is errno, or 0 when unknown. */
void outfile_failed(const char *path, int err);

#endif
