/*
 * Reading another process's memory for the CPython reader: bounded, and every
 * address treated as untrusted (a NULL, tiny, non-canonical or wrapping
 * address fails before any system call).
 */
#ifndef TT_PYMEM_H
#define TT_PYMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The largest single read: a bigger request is refused (-E2BIG), never trimmed. */
#define PYMEM_MAX_READ (1u << 20)

struct pymem {
	pid_t pid;
	int fd;       /* /proc/PID/mem once process_vm_readv is refused, else -1 */
	int use_fd;   /* 1 after process_vm_readv failed with ENOSYS/EPERM */
};

/* Prepares reads of pid's memory; opens nothing yet. */
void pymem__init(struct pymem *m, pid_t pid);
void pymem__close(struct pymem *m);

/* Reads exactly len bytes at addr: 0, or -EFAULT (unmapped or partly mapped), -E2BIG, -errno. */
int pymem__read(struct pymem *m, uint64_t addr, void *buf, size_t len);

/* One pointer-sized (8-byte) word at addr. */
int pymem__read_u64(struct pymem *m, uint64_t addr, uint64_t *out);

#endif
