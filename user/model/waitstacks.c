/* The wait time of every blocking call site, frames named (waitstacks.h). */
#include <stdlib.h>
#include <string.h>
#include "model/array.h"
#include "model/waitstacks.h"

struct tt_waitstacks *waitstacks__new(void)
{
	return calloc(1, sizeof(struct tt_waitstacks));
}

void waitstacks__free(struct tt_waitstacks *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].frames);
	free(w->v);
	free(w);
}

int waitstacks__add(struct tt_waitstacks *w, pid_t tgid, uint64_t addr, uint64_t py_stack,
		    const char *const *frames, size_t nframes, uint64_t count, uint64_t total_ns)
{
	struct tt_waitstack *e;
	size_t len = 1, used = 0;

	if (ARRAY_ROOM(w->v, w->n, w->cap))
		return -1;
	e = &w->v[w->n];
	*e = (struct tt_waitstack){ .tgid = tgid, .addr = addr, .py_stack = py_stack, .nframes = nframes,
				    .count = count, .total_ns = total_ns };
	for (size_t i = 0; i < nframes; i++)
		len += strlen(frames[i]) + 1;
	e->frames = malloc(len);
	if (!e->frames)
		return -1;
	for (size_t i = 0; i < nframes; i++) {
		size_t n = strlen(frames[i]) + 1;

		memcpy(e->frames + used, frames[i], n);
		used += n;
	}
	e->frames[used] = '\0';
	w->n++;
	return 0;
}
