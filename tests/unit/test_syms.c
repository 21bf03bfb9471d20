/* Unit tests for user/syms.c: naming user-space addresses by ELF symbol or region. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "procfs.h"
#include "syms.h"

extern char **environ;

/* Globals of this executable (PIE), found through its .symtab. */
pthread_mutex_t test_global_lock = PTHREAD_MUTEX_INITIALIZER;
int test_bss_array[4096];
char test_bss_big[1 << 20]; /* most of it lies past the file: in the anonymous .bss continuation */

/* Debian's python3.11 package (scripts/install-deps.sh installs it) */
#define PYTHON      "/usr/bin/python3.11"
/* Built next to this test from tests/unit/pyembed.c: CPython in a shared libpython3.11.so */
#define PYEMBED     "pyembed"
#define LIBPYTHON   "libpython3.11.so.1.0"

static void *early_malloc;
static char exe_path[PATH_MAX];

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* Resolves addr and formats it into a static buffer. */
static const char *fmt(struct syms *s, unsigned long addr, struct sym_info *si)
{
	static char buf[512];

	memset(si, 0x5a, sizeof(*si));
	CHECK_EQ_INT(syms__resolve(s, addr, si), 0);
	syms__format_info(si, buf, sizeof(buf));
	return buf;
}

/* The path field of the /proc/PID/maps line containing addr: 0, or -1 when none does. */
static int maps_path_of(pid_t pid, unsigned long addr, char *path, size_t len)
{
	char file[64], line[4096 + 128];
	int ret = -1;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/maps", (int)pid);
	f = fopen(file, "re");
	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) == 2 && addr >= start && addr < end &&
		    !procfs__parse_maps_line(line, path, len))
			ret = 0;
	}
	fclose(f);
	return ret;
}

static pid_t spawn(char *const argv[], int stdout_fd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err;

	posix_spawn_file_actions_init(&fa);
	if (stdout_fd >= 0) {
		posix_spawn_file_actions_adddup2(&fa, stdout_fd, 1);
		posix_spawn_file_actions_addclose(&fa, stdout_fd);
	}
	err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return err ? -1 : pid;
}

static void kill_child(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* ---- 1. this process ---- */

TEST(self_global_lock)
{
	struct syms *s = syms__new(getpid());
	struct sym_info si;

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_STR(fmt(s, (unsigned long)&test_global_lock, &si), "test_global_lock+0x0");
	CHECK_STR(si.region, "sym");
	CHECK_STR(si.name, "test_global_lock");
	CHECK_EQ_U64(si.offset, 0);
	CHECK_STR(si.file, exe_path);
	CHECK_STR(fmt(s, (unsigned long)&test_global_lock + 8, &si), "test_global_lock+0x8");
	CHECK_EQ_U64(si.offset, 8);
	CHECK_STR(fmt(s, (unsigned long)&test_global_lock + sizeof(test_global_lock) - 1, &si),
		  "test_global_lock+0x27");
	syms__free(s);
}

TEST(self_bss)
{
	struct syms *s = syms__new(getpid());
	unsigned long last = (unsigned long)&test_bss_big[sizeof(test_bss_big) - 1];
	struct sym_info si;
	char path[4096];

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_STR(fmt(s, (unsigned long)&test_bss_array[1000], &si), "test_bss_array+0xfa0");
	CHECK_STR(si.file, exe_path);
	/* The end of a 1 MiB .bss array is in the anonymous mapping after the file's. */
	CHECK_EQ_INT(maps_path_of(getpid(), last, path, sizeof(path)), 0);
	CHECK_STR(path, "");
	CHECK_STR(fmt(s, last, &si), "test_bss_big+0xfffff");
	CHECK_STR(si.region, "sym");
	CHECK_STR(si.file, exe_path);
	syms__free(s);
}

TEST(self_libc_object)
{
	struct syms *s = syms__new(getpid());
	struct sym_info si;

	CHECK(s != NULL);
	if (!s)
		return;
	/* stdout points at libc's _IO_2_1_stdout_ (in .dynsym of a stripped shared object). */
	CHECK_STR(fmt(s, (unsigned long)stdout + 0x10, &si), "_IO_2_1_stdout_+0x10");
	CHECK(strstr(si.file, "/libc.so.6") != NULL);
	syms__free(s);
}

TEST(self_regions)
{
	struct syms *s = syms__new(getpid());
	volatile int local = 42;
	struct sym_info si;
	const char *f;

	CHECK(s != NULL);
	if (!s)
		return;
	/* ASan's allocator mmaps its own regions: [heap] only without it. */
	f = fmt(s, (unsigned long)early_malloc, &si);
	CHECK(!strcmp(f, "[heap]") || !strcmp(f, "[anon]"));
	CHECK(!strcmp(si.region, "heap") || !strcmp(si.region, "anon"));
	CHECK_STR(si.file, "");
	CHECK_STR(si.name, "");
	CHECK_STR(fmt(s, (unsigned long)&local, &si), "[stack]");
	CHECK_STR(si.region, "stack");
	CHECK_STR(si.file, "");
	CHECK_STR(fmt(s, 1, &si), "[unknown]");
	CHECK_STR(si.region, "unknown");
	CHECK_STR(si.file, "");
	CHECK_STR(si.name, "");
	CHECK_EQ_U64(si.offset, 0);
	CHECK_STR(fmt(s, ~0ul, &si), "[unknown]");
	(void)local;
	syms__free(s);
}

TEST(self_anon_mmap)
{
	struct syms *s;
	struct sym_info si;
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	s = syms__new(getpid());
	CHECK(s != NULL);
	if (s) {
		CHECK_STR(fmt(s, (unsigned long)p + 4100, &si), "[anon]");
		CHECK_STR(si.file, "");
	}
	syms__free(s);
	munmap(p, 3 * 4096);
}

/* ---- 2. and 4. another process: Debian's non-PIE, stripped python3.11 ---- */

static struct syms *py_syms;
static unsigned long py_runtime, py_bss_addr;
static char py_bss_name[128];

/* nm -D's address of a defined symbol `name`, or of the highest-addressed sized B symbol when name is NULL. */
static unsigned long nm_dynamic(const char *name, char *found, size_t len)
{
	unsigned long best = 0;
	char line[512];
	FILE *p = popen("nm -D -S --defined-only " PYTHON " 2>/dev/null", "re");

	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		char t1[128], t2[128], t3[128], t4[128], type, *sym;
		unsigned long a, size = 0;
		int n = sscanf(line, "%127s %127s %127s %127s", t1, t2, t3, t4);

		/* "ADDR SIZE TYPE NAME", or "ADDR TYPE NAME" for symbols without a size */
		if (n == 4 && strlen(t3) == 1) {
			size = strtoul(t2, NULL, 16);
			type = t3[0];
			sym = t4;
		} else if (n == 3 && strlen(t2) == 1) {
			type = t2[0];
			sym = t3;
		} else {
			continue;
		}
		a = strtoul(t1, NULL, 16);
		sym[strcspn(sym, "@")] = '\0';
		if (name ? !strcmp(sym, name) : (type == 'B' && size && a > best)) {
			best = a;
			if (found)
				snprintf(found, len, "%s", sym);
			if (name)
				break;
		}
	}
	pclose(p);
	return best;
}

TEST(python_child)
{
	char *argv[] = { PYTHON, "-c", "import time; time.sleep(5)", NULL };
	char want[160], path[4096];
	struct sym_info si;
	pid_t pid;

	if (access(PYTHON, X_OK)) {
		check_fail(__FILE__, __LINE__, "no %s: run scripts/install-deps.sh", PYTHON);
		return;
	}
	py_runtime = nm_dynamic("_PyRuntime", NULL, 0);
	py_bss_addr = nm_dynamic(NULL, py_bss_name, sizeof(py_bss_name));
	CHECK(py_runtime != 0);
	CHECK(py_bss_addr != 0);
	pid = spawn(argv, -1);
	CHECK(pid > 0);
	if (pid <= 0 || !py_runtime)
		return;
	sleep_ms(300);
	py_syms = syms__new(pid);
	CHECK(py_syms != NULL);
	if (py_syms) {
		CHECK_STR(fmt(py_syms, py_runtime + 0x1b8, &si), "_PyRuntime+0x1b8");
		CHECK_STR(si.region, "sym");
		CHECK_STR(si.name, "_PyRuntime");
		CHECK_EQ_U64(si.offset, 0x1b8);
		CHECK(ends_with(si.file, "python3.11"));
		CHECK_STR(fmt(py_syms, py_runtime, &si), "_PyRuntime+0x0");
		/* The last .bss object: in the anonymous mapping after the executable's. */
		snprintf(want, sizeof(want), "%s+0x0", py_bss_name);
		CHECK_STR(fmt(py_syms, py_bss_addr, &si), want);
		CHECK(ends_with(si.file, "python3.11"));
		if (!maps_path_of(pid, py_bss_addr, path, sizeof(path)))
			printf("  note: %s (0x%lx) lies in mapping '%s'\n", py_bss_name, py_bss_addr, path);
	}
	kill_child(pid);
}

TEST(refresh_after_exit)
{
	struct sym_info si;

	CHECK(py_syms != NULL);
	if (!py_syms)
		return;
	/* python_child killed and reaped it: /proc/PID is gone. */
	CHECK_EQ_INT(syms__refresh(py_syms), -1);
	CHECK_STR(fmt(py_syms, py_runtime + 0x1b8, &si), "_PyRuntime+0x1b8");
	CHECK(ends_with(si.file, "python3.11"));
	syms__free(py_syms);
	py_syms = NULL;
}

/* ---- 3. a shared libpython (pyenv's layout): its rw file offset differs from its vaddr ---- */

/* The start of pid's offset-0 mapping of the file mapped at addr, and the file offset and start
 * of the mapping that holds addr. 0 on success. */
static int mapping_of(pid_t pid, unsigned long addr, const char *file, unsigned long *base,
		      unsigned long *start, unsigned long *off)
{
	char maps[64], line[4096 + 128], path[4096];
	int found = 0;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return -1;
	*base = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e, o;

		if (sscanf(line, "%lx-%lx %*s %lx", &s, &e, &o) != 3 ||
		    procfs__parse_maps_line(line, path, sizeof(path)) || strcmp(path, file))
			continue;
		if (o == 0 && !*base)
			*base = s;
		if (addr >= s && addr < e) {
			*start = s;
			*off = o;
			found = 1;
		}
	}
	fclose(f);
	return found && *base ? 0 : -1;
}

TEST(shared_libpython)
{
	char *argv[] = { NULL, "-c", "import ctypes,time; print(ctypes.addressof(ctypes.c_char.in_dll("
			 "ctypes.pythonapi,'_PyRuntime')), flush=True); time.sleep(5)",
			 NULL };
	char line[64] = "", embed[PATH_MAX + 16], lib[4096] = "";
	unsigned long addr = 0, base = 0, start = 0, off = 0;
	struct syms *s = NULL;
	struct sym_info si;
	struct pollfd pfd;
	size_t got = 0;
	int fds[2];
	pid_t pid;

	snprintf(embed, sizeof(embed), "%.*s/" PYEMBED, (int)(strrchr(exe_path, '/') - exe_path),
		 exe_path);
	argv[0] = embed;
	if (access(embed, X_OK)) {
		check_fail(__FILE__, __LINE__, "no %s: run make unit (needs python3.11-dev)", embed);
		return;
	}
	CHECK_EQ_INT(pipe2(fds, O_CLOEXEC), 0);
	pid = spawn(argv, fds[1]);
	close(fds[1]);
	CHECK(pid > 0);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	while (pid > 0 && got < sizeof(line) - 1 && !strchr(line, '\n') && poll(&pfd, 1, 10000) > 0) {
		ssize_t n = read(fds[0], line + got, sizeof(line) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		line[got] = '\0';
	}
	close(fds[0]);
	CHECK(sscanf(line, "%lu", &addr) == 1 && addr);
	if (addr) {
		/* the premise: _PyRuntime lies in libpython's rw mapping, whose file offset is not
		 * its distance from the library's base (the layout a naive offset sum gets wrong) */
		CHECK_EQ_INT(maps_path_of(pid, addr, lib, sizeof(lib)), 0);
		CHECK(ends_with(lib, "/" LIBPYTHON));
		CHECK_EQ_INT(mapping_of(pid, addr, lib, &base, &start, &off), 0);
		CHECK(start - base != off);
		s = syms__new(pid);
		CHECK(s != NULL);
	}
	if (s) {
		CHECK_STR(fmt(s, addr + 0x1b8, &si), "_PyRuntime+0x1b8");
		CHECK_STR(si.file, lib);
		CHECK_STR(fmt(s, addr, &si), "_PyRuntime+0x0");
	}
	syms__free(s);
	kill_child(pid);
}

/* ---- 5. hostile files mapped into this process ---- */

static int make_tmp(char *path, size_t len, const void *buf, size_t n)
{
	int fd;

	snprintf(path, len, "/tmp/tt-garbage-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, buf, n) != (ssize_t)n) {
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

TEST(garbage_file)
{
	unsigned char *buf = malloc(65536);
	char path[64], want[128];
	struct sym_info si;
	struct syms *s;
	char *p;
	int fd;

	CHECK(buf != NULL);
	if (!buf)
		return;
	srand(12345);
	for (size_t i = 0; i < 65536; i++)
		buf[i] = (unsigned char)rand();
	memcpy(buf, "\x7f" "ELF", 4);
	fd = make_tmp(path, sizeof(path), buf, 65536);
	free(buf);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	s = syms__new(getpid());
	CHECK(s != NULL);
	p = mmap(NULL, 65536, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (s && p != MAP_FAILED) {
		/* Not in the maps read before the mmap; then refresh sees it. */
		CHECK(strcmp(fmt(s, (unsigned long)p + 0x1234, &si), "[anon]") ||
		      strcmp(si.file, path));
		CHECK_EQ_INT(syms__refresh(s), 0);
		snprintf(want, sizeof(want), "[%s+0x1234]", strrchr(path, '/') + 1);
		CHECK_STR(fmt(s, (unsigned long)p + 0x1234, &si), want);
		CHECK_STR(si.region, "file");
		CHECK_STR(si.file, path);
		CHECK_STR(si.name, "");
		CHECK_EQ_U64(si.offset, 0x1234);
	}
	if (p != MAP_FAILED)
		munmap(p, 65536);
	/* Mapped at file offset 0x3000: the offset counts from the file's start. */
	p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0x3000);
	CHECK(p != MAP_FAILED);
	if (s && p != MAP_FAILED) {
		CHECK_EQ_INT(syms__refresh(s), 0);
		snprintf(want, sizeof(want), "[%s+0x3010]", strrchr(path, '/') + 1);
		CHECK_STR(fmt(s, (unsigned long)p + 0x10, &si), want);
	}
	if (p != MAP_FAILED)
		munmap(p, 8192);
	syms__free(s);
	close(fd);
	unlink(path);
}

/*
 * A small ET_DYN file: one PT_LOAD at vaddr 0 (0x3000 bytes in the file, 0x5000
 * in memory: a .bss) and a .symtab with good and bad entries.
 */
#define CRAFT_SIZE  0x3000
#define CRAFT_MEMSZ 0x5000
#define CRAFT_NSYMS 10
static const char craft_strtab[] =
	"\0good_obj\0wrap\0big_obj\0inner\0a_func\0nosize\0bss_obj\0unterminated";
enum { N_GOOD = 1, N_WRAP = 10, N_BIG = 15, N_INNER = 23, N_FUNC = 29, N_NOSIZE = 36, N_BSS = 43,
       N_UNTERM = 51 };

static void craft_elf(unsigned char *b)
{
	static const char shstr[] = "\0.symtab\0.strtab\0.shstrtab";
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	Elf64_Phdr *ph = (Elf64_Phdr *)(b + 0x40);
	Elf64_Sym *sy = (Elf64_Sym *)(b + 0x200);
	Elf64_Shdr *sh = (Elf64_Shdr *)(b + 0x800);
	size_t strsz = sizeof(craft_strtab) - 1; /* the last name has no NUL */

	memset(b, 0, CRAFT_SIZE);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = 0x40;
	eh->e_shoff = 0x800;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 1;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 4;
	eh->e_shstrndx = 3;
	*ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_filesz = CRAFT_SIZE,
			    .p_memsz = CRAFT_MEMSZ, .p_align = 0x1000 };
#define SYM(n, v, sz, t) (Elf64_Sym){ .st_name = (n), .st_info = ELF64_ST_INFO(STB_GLOBAL, (t)), \
				      .st_shndx = 1, .st_value = (v), .st_size = (sz) }
	sy[1] = SYM(N_GOOD, 0x1000, 0x40, STT_OBJECT);
	sy[2] = SYM(0xffff, 0x1100, 0x10, STT_OBJECT);               /* name past the table */
	sy[3] = SYM(N_WRAP, 0xfffffffffffffff0ul, 0x100, STT_OBJECT); /* end wraps around */
	sy[4] = SYM(N_BIG, 0x1800, 0x400, STT_OBJECT);
	sy[5] = SYM(N_INNER, 0x1900, 0x10, STT_OBJECT);             /* inside big_obj */
	sy[6] = SYM(N_FUNC, 0x2000, 0x20, STT_FUNC);
	sy[7] = SYM(N_NOSIZE, 0x2100, 0, STT_NOTYPE);                /* no size, not an object */
	sy[8] = SYM(N_UNTERM, 0x1200, 8, STT_OBJECT);                /* name without NUL */
	sy[9] = SYM(N_BSS, 0x3800, 0x100, STT_OBJECT);               /* past the file: .bss */
#undef SYM
	memcpy(b + 0x400, craft_strtab, strsz);
	memcpy(b + 0x100, shstr, sizeof(shstr));
	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_SYMTAB, .sh_offset = 0x200,
			      .sh_size = CRAFT_NSYMS * sizeof(Elf64_Sym), .sh_link = 2, .sh_info = 1,
			      .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym) };
	sh[2] = (Elf64_Shdr){ .sh_name = 9, .sh_type = SHT_STRTAB, .sh_offset = 0x400,
			      .sh_size = strsz, .sh_addralign = 1 };
	sh[3] = (Elf64_Shdr){ .sh_name = 17, .sh_type = SHT_STRTAB, .sh_offset = 0x100,
			      .sh_size = sizeof(shstr), .sh_addralign = 1 };
}

TEST(crafted_elf)
{
	unsigned char *b = malloc(CRAFT_SIZE);
	char path[64], want[128];
	const char *base;
	struct sym_info si;
	struct syms *s;
	unsigned long a;
	char *res;
	int fd;

	CHECK(b != NULL);
	if (!b)
		return;
	craft_elf(b);
	fd = make_tmp(path, sizeof(path), b, CRAFT_SIZE);
	free(b);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	base = strrchr(path, '/') + 1;
	/*
	 * Offset 0 at res, its .bss continuation as an anonymous mapping right
	 * behind it (0x2000 past the image's end), and offset 0x1000 apart at
	 * res + 0x8000 (not touching the others).
	 */
	res = mmap(NULL, 0x10000, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(res != MAP_FAILED);
	if (res == MAP_FAILED)
		goto out;
	munmap(res, 0x10000);
	CHECK(mmap(res, CRAFT_SIZE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == res);
	CHECK(mmap(res + CRAFT_SIZE, 0x4000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == res + CRAFT_SIZE);
	CHECK(mmap(res + 0x8000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0x1000) == res + 0x8000);
	s = syms__new(getpid());
	CHECK(s != NULL);
	if (s) {
		a = (unsigned long)res;
		CHECK_STR(fmt(s, a + 0x1000, &si), "good_obj+0x0");
		CHECK_STR(si.file, path);
		CHECK_STR(fmt(s, a + 0x1010, &si), "good_obj+0x10");
		snprintf(want, sizeof(want), "[%s+0x1040]", base);
		CHECK_STR(fmt(s, a + 0x1040, &si), want);
		snprintf(want, sizeof(want), "[%s+0x1104]", base); /* bad name offset: skipped */
		CHECK_STR(fmt(s, a + 0x1104, &si), want);
		snprintf(want, sizeof(want), "[%s+0x1204]", base); /* unterminated name: skipped */
		CHECK_STR(fmt(s, a + 0x1204, &si), want);
		CHECK_STR(fmt(s, a + 0x1904, &si), "inner+0x4");
		CHECK_STR(fmt(s, a + 0x1a00, &si), "big_obj+0x200"); /* past inner: the outer one */
		CHECK_STR(fmt(s, a + 0x2004, &si), "a_func+0x4");
		snprintf(want, sizeof(want), "[%s+0x2100]", base);
		CHECK_STR(fmt(s, a + 0x2100, &si), want);
		snprintf(want, sizeof(want), "[%s+0x10]", base);
		CHECK_STR(fmt(s, a + 0x10, &si), want);
		/* The anonymous continuation: the file's while inside its image (below 0x5000). */
		CHECK_STR(fmt(s, a + 0x3810, &si), "bss_obj+0x10");
		CHECK_STR(si.file, path);
		snprintf(want, sizeof(want), "[%s+0x4100]", base);
		CHECK_STR(fmt(s, a + 0x4100, &si), want);
		CHECK_STR(si.region, "file");
		CHECK_STR(fmt(s, a + CRAFT_MEMSZ + 0x10, &si), "[anon]");
		CHECK_STR(si.file, "");
		/* The lone mapping at file offset 0x1000: biased through its PT_LOAD. */
		CHECK_STR(fmt(s, a + 0x8000 + 0x20, &si), "good_obj+0x20");
		CHECK_STR(si.file, path);
	}
	syms__free(s);
	munmap(res, 0x10000);
out:
	close(fd);
	unlink(path);
}

/* The crafted file, then a truncated copy, then many randomly corrupted copies: no crash. */
TEST(corrupted_elfs)
{
	unsigned char *good = malloc(CRAFT_SIZE), *b = malloc(CRAFT_SIZE);
	static const size_t truncs[] = { 0x20, 0x40, 0x100, 0x210, 0x500, 0x840 };
	int named = 0;

	CHECK(good && b);
	if (!good || !b)
		goto out;
	craft_elf(good);
	srand(777);
	for (int iter = 0; iter < 300; iter++) {
		size_t size = CRAFT_SIZE;
		struct sym_info si;
		char path[64];
		struct syms *s;
		char *p;
		int fd;

		memcpy(b, good, CRAFT_SIZE);
		if (iter < (int)(sizeof(truncs) / sizeof(truncs[0]))) {
			size = truncs[iter];
		} else {
			/* Flip bytes in the headers, tables and names. */
			int flips = 1 + rand() % 8;

			for (int k = 0; k < flips; k++) {
				static const size_t zones[][2] = {
					{ 0, 0x40 }, { 0x40, 0x78 }, { 0x200, 0x200 + CRAFT_NSYMS * sizeof(Elf64_Sym) }, { 0x400, 0x440 },
					{ 0x800, 0x900 },
				};
				int z = rand() % 5;
				size_t at = zones[z][0] + (size_t)rand() % (zones[z][1] - zones[z][0]);

				b[at] = (unsigned char)(rand() % 3 ? rand() : (rand() % 2 ? 0xff : 0));
			}
		}
		fd = make_tmp(path, sizeof(path), b, size);
		CHECK(fd >= 0);
		if (fd < 0)
			break;
		p = mmap(NULL, CRAFT_SIZE, PROT_READ, MAP_PRIVATE, fd, 0); /* pages past EOF: never touched */
		CHECK(p != MAP_FAILED);
		s = syms__new(getpid());
		CHECK(s != NULL);
		if (s && p != MAP_FAILED) {
			for (unsigned long off = 0; off < CRAFT_SIZE; off += 0x80) {
				fmt(s, (unsigned long)p + off, &si);
				CHECK(!strcmp(si.region, "sym") || !strcmp(si.region, "file"));
				CHECK_STR(si.file, path);
				named += !strcmp(si.region, "sym");
			}
		}
		syms__free(s);
		if (p != MAP_FAILED)
			munmap(p, CRAFT_SIZE);
		close(fd);
		unlink(path);
	}
	printf("  note: %d addresses of corrupted files still named a symbol\n", named);
out:
	free(good);
	free(b);
}

/* ---- one table per inode, one budget for all ---- */

/* A copy of this executable at path (a new inode); 0 or -1. */
static int copy_self(const char *path)
{
	char buf[65536];
	int in = open(exe_path, O_RDONLY | O_CLOEXEC), out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in >= 0 && out >= 0 && n == 0 ? 0 : -1;
}

/* Maps the whole file at path read-only; its address, or NULL. *len: its size. */
static void *map_whole(const char *path, size_t *len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	*len = (size_t)st.st_size;
	return p == MAP_FAILED ? NULL : p;
}

/* A function of this executable, named by its .symtab. */
int test_text_marker(int x);
int test_text_marker(int x)
{
	return x * 3 + 1;
}

/* The vaddr of test_text_marker in this executable: where a flat mapping of a copy has it, too (text: vaddr = offset). */
static unsigned long main_vaddr(void)
{
	char path[PATH_MAX + 1], line[4096 + 128];
	unsigned long base = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	while (f && !base && fgets(line, sizeof(line), f)) {
		unsigned long start, off;

		if (sscanf(line, "%lx-%*x %*s %lx", &start, &off) == 2 && !off &&
		    !procfs__parse_maps_line(line, path, sizeof(path)) && !strcmp(path, exe_path))
			base = start;
	}
	if (f)
		fclose(f);
	return base ? (unsigned long)&test_text_marker - base : 0;
}

TEST(hard_links_share_one_table)
{
	char dir[] = "/tmp/tt-syms-XXXXXX", names[3][64], first[128] = "";
	unsigned long at = main_vaddr();
	struct syms_usage before, after, freed;
	void *maps[3] = { NULL, NULL, NULL };
	size_t lens[3] = { 0, 0, 0 };
	struct sym_info si;
	struct syms *s;

	CHECK(at != 0);
	if (!mkdtemp(dir))
		return;
	for (int i = 0; i < 3; i++)
		snprintf(names[i], sizeof(names[i]), "%s/link%d", dir, i);
	CHECK_EQ_INT(copy_self(names[0]), 0);
	CHECK_EQ_INT(link(names[0], names[1]), 0);
	CHECK_EQ_INT(link(names[0], names[2]), 0);
	for (int i = 0; i < 3; i++)
		CHECK((maps[i] = map_whole(names[i], &lens[i])) != NULL);
	syms__usage(&before);
	s = syms__new(getpid());
	CHECK(s != NULL);
	for (int i = 0; i < 3 && s && maps[i]; i++) {
		fmt(s, (unsigned long)maps[i] + at, &si);
		CHECK_STR(si.region, "sym");
		CHECK_STR(si.file, names[i]); /* each named by its own path */
		if (!i)
			snprintf(first, sizeof(first), "%s", si.name);
		CHECK_STR(si.name, first);
	}
	CHECK_STR(first, "test_text_marker");
	syms__usage(&after);
	/* three names, one inode: one table */
	CHECK_EQ_INT(after.tables - before.tables, 1);
	CHECK(after.used > before.used);
	syms__free(s);
	syms__usage(&freed);
	CHECK_EQ_INT(freed.used, before.used); /* its bytes go back with its last user */
	for (int i = 0; i < 3; i++) {
		if (maps[i])
			munmap(maps[i], lens[i]);
		unlink(names[i]);
	}
	rmdir(dir);
}

TEST(past_the_budget_named_by_region)
{
	char dir[] = "/tmp/tt-syms-XXXXXX", name[64];
	unsigned long at = main_vaddr();
	struct syms_usage before, after;
	struct sym_info si;
	struct syms *s;
	size_t len = 0;
	void *p;

	if (!mkdtemp(dir))
		return;
	snprintf(name, sizeof(name), "%s/copy", dir);
	CHECK_EQ_INT(copy_self(name), 0);
	p = map_whole(name, &len);
	CHECK(p != NULL);
	syms__usage(&before);
	syms__set_budget(before.used + 4096); /* room for no table */
	s = syms__new(getpid());
	CHECK(s != NULL);
	if (s && p) {
		CHECK(!strncmp(fmt(s, (unsigned long)p + at, &si), "[copy+0x", 8));
		CHECK_STR(si.region, "file");
		CHECK(si.offset == at);
	}
	syms__usage(&after);
	CHECK_EQ_INT(after.refused - before.refused, 1);
	CHECK_EQ_INT(after.tables, before.tables);
	CHECK_EQ_INT(after.used, before.used);
	syms__free(s);
	syms__set_budget(0);
	CHECK_EQ_INT(syms_budget(), SYMS_BUDGET_DEFAULT);
	if (p)
		munmap(p, len);
	unlink(name);
	rmdir(dir);
}

/* ---- API edges ---- */

TEST(api_edges)
{
	struct sym_info si;
	char buf[16];
	struct syms *s;

	syms__free(NULL);
	CHECK(syms__new(0) == NULL);
	CHECK(syms__new(-1) == NULL);
	CHECK(syms__new(0x3fffffff) == NULL); /* above any pid_max */
	CHECK_EQ_INT(syms__refresh(NULL), -1);
	CHECK_EQ_INT(syms__resolve(NULL, 1, &si), -1);
	CHECK_STR(si.region, "unknown");
	s = syms__new(getpid());
	CHECK(s != NULL);
	CHECK_EQ_INT(syms__resolve(s, 1, NULL), -1);
	CHECK_EQ_INT(syms__refresh(s), 0);
	CHECK_STR(fmt(s, (unsigned long)&test_global_lock, &si), "test_global_lock+0x0");
	syms__free(s);

	memset(&si, 0, sizeof(si));
	si.region = "sym";
	snprintf(si.name, sizeof(si.name), "a_rather_long_symbol");
	si.offset = 0x10;
	syms__format_info(&si, buf, sizeof(buf));
	CHECK_STR(buf, "a_rather_long_s");
	syms__format_info(&si, buf, 1);
	CHECK_STR(buf, "");
	buf[0] = 'x';
	syms__format_info(&si, buf, 0);
	CHECK(buf[0] == 'x');
	syms__format_info(&si, NULL, 10);
	syms__format_info(NULL, buf, sizeof(buf));
	CHECK_STR(buf, "[unknown]");
	si.region = "file";
	snprintf(si.file, sizeof(si.file), "/usr/lib/libfoo.so");
	si.offset = 0x1234;
	syms__format_info(&si, buf, sizeof(buf));
	CHECK_STR(buf, "[libfoo.so+0x12");
	{
		char big[64];

		syms__format_info(&si, big, sizeof(big));
		CHECK_STR(big, "[libfoo.so+0x1234]");
		si.region = "heap";
		syms__format_info(&si, big, sizeof(big));
		CHECK_STR(big, "[heap]");
		si.region = "anon";
		syms__format_info(&si, big, sizeof(big));
		CHECK_STR(big, "[anon]");
	}
}

int main(void)
{
	ssize_t n;

	signal(SIGPIPE, SIG_IGN);
	early_malloc = malloc(64);
	n = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);
	exe_path[n > 0 ? n : 0] = '\0';

	RUN(self_global_lock);
	RUN(self_bss);
	RUN(self_libc_object);
	RUN(self_regions);
	RUN(self_anon_mmap);
	RUN(python_child);
	RUN(refresh_after_exit);
	RUN(shared_libpython);
	RUN(garbage_file);
	RUN(crafted_elf);
	RUN(corrupted_elfs);
	RUN(hard_links_share_one_table);
	RUN(past_the_budget_named_by_region);
	RUN(api_edges);
	free(early_malloc);
	return check_summary();
}
