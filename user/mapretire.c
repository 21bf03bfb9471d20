/* Kernel map entries of ended threads, moved to user space (mapretire.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mapretire.h"
#include "model/array.h"
#include "threadtrace.h"

/* The maps whose entries name their thread, with the key's size and the value's. */
static const struct {
	enum tt_map map;
	size_t ksz, vsz;
} retired_maps[] = {
	{ TT_MAP_LOCK_STATS, sizeof(struct tt_lock_key), sizeof(struct tt_lock_stat) },
	{ TT_MAP_WAKE_PAIRS, sizeof(struct tt_pair_key), sizeof(struct tt_pair_val) },
	{ TT_MAP_OWNER_PAIRS, sizeof(struct tt_pair_key), sizeof(struct tt_pair_val) },
	{ TT_MAP_SPINS, sizeof(struct tt_spin_key), sizeof(struct tt_spin_stat) },
};
#define NMAPS (sizeof(retired_maps) / sizeof(retired_maps[0]))

struct retired_map {
	unsigned char *kv; /* key then value, n times */
	size_t n, cap;
};

struct mapretire {
	struct retired_map m[NMAPS];
};

void mapretire__free(struct mapretire *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < NMAPS; i++)
		free(r->m[i].kv);
	free(r);
}

static int slot_of(enum tt_map which)
{
	for (size_t i = 0; i < NMAPS; i++)
		if (retired_maps[i].map == which)
			return (int)i;
	return -1;
}

size_t mapretire__replay(const struct mapretire *r, enum tt_map which, tt_entry_fn fn, void *ctx)
{
	int s = slot_of(which);
	size_t ksz, step;

	if (!r || s < 0)
		return 0;
	ksz = retired_maps[s].ksz;
	step = ksz + retired_maps[s].vsz;
	for (size_t i = 0; i < r->m[s].n; i++)
		fn(r->m[s].kv + i * step, r->m[s].kv + i * step + ksz, ctx);
	return r->m[s].n;
}

/*
 * Whether an entry is final: its waiter (wait entry, owner pair) or its wakee
 * (wake pair) has ended; or a wake pair's waker ended a while ago (an ending
 * thread wakes its joiner after its exit event: clear_child_tid). An owner
 * pair's owner may end while its waiter still waits: that counts later.
 */
static bool is_final(enum tt_map which, const void *key, tt_ended_fn ended, void *ctx)
{
	const struct tt_pair_key *p = key;

	if (which == TT_MAP_LOCK_STATS)
		return ended(((const struct tt_lock_key *)key)->tid, false, ctx);
	if (which == TT_MAP_SPINS) /* its thread's slow paths */
		return ended(((const struct tt_spin_key *)key)->tid, false, ctx);
	return ended(p->b, false, ctx) || (which == TT_MAP_WAKE_PAIRS && ended(p->a, true, ctx));
}

struct sweep {
	struct retired_map *m;
	enum tt_map which;
	size_t ksz, vsz;
	tt_ended_fn ended;
	void *ctx;
	int err;
};

static void on_entry(const void *key, const void *val, void *ctx)
{
	struct sweep *s = ctx;
	size_t step = s->ksz + s->vsz;

	if (s->err || !is_final(s->which, key, s->ended, s->ctx))
		return;
	if (s->m->n == s->m->cap) {
		size_t cap = s->m->cap ? 2 * s->m->cap : 256;
		unsigned char *kv = realloc(s->m->kv, cap * step);

		if (!kv) {
			s->err = -ENOMEM;
			return;
		}
		s->m->kv = kv;
		s->m->cap = cap;
	}
	memcpy(s->m->kv + s->m->n * step, key, s->ksz);
	memcpy(s->m->kv + s->m->n * step + s->ksz, val, s->vsz);
	s->m->n++;
}

/* Deletes from the kernel the entries kept from position from on; those it could not delete are not kept. */
static int delete_kept(struct tt_loader *l, struct sweep *s, size_t from)
{
	size_t n = s->m->n - from, step = s->ksz + s->vsz, deleted;
	unsigned char *keys;
	int err;

	if (!n)
		return 0;
	keys = malloc(n * s->ksz);
	if (!keys) {
		s->m->n = from;
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		memcpy(keys + i * s->ksz, s->m->kv + (from + i) * step, s->ksz);
	err = loader__delete(l, s->which, keys, n, &deleted);
	/* the batch deletes in order: the kernel still has those after the first it could not delete */
	s->m->n = from + deleted;
	free(keys);
	return err;
}

int mapretire__sweep(struct mapretire **r, struct tt_loader *l, tt_ended_fn ended, void *ctx)
{
	int moved = 0, err = 0;

	if (!*r && !(*r = calloc(1, sizeof(**r))))
		return -ENOMEM;
	for (size_t i = 0; i < NMAPS && !err; i++) {
		struct sweep s = { &(*r)->m[i], retired_maps[i].map, retired_maps[i].ksz, retired_maps[i].vsz,
				   ended, ctx, 0 };
		size_t from = s.m->n;
		int n = loader__dump_kernel(l, s.which, on_entry, &s);

		err = n < 0 ? n : s.err;
		/* what was copied is deleted from the kernel even after an error: copied and kept, it would count twice */
		if (delete_kept(l, &s, from) && !err)
			err = -EIO;
		moved += (int)(s.m->n - from);
	}
	return err ? err : moved;
}
