/* A child held on a pipe until the tracer is attached, then exec'd. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "launch.h"

/* 0 when path is a file we may run, else an errno */
static int runnable(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return errno == ENOTDIR ? ENOENT : errno;
	if (!S_ISREG(st.st_mode) || access(path, X_OK))
		return EACCES;
	return 0;
}

int launch__check(const char *file)
{
	char path[PATH_MAX];

	return launch__find(file, path, sizeof(path));
}

int launch__find(const char *file, char *found, size_t len)
{
	char path[PATH_MAX], def[256];
	const char *dirs = getenv("PATH"), *p;
	int seen = ENOENT;

	if (!*file)
		return ENOENT;
	if (strchr(file, '/')) {
		snprintf(found, len, "%s", file);
		return runnable(file);
	}
	if (!dirs) {
		/* execvp's default search path */
		if (!confstr(_CS_PATH, def, sizeof(def)))
			snprintf(def, sizeof(def), "/bin:/usr/bin");
		dirs = def;
	}
	for (p = dirs;; p++) {
		const char *end = strchrnul(p, ':');
		int err;

		/* an empty entry is the current folder, as for execvp */
		if (snprintf(path, sizeof(path), "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", file) <
		    (int)sizeof(path)) {
			err = runnable(path);
			if (!err) {
				snprintf(found, len, "%s", path);
				return 0;
			}
			if (err == EACCES)
				seen = EACCES; /* execvp too reports EACCES when only such files are found */
		}
		if (!*end)
			return seen;
		p = end;
	}
}

int launch__cannot_run_status(int err)
{
	return err == ENOENT ? 127 : 126;
}

int launch__held(struct tt_launch *l, char *const argv[])
{
	int go[2], status[2];

	if (pipe2(go, O_CLOEXEC))
		return -1;
	if (pipe2(status, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return -1;
	}
	l->pid = fork();
	if (l->pid < 0) {
		close(go[0]);
		close(go[1]);
		close(status[0]);
		close(status[1]);
		return -1;
	}
	if (l->pid == 0) {
		char c;
		ssize_t n;
		int err;

		close(go[1]);
		close(status[0]);
		do
			n = read(go[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(127); /* the tracer gave up */
		execvp(argv[0], argv);
		/* the tracer says why, in one line: status[1] closes on a successful exec */
		err = errno;
		(void)!write(status[1], &err, sizeof(err));
		_exit(127);
	}
	close(go[0]);
	close(status[1]);
	l->go_fd = go[1];
	l->err_fd = status[0];
	return 0;
}

int launch__release(struct tt_launch *l)
{
	ssize_t n = write(l->go_fd, "g", 1);
	int err = 0;

	close(l->go_fd);
	l->go_fd = -1;
	if (n != 1)
		return -1;
	do
		n = read(l->err_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(l->err_fd);
	l->err_fd = -1;
	return n == sizeof(err) ? err : 0;
}

void launch__abort(struct tt_launch *l)
{
	close(l->go_fd); /* the child reads EOF and exits without running the command */
	close(l->err_fd);
	l->go_fd = l->err_fd = -1;
	while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int launch__exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
