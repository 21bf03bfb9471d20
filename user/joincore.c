/*
 * glibc 2.36's join functions are thin: each sets the clock, timeout and blocking
 * arguments and jumps (0xe9 rel32) to __pthread_clockjoin_ex, whose first instruction is a
 * push the kernel emulates: a uprobe there costs no single-step trap (see bpf/join.bpf.c).
 * The function is not exported; the four jumps give it away. (x86-64 and glibc
 * assumptions: bpf/platform.h, docs/platform.md.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "elfsym.h"
#include "joincore.h"
#include "platform.h"
#include "safeopen.h"

#define SCAN_BYTES TT_JOIN_SCAN_BYTES /* the thin wrappers jump within their first few instructions */
#define MAX_TARGETS 8

/* The targets of every jump opcode byte (0xe9) in the first SCAN_BYTES of the function at off. */
static size_t jump_targets(int fd, size_t off, size_t *targets)
{
	unsigned char b[SCAN_BYTES];
	ssize_t len = pread(fd, b, sizeof(b), (off_t)off);
	size_t n = 0;

	for (ssize_t p = 0; p + 5 <= len && n < MAX_TARGETS; p++) {
		int32_t rel;

		if (b[p] != TT_JMP_REL32)
			continue;
		memcpy(&rel, b + p + 1, sizeof(rel));
		targets[n++] = off + (size_t)p + 5 + (size_t)(int64_t)rel;
	}
	return n;
}

int joincore__offset(const char *path, size_t *offset)
{
	static const char *const funcs[] = { "pthread_join", "pthread_timedjoin_np", "pthread_clockjoin_np",
					     "pthread_tryjoin_np" };
	size_t common[MAX_TARGETS], ncommon = 0;
	int fd, err = 0;

	fd = safeopen__regular(path, 0, NULL); /* never a FIFO or device a target put there */
	if (fd < 0)
		return fd;
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]) && !err; i++) {
		size_t off, targets[MAX_TARGETS], n, kept = 0;

		err = elfsym__func_offset(path, funcs[i], &off);
		if (err)
			break;
		n = jump_targets(fd, off, targets);
		if (i == 0) {
			memcpy(common, targets, n * sizeof(*targets));
			ncommon = n;
			continue;
		}
		/* keep the candidates this function jumps to as well */
		for (size_t c = 0; c < ncommon; c++)
			for (size_t t = 0; t < n; t++)
				if (common[c] == targets[t]) {
					common[kept++] = common[c];
					break;
				}
		ncommon = kept;
	}
	close(fd);
	if (err)
		return err;
	if (ncommon != 1)
		return -ENOENT;
	*offset = common[0];
	return 0;
}
