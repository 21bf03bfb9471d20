/* Starting COMMAND held before its exec, so the probes are attached before its first instruction. */
#ifndef TT_LAUNCH_H
#define TT_LAUNCH_H

#include <sys/types.h>

struct tt_launch {
	pid_t pid;
	int go_fd;   /* written once: exec now; -1 once released */
	int err_fd;  /* the child's exec error, or EOF when exec succeeded */
};

/*
 * Whether file can be run, found as execvp finds it (in $PATH unless it holds
 * a '/'): 0, or ENOENT (nowhere) or EACCES (found, not executable). Checked
 * before anything is loaded: a typo costs no trace.
 */
int launch__check(const char *file);
/* The same, with the path found (execvp's choice) in found: what the exec will run. */
int launch__find(const char *file, char *found, size_t len);
/* The exit status of a command that could not be run (err from launch__check or the exec): 127 or 126, as sh. */
int launch__cannot_run_status(int err);
/* Forks a child that waits, then execs argv. 0, or -1 with errno. */
int launch__held(struct tt_launch *l, char *const argv[]);
/*
 * Lets the held child exec, and waits for the exec: 0 when the command runs,
 * the errno of a failed exec, or -1 when the child could not be told.
 */
int launch__release(struct tt_launch *l);
/* Ends a child that was never released. */
void launch__abort(struct tt_launch *l);
/* Turns a wait status into a shell-style exit code (128+N for signal N). */
int launch__exit_code(int status);

#endif
