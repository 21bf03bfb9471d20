/* The platform assumptions of bpf/platform.h that can be checked at start-up (docs/platform.md). */
#ifndef TT_PLATCHECK_H
#define TT_PLATCHECK_H

#include <stddef.h>

/*
 * Whether machine (NULL: this one's, from uname) is the one threadtrace's
 * numbers and registers are for. 0, or -1 with why filled in.
 */
int platcheck__machine(const char *machine, char *why, size_t len);

/*
 * Whether this process's glibc keeps a locked mutex's owner and a semaphore's
 * value where the kernel side reads them (the target's libc is most often this
 * one). 0, or -1 with why filled in: lock kinds and owners would be wrong.
 */
int platcheck__libc(char *why, size_t len);

#endif
