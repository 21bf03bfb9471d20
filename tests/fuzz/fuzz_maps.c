/*
 * Fuzz target: the line parsers of untrusted text files, user/procfs.c (procfs__parse_maps_line:
 * /proc/PID/maps) and user/perfmap.c (perfmap__parse_line: /tmp/perf-PID.map, which any user can
 * write), and perfmap__load + perfmap__resolve on the input as a whole perf map file.
 *
 * Input: one line (cut at its first NUL; a heap copy of exactly its bytes and the NUL, so an
 * over-read is an ASan error); for the file, the raw input.
 * Checks, beyond ASan/UBSan:
 *   - procfs__parse_maps_line: on success the path fits, holds no '\n' and is text of the line;
 *     with a 16-byte buffer it is the start of the 4096-byte result;
 *   - perfmap__parse_line: on success size != 0, start/size are the line's hex numbers, the name
 *     is not empty, holds no '\r' or '\n' and is text of the line;
 *   - perfmap__resolve: every entry's start resolves (offset 0) when each line parses alone.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfmap.h"
#include "procfs.h"
#include "fuzz_common.h"

#define PATH_LEN 4096
#define NAME_LEN 512 /* what perfmap__load gives it */

static char perf_path[64];

static void remove_perf_map(void)
{
	unlink(perf_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* perfmap__load reads /tmp/perf-PID.map: ours, by our pid */
	snprintf(perf_path, sizeof(perf_path), "/tmp/perf-%d.map", (int)getpid());
	atexit(remove_perf_map);
	return 0;
}

static void check_maps_line(const char *line)
{
	char *path = malloc(PATH_LEN), *small = malloc(16);

	FUZZ_CHECK(path && small);
	if (!procfs__parse_maps_line(line, path, PATH_LEN)) {
		size_t len = strnlen(path, PATH_LEN);

		FUZZ_CHECK(len < PATH_LEN);
		FUZZ_CHECK(!strchr(path, '\n'));
		FUZZ_CHECK(strstr(line, path));
		FUZZ_CHECK(!procfs__parse_maps_line(line, small, 16));
		FUZZ_CHECK(strnlen(small, 16) < 16 && !strncmp(small, path, strlen(small)));
	} else {
		FUZZ_CHECK(procfs__parse_maps_line(line, small, 16));
	}
	free(path);
	free(small);
}

static void check_perfmap_line(const char *line)
{
	char *name = malloc(NAME_LEN);
	unsigned long start = 1, size = 1;

	FUZZ_CHECK(name);
	if (!perfmap__parse_line(line, &start, &size, name, NAME_LEN)) {
		char *end;

		FUZZ_CHECK(size != 0);
		FUZZ_CHECK(start == strtoul(line, &end, 16));
		FUZZ_CHECK(size == strtoul(end + 1, NULL, 16));
		FUZZ_CHECK(name[0] && strnlen(name, NAME_LEN) < NAME_LEN);
		FUZZ_CHECK(!strpbrk(name, "\r\n"));
		FUZZ_CHECK(strstr(line, name));
	}
	free(name);
}

/* The input as a perf map file; its entries' starts must resolve. */
static void check_perfmap_file(const uint8_t *data, size_t size)
{
	struct perfmap *m;
	bool simple = !memchr(data, '\0', size);
	unsigned long starts[64];
	size_t nstarts = 0;
	int fd = open(perf_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);

	/* the lines as perfmap__load's fgets sees them, when each fits its 1024-byte buffer */
	for (size_t off = 0; simple && off < size && nstarts < 64;) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data) - off + 1 : size - off;
		char line[1024], name[NAME_LEN];
		unsigned long start, sz;

		if (len >= sizeof(line) - 1) {
			simple = false;
			break;
		}
		memcpy(line, data + off, len);
		line[len] = '\0';
		if (!perfmap__parse_line(line, &start, &sz, name, sizeof(name)))
			starts[nstarts++] = start;
		off += len;
	}

	m = perfmap__load(getpid());
	FUZZ_CHECK(m); /* the file is there */
	for (size_t i = 0; simple && i < nstarts; i++) {
		unsigned long offset = 1;

		FUZZ_CHECK(perfmap__resolve(m, starts[i], &offset));
		FUZZ_CHECK(offset == 0);
	}
	/* any address: a name comes with an offset inside it */
	for (size_t i = 0; i + sizeof(unsigned long) <= size && i < 64; i += sizeof(unsigned long)) {
		unsigned long addr, offset = 0;
		const char *name;

		memcpy(&addr, data + i, sizeof(addr));
		name = perfmap__resolve(m, addr, &offset);
		FUZZ_CHECK(!name || (offset <= addr && name[0]));
	}
	perfmap__free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	size_t len;

	FUZZ_CHECK(line);
	memcpy(line, data, size);
	line[size] = '\0';
	len = strlen(line);
	line = realloc(line, len + 1); /* exactly the string: no slack to hide an over-read */
	FUZZ_CHECK(line);

	check_maps_line(line);
	check_perfmap_line(line);
	free(line);
	if (size <= 64 * 1024)
		check_perfmap_file(data, size);
	return 0;
}
