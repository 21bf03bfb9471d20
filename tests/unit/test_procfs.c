/* Unit tests for user/procfs.c, on this process and its own threads. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "procfs.h"

#define MAPS_LIBC "7f1c2a400000-7f1c2a428000 r--p 00000000 fe:01 1234   " \
		  "/usr/lib/x86_64-linux-gnu/libc.so.6"

/* parse_maps_line into a buffer of size len; returns its result, path in *out. */
static int parse_maps(const char *line, size_t len, const char **out)
{
	static char path[4096];

	memset(path, 'Z', sizeof(path));
	path[sizeof(path) - 1] = '\0';
	*out = path;
	return procfs__parse_maps_line(line, path, len);
}

TEST(maps_line_file)
{
	const char *p;

	CHECK_EQ_INT(parse_maps(MAPS_LIBC, 4096, &p), 0);
	CHECK_STR(p, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	CHECK_EQ_INT(parse_maps(MAPS_LIBC "\n", 4096, &p), 0);
	CHECK_STR(p, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	CHECK_EQ_INT(parse_maps("00400000-00452000 r-xp 00001000 08:02 173521      /usr/bin/dbus-daemon\n",
				4096, &p), 0);
	CHECK_STR(p, "/usr/bin/dbus-daemon");
}

TEST(maps_line_anonymous_and_special)
{
	const char *p;

	CHECK_EQ_INT(parse_maps("7f2441f45000-7f2441f48000 rw-p 00000000 00:00 0 \n", 4096, &p), 0);
	CHECK_STR(p, "");
	CHECK_EQ_INT(parse_maps("7f2441f45000-7f2441f48000 rw-p 00000000 00:00 0", 4096, &p), 0);
	CHECK_STR(p, "");
	CHECK_EQ_INT(parse_maps("55ce6efb3000-55ce6eff5000 rw-p 00000000 00:00 0"
				"                          [heap]\n", 4096, &p), 0);
	CHECK_STR(p, "[heap]");
	CHECK_EQ_INT(parse_maps("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
				"                  [vsyscall]\n", 4096, &p), 0);
	CHECK_STR(p, "[vsyscall]");
}

TEST(maps_line_path_with_spaces)
{
	const char *p;

	CHECK_EQ_INT(parse_maps("7f0000000000-7f0000001000 r-xp 00002000 fe:01 99 "
				"    /tmp/my dir/lib x.so\n", 4096, &p), 0);
	CHECK_STR(p, "/tmp/my dir/lib x.so");
	CHECK_EQ_INT(parse_maps("7f0000000000-7f0000001000 r-xp 00002000 fe:01 99 "
				"    /opt/app/libfoo.so (deleted)\n", 4096, &p), 0);
	CHECK_STR(p, "/opt/app/libfoo.so (deleted)");
}

TEST(maps_line_garbage)
{
	const char *p;

	CHECK_EQ_INT(parse_maps("garbage", 4096, &p), -1);
	CHECK_EQ_INT(parse_maps("", 4096, &p), -1);
	CHECK_EQ_INT(parse_maps("\n", 4096, &p), -1);
	CHECK_EQ_INT(parse_maps("7f1c2a400000-7f1c2a428000 r--p", 4096, &p), -1);
	CHECK_EQ_INT(parse_maps("7f1c2a400000-7f1c2a428000 r--p 00000000 fe:01 x /lib/a.so", 4096, &p), -1);
	CHECK_EQ_INT(parse_maps("zz-7f1c2a428000 r--p 00000000 fe:01 1 /lib/a.so", 4096, &p), -1);
}

TEST(maps_line_small_buffer)
{
	const char *p;

	CHECK_EQ_INT(parse_maps(MAPS_LIBC, 5, &p), 0);
	CHECK_STR(p, "/usr");
	CHECK_EQ_INT(p[5], 'Z'); /* nothing written past len */
}

TEST(maps_of_self_all_parse)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[4096 + 128], path[4096];
	int lines = 0, bad = 0, files = 0;

	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		lines++;
		if (procfs__parse_maps_line(line, path, sizeof(path))) {
			bad++;
			printf("    unparsed: %s", line);
		} else if (path[0] == '/') {
			files++;
			if (strchr(path, '\n'))
				bad++;
		}
	}
	fclose(f);
	CHECK(lines > 5);
	CHECK(files > 2);
	CHECK_EQ_INT(bad, 0);
}

/* Two threads that name themselves, report their tids, then wait to be released. */
#define NAME_A "tt-alpha"
#define NAME_B "tt-b) (c"      /* parentheses and spaces: /proc/.../stat must still parse */

static pthread_barrier_t ready, release;
static pid_t tid_a, tid_b;
static pthread_t thread_b;
#define B_CPU_MS 100 /* thread B computes this long before it waits */

static void burn_cpu_ms(long ms);

static void *named_thread(void *arg)
{
	const char *name = arg;

	pthread_setname_np(pthread_self(), name);
	if (!strcmp(name, NAME_A))
		tid_a = gettid();
	else {
		tid_b = gettid();
		burn_cpu_ms(B_CPU_MS);
	}
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&release);
	return NULL;
}

struct seen {
	int n;
	pid_t tids[8];
	char comms[8][64];
};

static void on_thread(pid_t tid, const char *comm, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		s->tids[s->n] = tid;
		snprintf(s->comms[s->n], sizeof(s->comms[0]), "%s", comm);
	}
	s->n++;
}

/* The comm procfs__threads reported for tid, or NULL. */
static const char *seen_comm(const struct seen *s, pid_t tid)
{
	for (int i = 0; i < s->n && i < 8; i++)
		if (s->tids[i] == tid)
			return s->comms[i];
	return NULL;
}

static void burn_cpu_ms(long ms)
{
	struct timespec ts;
	volatile unsigned long x = 0;

	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	} while (ts.tv_sec * 1000 + ts.tv_nsec / 1000000 < ms);
}

static int read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok ? 0 : -1;
}

TEST(threads_of_self)
{
	struct seen s = { 0 };
	char comm[64];
	int n;

	n = procfs__threads(getpid(), on_thread, &s);
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_INT(s.n, 3);
	CHECK(tid_a > 0 && tid_b > 0 && tid_a != tid_b);
	CHECK_STR(seen_comm(&s, tid_a), NAME_A);
	CHECK_STR(seen_comm(&s, tid_b), NAME_B);
	CHECK(read_comm(getpid(), comm, sizeof(comm)) == 0);
	CHECK_STR(seen_comm(&s, getpid()), comm);
	CHECK_STR(comm, "test_procfs");
}

TEST(threads_of_missing_process)
{
	struct seen s = { 0 };

	CHECK_EQ_INT(procfs__threads(0, on_thread, &s), -1);
	CHECK_EQ_INT(s.n, 0);
}

static unsigned long long clock_ns(clockid_t c)
{
	struct timespec ts = { 0, 0 };

	clock_gettime(c, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/*
 * The ticks must be the thread's CPU time, as its CPU clock tells independently: the kernel
 * scales utime and stime to the thread's runtime, then rounds each down to a tick (up to two
 * ticks short), and may not yet count the running slice (a tick at most). So:
 *   clock_before - 3 ticks <= ticks * tick <= clock_after.
 */
#define CHECK_TICKS_ARE_CPU_TIME(ticks, before, after, tick)                                  \
	do {                                                                              \
		unsigned long long t_ns_ = (ticks) * (tick);                              \
		if (!(t_ns_ <= (after) && t_ns_ + 3 * (tick) >= (before)))                \
			check_fail(__FILE__, __LINE__, "%llu ticks = %llu ns, CPU clock %llu..%llu ns", \
				   (unsigned long long)(ticks), t_ns_, (unsigned long long)(before), \
				   (unsigned long long)(after));                          \
	} while (0)

TEST(thread_stat)
{
	unsigned long long ticks = 12345, ticks_b = 12345, before, after;
	unsigned long long tick = 1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK);
	char state = '?', state_b = '?';
	clockid_t clock_b;

	burn_cpu_ms(200);
	before = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	CHECK_EQ_INT(procfs__thread_stat(getpid(), gettid(), &state, &ticks), 0);
	after = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	CHECK_EQ_INT(state, 'R');
	CHECK(before >= 200000000ull);
	CHECK_TICKS_ARE_CPU_TIME(ticks, before, after, tick);

	/* NAME_B holds ')' and spaces: fields are found after the last ')' */
	CHECK_EQ_INT(pthread_getcpuclockid(thread_b, &clock_b), 0);
	before = clock_ns(clock_b);
	CHECK_EQ_INT(procfs__thread_stat(getpid(), tid_b, &state_b, &ticks_b), 0);
	after = clock_ns(clock_b);
	CHECK_EQ_INT(state_b, 'S'); /* waiting on the barrier */
	CHECK(before >= B_CPU_MS * 1000000ull);
	CHECK_TICKS_ARE_CPU_TIME(ticks_b, before, after, tick);

	CHECK_EQ_INT(procfs__thread_stat(getpid(), 0, &state, &ticks), -1);
}

TEST(check_process)
{
	pid_t tgid = -1;
	bool kthread = true;

	CHECK_EQ_INT(procfs__check_process(getpid(), &tgid, &kthread), 0);
	CHECK_EQ_INT(tgid, getpid());
	CHECK(!kthread);

	tgid = -1;
	kthread = true;
	CHECK_EQ_INT(procfs__check_process(tid_b, &tgid, &kthread), 0);
	CHECK_EQ_INT(tgid, getpid()); /* a thread: its process is the caller's */
	CHECK(tgid != tid_b);
	CHECK(!kthread);
}

/* A kernel thread, found the way ps does (PF_KTHREAD 0x00200000 in /proc/PID/stat's flags, field
 * 9), not through the Kthread: line procfs__check_process reads; pid 2 is kthreadd only in the
 * initial PID namespace. -1 when none is visible. */
static pid_t find_kthread(void)
{
	char path[64], buf[1024];
	struct dirent *e;
	pid_t found = -1;
	DIR *d = opendir("/proc");

	while (d && found < 0 && (e = readdir(d))) {
		unsigned long flags;
		char *p;
		FILE *f;
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		/* after the comm: state ppid pgrp session tty_nr tpgid flags */
		if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 &&
		    (flags & 0x00200000))
			found = pid;
	}
	if (d)
		closedir(d);
	return found;
}

TEST(check_process_kernel_thread)
{
	pid_t pid = find_kthread(), tgid = -1;
	bool kthread = false;

	if (pid < 0) {
		check_fail(__FILE__, __LINE__, "no kernel thread visible in /proc (a PID namespace?)");
		return;
	}
	CHECK_EQ_INT(procfs__check_process(pid, &tgid, &kthread), 0);
	CHECK_EQ_INT(tgid, pid);
	CHECK(kthread);
}

/* A pid that names no process now, counting down from the largest. */
static pid_t absent_pid(void)
{
	for (pid_t pid = 4194303; pid > 1; pid--)
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return pid;
	return -1;
}

TEST(check_missing_process)
{
	pid_t pid = absent_pid(), tgid = 77;
	bool kthread = false;

	CHECK(pid > 0);
	CHECK_EQ_INT(procfs__check_process(pid, &tgid, &kthread), -1);
	CHECK(!procfs__process_running(pid));
}

TEST(process_running)
{
	char state = '?';
	unsigned long long ticks;
	pid_t child;
	int status, i;

	CHECK(procfs__process_running(getpid()));

	fflush(stdout);
	child = fork();
	if (child == 0)
		_exit(0);
	CHECK(child > 0);
	if (child <= 0)
		return;
	/* wait, without reaping it, until it is a zombie */
	for (i = 0; i < 500; i++) {
		if (procfs__thread_stat(child, child, &state, &ticks) == 0 && state == 'Z')
			break;
		usleep(10000);
	}
	CHECK_EQ_INT(state, 'Z');
	CHECK(!procfs__process_running(child));
	waitpid(child, &status, 0);
	CHECK(!procfs__process_running(child));
}

/* The inode a mapping of ours whose name ends with suffix maps (from /proc/self/maps), or 0. */
static unsigned long mapped_inode(const char *suffix)
{
	char line[4096 + 128];
	unsigned long inode = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	while (f && !inode && fgets(line, sizeof(line), f)) {
		size_t n;

		line[strcspn(line, "\n")] = '\0';
		n = strlen(line);
		if (n >= strlen(suffix) && !strcmp(line + n - strlen(suffix), suffix) &&
		    sscanf(line, "%*x-%*x %*s %*x %*s %lu", &inode) != 1)
			inode = 0;
	}
	if (f)
		fclose(f);
	return inode;
}

static bool same_inode(const char *path, unsigned long inode)
{
	struct stat st;

	return inode && !stat(path, &st) && S_ISREG(st.st_mode) && st.st_ino == inode;
}

TEST(find_mapping)
{
	const char *const libc[] = { "libc.so", NULL };
	const char *const several[] = { "no-such-lib", "libc.so", NULL };
	const char *const none[] = { "no-such-lib", NULL };
	char path[4096];

	memset(path, 0, sizeof(path));
	CHECK_EQ_INT(procfs__find_mapping(getpid(), libc, path, sizeof(path)), 0);
	/* as root: the mapping itself, through map_files; it is libc */
	CHECK(!strncmp(path, "/proc/", 6) && strstr(path, "/map_files/"));
	CHECK(access(path, R_OK) == 0);
	CHECK(same_inode(path, mapped_inode("/libc.so.6")));

	memset(path, 0, sizeof(path));
	CHECK_EQ_INT(procfs__find_mapping(getpid(), several, path, sizeof(path)), 0);
	CHECK(same_inode(path, mapped_inode("/libc.so.6")));

	CHECK_EQ_INT(procfs__find_mapping(getpid(), none, path, sizeof(path)), -1);
	CHECK_EQ_INT(procfs__find_mapping(absent_pid(), libc, path, sizeof(path)), -1);
}

/*
 * A hostile process maps a file, deletes it and puts a FIFO in its place under the name its
 * maps show ("NAME (deleted)"): the path found reaches the mapped file, never the FIFO
 * (opening that would block).
 */
TEST(find_mapping_not_the_fifo_in_its_place)
{
	const char *const lib[] = { "libtt-hostile", NULL };
	char dir[] = "/tmp/tt-procfs-XXXXXX", file[128], fifo[160], path[4096];
	unsigned long inode;
	struct stat st;
	void *p = MAP_FAILED;
	int fd;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(file, sizeof(file), "%s/libtt-hostile.so", dir);
	snprintf(fifo, sizeof(fifo), "%s (deleted)", file);
	fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	if (fd >= 0 && !ftruncate(fd, 4096))
		p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (fd >= 0 && !fstat(fd, &st)) {
		inode = st.st_ino;
		unlink(file);
		CHECK_EQ_INT(mkfifo(fifo, 0600), 0);
		memset(path, 0, sizeof(path));
		CHECK_EQ_INT(procfs__find_mapping(getpid(), lib, path, sizeof(path)), 0);
		CHECK(strstr(path, "/map_files/") != NULL);
		CHECK(same_inode(path, inode));
		unlink(fifo);
		/* a link in its place: never followed to its target */
		CHECK_EQ_INT(symlink("/etc/passwd", fifo), 0);
		CHECK_EQ_INT(procfs__find_mapping(getpid(), lib, path, sizeof(path)), 0);
		CHECK(same_inode(path, inode));
		unlink(fifo);
	}
	if (p != MAP_FAILED)
		munmap(p, 4096);
	if (fd >= 0)
		close(fd);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	pthread_t a;
	int rc;

	RUN(maps_line_file);
	RUN(maps_line_anonymous_and_special);
	RUN(maps_line_path_with_spaces);
	RUN(maps_line_garbage);
	RUN(maps_line_small_buffer);
	RUN(maps_of_self_all_parse);

	pthread_barrier_init(&ready, NULL, 3);
	pthread_barrier_init(&release, NULL, 3);
	if (pthread_create(&a, NULL, named_thread, NAME_A) ||
	    pthread_create(&thread_b, NULL, named_thread, NAME_B)) {
		printf("pthread_create failed\n");
		return 1;
	}
	pthread_barrier_wait(&ready);
	RUN(threads_of_self);
	RUN(threads_of_missing_process);
	RUN(thread_stat);
	RUN(check_process);
	RUN(check_process_kernel_thread);
	RUN(check_missing_process);
	RUN(process_running);
	RUN(find_mapping);
	RUN(find_mapping_not_the_fifo_in_its_place);
	pthread_barrier_wait(&release);
	pthread_join(a, NULL);
	pthread_join(thread_b, NULL);
	rc = check_summary();
	pthread_barrier_destroy(&ready);
	pthread_barrier_destroy(&release);
	return rc;
}
