/* Symbols of ELF files on disk (libelf): where a function lives in its file. */
#ifndef TT_ELFSYM_H
#define TT_ELFSYM_H

#include <stddef.h>

/*
 * The file offset of function `name` in the ELF file at path, as uprobes want
 * it. Versioned duplicates (pthread_join@GLIBC_2.2.5 and @@GLIBC_2.34) at one
 * address count as one. Returns 0, -ENOENT when absent, or another -errno.
 */
int elfsym__func_offset(const char *path, const char *name, size_t *offset);

#endif
