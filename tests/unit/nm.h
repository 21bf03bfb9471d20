/* The oracle of the symbol tests: what nm(1) says a symbol's value is. */
#ifndef TT_TEST_NM_H
#define TT_TEST_NM_H

#include <stdio.h>
#include <string.h>

/*
 * The value nm_command (an nm command line) lists for name, the first one
 * (a versioned name such as pthread_join@@GLIBC_2.34 counts as name).
 * Returns 0, or -1 when it is not listed.
 */
static inline int nm_value_of(const char *nm_command, const char *name, unsigned long long *value)
{
	char line[1024];
	int found = -1;
	FILE *p;

	fflush(stdout);
	p = popen(nm_command, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long v;
		char type, sym[512];

		if (sscanf(line, "%llx %c %511s", &v, &type, sym) != 3)
			continue;
		sym[strcspn(sym, "@")] = '\0';
		if (!strcmp(sym, name) && found) {
			*value = v;
			found = 0;
		}
	}
	pclose(p);
	return found;
}

/*
 * The value and size `nm -S` lists for name (nm_command includes -S), the first one with a
 * size. Returns 0, or -1 when it is not listed with one.
 */
static inline int nm_sized_of(const char *nm_command, const char *name, unsigned long long *value,
			      unsigned long long *size)
{
	char line[1024];
	int found = -1;
	FILE *p;

	fflush(stdout);
	p = popen(nm_command, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long v, s;
		char type, sym[512];

		if (sscanf(line, "%llx %llx %c %511s", &v, &s, &type, sym) != 4)
			continue;
		sym[strcspn(sym, "@")] = '\0';
		if (!strcmp(sym, name) && found) {
			*value = v;
			*size = s;
			found = 0;
		}
	}
	pclose(p);
	return found;
}

/*
 * The path of elf_path's separate debug file, by its build id (/usr/lib/debug/.build-id/xx/
 * rest.debug: libc6-dbg's, installed by scripts/install-deps.sh). 0, or -1 without a build id.
 */
static inline int debug_file_of(const char *elf_path, char *buf, size_t len)
{
	char cmd[512], line[1024], id[128] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf -n %s 2>/dev/null", elf_path);
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, " Build ID: %127s", id) == 1)
			break;
	pclose(p);
	if (strlen(id) < 3)
		return -1;
	snprintf(buf, len, "/usr/lib/debug/.build-id/%.2s/%s.debug", id, id + 2);
	return 0;
}

#endif
