/* Where glibc's join functions meet: one uprobe there sees every pthread join. */
#ifndef TT_JOINCORE_H
#define TT_JOINCORE_H

#include <stddef.h>

/*
 * The file offset of the internal function that pthread_join, pthread_timedjoin_np,
 * pthread_clockjoin_np and pthread_tryjoin_np all jump to (glibc 2.34+:
 * __pthread_clockjoin_ex), in the libc at path. Found as the one jmp target the four
 * share, so no symbol table or glibc version is needed. 0, or -ENOENT when they share
 * none (another libc), or another -errno.
 */
int joincore__offset(const char *path, size_t *offset);

#endif
