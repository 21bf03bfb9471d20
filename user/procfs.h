/* What /proc says about the target: its threads, their state, its mappings. */
#ifndef TT_PROCFS_H
#define TT_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Calls fn for each thread in /proc/PID/task with its comm. Returns the count, or -1. */
int procfs__threads(pid_t pid, void (*fn)(pid_t tid, const char *comm, void *ctx), void *ctx);

/*
 * The thread of process pid whose tid in the process's own PID namespace is
 * own_tid (what its libc writes in futex words), as /proc numbers it: own_tid
 * itself when both number alike (no namespace between), 0 if none.
 */
pid_t procfs__tid_of_own(pid_t pid, pid_t own_tid);

/* A thread's scheduler state letter and CPU time (user+system) in clock ticks. 0 or -1. */
int procfs__thread_stat(pid_t pid, pid_t tid, char *state, unsigned long long *ticks);

/*
 * The system call a thread is blocked in (/proc/PID/task/TID/syscall): its
 * number and first 6 arguments. -1 if it runs, is in none, or is gone.
 */
int procfs__thread_syscall(pid_t pid, pid_t tid, long *nr, unsigned long long args[6]);

/* The user stack pointer of a thread blocked in a system call (the same file's SP). 0 or -1. */
int procfs__thread_user_sp(pid_t pid, pid_t tid, unsigned long long *sp);

/* A thread's time on a CPU so far, in ns (/proc/PID/task/TID/schedstat). 0 or -1. */
int procfs__thread_runtime(pid_t pid, pid_t tid, unsigned long long *ns);

/* Whether the process still runs: false once it is gone or a zombie. */
bool procfs__process_running(pid_t pid);

/* Whether pid names a thread-group leader (a process), and not a kernel thread. */
int procfs__check_process(pid_t pid, pid_t *tgid, bool *kernel_thread);

/*
 * The first mapped file whose base name starts with one of the prefixes and that can be
 * reached safely; 0 or -1. path: /proc/PID/map_files/START-END (that very inode), else (no
 * CAP_SYS_ADMIN) the file's name when it is a regular file, no symbolic link, with the
 * mapping's device and inode. Mappings whose name now leads elsewhere (a FIFO, a link, a
 * file put in the place of a deleted one) are skipped.
 */
int procfs__find_mapping(pid_t pid, const char *const *prefixes, char *path, size_t len);

/* The executable file mappings [start, end) of a process, at most max; the count or -1. */
int procfs__exec_ranges(pid_t pid, unsigned long (*ranges)[2], size_t max);

/* Parses one /proc/PID/maps line's path into path (empty if anonymous); 0 or -1. */
int procfs__parse_maps_line(const char *line, char *path, size_t len);

#endif
