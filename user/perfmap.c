/* Reading perf map files: "START SIZE NAME" per line, hex numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "perfmap.h"

#define MAX_ENTRIES (1 << 20)

struct perfmap_entry {
	unsigned long start, size;
	char *name;
};

struct perfmap {
	struct perfmap_entry *v;
	size_t n;
};

int perfmap_parse_line(const char *line, unsigned long *start, unsigned long *size, char *name, size_t len)
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

struct perfmap *perfmap__load(pid_t pid)
{
	char path[64], line[1024], name[512];
	struct perfmap *m;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	m = calloc(1, sizeof(*m));
	while (m && fgets(line, sizeof(line), f) && m->n < MAX_ENTRIES) {
		unsigned long start, size;

		if (perfmap_parse_line(line, &start, &size, name, sizeof(name)))
			continue;
		if (m->n == cap) {
			size_t c = cap ? cap * 2 : 256;
			struct perfmap_entry *v = realloc(m->v, c * sizeof(*v));

			if (!v)
				break;
			m->v = v;
			cap = c;
		}
		m->v[m->n].start = start;
		m->v[m->n].size = size;
		m->v[m->n].name = strdup(name);
		if (m->v[m->n].name)
			m->n++;
	}
	fclose(f);
	if (m && m->n)
		qsort(m->v, m->n, sizeof(*m->v), by_start);
	return m;
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
