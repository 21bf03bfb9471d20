/* /tmp/perf-PID.map: symbols a JIT (or Python 3.12+ with -X perf) writes for its code. */
#ifndef TT_PERFMAP_H
#define TT_PERFMAP_H

#include <stddef.h>
#include <sys/types.h>

struct perfmap;

/* Reads /tmp/perf-PID.map if there is one (NULL when none or on error). */
struct perfmap *perfmap__load(pid_t pid);
void perfmap__free(struct perfmap *m);
/* The name of the code at addr and the offset into it; NULL when not in the map. */
const char *perfmap__resolve(const struct perfmap *m, unsigned long addr, unsigned long *offset);
/* Parses one "START SIZE NAME" line (hex numbers); 0 or -1. */
int perfmap_parse_line(const char *line, unsigned long *start, unsigned long *size, char *name, size_t len);

#endif
