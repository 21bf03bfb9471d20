/*
 * Reading perf map files: "START SIZE NAME" per line, hex numbers.
 *
 * The file is the target's: /tmp/perf-PID.map is whatever the traced process (any user) put
 * there, and we run as root. So, as perf does and more: opened without following a symbolic
 * link and without blocking (a FIFO), used only when it is a regular file owned by the
 * target's user or root, read up to PERFMAP_MAX_BYTES, given up when a signal comes; and a
 * file is read once per identity (perfmap__get), not once per lock that names a frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "perfmap.h"
#include "safeopen.h"

#define MAX_ENTRIES (1 << 20)
#define LINE_MAX_LEN 1023 /* longer lines are skipped whole */
#define CHUNK (64 * 1024)
#define CACHE_SLOTS 64    /* processes whose map is kept (-f traces up to 64) */

struct perfmap_entry {
	unsigned long start, size;
	char *name;
};

struct perfmap {
	struct perfmap_entry *v;
	size_t n;
};

static const volatile sig_atomic_t *stop_counter;

void perfmap__set_stop(const volatile sig_atomic_t *counter)
{
	stop_counter = counter;
}

int perfmap__parse_line(const char *line, unsigned long *start, unsigned long *size, char *name, size_t len)
{
	char *end;
	const char *p = line;

	*start = strtoul(p, &end, 16);
	if (end == p || *end != ' ')
		return -1;
	p = end + 1;
	*size = strtoul(p, &end, 16);
	if (end == p || *end != ' ' || !*size)
		return -1;
	p = end + 1;
	snprintf(name, len, "%s", p);
	name[strcspn(name, "\r\n")] = '\0';
	return name[0] ? 0 : -1;
}

static int by_start(const void *a, const void *b)
{
	const struct perfmap_entry *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* The owners of the processes traced, noted while they lived: the report comes after some end. */
static struct owner {
	pid_t pid;
	uid_t uid;
} owners[CACHE_SLOTS];
static size_t owners_next;

/* The uid owning /proc/PID (the process's effective uid; root when it is not dumpable). */
static int proc_uid(pid_t pid, uid_t *uid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st))
		return -1;
	*uid = st.st_uid;
	return 0;
}

void perfmap__note_owner(pid_t pid)
{
	struct owner *o = NULL;
	uid_t uid;

	if (proc_uid(pid, &uid))
		return;
	for (size_t i = 0; i < CACHE_SLOTS && !o; i++)
		if (owners[i].pid == pid)
			o = &owners[i];
	if (!o) {
		o = &owners[owners_next];
		owners_next = (owners_next + 1) % CACHE_SLOTS;
	}
	*o = (struct owner){ .pid = pid, .uid = uid };
}

/* The target's uid now, or as noted while it lived; -1 when unknown. */
static int target_uid(pid_t pid, uid_t *uid)
{
	if (!proc_uid(pid, uid))
		return 0;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		if (owners[i].pid == pid) {
			*uid = owners[i].uid;
			return 0;
		}
	return -1;
}

int perfmap_open(pid_t pid, struct stat *st)
{
	char path[64];
	uid_t uid;
	int fd;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)pid);
	fd = safeopen__regular(path, O_NOFOLLOW, st); /* never a link, FIFO or device */
	if (fd < 0)
		return fd;
	if (st->st_uid != 0 && (target_uid(pid, &uid) || st->st_uid != uid)) {
		close(fd);
		return -EPERM; /* someone else's file: not the target's to name its code */
	}
	return fd;
}

static int add_entry(struct perfmap *m, size_t *cap, const char *line)
{
	unsigned long start, size;
	char name[512];

	if (perfmap__parse_line(line, &start, &size, name, sizeof(name)))
		return 0;
	if (m->n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		struct perfmap_entry *v = realloc(m->v, c * sizeof(*v));

		if (!v)
			return -1;
		m->v = v;
		*cap = c;
	}
	m->v[m->n].start = start;
	m->v[m->n].size = size;
	m->v[m->n].name = strdup(name);
	if (!m->v[m->n].name)
		return -1;
	m->n++;
	return 0;
}

/* Reads the entries of the open perf map fd; NULL without memory or when a signal came. */
static struct perfmap *read_map(int fd)
{
	sig_atomic_t signals = stop_counter ? *stop_counter : 0;
	char *buf = malloc(CHUNK), line[LINE_MAX_LEN + 1];
	size_t cap = 0, len = 0, total = 0;
	struct perfmap *m = calloc(1, sizeof(*m));
	bool skip = false; /* inside a line too long to keep */
	ssize_t got = 0;

	if (!buf || !m)
		goto fail;
	while (m->n < MAX_ENTRIES && total < PERFMAP_MAX_BYTES) {
		size_t want = PERFMAP_MAX_BYTES - total < CHUNK ? PERFMAP_MAX_BYTES - total : CHUNK;

		if (stop_counter && *stop_counter != signals)
			goto fail;
		got = read(fd, buf, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		total += (size_t)got;
		for (ssize_t i = 0; i < got && m->n < MAX_ENTRIES; i++) {
			if (buf[i] != '\n') {
				if (len < LINE_MAX_LEN)
					line[len++] = buf[i];
				else
					skip = true;
				continue;
			}
			line[len] = '\0';
			if (!skip && add_entry(m, &cap, line))
				goto fail;
			len = 0;
			skip = false;
		}
	}
	/* a last line without its newline, unless the cap cut it */
	if (len && !skip && got == 0 && m->n < MAX_ENTRIES) {
		line[len] = '\0';
		if (add_entry(m, &cap, line))
			goto fail;
	}
	free(buf);
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), by_start);
	return m;
fail:
	free(buf);
	perfmap__free(m);
	return NULL;
}

struct perfmap *perfmap__load(pid_t pid)
{
	struct perfmap *m;
	struct stat st;
	int fd = perfmap_open(pid, &st);

	if (fd < 0)
		return NULL;
	m = read_map(fd);
	close(fd);
	return m;
}

/* ---- one load per file: the maps of the processes traced, by the file's identity ---- */

static struct cached_map {
	pid_t pid;              /* 0: free slot */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool is_link;           /* what lstat saw: refused without a look inside */
	struct perfmap *map;    /* NULL: refused, unreadable or given up */
} cache[CACHE_SLOTS];
static size_t cache_next;

static bool same_file(const struct cached_map *c, const struct stat *st)
{
	return c->dev == st->st_dev && c->ino == st->st_ino && c->size == st->st_size &&
	       c->mtime.tv_sec == st->st_mtim.tv_sec && c->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

const struct perfmap *perfmap__get(pid_t pid)
{
	struct cached_map *c = NULL;
	char path[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)pid);
	if (lstat(path, &st))
		return NULL; /* none (or gone): nothing to keep */
	for (size_t i = 0; i < CACHE_SLOTS && !c; i++)
		if (cache[i].pid == pid)
			c = &cache[i];
	if (c && same_file(c, &st))
		return c->map; /* loaded, or refused, before: the same file */
	if (!c) {
		c = &cache[cache_next];
		cache_next = (cache_next + 1) % CACHE_SLOTS;
	}
	perfmap__free(c->map);
	*c = (struct cached_map){ .pid = pid, .dev = st.st_dev, .ino = st.st_ino, .size = st.st_size,
				  .mtime = st.st_mtim, .is_link = S_ISLNK(st.st_mode) };
	if (c->is_link || (fd = perfmap_open(pid, &st)) < 0)
		return NULL;
	c->map = read_map(fd);
	close(fd);
	return c->map;
}

void perfmap__cache_free(void)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		perfmap__free(cache[i].map);
	memset(cache, 0, sizeof(cache));
	cache_next = 0;
	memset(owners, 0, sizeof(owners));
	owners_next = 0;
}

void perfmap__free(struct perfmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	free(m);
}

const char *perfmap__resolve(const struct perfmap *m, unsigned long addr, unsigned long *offset)
{
	size_t lo = 0, hi;

	if (!m || !m->n)
		return NULL;
	hi = m->n;
	/* last entry starting at or below addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (addr < m->v[lo].start || addr - m->v[lo].start >= m->v[lo].size)
		return NULL;
	*offset = addr - m->v[lo].start;
	return m->v[lo].name;
}
