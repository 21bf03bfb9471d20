/* Open addressing with linear probing; grows at half full. */
#include <stdlib.h>
#include "model/index.h"

static size_t hash(uint64_t a, uint32_t b)
{
	uint64_t h = (a ^ ((uint64_t)b << 32 | b)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h ^ (h >> 29));
}

static struct tt_index_slot *find(const struct tt_index *ix, uint64_t a, uint32_t b)
{
	size_t i = hash(a, b) & (ix->cap - 1);

	while (ix->slots[i].used && (ix->slots[i].a != a || ix->slots[i].b != b))
		i = (i + 1) & (ix->cap - 1);
	return &ix->slots[i];
}

static int grow(struct tt_index *ix)
{
	struct tt_index old = *ix;

	ix->cap = old.cap ? old.cap * 2 : 64;
	ix->slots = calloc(ix->cap, sizeof(*ix->slots));
	if (!ix->slots) {
		*ix = old;
		return -1;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].used)
			*find(ix, old.slots[i].a, old.slots[i].b) = old.slots[i];
	free(old.slots);
	return 0;
}

int index__put(struct tt_index *ix, uint64_t a, uint32_t b, size_t pos)
{
	struct tt_index_slot *s;

	if ((ix->n + 1) * 2 > ix->cap && grow(ix))
		return -1;
	s = find(ix, a, b);
	if (!s->used)
		ix->n++;
	*s = (struct tt_index_slot){ .a = a, .b = b, .used = 1, .pos = pos };
	return 0;
}

bool index__get(const struct tt_index *ix, uint64_t a, uint32_t b, size_t *pos)
{
	const struct tt_index_slot *s;

	if (!ix->cap)
		return false;
	s = find(ix, a, b);
	if (!s->used)
		return false;
	*pos = s->pos;
	return true;
}

void index__clear(struct tt_index *ix)
{
	for (size_t i = 0; i < ix->cap; i++)
		ix->slots[i].used = 0;
	ix->n = 0;
}

void index__free(struct tt_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->cap = ix->n = 0;
}
