/* Output files for -w, --summary-*, --timeline: opened before tracing, emptied when it starts. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "outfile.h"

static void open_failed(const char *path, int err)
{
	fprintf(stderr, "threadtrace: cannot write %s: %s%s\n", path, strerror(err),
		err == EEXIST ? " (--force overwrites it)" : "");
}

int outfile__open(struct tt_outfile *o, const char *path, bool overwrite)
{
	const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
	int fd;

	memset(o, 0, sizeof(*o));
	if (snprintf(o->path, sizeof(o->path), "%s", path) >= (int)sizeof(o->path)) {
		open_failed(path, ENAMETOOLONG);
		return -1;
	}
	fd = open(path, flags | O_EXCL, 0644);
	o->created = fd >= 0;
	/* not truncated here: a trace that never starts leaves the old file as it was */
	if (fd < 0 && errno == EEXIST && overwrite)
		fd = open(path, flags, 0644);
	if (fd < 0) {
		open_failed(path, errno);
		return -1;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		open_failed(path, errno);
		close(fd);
		if (o->created)
			unlink(path);
		return -1;
	}
	return 0;
}

int outfile__begin(struct tt_outfile *o)
{
	struct stat st;

	/* a device (-w /dev/null --force) is written as it is */
	if (!o->f || o->created || fstat(fileno(o->f), &st) || !S_ISREG(st.st_mode))
		return 0;
	if (ftruncate(fileno(o->f), 0)) {
		outfile_failed(o->path, errno);
		return -1;
	}
	return 0;
}

void outfile__discard(struct tt_outfile *o)
{
	if (!o->f)
		return;
	fclose(o->f);
	o->f = NULL;
	if (o->created)
		unlink(o->path);
}

int outfile__finish(struct tt_outfile *o)
{
	int err, bad;

	if (!o->f)
		return 0;
	/* the buffered rest is written now: its error, if any, is the one to name */
	errno = 0;
	bad = fflush(o->f) || ferror(o->f);
	err = errno;
	errno = 0;
	if (fclose(o->f) && !bad) {
		bad = 1;
		err = errno;
	}
	o->f = NULL;
	if (!bad)
		return 0;
	outfile_failed(o->path, err);
	return -1;
}

int outfile__make_dir(const char *dir)
{
	struct stat st;

	if (!mkdir(dir, 0755))
		return 1;
	if (errno == EEXIST && !stat(dir, &st) && S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "threadtrace: cannot make the folder %s: %s\n", dir,
		errno == EEXIST ? "a file of that name exists" : strerror(errno));
	return -1;
}

void outfile_failed(const char *path, int err)
{
	/* an earlier write's error number is gone: say no more than what is known */
	fprintf(stderr, "threadtrace: cannot write %s: %s\n", path, err ? strerror(err) : "a write failed");
}
