/*
 * Where a run writes: every file named on the command line is opened before
 * anything is traced (a bad path costs no trace), and the streams are chosen:
 * with -- COMMAND the command's stdout stays its own (the report goes to
 * stderr, as strace and perf stat do); with -p the report goes to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "app.h"

/* Each opened file with the option that named it, for a message; NULL-terminated. */
static size_t all_files(struct app *a, struct tt_outfile **v, const char **opt)
{
	size_t n = 0;

	v[n] = &a->wfile, opt[n++] = "-w";
	v[n] = &a->timeline_file, opt[n++] = "--timeline";
	v[n] = &a->folded_file, opt[n++] = "--folded";
	v[n] = &a->summary_json_file, opt[n++] = "--summary-json";
	for (int i = 0; i < TT_SUMMARY_FILES; i++)
		v[n] = &a->summary_csv_files[i], opt[n++] = "--summary-csv";
	return n;
}

/* Two options naming one file would write over each other (--force) */
static int same_file_twice(struct app *a)
{
	struct tt_outfile *v[4 + TT_SUMMARY_FILES];
	const char *opt[4 + TT_SUMMARY_FILES];
	size_t n = all_files(a, v, opt);

	for (size_t i = 0; i < n; i++) {
		struct stat si, sj;

		if (!v[i]->f || fstat(fileno(v[i]->f), &si) || !S_ISREG(si.st_mode))
			continue;
		for (size_t j = i + 1; j < n; j++) {
			if (!v[j]->f || fstat(fileno(v[j]->f), &sj) || si.st_dev != sj.st_dev || si.st_ino != sj.st_ino)
				continue;
			fprintf(stderr, "threadtrace: %s and %s name the same file: %s\n", opt[i], opt[j], v[j]->path);
			return -1;
		}
	}
	return 0;
}

static int open_files(struct app *a)
{
	const struct tt_config *c = &a->cfg;
	char path[4096];
	int made;

	if (c->out_path && outfile__open(&a->wfile, c->out_path, c->force))
		return -1;
	if (c->timeline && outfile__open(&a->timeline_file, c->timeline, c->force))
		return -1;
	if (c->folded && outfile__open(&a->folded_file, c->folded, c->force))
		return -1;
	if (c->summary_json && outfile__open(&a->summary_json_file, c->summary_json, c->force))
		return -1;
	if (c->summary_dir) {
		made = outfile__make_dir(c->summary_dir);
		if (made < 0)
			return -1;
		a->summary_dir_made = made;
		for (int i = 0; i < TT_SUMMARY_FILES; i++) {
			snprintf(path, sizeof(path), "%s%s%s", c->summary_dir,
				 c->summary_dir[strlen(c->summary_dir) - 1] == '/' ? "" : "/", summary_csv__names[i]);
			if (outfile__open(&a->summary_csv_files[i], path, c->force))
				return -1;
		}
	}
	return same_file_twice(a);
}

void outputs__discard(struct app *a)
{
	struct tt_outfile *v[4 + TT_SUMMARY_FILES];
	const char *opt[4 + TT_SUMMARY_FILES];
	size_t n = all_files(a, v, opt);

	for (size_t i = 0; i < n; i++)
		outfile__discard(v[i]);
	if (a->summary_dir_made)
		rmdir(a->cfg.summary_dir);
	a->summary_dir_made = false;
	a->out = NULL;
}

int outputs__open(struct app *a)
{
	const struct tt_config *c = &a->cfg;
	FILE *report = c->cmd ? stderr : stdout;

	if (open_files(a)) {
		outputs__discard(a);
		return -1;
	}
	if (!c->csv && !c->json) {
		a->out = c->out_path ? a->wfile.f : report;
		view__text_init(&a->view, a->out, !c->quiet);
		return 0;
	}
	/* the events: into -w FILE, else stdout with -p, stderr with a command (stdout is its own) */
	a->out = c->out_path ? a->wfile.f : report;
	if (c->json)
		view__json_init(&a->view, a->out);
	else
		view__csv_init(&a->view, a->out);
	/* the text report too, where the events are not: a CSV and a verdict from one run */
	if (!c->out_path && !c->cmd)
		report = stderr;
	if (report != a->out)
		view__text_init(&a->report_view, report, false);
	return 0;
}

int outputs__begin(struct app *a)
{
	struct tt_outfile *v[4 + TT_SUMMARY_FILES];
	const char *opt[4 + TT_SUMMARY_FILES];
	size_t n = all_files(a, v, opt);

	for (size_t i = 0; i < n; i++)
		if (outfile__begin(v[i]))
			return -1;
	return 0;
}

/* The streams and files, flushed and closed, each failure named. 0 or -1. */
int outputs__finish(struct app *a)
{
	struct tt_outfile *v[4 + TT_SUMMARY_FILES];
	const char *opt[4 + TT_SUMMARY_FILES];
	size_t n = all_files(a, v, opt);
	int err = 0;

	for (size_t i = 0; i < n; i++)
		if (outfile__finish(v[i]))
			err = -1;
	a->out = NULL;
	a->summary_dir_made = false; /* it holds the tables now */
	/* stdout and stderr: a report into a full disk or a closed pipe */
	errno = 0;
	if (fflush(stdout) || ferror(stdout)) {
		outfile_failed("the standard output", errno);
		err = -1;
	}
	return err;
}
