/* uprobe_multi links (Linux 6.6+): many uprobes in one link, detached with one RCU wait. */
#ifndef TT_UPROBE_MULTI_H
#define TT_UPROBE_MULTI_H

#include <stdbool.h>
#include <stddef.h>

/* Whether this kernel has uprobe_multi links (asked with a trivial program, about 0.1 ms). */
bool uprobe_multi__supported(void);
/* BPF_TRACE_UPROBE_MULTI: the expected attach type to load programs with. */
#define TT_ATTACH_UPROBE_MULTI 48
/* Attaches prog_fd at n offsets of the file at path (all processes). A link fd, or -errno. */
int uprobe_multi__attach(int prog_fd, const char *path, const unsigned long *offsets, size_t n, bool retprobe);

#endif
