/*
 * The interpreter's file and load address. Our own small ELF lookup: elfsym.c
 * finds functions and answers file offsets (for uprobes); this needs data
 * objects and virtual addresses.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pyfind.h"
#include "elfsym.h"

int pyfind__elf(const char *path, uint64_t *runtime, uint64_t *version, int *type, uint64_t *first_vaddr)
{
	GElf_Ehdr eh;
	size_t nph;
	int fd, err = 0;
	Elf *elf;

	*runtime = *version = *first_vaddr = 0;
	elf = elfsym__open(path, &fd); /* a file the target chose: never blocking, regular only */
	if (!elf)
		return fd;
	if (!gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &nph)) {
		err = -ENOEXEC;
		goto out;
	}
	*type = eh.e_type;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && ph.p_offset == 0) {
			*first_vaddr = ph.p_vaddr;
			break;
		}
	}
	if (!elfsym__find(elf, "_PyRuntime", STT_OBJECT, runtime))
		elfsym__find(elf, "Py_Version", STT_OBJECT, version); /* 3.11+ */
out:
	elfsym__close(elf, fd);
	return err;
}

/* "python3.11", "libpython3.12.so.1.0", "python3.10d" -> the minor, else -1 */
static int minor_from_name(const char *base)
{
	const char *p = strstr(base, "python3.");
	char *end;
	long minor;

	if (!p)
		return -1;
	minor = strtol(p + 8, &end, 10);
	return end != p + 8 && minor >= 0 && minor < 100 ? (int)minor : -1;
}

/* Interpreter candidates: the executable, and any file whose name says python. */
static int candidate(const char *path, const char *exe)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strcmp(path, exe) || !strncmp(base, "libpython", 9) || !strncmp(base, "python", 6);
}

/* Opens the mapped file through map_files (right across mount namespaces and for deleted files). */
static int check_file(pid_t pid, unsigned long start, unsigned long end, const char *path, struct pyfind *out)
{
	char via[PATH_MAX];
	uint64_t runtime, version, first;
	int type = 0, err;

	snprintf(via, sizeof(via), "/proc/%d/map_files/%lx-%lx", (int)pid, start, end);
	err = pyfind__elf(via, &runtime, &version, &type, &first);
	if (err) {
		snprintf(via, sizeof(via), "/proc/%d/root%s", (int)pid, path);
		err = pyfind__elf(via, &runtime, &version, &type, &first);
	}
	if (err || !runtime)
		return -ENOENT;
	snprintf(out->path, sizeof(out->path), "%s", path);
	out->map_start = start;
	out->map_end = end;
	out->bias = type == ET_DYN ? start - (first & ~0xfffull) : 0;
	out->runtime = runtime + out->bias;
	out->version = version ? version + out->bias : 0;
	out->minor_guess = minor_from_name(strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	return 0;
}

int pyfind__interpreter(pid_t pid, struct pyfind *out)
{
	char maps[64], exe_link[64], exe[PATH_MAX], line[PATH_MAX + 256];
	int err = -ENOENT, lines = 0;
	ssize_t n;
	FILE *f;

	snprintf(exe_link, sizeof(exe_link), "/proc/%d/exe", (int)pid);
	n = readlink(exe_link, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	while (err && lines++ < 100000 && fgets(line, sizeof(line), f)) {
		unsigned long start, end, off;
		char path[PATH_MAX];
		int pos = 0;

		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s%n", &start, &end, &off, &pos) < 3 || !pos)
			continue;
		if (sscanf(line + pos, " %4095[^\n]", path) != 1 || path[0] != '/' || off != 0)
			continue;
		if (strlen(path) > 10 && !strcmp(path + strlen(path) - 10, " (deleted)"))
			path[strlen(path) - 10] = '\0';
		if (candidate(path, exe))
			err = check_file(pid, start, end, path, out);
	}
	fclose(f);
	return err;
}
