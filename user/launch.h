/* Starting COMMAND held before its exec, so the probes are attached before its first instruction. */
#ifndef TT_LAUNCH_H
#define TT_LAUNCH_H

#include <sys/types.h>

/* Forks a child that waits, then execs argv. Returns the child's pid (and *go_fd), or -1. */
pid_t launch__held(char *const argv[], int *go_fd);
/* Lets the held child exec. 0 or -1. */
int launch__release(int go_fd);
/* Ends a child that was never released. */
void launch__abort(pid_t pid, int go_fd);
/* Turns a wait status into a shell-style exit code (128+N for signal N). */
int launch__exit_code(int status);

#endif
