/*
 * Fuzz target: user/elfsym.c (elfsym__func_offset), which threadtrace runs on the target's libc and
 * python binaries: files a traced program can choose.
 *
 * Input: a whole file. It is written to one temporary file (mkstemp in LLVMFuzzerInitialize,
 * unlinked at exit) and searched for "pthread_join" and "main".
 * Checks, beyond ASan/UBSan (libelf itself is not instrumented: its own bugs show as SEGV in
 * libelf.so frames): the result is 0, -ENOENT or another -errno; a found offset repeats when
 * asked again (no state kept between calls).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);
	lookup("pthread_join");
	lookup("main");
	return 0;
}
