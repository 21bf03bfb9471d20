/* Creating output files for -w, --summary-*, --timeline. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "outfile.h"

FILE *outfile__create(const char *path, bool overwrite)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (overwrite ? O_TRUNC : O_EXCL), 0644);
	FILE *f;

	if (fd < 0) {
		fprintf(stderr, "threadtrace: cannot write %s: %s%s\n", path, strerror(errno),
			errno == EEXIST ? " (--force overwrites it)" : "");
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		fprintf(stderr, "threadtrace: cannot write %s: %s\n", path, strerror(errno));
		close(fd);
	}
	return f;
}

int outfile__close(FILE *f, const char *path)
{
	int err = 0, bad;

	/* the buffered rest is written now: its error, if any, is the one to name */
	errno = 0;
	bad = fflush(f) || ferror(f);
	err = errno;
	errno = 0;
	if (fclose(f) && !bad) {
		bad = 1;
		err = errno;
	}
	if (!bad)
		return 0;
	outfile_failed(path, err);
	return -1;
}

void outfile_failed(const char *path, int err)
{
	/* an earlier write's error number is gone: say no more than what is known */
	fprintf(stderr, "threadtrace: cannot write %s: %s\n", path, err ? strerror(err) : "a write failed");
}
