/*
 * Unit tests for user/spinprobes.c. Oracles: Rust's slow paths against `nm` of the rust_spin
 * demo (build/demos/rust_spin, built by the Makefile where rustc is; install-deps --tests
 * installs it), demangled by the tool's own demangler; glibc's adaptive spin against the libc's
 * debug file (libc6-dbg, install-deps) read by addr2line, and objdump's disassembly: the
 * spin's pause instruction lies between the start and the end found, all three on source lines
 * of ___pthread_mutex_lock in that order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "nm.h"
#include "demangle.h"
#include "elfsym.h"
#include "spinprobes.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

static void demo_path(char *buf, size_t len)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	*strrchr(self, '/') = '\0';
	/* build/tests/test_spinprobes -> build/demos/rust_spin */
	snprintf(buf, len, "%s/../demos/rust_spin", self);
}

TEST(rust_and_parking_lot_slow_paths_are_named)
{
	CHECK(spinprobes__is_slow_path("std::sys::sync::mutex::futex::Mutex::lock_contended"));    /* 1.95 */
	CHECK(spinprobes__is_slow_path("std::sys::unix::locks::futex::Mutex::lock_contended"));    /* 1.63 */
	CHECK(spinprobes__is_slow_path("std::sys::unix::locks::futex_rwlock::RwLock::read_contended"));
	CHECK(spinprobes__is_slow_path("std::sys::sync::rwlock::futex::RwLock::write_contended"));
	CHECK(spinprobes__is_slow_path("<std[e28293b1aa0f68bd]::sys::sync::mutex::futex::Mutex>::lock_contended"));
	CHECK(spinprobes__is_slow_path("<std::sys::sync::rwlock::futex::RwLock>::read_contended"));
	CHECK(spinprobes__is_slow_path("parking_lot::raw_mutex::RawMutex::lock_slow"));
	/* not a slow path: the fast path, a condvar, someone else's function of the same name */
	CHECK(!spinprobes__is_slow_path("std::sys::sync::mutex::futex::Mutex::lock"));
	CHECK(!spinprobes__is_slow_path("std::sys::sync::condvar::futex::Condvar::wait"));
	CHECK(!spinprobes__is_slow_path("mycrate::Mutex::lock_contended"));
	CHECK(!spinprobes__is_slow_path(""));
}

/* The oracle: the file offsets of the functions `nm` lists whose demangled names are slow paths. */
static size_t nm_slow_paths(const char *path, unsigned long *want, size_t max)
{
	char cmd[4400], line[4096], name[4000], buf[512];
	unsigned long value;
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm %s", path);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "%lx %*[tT] %3999s", &value, name) == 2 &&
		    spinprobes__is_slow_path(demangle__name(name, buf, sizeof(buf))) && n < max)
			want[n++] = value;
	pclose(p);
	return n;
}

TEST(a_rust_program_has_its_std_mutex_slow_paths)
{
	char demo[4200];
	unsigned long want[TT_SPIN_MAX_FUNCS];
	struct spin_points p;
	size_t nwant;
	int fd, n;
	Elf *elf;

	demo_path(demo, sizeof(demo));
	CHECK_EQ_INT(access(demo, X_OK), 0);
	nwant = nm_slow_paths(demo, want, TT_SPIN_MAX_FUNCS);
	/* Mutex::lock_contended at least (the demo locks a Mutex); RwLock's if linked */
	CHECK(nwant >= 1);
	n = spinprobes__find(demo, &p);
	CHECK_EQ_INT(n, (int)nwant);
	CHECK_EQ_U64(p.nfuncs, nwant);
	CHECK(!p.has_steps); /* no pthread_mutex_lock of its own */
	elf = elfsym__open(demo, &fd);
	CHECK(elf != NULL);
	for (size_t i = 0; elf && i < nwant; i++) {
		size_t off = 0;
		bool found = false;

		CHECK_EQ_INT(elfsym__offset(elf, want[i], &off), 0);
		for (size_t j = 0; j < p.nfuncs; j++)
			found |= p.funcs[j] == off;
		CHECK(found);
	}
	elfsym__close(elf, fd);
}

/* addr2line's function and line of libc offset off (vaddr = offset in libc), from its debug file. */
static int debug_line(unsigned long off, char *func, size_t flen, int *line)
{
	char cmd[512], buf[1024], debug[256];
	int ok = -1;
	FILE *p;

	if (debug_file_of(LIBC, debug, sizeof(debug)))
		return -1;
	snprintf(cmd, sizeof(cmd), "addr2line -f -e %s 0x%lx", debug, off);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fgets(func, (int)flen, p) && fgets(buf, sizeof(buf), p)) {
		char *colon = strrchr(buf, ':');

		func[strcspn(func, "\n")] = '\0';
		if (colon && strstr(buf, "pthread_mutex_lock.c") && sscanf(colon + 1, "%d", line) == 1)
			ok = 0;
	}
	pclose(p);
	return ok;
}

/* objdump's pause instructions in [from, to) of libc. */
static int pauses_between(unsigned long from, unsigned long to)
{
	char cmd[512], buf[1024];
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "objdump -d --start-address=0x%lx --stop-address=0x%lx " LIBC, from, to);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(buf, sizeof(buf), p))
		n += strstr(buf, "\tpause") != NULL;
	pclose(p);
	return n;
}

TEST(glibc_adaptive_spin_is_found_in_pthread_mutex_lock)
{
	char fenter[256] = "", fexit[256] = "";
	int lenter = 0, lexit = 0;
	struct spin_points p;

	CHECK_EQ_INT(spinprobes__find(LIBC, &p), 1);
	CHECK(p.has_steps);
	CHECK_EQ_U64(p.nfuncs, 0);
	CHECK(p.step_enter < p.step_exit);
	CHECK_EQ_INT(debug_line(p.step_enter, fenter, sizeof(fenter), &lenter), 0);
	CHECK_EQ_INT(debug_line(p.step_exit, fexit, sizeof(fexit), &lexit), 0);
	CHECK_STR(fenter, "___pthread_mutex_lock");
	CHECK_STR(fexit, "___pthread_mutex_lock");
	/* the spin loop (its pause) lies between them, in the code and in the source */
	CHECK(pauses_between(p.step_enter, p.step_exit) >= 1);
	CHECK(lenter < lexit);
}

TEST(code_that_differs_has_no_adaptive_steps)
{
	/* the shape the search wants, then one byte changed at a time: each must fail */
	static const unsigned char good[] = {
		0x83, 0xfa, 0x03,                   /* cmp $0x3,%edx */
		0x75, 0x00,                         /* jne (anything) */
		0xf0, 0x0f, 0xb1, 0x17, 0x75, 0x02, /* lock cmpxchg %edx,(%rdi); jne +2 */
		0xeb, 0x04,                         /* jmp +4 (to the end) */
		0x0f, 0xbf, 0x47, 0x14,             /* start: movswl 0x14(%rdi),%eax */
		0x0f, 0xbf, 0x57, 0x14,             /* end: movswl 0x14(%rdi),%edx */
		0x66, 0x89, 0x4f, 0x14,             /* mov %cx,0x14(%rdi) */
		0xe9, 0x00, 0x00, 0x00, 0x00,       /* end: jmp (back to the common path) */
	};
	unsigned char code[sizeof(good)];
	unsigned long enter = 0, exit = 0;

	CHECK_EQ_INT(spinprobes__adaptive_steps(good, sizeof(good), 0x1000, &enter, &exit), 0);
	CHECK_EQ_U64(enter, 0x1000 + 13);
	CHECK_EQ_U64(exit, 0x1000 + 25);
	/* without the adaptive kind's compare, the spin's first read, the jump to the end, the store or its jmp */
	for (size_t i = 0; i < 26; i++) {
		if (i == 4 || i == 10 || i == 12) /* offsets of jumps: changed below */
			continue;
		memcpy(code, good, sizeof(code));
		code[i] ^= 0xff;
		if (i >= 3 && i < 5)
			continue; /* the unrelated jne */
		CHECK_EQ_INT(spinprobes__adaptive_steps(code, sizeof(code), 0x1000, &enter, &exit), -ENOENT);
	}
	memcpy(code, good, sizeof(code));
	code[12] = 0x10; /* the jmp misses the end */
	CHECK_EQ_INT(spinprobes__adaptive_steps(code, sizeof(code), 0x1000, &enter, &exit), -ENOENT);
	CHECK_EQ_INT(spinprobes__find("/nonexistent/libc.so.6", &(struct spin_points){ 0 }) < 0, 1);
}

int main(void)
{
	RUN(rust_and_parking_lot_slow_paths_are_named);
	RUN(a_rust_program_has_its_std_mutex_slow_paths);
	RUN(glibc_adaptive_spin_is_found_in_pthread_mutex_lock);
	RUN(code_that_differs_has_no_adaptive_steps);
	return check_summary();
}
