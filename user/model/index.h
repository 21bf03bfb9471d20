/* A hash index from a (u64, u32) key to a position in a model's array. */
#ifndef TT_INDEX_H
#define TT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tt_index {
	struct tt_index_slot {
		uint64_t a;
		uint32_t b;
		uint32_t used;
		size_t pos;
	} *slots;
	size_t cap, n;
};

/* Sets key -> pos (replacing an older pos). 0, or -1 on ENOMEM. */
int index__put(struct tt_index *ix, uint64_t a, uint32_t b, size_t pos);
bool index__get(const struct tt_index *ix, uint64_t a, uint32_t b, size_t *pos);
void index__clear(struct tt_index *ix);
void index__free(struct tt_index *ix);

#endif
