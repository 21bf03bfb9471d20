/* Names for user-space addresses of a process (futex words, locks): ELF symbols or regions. */
#ifndef TT_SYMS_H
#define TT_SYMS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * One process's mappings (from /proc/PID/maps) plus a cache of the sorted
 * symbol table of each mapped ELF file (keyed by path, device and inode),
 * loaded on the first address that falls in that file. Not thread-safe.
 *
 * Symbols come from .symtab and .dynsym (both are read and merged); a symbol
 * names an address when it lies in [st_value, st_value + st_size), or equals
 * st_value for a size-0 STT_OBJECT. Among several such symbols the winner is:
 * a sized one over a size-0 one, an OBJECT over other types, then the smallest, then GLOBAL over WEAK over
 * LOCAL, then a name without '@', then fewer leading '_', then strcmp order.
 *
 * Load bias: (start of the file's mapping with file offset 0) - (p_vaddr of
 * its first PT_LOAD, rounded down to the page size); a symbol address is
 * addr - bias. That serves PIE, shared objects and non-PIE executables
 * (bias 0). An anonymous mapping that starts exactly where a file's mapping
 * (or such an anonymous continuation) ends belongs to that file while
 * addr - bias stays below the end of its highest PT_LOAD (p_vaddr + p_memsz):
 * that is the rest of the file's .bss.
 *
 * Files are opened through /proc/PID/map_files/START-END (the mapped inode
 * itself, also when deleted; needs CAP_SYS_ADMIN), else /proc/PID/root/PATH
 * (the target's mount namespace), else PATH. Only regular files are opened.
 * Untrusted files are bounds-checked: a truncated or garbage file gives no
 * symbols. At most 2,000,000 symbols per file; names are truncated to 127
 * bytes and file paths to 255.
 *
 * The tables are shared by every struct syms: one per device and inode, however many
 * names (hard links) or processes map the file. All of them together keep within one
 * memory budget (syms_budget()): a file whose table does not fit gets none, and its
 * addresses are named by region ("file"); syms__usage counts such files.
 */
struct syms;

/* Bytes all symbol tables may keep, unless THREADTRACE_SYMBOL_MB (MiB, 1..1048576) says otherwise. */
#define SYMS_BUDGET_DEFAULT (256ul << 20)

struct syms_usage {
	size_t budget;  /* bytes all tables may keep */
	size_t used;    /* bytes they keep now */
	size_t tables;  /* files whose table was loaded */
	size_t refused; /* files whose table did not fit: named by region */
};

/* The budget: SYMS_BUDGET_DEFAULT, THREADTRACE_SYMBOL_MB (read once), or syms__set_budget's. */
size_t syms_budget(void);
/* Sets the budget in bytes for tables loaded from now on (0: back to the default or environment). */
void syms__set_budget(size_t bytes);
void syms__usage(struct syms_usage *u);

struct sym_info {
	char name[128];       /* symbol name, raw bytes from the target's file; "" unless region "sym" */
	unsigned long offset; /* "sym": addr - symbol; "file": offset in the file (see below) */
	char file[256];       /* path of the mapped file as /proc/PID/maps shows it, or "" */
	/*
	 * "sym"     in a symbol of file
	 * "file"    in a file mapping (or its .bss continuation), no symbol there
	 * "heap"    [heap]
	 * "stack"   [stack] or [stack:TID] (thread stacks are anonymous: "anon")
	 * "anon"    anonymous memory, shared anonymous memory (/dev/zero), and
	 *           other kernel pseudo-mappings ([vdso], [anon:NAME], ...)
	 * "unknown" no mapping contains the address
	 */
	const char *region;
};

/* Reads /proc/PID/maps now; NULL on error (errno set). */
struct syms *syms__new(pid_t pid);
/* Frees s and its symbol caches; NULL is fine. */
void syms__free(struct syms *s);
/*
 * Re-reads /proc/PID/maps; symbol caches of files are kept. When the process
 * is gone (or its maps read empty, as for a zombie) returns -1 and keeps the
 * old mappings unchanged; 0 otherwise.
 */
int syms__refresh(struct syms *s);
/* Fills out for addr; returns 0 (-1 only when s or out is NULL: out, if any, says "unknown"). */
int syms__resolve(struct syms *s, unsigned long addr, struct sym_info *out);
/*
 * Names a return address (a stack frame's, all but the innermost): the
 * instruction before it, ret - 1, is the call, and that one is in the caller.
 * ret itself may lie past the caller's end: a call that is a function's last
 * instruction (a noreturn callee) returns to the next function's first byte,
 * which syms__resolve would name "next+0x0". offset still counts to ret (the
 * return address, as gdb and perf show it): for "sym", ret - symbol, so it
 * may equal the caller's size; for "file", ret's file offset. 0 or -1 as
 * syms__resolve; ret 0 is no address ("unknown").
 */
int syms__resolve_return(struct syms *s, unsigned long ret, struct sym_info *out);
/*
 * Formats si into buf (always NUL-terminated when len > 0, truncated to fit):
 *   "sym"      NAME+0xOFF               e.g. "big_lock+0x0", "_PyRuntime+0x1b8"
 *   "file"     [BASENAME+0xFILEOFFSET]  e.g. "[libfoo.so+0x1234]"; FILEOFFSET is the
 *              mapping's file offset + (addr - mapping start); in a .bss continuation
 *              it counts on from the file mapping before it (past the file's end)
 *   others     [heap] [stack] [anon] [unknown]
 * C++ and Rust symbol names are demangled (demangle.c); names and paths are otherwise left raw
 * (they come from the target): callers escape.
 */
void syms__format_info(const struct sym_info *si, char *buf, size_t len);

#endif
