/*
 * Unit tests for user/ehframe.c: function extents from .eh_frame_hdr/.eh_frame, checked against
 * the sizes symbol tables give (nm -S: libc's .dynsym, this program's .symtab), and damaged
 * copies of this program's own tables refused with an error, never a crash or a wrong answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "nm.h"
#include "ehframe.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

static char exe[4096];

/* value and size of name in path from nm -S (dynamic: -D, for a stripped file) */
static int nm_sized(const char *path, int dynamic, const char *name, uint64_t *value, uint64_t *size)
{
	unsigned long long v, s;
	char cmd[4352];

	snprintf(cmd, sizeof(cmd), "nm -S %s--defined-only '%s' 2>/dev/null", dynamic ? "-D " : "", path);
	if (nm_sized_of(cmd, name, &v, &s))
		return -1;
	*value = v;
	*size = s;
	return 0;
}

/*
 * ehframe__func_range(path, ...) at the function's first byte, its middle and its last byte gives
 * exactly [value, value + size) of the symbol; the byte after it and the byte before it do not.
 */
#define CHECK_LIKE_NM(path, dynamic, name) check_like_nm(__FILE__, __LINE__, path, dynamic, name)
static void check_like_nm(const char *file, int line, const char *path, int dynamic, const char *name)
{
	uint64_t v = 0, size = 0, start, end;
	uint64_t probes[3];
	int err;

	if (nm_sized(path, dynamic, name, &v, &size) || size < 2) {
		check_fail(file, line, "oracle: nm -S does not list %s in %s with a size", name, path);
		return;
	}
	probes[0] = v;
	probes[1] = v + size / 2;
	probes[2] = v + size - 1;
	for (int i = 0; i < 3; i++) {
		start = end = 0;
		err = ehframe__func_range(path, probes[i], &start, &end);
		if (err || start != v || end != v + size)
			check_fail(file, line, "%s at 0x%llx: %d [0x%llx, 0x%llx), nm says [0x%llx, 0x%llx)", name,
				   (unsigned long long)probes[i], err, (unsigned long long)start,
				   (unsigned long long)end, (unsigned long long)v, (unsigned long long)(v + size));
	}
	/* the neighbours: another function (or none), never this one */
	start = end = 0;
	err = ehframe__func_range(path, v + size, &start, &end);
	if (!err && (start != v + size && !(start > v + size)))
		check_fail(file, line, "%s: the byte after it gave [0x%llx, 0x%llx)", name,
			   (unsigned long long)start, (unsigned long long)end);
	start = end = 0;
	err = ehframe__func_range(path, v - 1, &start, &end);
	if (!err && end > v)
		check_fail(file, line, "%s: the byte before it gave [0x%llx, 0x%llx)", name,
			   (unsigned long long)start, (unsigned long long)end);
}

/* Functions of this program, looked up in its own file (.symtab). */
__attribute__((noinline, used)) int ehframe_test_small(int x);
__attribute__((noinline, used)) int ehframe_test_small(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline, used)) long ehframe_test_loop(const char *s);
__attribute__((noinline, used)) long ehframe_test_loop(const char *s)
{
	long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h ^ ehframe_test_small((int)h);
}

TEST(libc_functions_match_dynsym_sizes)
{
	/* a stripped file: .dynsym's sizes are the oracle */
	CHECK_LIKE_NM(LIBC, 1, "pthread_join");
	CHECK_LIKE_NM(LIBC, 1, "pthread_create");
	CHECK_LIKE_NM(LIBC, 1, "pthread_mutex_lock");
	CHECK_LIKE_NM(LIBC, 1, "sem_clockwait");
	CHECK_LIKE_NM(LIBC, 1, "exit");
	CHECK_LIKE_NM(LIBC, 1, "qsort");
}

TEST(own_functions_match_symtab)
{
	CHECK_EQ_INT(ehframe_test_loop("ab"), ehframe_test_loop("ab"));
	CHECK_LIKE_NM(exe, 0, "ehframe_test_small");
	CHECK_LIKE_NM(exe, 0, "ehframe_test_loop");
	CHECK_LIKE_NM(exe, 0, "main");
}

TEST(addresses_that_are_no_code)
{
	uint64_t start = 7, end = 9, v, size;

	CHECK_EQ_INT(ehframe__func_range(LIBC, 0, &start, &end), -ENOENT);
	CHECK_EQ_INT(ehframe__func_range(LIBC, ~0ull, &start, &end), -ENOENT);
	CHECK_EQ_INT(ehframe__func_range(LIBC, ~0ull - 4096, &start, &end), -ENOENT);
	/* data, not code: libc's `environ` */
	CHECK_EQ_INT(nm_sized(LIBC, 1, "environ", &v, &size), 0);
	CHECK_EQ_INT(ehframe__func_range(LIBC, v, &start, &end), -ENOENT);
	CHECK_EQ_U64(start, 7); /* untouched */
	CHECK_EQ_U64(end, 9);
	CHECK_EQ_INT(ehframe__func_range("/nonexistent/libc.so.6", 0x1000, &start, &end), -ENOENT);
	CHECK_EQ_INT(ehframe__func_range("/tmp", 0x1000, &start, &end), -EINVAL); /* a directory */
}

/* Where PT_GNU_EH_FRAME puts the table in the file at path: its file offset and link-time address. */
static int eh_frame_hdr(const char *path, uint64_t *offset, uint64_t *vaddr)
{
	int fd = open(path, O_RDONLY), found = -1;
	size_t n;
	Elf *elf;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !elf_getphdrnum(elf, &n))
		for (size_t i = 0; i < n && found; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_GNU_EH_FRAME) {
				*offset = ph.p_offset;
				*vaddr = ph.p_vaddr;
				found = 0;
			}
		}
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}

/* A copy of this program in a temp file with len bytes at offset replaced (len 0: cut there). */
static int damaged_copy(char *path, size_t pathlen, uint64_t offset, const void *bytes, size_t len)
{
	int in = open(exe, O_RDONLY), out;
	char buf[65536];
	ssize_t n;

	snprintf(path, pathlen, "/tmp/tt-test-ehframe-XXXXXX");
	out = mkstemp(path);
	if (in < 0 || out < 0)
		goto fail;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto fail;
	if (len ? pwrite(out, bytes, len, (off_t)offset) != (ssize_t)len : ftruncate(out, (off_t)offset))
		goto fail;
	close(in);
	close(out);
	return 0;
fail:
	if (in >= 0)
		close(in);
	if (out >= 0) {
		close(out);
		unlink(path);
	}
	return -1;
}

/* ehframe__func_range(a damaged copy, vaddr): its result (1 when the copy could not be made). */
static int on_damaged(uint64_t offset, const void *bytes, size_t len, uint64_t vaddr, uint64_t *start,
		      uint64_t *end)
{
	char path[64];
	int err;

	if (damaged_copy(path, sizeof(path), offset, bytes, len))
		return 1;
	err = ehframe__func_range(path, vaddr, start, end);
	unlink(path);
	return err;
}

TEST(damaged_tables_are_refused)
{
	uint64_t hdr = 0, hdr_vaddr = 0, start = 7, end = 9, v = 0, size = 0, loc0;
	static const uint8_t v1[] = { 1 }, v2[] = { 2 }, table_sdata8[] = { 0x3c }, ptr_abs[] = { 0x03 };
	static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0x7f }, zero[4];
	int32_t entry0[2] = { 0, 0 };
	int fd;

	CHECK_EQ_INT(eh_frame_hdr(exe, &hdr, &hdr_vaddr), 0);
	CHECK_EQ_INT(nm_sized(exe, 0, "ehframe_test_small", &v, &size), 0);
	fd = open(exe, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, entry0, 8, (off_t)(hdr + 12)) == 8);
	if (fd >= 0)
		close(fd);
	loc0 = hdr_vaddr + (uint64_t)(int64_t)entry0[0]; /* the lowest function with an FDE */

	/* a copy with its version byte rewritten as it was reads like the original */
	CHECK_EQ_INT(on_damaged(hdr, v1, 1, v, &start, &end), 0);
	CHECK_EQ_U64(start, v);
	CHECK_EQ_U64(end, v + size);
	start = 7;
	end = 9;
	/* an unknown version, or table/pointer encodings outside GCC's */
	CHECK_EQ_INT(on_damaged(hdr, v2, 1, v, &start, &end), -ENOTSUP);
	CHECK_EQ_INT(on_damaged(hdr + 3, table_sdata8, 1, v, &start, &end), -ENOTSUP);
	CHECK_EQ_INT(on_damaged(hdr + 1, ptr_abs, 1, v, &start, &end), -ENOTSUP);
	/* more entries than the segment holds */
	CHECK_EQ_INT(on_damaged(hdr + 8, huge, 4, v, &start, &end), -EINVAL);
	/* entry 0's FDE pointer at the table's own header: not an FDE */
	CHECK_EQ_INT(on_damaged(hdr + 16, zero, 4, loc0, &start, &end), -EINVAL);
	/* entry 0 says its function starts a byte early: the FDE disagrees */
	entry0[0]--;
	CHECK_EQ_INT(on_damaged(hdr + 12, &entry0[0], 4, loc0 - 1, &start, &end), -EINVAL);
	/* cut inside the table: the entries are not in the file */
	CHECK_EQ_INT(on_damaged(hdr + 20, NULL, 0, v, &start, &end), -EINVAL);
	CHECK_EQ_U64(start, 7);
	CHECK_EQ_U64(end, 9);
}

int main(void)
{
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return 2;
	exe[n] = '\0';
	RUN(libc_functions_match_dynsym_sizes);
	RUN(own_functions_match_symtab);
	RUN(addresses_that_are_no_code);
	RUN(damaged_tables_are_refused);
	return check_summary();
}
