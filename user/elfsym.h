/* Symbols of ELF files on disk (libelf): where a function lives in its file. */
#ifndef TT_ELFSYM_H
#define TT_ELFSYM_H

#include <stddef.h>
#include <stdint.h>
#include <libelf.h>

/*
 * Opens the ELF file at path for reading: a file a traced process chose, so never blocking
 * on a FIFO and only a regular file. The Elf (end it with elfsym__close(elf, *fd)), or NULL
 * with *fd = -errno (-ENOEXEC: no ELF file).
 */
Elf *elfsym__open(const char *path, int *fd);
void elfsym__close(Elf *elf, int fd);

/*
 * The value (address) of symbol `name` of ELF type `type` (STT_FUNC, STT_OBJECT) that elf
 * defines: .dynsym first (stripped files keep it), then .symtab. 0, or -ENOENT.
 */
int elfsym__find(Elf *elf, const char *name, int type, uint64_t *value);

/*
 * The file offset of function `name` in the ELF file at path, as uprobes want
 * it. Versioned duplicates (pthread_join@GLIBC_2.2.5 and @@GLIBC_2.34) at one
 * address count as one. Returns 0, -ENOENT when absent, or another -errno.
 */
int elfsym__func_offset(const char *path, const char *name, size_t *offset);

/*
 * Calls fn for each defined function symbol of elf (.dynsym, then .symtab: a function in both
 * comes twice) with its name and value, until fn returns non-zero: that value, else 0.
 */
int elfsym__each_func(Elf *elf, int (*fn)(const char *name, uint64_t value, void *ctx), void *ctx);

/* The file offset of virtual address vaddr (in an executable segment): 0, or -ENOENT. */
int elfsym__offset(Elf *elf, uint64_t vaddr, size_t *offset);

#endif
