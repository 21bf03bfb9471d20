/* threadtrace's PID namespace, and the host tgid of a target numbered in it (bpf/pidns.bpf.h). */
#ifndef TT_PIDNS_H
#define TT_PIDNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tt_pidns {
	uint32_t level;    /* 0: the host's (initial) namespace, nothing to translate */
	uint32_t inum;     /* its inode (/proc/self/ns/pid) */
	pid_t host_tgid;   /* the target as the kernel's filter knows it */
};

/*
 * Where threadtrace runs, and which host tgid is the process tgid there. On
 * the host no BPF is loaded (level 0, host_tgid = tgid); in a namespace a
 * BPF task iterator finds them. 0, or -errno with a reason in why.
 */
int pidns__resolve(pid_t tgid, struct tt_pidns *out, char *why, size_t len);

#endif
