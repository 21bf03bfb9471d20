/* Opening files a traced process chose (its mappings, its perf map) without trusting them. */
#ifndef TT_SAFEOPEN_H
#define TT_SAFEOPEN_H

#include <sys/stat.h>

/*
 * Opens path read-only without blocking (a FIFO opens at once) and keeps it only when it
 * is a regular file: never a FIFO, device or socket. flags: more open flags (O_NOFOLLOW).
 * The fd, or -errno (-EINVAL: not a regular file). st (may be NULL): the opened file.
 */
int safeopen__regular(const char *path, int flags, struct stat *st);

#endif
