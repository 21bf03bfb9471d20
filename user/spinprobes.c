/*
 * Spinning locks' slow paths, found in a file. Rust's std keeps the spin-then-sleep part of
 * Mutex::lock and RwLock::{read, write} out of line (#[cold] lock_contended, read_contended,
 * write_contended), so a symbol names it; parking_lot's lock_slow likewise. glibc inlines
 * the adaptive mutex's spin into pthread_mutex_lock: its first and last instructions are
 * found in the machine code (see spinprobes__adaptive_steps).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "strutil.h"
#include "demangle.h"
#include "elfsym.h"
#include "spinprobes.h"

/* Each slow path's demangled name ends so; Rust std's lie under std::sys:: (the module moved between releases). */
static const struct {
	const char *prefix;
	const char *suffix;
} slow_paths[] = {
	{ "std::sys::", "::Mutex::lock_contended" },
	{ "std::sys::", "::RwLock::read_contended" },
	{ "std::sys::", "::RwLock::write_contended" },
	{ "parking_lot::raw_mutex::", "RawMutex::lock_slow" },
	{ "parking_lot::raw_rwlock::", "RawRwLock::lock_exclusive_slow" },
	{ "parking_lot::raw_rwlock::", "RawRwLock::lock_shared_slow" },
	{ "parking_lot::raw_rwlock::", "RawRwLock::lock_upgradable_slow" },
};

/*
 * A path without what v0 mangling adds around an inherent method: "<std[e282..]::sys::..::Mutex>::
 * lock_contended" (legacy mangling: "std::sys::..::Mutex::lock_contended") -> the latter.
 */
static void plain_path(const char *name, char *buf, size_t len)
{
	size_t n = 0;

	for (const char *c = name; *c && n + 1 < len; c++) {
		if (*c == '<' || *c == '>')
			continue;
		if (*c == '[') { /* a crate's disambiguator */
			const char *end = strchr(c, ']');

			if (end) {
				c = end;
				continue;
			}
		}
		buf[n++] = *c;
	}
	buf[n] = '\0';
}

bool spinprobes__is_slow_path(const char *demangled)
{
	char path[512];

	plain_path(demangled, path, sizeof(path));
	for (size_t i = 0; i < sizeof(slow_paths) / sizeof(slow_paths[0]); i++)
		if (!strncmp(path, slow_paths[i].prefix, strlen(slow_paths[i].prefix)) &&
		    str__ends_with(path, slow_paths[i].suffix))
			return true;
	return false;
}

struct scan {
	Elf *elf;
	struct spin_points *p;
	uint64_t libc_lock; /* pthread_mutex_lock's address, if the file defines it */
};

static int on_func(const char *name, uint64_t value, void *ctx)
{
	struct scan *sc = ctx;
	struct spin_points *p = sc->p;
	char buf[512];
	size_t off;

	if (!strcmp(name, "pthread_mutex_lock")) {
		sc->libc_lock = value;
		return 0;
	}
	/* cheap first: demangle only names that can be one (a Rust program has thousands of symbols) */
	if (!strstr(name, "contended") && !strstr(name, "_slow"))
		return 0;
	if (!spinprobes__is_slow_path(demangle__name(name, buf, sizeof(buf))) || elfsym__offset(sc->elf, value, &off))
		return 0;
	for (size_t i = 0; i < p->nfuncs; i++)
		if (p->funcs[i] == off) /* in .dynsym and .symtab both */
			return 0;
	if (p->nfuncs < TT_SPIN_MAX_FUNCS)
		p->funcs[p->nfuncs++] = off;
	return 0;
}

/*
 * glibc 2.36, x86-64 (nptl/pthread_mutex_lock.c): an adaptive mutex (kind 3) whose first
 * try fails jumps to the spin, whose first instruction reads the mutex's __spins estimate
 * (movswl 0x14(%rdi),%eax); every way out of the spin (its try won, or __lll_lock_wait
 * returned) meets where the estimate is read again (movswl 0x14(%rdi),%edx) and stored back
 * (mov %cx,0x14(%rdi)), then jumps back (jmp rel32) to the common path. The start is taken as
 * the target of the jne after the first try's lock cmpxchg (an instruction boundary), the end
 * as that jmp: the kernel emulates a jump, while a probe on another instruction single-steps a
 * copy of it, a second trap (~2 us here) the thread would take holding the mutex it just won.
 */
static const unsigned char try_jne[] = { 0xf0, 0x0f, 0xb1, 0x17, 0x75 }; /* lock cmpxchg %edx,(%rdi); jne */
static const unsigned char cmp_adaptive[] = { 0x83, 0xfa, 0x03 };        /* cmp $0x3,%edx */
static const unsigned char read_spins_eax[] = { 0x0f, 0xbf, 0x47, 0x14 };
static const unsigned char read_spins_edx[] = { 0x0f, 0xbf, 0x57, 0x14 };
static const unsigned char store_spins[] = { 0x66, 0x89, 0x4f, 0x14 };
#define JMP_REL32 0xe9

static bool has_at(const unsigned char *code, size_t len, size_t at, const unsigned char *what, size_t n)
{
	return at + n <= len && !memcmp(code + at, what, n);
}

static bool has_near(const unsigned char *code, size_t len, size_t from, size_t to, const unsigned char *what,
		     size_t n)
{
	for (size_t i = from; i < to; i++)
		if (has_at(code, len, i, what, n))
			return true;
	return false;
}

/* A short jump (je, jne, jmp rel8) to target somewhere in code. */
static bool jumped_to(const unsigned char *code, size_t len, size_t target)
{
	for (size_t i = 0; i + 2 <= len; i++)
		if ((code[i] == 0x74 || code[i] == 0x75 || code[i] == 0xeb) &&
		    i + 2 + (size_t)(int64_t)(int8_t)code[i + 1] == target)
			return true;
	return false;
}

int spinprobes__adaptive_steps(const unsigned char *code, size_t len, unsigned long base, unsigned long *enter,
			       unsigned long *exit)
{
	for (size_t i = 0; i + sizeof(try_jne) + 1 <= len; i++) {
		size_t start, end;

		if (!has_at(code, len, i, try_jne, sizeof(try_jne)) ||
		    !has_near(code, len, i >= 16 ? i - 16 : 0, i, cmp_adaptive, sizeof(cmp_adaptive)))
			continue;
		start = i + sizeof(try_jne) + 1 + (size_t)(int64_t)(int8_t)code[i + sizeof(try_jne)];
		if (!has_at(code, len, start, read_spins_eax, sizeof(read_spins_eax)))
			continue;
		for (end = start + 1; end < start + 256 && end < len; end++) {
			size_t store;

			if (!has_at(code, len, end, read_spins_edx, sizeof(read_spins_edx)) || !jumped_to(code, len, end))
				continue;
			for (store = end; store < end + 40; store++)
				if (has_at(code, len, store, store_spins, sizeof(store_spins)))
					break;
			if (store + sizeof(store_spins) < len && store < end + 40 &&
			    code[store + sizeof(store_spins)] == JMP_REL32) {
				*enter = base + start;
				*exit = base + store + sizeof(store_spins);
				return 0;
			}
		}
	}
	return -ENOENT;
}

#define ADAPTIVE_SCAN_BYTES 1024 /* pthread_mutex_lock is ~0x300 bytes in glibc 2.36 */

static void find_adaptive(Elf *elf, int fd, uint64_t lock, struct spin_points *p)
{
	unsigned char code[ADAPTIVE_SCAN_BYTES];
	size_t off;
	ssize_t n;

	if (elfsym__offset(elf, lock, &off) || (n = pread(fd, code, sizeof(code), (off_t)off)) <= 0)
		return;
	p->has_steps = !spinprobes__adaptive_steps(code, (size_t)n, off, &p->step_enter, &p->step_exit);
}

int spinprobes__find(const char *path, struct spin_points *p)
{
	struct scan sc = { .p = p };
	int fd;

	memset(p, 0, sizeof(*p));
	sc.elf = elfsym__open(path, &fd);
	if (!sc.elf)
		return fd;
	elfsym__each_func(sc.elf, on_func, &sc);
	if (sc.libc_lock)
		find_adaptive(sc.elf, fd, sc.libc_lock, p);
	elfsym__close(sc.elf, fd);
	return (int)p->nfuncs + (p->has_steps ? 1 : 0);
}
