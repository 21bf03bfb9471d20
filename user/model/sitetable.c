/* Blocking call sites by id, frames named (sitetable.h). */
#include <stdlib.h>
#include <string.h>
#include "model/array.h"
#include "model/sitetable.h"

struct tt_sitetable *sitetable__new(void)
{
	return calloc(1, sizeof(struct tt_sitetable));
}

void sitetable__free(struct tt_sitetable *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].frames);
	free(t->v);
	index__free(&t->by_id);
	free(t);
}

const struct tt_site_entry *sitetable__find(const struct tt_sitetable *t, uint64_t id)
{
	size_t pos;

	return t && id && index__get(&t->by_id, id, 0, &pos) ? &t->v[pos] : NULL;
}

struct tt_site_entry *sitetable__add(struct tt_sitetable *t, uint64_t id, pid_t tgid, uint64_t addr,
				     uint64_t count, uint64_t total_ns, int *created)
{
	struct tt_site_entry *e;
	size_t pos;

	*created = 0;
	if (index__get(&t->by_id, id, 0, &pos)) {
		e = &t->v[pos];
	} else {
		if (ARRAY_ROOM(t->v, t->n, t->cap) || index__put(&t->by_id, id, 0, t->n))
			return NULL;
		e = &t->v[t->n++];
		*e = (struct tt_site_entry){ .id = id, .tgid = tgid, .addr = addr };
		*created = 1;
	}
	e->waits += count;
	e->total_ns += total_ns;
	return e;
}

int sitetable__set_frames(struct tt_site_entry *e, const char *frames)
{
	char *copy = strdup(frames);

	if (!copy)
		return -1;
	free(e->frames);
	e->frames = copy;
	return 0;
}

static int by_total(const void *a, const void *b)
{
	const struct tt_site_entry *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int sitetable__sort(struct tt_sitetable *t)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), by_total);
	index__clear(&t->by_id);
	for (size_t i = 0; i < t->n; i++)
		if (index__put(&t->by_id, t->v[i].id, 0, i))
			return -1;
	return 0;
}
