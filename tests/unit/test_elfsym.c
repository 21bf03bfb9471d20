/* Unit tests for user/elfsym.c: elfsym__func_offset, checked against nm and /proc/self/maps. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "nm.h"
#include "elfsym.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

/*
 * The oracle: the value `nm -D --defined-only` shows for name in path
 * (versioned names such as pthread_join@@GLIBC_2.34 count as name). In libc,
 * the executable segment's vaddr equals its file offset, so this value is
 * the file offset. Returns 0, or -1 when nm does not list it.
 */
static int nm_value(const char *path, const char *name, unsigned long long *value)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "nm -D --defined-only '%s' 2>/dev/null", path);
	return nm_value_of(cmd, name, value);
}

/* Checks elfsym__func_offset(path, name) against nm; returns the offset found. */
#define CHECK_LIKE_NM(path, name) check_like_nm(__FILE__, __LINE__, path, name)
static void check_like_nm(const char *file, int line, const char *path, const char *name)
{
	unsigned long long want;
	size_t off = 0;
	int err;

	if (nm_value(path, name, &want)) {
		check_fail(file, line, "oracle: nm -D does not list %s in %s", name, path);
		return;
	}
	err = elfsym__func_offset(path, name, &off);
	if (err)
		check_fail(file, line, "elfsym__func_offset(%s, %s) = %d, expected 0", path, name, err);
	else if (off != want)
		check_fail(file, line, "elfsym__func_offset(%s, %s): offset 0x%zx, nm says 0x%llx", path,
			   name, off, want);
}

TEST(libc_pthread_join_matches_nm)
{
	unsigned long long want = 0;
	size_t off = 0;

	CHECK_EQ_INT(access(LIBC, R_OK), 0);
	CHECK_EQ_INT(nm_value(LIBC, "pthread_join", &want), 0);
	CHECK(want != 0);
	CHECK_EQ_INT(elfsym__func_offset(LIBC, "pthread_join", &off), 0);
	CHECK_EQ_U64(off, want);
}

TEST(libc_other_functions_match_nm)
{
	CHECK_LIKE_NM(LIBC, "pthread_create");
	CHECK_LIKE_NM(LIBC, "pthread_exit");
	CHECK_LIKE_NM(LIBC, "malloc");
	CHECK_LIKE_NM(LIBC, "exit");
	CHECK_LIKE_NM(LIBC, "__libc_start_main");
}

int main(void);

/* A global function of this program, to look up in its own file. */
__attribute__((noinline, used)) int elfsym_test_target(int x);
__attribute__((noinline, used)) int elfsym_test_target(int x)
{
	return x * 3 + 1;
}

/*
 * The file offset of code at addr in this process, from /proc/self/maps:
 * addr - mapping start + mapping file offset. What a uprobe on it needs.
 */
static int runtime_file_offset(uintptr_t addr, size_t *offset)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[4352];
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		unsigned long start, end, off;

		if (sscanf(line, "%lx-%lx %*s %lx", &start, &end, &off) == 3 && addr >= start && addr < end) {
			*offset = addr - start + off;
			found = 0;
		}
	}
	fclose(f);
	return found;
}

TEST(own_executable_matches_runtime_mapping)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t want = 0, off = 0;

	CHECK(n > 0);
	if (n <= 0)
		return;
	exe[n] = '\0';
	CHECK_EQ_INT(elfsym_test_target(1), 4);

	/* .symtab only: not exported, so the second pass finds it */
	CHECK_EQ_INT(runtime_file_offset((uintptr_t)&elfsym_test_target, &want), 0);
	CHECK_EQ_INT(elfsym__func_offset(exe, "elfsym_test_target", &off), 0);
	CHECK_EQ_U64(off, want);

	CHECK_EQ_INT(runtime_file_offset((uintptr_t)&main, &want), 0);
	CHECK_EQ_INT(elfsym__func_offset(exe, "main", &off), 0);
	CHECK_EQ_U64(off, want);
}

TEST(missing_symbol)
{
	size_t off = 12345;

	CHECK_EQ_INT(elfsym__func_offset(LIBC, "no_such_function_in_libc", &off), -ENOENT);
	CHECK_EQ_INT(elfsym__func_offset(LIBC, "", &off), -ENOENT);
	CHECK_EQ_INT(elfsym__func_offset(LIBC, "pthread_joi", &off), -ENOENT); /* a prefix is not a match */
	CHECK_EQ_INT(elfsym__func_offset(LIBC, "pthread_join@@GLIBC_2.34", &off), -ENOENT);
	CHECK_EQ_INT(off, 12345); /* untouched */
}

TEST(missing_file)
{
	size_t off = 12345;

	CHECK_EQ_INT(elfsym__func_offset("/nonexistent/dir/libc.so.6", "pthread_join", &off), -ENOENT);
	CHECK_EQ_INT(elfsym__func_offset("", "pthread_join", &off), -ENOENT);
	CHECK_EQ_INT(off, 12345);
}

/* A temp file holding len bytes of data; returns its path (static) or NULL. */
static const char *temp_file(const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/tt-test-elfsym-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* A copy of the first len bytes of src in a temp file. */
static const char *truncated_copy(const char *src, size_t len)
{
	char *buf = malloc(len);
	const char *path = NULL;
	int fd = open(src, O_RDONLY);

	if (buf && fd >= 0 && read(fd, buf, len) == (ssize_t)len)
		path = temp_file(buf, len);
	if (fd >= 0)
		close(fd);
	free(buf);
	return path;
}

#define CHECK_FAILS(path)                                                                \
	do {                                                                             \
		const char *p_ = (path);                                                 \
		size_t off_ = 12345;                                                     \
		int err_;                                                                \
		CHECK(p_ != NULL);                                                       \
		if (!p_)                                                                 \
			break;                                                           \
		err_ = elfsym__func_offset(p_, "pthread_join", &off_);                    \
		if (err_ >= 0)                                                           \
			check_fail(__FILE__, __LINE__, "elfsym__func_offset(%s) = %d, expected < 0", \
				   #path, err_);                                         \
		CHECK_EQ_INT(off_, 12345);                                               \
	} while (0)

#define CHECK_FAILS_TEMP(path)                   \
	do {                                     \
		const char *t_ = (path);         \
		CHECK_FAILS(t_);                 \
		if (t_)                          \
			unlink(t_);              \
	} while (0)

TEST(not_elf_files)
{
	static const char text[] = "just some text\nnot an ELF file\n";
	static const char bad_magic_only[] = "\x7f" "ELF";
	unsigned char junk_header[64];

	if (access("/etc/hostname", R_OK) == 0)
		CHECK_FAILS("/etc/hostname");
	CHECK_FAILS_TEMP(temp_file(text, sizeof(text) - 1));
	CHECK_FAILS_TEMP(temp_file("", 0));
	CHECK_FAILS_TEMP(temp_file(bad_magic_only, 4));
	memset(junk_header, 0xff, sizeof(junk_header));
	memcpy(junk_header, "\x7f" "ELF\x02\x01\x01", 7);
	CHECK_FAILS_TEMP(temp_file(junk_header, sizeof(junk_header)));
	CHECK_FAILS("/tmp");       /* a directory */
	CHECK_FAILS("/dev/null");  /* empty character device */
}

TEST(truncated_elf_files)
{
	/* libc's header, then its first 64 KiB: the section headers are at its end */
	CHECK_FAILS_TEMP(truncated_copy(LIBC, 64));
	CHECK_FAILS_TEMP(truncated_copy(LIBC, 65536));
}

int main(void)
{
	RUN(libc_pthread_join_matches_nm);
	RUN(libc_other_functions_match_nm);
	RUN(own_executable_matches_runtime_mapping);
	RUN(missing_symbol);
	RUN(missing_file);
	RUN(not_elf_files);
	RUN(truncated_elf_files);
	return check_summary();
}
