/*
 * Where a function starts and ends in an ELF file without symbols: its FDE in
 * the call-frame information every x86-64 binary keeps for unwinding, found
 * through .eh_frame_hdr's sorted search table (PT_GNU_EH_FRAME), so a stripped
 * file will do. The file is untrusted input: every size and pointer in it is
 * checked against the file before use.
 */
#ifndef TT_EHFRAME_H
#define TT_EHFRAME_H

#include <stdint.h>

/*
 * The extent [*start, *end) (link-time addresses) of the function whose FDE
 * covers vaddr, a link-time address in an executable segment of the ELF file
 * at path (opened like elfsym__open: never blocking, regular files only).
 * Supported: the table GCC and ld emit (version 1, eh_frame_ptr pcrel|sdata4,
 * fde_count udata4, table datarel|sdata4) and FDE pointers absolute or
 * pc-relative, 2/4/8 bytes. Returns 0; -ENOENT when no FDE covers vaddr or the
 * file has no table; -ENOTSUP for an encoding outside that set; -EINVAL for a
 * malformed table or entry; or another -errno (the file could not be opened).
 */
int ehframe__func_range(const char *path, uint64_t vaddr, uint64_t *start, uint64_t *end);

#endif
