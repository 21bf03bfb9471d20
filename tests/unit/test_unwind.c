/*
 * Unit tests for user/unwind.c: the stacks of a program built without frame pointers
 * (build/demos/nofp_bank, -O2 -fomit-frame-pointer), unwound from what the kernel side would
 * hand over at a blocking wait: the thread's registers in its futex system call and a copy of
 * the top of its stack. Here ptrace stops the thread and process_vm_readv copies its stack;
 * the ground truth is the demo's own call chain (main -> depositor_main -> deposit, ...), named
 * by this project's symbol tables (syms.c), a return address looked up at pc - 1.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/user.h>
#include "check.h"
#include "syms.h"
#include "unwind.h"

#define STACK_COPY (32 * 1024)
#define MAX_FRAMES 64

static char demo[PATH_MAX];
static pid_t demo_pid, depositor, waiter;

/* build/tests/test_unwind -> build/demos/nofp_bank */
static void find_demo(void)
{
	char self[PATH_MAX - 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(demo, sizeof(demo), "%s/../demos/nofp_bank", self);
}

static int in_syscall(pid_t tid, int nr)
{
	char path[64], buf[64];
	FILE *f;
	int yes = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)demo_pid, (int)tid);
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f))
		yes = atoi(buf) == nr;
	if (f)
		fclose(f);
	return yes;
}

/* Starts "nofp_bank hang" and waits for READY and for main to block in its join. */
static int start_demo(void)
{
	int fds[2];
	char line[128];
	FILE *out;

	if (pipe(fds))
		return -1;
	demo_pid = fork();
	if (demo_pid < 0)
		return -1;
	if (demo_pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(demo, demo, "hang", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	while (out && fgets(line, sizeof(line), out)) {
		sscanf(line, "TID depositor %d", &depositor);
		sscanf(line, "TID waiter %d", &waiter);
		if (!strncmp(line, "READY", 5))
			break;
	}
	if (out)
		fclose(out);
	for (int i = 0; i < 5000 && !in_syscall(demo_pid, 202); i++)
		usleep(1000);
	return depositor && waiter && in_syscall(demo_pid, 202) ? 0 : -1;
}

static void stop_demo(void)
{
	if (demo_pid > 0) {
		kill(demo_pid, SIGKILL);
		waitpid(demo_pid, NULL, 0);
	}
}

/* What the kernel side would send: the thread's registers and the top of its stack. */
static size_t capture(pid_t tid, struct unwind_regs *r, unsigned char *stack)
{
	struct user_regs_struct regs;
	struct iovec local = { stack, STACK_COPY }, remote;
	ssize_t n = -1;
	int st;

	if (ptrace(PTRACE_SEIZE, tid, 0, 0) || ptrace(PTRACE_INTERRUPT, tid, 0, 0))
		return 0;
	if (waitpid(tid, &st, __WALL) == tid && !ptrace(PTRACE_GETREGS, tid, 0, &regs)) {
		*r = (struct unwind_regs){ .ip = regs.rip, .sp = regs.rsp, .bp = regs.rbp, .bx = regs.rbx,
					   .r12 = regs.r12, .r13 = regs.r13, .r14 = regs.r14, .r15 = regs.r15 };
		remote = (struct iovec){ (void *)regs.rsp, STACK_COPY };
		/* partial at the stack's end: what was read counts */
		n = process_vm_readv(demo_pid, &local, 1, &remote, 1, 0);
	}
	ptrace(PTRACE_DETACH, tid, 0, 0);
	return n > 0 ? (size_t)n : 0;
}

struct named_stack {
	int n;
	char names[MAX_FRAMES][128];
	char files[MAX_FRAMES][256];
};

static void unwind_named(struct unwinder *u, struct syms *sy, pid_t tid, struct named_stack *ns)
{
	static unsigned char stack[STACK_COPY];
	uint64_t pcs[MAX_FRAMES];
	struct unwind_regs r;
	size_t len = capture(tid, &r, stack);

	ns->n = 0;
	if (!len) {
		check_fail(__FILE__, __LINE__, "could not stop thread %d and copy its stack", (int)tid);
		return;
	}
	ns->n = unwinder__frames(u, tid, &r, stack, len, pcs, MAX_FRAMES);
	for (int i = 0; i < ns->n; i++) {
		struct sym_info si;

		/* a return address is past its call: the caller is at pc - 1 */
		syms__resolve(sy, pcs[i] - (i > 0), &si);
		snprintf(ns->names[i], sizeof(ns->names[i]), "%s", si.name);
		snprintf(ns->files[i], sizeof(ns->files[i]), "%s", si.file);
	}
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * The demo's frames of ns, innermost first, must be exactly want[] (a symbol "deposit"
 * matches "deposit.constprop.0"); each frame below the demo's is in libc, and the frame after
 * the last demo frame is `after`.
 */
#define CHECK_CHAIN(ns, after, ...) check_chain(__LINE__, ns, after, (const char *[]){ __VA_ARGS__, NULL })
static void check_chain(int line, const struct named_stack *ns, const char *after, const char **want)
{
	int i = 0, k = 0;
	char seen[2048] = "";

	for (int j = 0; j < ns->n; j++)
		snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s", j ? " < " : "",
			 ns->names[j][0] ? ns->names[j] : "?");
	while (i < ns->n && !strstr(ns->files[i], "nofp_bank")) {
		if (!strstr(ns->files[i], "libc.so")) {
			check_fail(__FILE__, line, "frame %d is neither libc's nor the demo's: %s", i, seen);
			return;
		}
		i++;
	}
	for (; want[k]; k++, i++) {
		if (i >= ns->n || !starts(ns->names[i], want[k])) {
			check_fail(__FILE__, line, "want %s at frame %d: %s", want[k], i, seen);
			return;
		}
	}
	if (getenv("UNWIND_DEBUG"))
		printf("  %s\n", seen);
	if (i >= ns->n || strcmp(ns->names[i], after))
		check_fail(__FILE__, line, "want %s after the demo's frames: %s", after, seen);
}

TEST(unwinds_threads_blocked_in_a_program_without_frame_pointers)
{
	struct named_stack ns;
	struct unwinder *u;
	struct syms *sy;

	find_demo();
	if (start_demo()) {
		check_fail(__FILE__, __LINE__, "demo %s did not reach its waits", demo);
		stop_demo();
		return;
	}
	u = unwinder__new(demo_pid);
	sy = syms__new(demo_pid);
	CHECK(u != NULL && sy != NULL);
	if (u && sy) {
		unwind_named(u, sy, depositor, &ns);
		CHECK_CHAIN(&ns, "start_thread", "deposit", "depositor_main");
		unwind_named(u, sy, waiter, &ns);
		CHECK_CHAIN(&ns, "start_thread", "wait_for_work", "waiter_main");
		unwind_named(u, sy, demo_pid, &ns);
		CHECK_CHAIN(&ns, "__libc_start_call_main", "main");
		/* the same unwinder again: cached modules give the same frames */
		unwind_named(u, sy, depositor, &ns);
		CHECK_CHAIN(&ns, "start_thread", "deposit", "depositor_main");
	}
	unwinder__free(u);
	syms__free(sy);
	stop_demo();
}

TEST(bad_input_gives_the_first_frame_or_an_error_never_a_crash)
{
	static unsigned char junk[4096];
	struct unwind_regs r = { .ip = 0x1234, .sp = 0x7fff0000 };
	uint64_t pcs[8];
	struct unwinder *u = unwinder__new(getpid());

	CHECK(u != NULL);
	CHECK_EQ_INT(unwinder__frames(u, getpid(), NULL, junk, sizeof(junk), pcs, 8), -1);
	CHECK_EQ_INT(unwinder__frames(u, getpid(), &r, junk, sizeof(junk), NULL, 8), -1);
	CHECK_EQ_INT(unwinder__frames(u, getpid(), &r, junk, sizeof(junk), pcs, 0), -1);
	/* an ip no module covers: the frame itself, nothing after it */
	CHECK_EQ_INT(unwinder__frames(u, getpid(), &r, junk, sizeof(junk), pcs, 8), 1);
	CHECK(pcs[0] == 0x1234);
	/* garbage stack bytes under a real ip: stops, bounded by max */
	memset(junk, 0xa5, sizeof(junk));
	r.ip = (uint64_t)(uintptr_t)&unwinder__frames;
	CHECK(unwinder__frames(u, getpid(), &r, junk, sizeof(junk), pcs, 8) >= 1);
	CHECK_EQ_INT(unwinder__frames(u, getpid(), &r, NULL, 0, pcs, 8), 1);
	CHECK_EQ_INT(unwinder__frames(NULL, getpid(), &r, junk, sizeof(junk), pcs, 8), 1);
	unwinder__free(u);
	unwinder__free(NULL);
	errno = 0;
	CHECK(unwinder__new(0x7ffffff0) == NULL);
}

/*
 * A target's files are opened in its own mount namespace (/proc/PID/root), never blocking, and
 * only when regular: here the target maps a library from a tmpfs only it sees, and the same path
 * on this side is a FIFO. A finder that opened the path as it is here would block for good on
 * the FIFO (the watchdog ends the test by SIGALRM instead of hanging the suite). A guard: libdw
 * 0.188's own finder passes it too.
 */
TEST(files_are_found_in_the_targets_namespace_and_never_block)
{
	char dir[] = "/tmp/tt-unwind-ns-XXXXXX", lib[64];
	int fds[2];
	pid_t child;
	char c = 0;

	find_demo();
	CHECK(mkdtemp(dir) != NULL && pipe(fds) == 0);
	snprintf(lib, sizeof(lib), "%s/lib.so", dir);
	child = fork();
	if (child == 0) {
		/* a private tmpfs on dir, an ELF file copied into it, mapped executable */
		int src = open(demo, O_RDONLY), fd;
		char buf[65536];
		ssize_t n;

		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", dir, "tmpfs", 0, NULL))
			_exit(1);
		fd = open(lib, O_RDWR | O_CREAT, 0700);
		while (src >= 0 && fd >= 0 && (n = read(src, buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)n) != n)
				_exit(1);
		if (fd < 0 || mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED)
			_exit(1);
		if (write(fds[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	CHECK(read(fds[0], &c, 1) == 1 && c == 'r');
	/* this side of the same path: a FIFO nobody writes to */
	CHECK(mkfifo(lib, 0600) == 0);
	alarm(20);
	{
		struct unwinder *u = unwinder__new(child);

		CHECK(u != NULL);
		CHECK_EQ_INT(unwinder__refresh(u), 0);
		unwinder__free(u);
	}
	alarm(0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	unlink(lib);
	rmdir(dir);
	close(fds[0]);
}

int main(void)
{
	RUN(unwinds_threads_blocked_in_a_program_without_frame_pointers);
	RUN(bad_input_gives_the_first_frame_or_an_error_never_a_crash);
	RUN(files_are_found_in_the_targets_namespace_and_never_block);
	return check_summary();
}
