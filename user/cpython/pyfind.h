/*
 * Finding a CPython interpreter in a process: the ELF file (executable or
 * libpython) whose dynamic symbols hold `_PyRuntime`, where it is loaded, and
 * the addresses of `_PyRuntime` and `Py_Version` in the process.
 */
#ifndef TT_PYFIND_H
#define TT_PYFIND_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

struct pyfind {
	char path[PATH_MAX];   /* the file as /proc/PID/maps names it */
	uint64_t bias;         /* load bias: 0 for a non-PIE executable */
	uint64_t map_start, map_end; /* its offset-0 mapping (for /proc/PID/map_files) */
	uint64_t runtime;      /* &_PyRuntime in the process */
	uint64_t version;      /* &Py_Version in the process, 0 before 3.11 (no such symbol) */
	int minor_guess;       /* "3.N" from the file name (python3.10, libpython3.12.so), or -1 */
};

/* 0, -ENOENT when no mapped file defines _PyRuntime, or another -errno. */
int pyfind__interpreter(pid_t pid, struct pyfind *out);

/*
 * The values (link-time addresses) of the defined data symbols _PyRuntime and
 * Py_Version in an ELF file (.dynsym, then .symtab), its type (ET_EXEC/ET_DYN)
 * and the vaddr of its offset-0 PT_LOAD. Absent symbols are 0. 0 or -errno.
 */
int pyfind__elf(const char *path, uint64_t *runtime, uint64_t *version, int *type, uint64_t *first_vaddr);

#endif
