/* Growable arrays for the models: one way to make room. */
#ifndef TT_ARRAY_H
#define TT_ARRAY_H

#include <stdlib.h>

/* Makes room for one more element in *v (n used of *cap, elem bytes each), doubling. 0 or -1. */
static inline int array__room(void **v, size_t n, size_t *cap, size_t elem)
{
	size_t c;
	void *nv;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	nv = realloc(*v, c * elem);
	if (!nv)
		return -1;
	*v = nv;
	*cap = c;
	return 0;
}

/* array__room for a typed array field: ARRAY_ROOM(t->v, t->n, t->cap). */
#define ARRAY_ROOM(v, n, cap) array__room((void **)&(v), (n), &(cap), sizeof(*(v)))

#endif
