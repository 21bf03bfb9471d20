/* Reading /proc: thread lists, thread state, mappings. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "args.h"
#include "procfs.h"

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int procfs__threads(pid_t pid, void (*fn)(pid_t tid, const char *comm, void *ctx), void *ctx)
{
	char path[64], comm[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		long tid;

		if (args__parse_long(de->d_name, 1, 4194304, &tid))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%ld/comm", (int)pid, tid);
		if (read_line(path, comm, sizeof(comm)))
			continue; /* it ended meanwhile */
		fn((pid_t)tid, comm, ctx);
		n++;
	}
	closedir(d);
	return n;
}

/* NSpid of a thread: its tid as /proc numbers it (first) and in its own namespace (last). */
static int nspid(pid_t pid, pid_t tid, long *first, long *last)
{
	char path[64], line[256];
	FILE *f;
	int n = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + 6, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (n = 0;; n++) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			if (!n)
				*first = v;
			*last = v;
			p = end;
		}
		break;
	}
	fclose(f);
	return n > 0 ? n : -1;
}

struct own_search {
	pid_t pid, own, found;
};

static void match_own(pid_t tid, const char *comm, void *ctx)
{
	struct own_search *q = ctx;
	long first, last;

	(void)comm;
	if (!q->found && nspid(q->pid, tid, &first, &last) > 0 && last == q->own)
		q->found = (pid_t)first;
}

pid_t procfs__tid_of_own(pid_t pid, pid_t own_tid)
{
	struct own_search q = { .pid = pid, .own = own_tid };
	long first, last;

	/* the process's leader says whether a namespace lies between */
	if (nspid(pid, pid, &first, &last) == 1)
		return own_tid;
	procfs__threads(pid, match_own, &q);
	return q.found;
}

int procfs__thread_stat(pid_t pid, pid_t tid, char *state, unsigned long long *ticks)
{
	unsigned long long utime, stime;
	char path[64], buf[1024];
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (read_line(path, buf, sizeof(buf)))
		return -1;
	/* comm may hold spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", state, &utime,
			 &stime) != 3)
		return -1;
	*ticks = utime + stime;
	return 0;
}

int procfs__thread_syscall(pid_t pid, pid_t tid, long *nr, unsigned long long args[6])
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	/* "running", or "-1 SP PC" outside a call, or "NR ARG1 ... ARG6 SP PC" (hex arguments) */
	if (read_line(path, buf, sizeof(buf)) ||
	    sscanf(buf, "%ld %llx %llx %llx %llx %llx %llx", nr, &args[0], &args[1], &args[2], &args[3],
		   &args[4], &args[5]) != 7 || *nr < 0)
		return -1;
	return 0;
}

int procfs__thread_user_sp(pid_t pid, pid_t tid, unsigned long long *sp)
{
	char path[64], buf[512];
	unsigned long long skip;
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	/* "NR ARG1 ... ARG6 SP PC": the 8th field */
	if (read_line(path, buf, sizeof(buf)) ||
	    sscanf(buf, "%ld %llx %llx %llx %llx %llx %llx %llx", &nr, &skip, &skip, &skip, &skip, &skip, &skip,
		   sp) != 8 || nr < 0)
		return -1;
	return 0;
}

int procfs__thread_runtime(pid_t pid, pid_t tid, unsigned long long *ns)
{
	char path[64], buf[128];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	return read_line(path, buf, sizeof(buf)) || sscanf(buf, "%llu", ns) != 1 ? -1 : 0;
}

bool procfs__process_running(pid_t pid)
{
	char state;
	unsigned long long ticks;

	if (procfs__thread_stat(pid, pid, &state, &ticks))
		return false;
	return state != 'Z' && state != 'X';
}

int procfs__check_process(pid_t pid, pid_t *tgid, bool *kernel_thread)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	*tgid = 0;
	*kernel_thread = false;
	while (fgets(line, sizeof(line), f)) {
		int v;

		if (sscanf(line, "Tgid: %d", &v) == 1)
			*tgid = v;
		else if (sscanf(line, "Kthread: %d", &v) == 1)
			*kernel_thread = v == 1;
	}
	fclose(f);
	return *tgid ? 0 : -1;
}

int procfs__parse_maps_line(const char *line, char *path, size_t len)
{
	unsigned long start, end, off, inode;
	char perms[8], dev[16];
	int n = 0;

	if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &start, &end, perms, &off, dev, &inode, &n) < 6 ||
	    !n)
		return -1;
	while (line[n] == ' ')
		n++;
	snprintf(path, len, "%s", line + n);
	path[strcspn(path, "\n")] = '\0';
	return 0;
}

/*
 * A path that reaches the very file of a mapping: /proc/PID/map_files/START-END (the mapped
 * inode, also once deleted; needs CAP_SYS_ADMIN), else its name when that is a regular file,
 * not a link, with the mapping's device and inode. The name alone is the target's to choose:
 * by now it may be a FIFO, a link to any file, or another file. 0, or -1 to skip it.
 */
static int mapped_file(pid_t pid, const char *line, const char *name, char *path, size_t len)
{
	unsigned long start, end, inode;
	unsigned int maj, min;
	char mf[96];
	struct stat st;

	if (sscanf(line, "%lx-%lx %*s %*x %x:%x %lu", &start, &end, &maj, &min, &inode) != 5)
		return -1;
	snprintf(mf, sizeof(mf), "/proc/%d/map_files/%lx-%lx", (int)pid, start, end);
	if (!stat(mf, &st) && S_ISREG(st.st_mode) && st.st_ino == inode) {
		snprintf(path, len, "%s", mf);
		return 0;
	}
	if (!lstat(name, &st) && S_ISREG(st.st_mode) && st.st_ino == inode && major(st.st_dev) == maj &&
	    minor(st.st_dev) == min && strlen(name) < len) {
		snprintf(path, len, "%s", name);
		return 0;
	}
	return -1;
}

int procfs__find_mapping(pid_t pid, const char *const *prefixes, char *path, size_t len)
{
	char maps[64], line[4096 + 128], p[4096];
	int found = -1;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		const char *base;

		if (procfs__parse_maps_line(line, p, sizeof(p)) || p[0] != '/')
			continue;
		base = strrchr(p, '/') + 1;
		for (const char *const *pre = prefixes; *pre && found; pre++)
			if (!strncmp(base, *pre, strlen(*pre)))
				found = mapped_file(pid, line, p, path, len);
	}
	fclose(f);
	return found;
}

int procfs__exec_ranges(pid_t pid, unsigned long (*ranges)[2], size_t max)
{
	char maps[64], line[4096 + 128];
	size_t n = 0;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char perms[8], path[16];

		/* file-backed code only: [vdso] and JIT code are not return addresses we can name */
		if (sscanf(line, "%lx-%lx %7s %*x %*s %*u %15s", &start, &end, perms, path) != 4 ||
		    perms[2] != 'x' || path[0] != '/')
			continue;
		ranges[n][0] = start;
		ranges[n][1] = end;
		n++;
	}
	fclose(f);
	return (int)n;
}
