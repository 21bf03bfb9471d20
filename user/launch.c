/* A child held on a pipe until the tracer is attached, then exec'd. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "launch.h"

pid_t launch__held(char *const argv[], int *go_fd)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		char go;
		ssize_t n;

		close(fds[1]);
		do
			n = read(fds[0], &go, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(127); /* the tracer gave up */
		execvp(argv[0], argv);
		fprintf(stderr, "threadtrace: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	*go_fd = fds[1];
	return pid;
}

int launch__release(int go_fd)
{
	ssize_t n = write(go_fd, "g", 1);

	close(go_fd);
	return n == 1 ? 0 : -1;
}

void launch__abort(pid_t pid, int go_fd)
{
	close(go_fd); /* the child reads EOF and exits without running the command */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
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
