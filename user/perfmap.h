/* /tmp/perf-PID.map: symbols a JIT (or Python 3.12+ with -X perf) writes for its code. */
#ifndef TT_PERFMAP_H
#define TT_PERFMAP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Bytes of one perf map read at most (a JIT's map of 1,000,000 entries is about 60 MB). */
#define PERFMAP_MAX_BYTES (64ul << 20)

struct perfmap;

/*
 * Opens /tmp/perf-PID.map to read: never through a symbolic link, never blocking, only a
 * regular file owned by root or by the user owning /proc/PID (or noted owning it while the
 * process lived: perfmap__note_owner). The fd, or -errno (-EPERM:
 * refused). st: the opened file.
 */
int perfmap_open(pid_t pid, struct stat *st);
/* Notes the user owning /proc/PID now: its perf map is still checked against it once it ended. */
void perfmap__note_owner(pid_t pid);
/*
 * Reads /tmp/perf-PID.map if there is one and perfmap_open accepts it: its first
 * PERFMAP_MAX_BYTES, at most 1,048,576 entries, lines up to 1023 bytes (longer ones are
 * skipped). NULL when none, refused, on error, or when a signal came while reading.
 */
struct perfmap *perfmap__load(pid_t pid);
/* Loads give up when *counter changes while they read (the signal handler counts signals). */
void perfmap__set_stop(const volatile sig_atomic_t *counter);
/*
 * perfmap__load through a cache: a file is read again only when its identity (device,
 * inode, size, mtime, as lstat sees it) changed; a refused, failed or interrupted load is
 * remembered likewise. The map stays owned by the cache (perfmap__cache_free).
 */
const struct perfmap *perfmap__get(pid_t pid);
void perfmap__cache_free(void);
void perfmap__free(struct perfmap *m);
/* The name of the code at addr and the offset into it; NULL when not in the map. */
const char *perfmap__resolve(const struct perfmap *m, unsigned long addr, unsigned long *offset);
/* Parses one "START SIZE NAME" line (hex numbers); 0 or -1. */
int perfmap__parse_line(const char *line, unsigned long *start, unsigned long *size, char *name, size_t len);

#endif
