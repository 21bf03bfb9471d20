/* Creating output files for -w, --summary-*, --timeline. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "outfile.h"

FILE *outfile_create(const char *path, bool overwrite)
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

int outfile_close(FILE *f)
{
	int bad = ferror(f);

	return fclose(f) || bad ? -1 : 0;
}
