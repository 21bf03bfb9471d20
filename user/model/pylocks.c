/*
 * CPython's locks in Python's words (locks__name_python, model/locks.h): a
 * word CPython blocks on is a sem_t whatever threading primitive it serves;
 * the Python code that waits on it says which, and where.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/locks.h"

/* A word only CPython's lock code waits on: a sem_t, not the GIL, not a tid word. */
static bool is_python_lock(const struct tt_lock *k)
{
	return !k->is_gil && !k->is_join && k->kinds == (1u << TT_LOCK_SEM);
}

static int by_name(const void *a, const void *b)
{
	const struct tt_lock *x = *(const struct tt_lock *const *)a, *y = *(const struct tt_lock *const *)b;

	return strcmp(x->name, y->name);
}

/* Words named alike (one call site, several locks: `with self.lock` of many objects) get their address. */
static void make_names_distinct(struct tt_locks *l)
{
	struct tt_lock **named;
	size_t n = 0;

	named = calloc(l->n ? l->n : 1, sizeof(*named));
	if (!named)
		return; /* names stay as they are: still right, maybe alike */
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].py_kind != TT_PY_NONE)
			named[n++] = &l->v[i];
	qsort(named, n, sizeof(*named), by_name);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && !strcmp(named[i]->name, named[j]->name))
			j++;
		for (size_t k = i; j - i > 1 && k < j; k++) {
			char *name = named[k]->name;
			size_t used = strlen(name);

			snprintf(name + used, sizeof(named[k]->name) - used, " [0x%llx]",
				 (unsigned long long)named[k]->addr);
		}
		i = j;
	}
	free(named);
}

void locks__name_python(struct tt_locks *l, const struct tt_pystacks *stacks)
{
	bool named = false;

	for (size_t i = 0; i < l->n; i++) {
		struct tt_lock *k = &l->v[i];
		const struct tt_pystack *ps;

		if (k->py_kind != TT_PY_NONE || !k->py_stack || !is_python_lock(k))
			continue;
		ps = pystacks__find(stacks, k->py_stack);
		if (!ps || ps->kind == TT_PY_NONE || !ps->site)
			continue;
		k->py_kind = ps->kind;
		snprintf(k->name, sizeof(k->name), "%s in %s", pystack__type_name(ps->kind), ps->site);
		named = true;
	}
	if (named)
		make_names_distinct(l);
}
