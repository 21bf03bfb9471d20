/*
 * Fuzz target: user/elfsym.c (elfsym__func_offset) and user/ehframe.c (ehframe__func_range), which
 * threadtrace runs on the target's libc and python binaries: files a traced program can choose.
 *
 * Input: a whole file. It is written to one temporary file (mkstemp in LLVMFuzzerInitialize,
 * unlinked at exit), searched for "pthread_join" and "main", and its unwind tables asked for the
 * function at its entry point and at a few fixed addresses.
 * Checks, beyond ASan/UBSan (libelf itself is not instrumented: its own bugs show as SEGV in
 * libelf.so frames): the result is 0, -ENOENT or another -errno; a found offset repeats when
 * asked again (no state kept between calls); a found range holds the address asked, and its
 * start gives the same range.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ehframe.h"
#include "elfsym.h"
#include "fuzz_common.h"

static char path[] = "/tmp/tt-fuzz-elf-XXXXXX";

static void remove_file(void)
{
	unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = mkstemp(path);

	(void)argc;
	(void)argv;
	if (fd < 0) {
		perror("fuzz_elf: mkstemp");
		exit(1);
	}
	close(fd);
	atexit(remove_file);
	return 0;
}

static void lookup(const char *name)
{
	size_t off = (size_t)-1, again = (size_t)-2;
	int err = elfsym__func_offset(path, name, &off);

	FUZZ_CHECK(err <= 0 && err > -4096);
	if (err)
		return;
	/* found: the same again (and set: the two calls start from different values) */
	FUZZ_CHECK(!elfsym__func_offset(path, name, &again) && again == off);
}

static void range_at(uint64_t vaddr)
{
	uint64_t start = 0, end = 0, s2 = 1, e2 = 1;
	int err = ehframe__func_range(path, vaddr, &start, &end);

	FUZZ_CHECK(err <= 0 && err > -4096);
	if (err)
		return;
	FUZZ_CHECK(start <= vaddr && vaddr < end);
	err = ehframe__func_range(path, start, &s2, &e2);
	FUZZ_CHECK(err <= 0 && err > -4096);
	/* the same table entry, unless a damaged (unsorted) table sends the search elsewhere */
	FUZZ_CHECK(err || (s2 <= start && start < e2));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t entry = 0;

	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);
	lookup("pthread_join");
	lookup("main");
	if (size >= 32)
		memcpy(&entry, data + 24, 8); /* e_entry of a 64-bit ELF header */
	range_at(entry);
	range_at(entry + 16);
	range_at(0x1000);
	range_at(0x401000);
	return 0;
}
