/*
 * threading.Thread names, as py-spy finds them: sys.modules['threading'] ->
 * its module dict -> `_active` (ident -> Thread) -> each Thread's `_name`.
 */
#include <errno.h>
#include "pyproc_int.h"

struct names_ctx {
	struct pyproc *p;
	void (*fn)(uint64_t ident, const char *name, void *ctx);
	void *ctx;
	int count;
};

static int active_cb(uint64_t key, uint64_t value, void *ctx)
{
	struct names_ctx *n = ctx;
	char name[PYPROC_NAME_LEN];
	uint64_t ident, name_obj;

	/* one unreadable Thread costs its own name only */
	if (pyobj__u64(&n->p->obj, key, &ident) || pyobj__attr(&n->p->obj, value, "_name", &name_obj) ||
	    pyobj__str(&n->p->obj, name_obj, name, sizeof(name)))
		return 0;
	n->fn(ident, name, n->ctx);
	n->count++;
	return 0;
}

int pyproc__modules(struct pyproc *p, uint64_t interp, uint64_t *modules)
{
	const struct py_layout *L = p->obj.L;
	uint64_t sysdict;
	int err;

	err = pymem__read_u64(&p->obj.mem, interp + L->interp_modules, modules);
	if (!err && *modules)
		return 0;
	err = pymem__read_u64(&p->obj.mem, interp + L->interp_sysdict, &sysdict);
	if (err)
		return err;
	return sysdict ? pyobj__dict_get(&p->obj, sysdict, "modules", modules) : -ENOENT;
}

static int names_of(struct pyproc *p, uint64_t interp, struct names_ctx *n)
{
	uint64_t modules, threading, md_dict, active;
	int err;

	err = pyproc__modules(p, interp, &modules);
	if (!err)
		err = pyobj__dict_get(&p->obj, modules, "threading", &threading);
	if (!err)
		err = pymem__read_u64(&p->obj.mem, threading + p->obj.L->module_dict, &md_dict);
	if (!err)
		err = pyobj__dict_get(&p->obj, md_dict, "_active", &active);
	if (err)
		return err;
	return pyobj__dict_foreach(&p->obj, active, active_cb, n);
}

int pyproc__thread_names(struct pyproc *p, void (*fn)(uint64_t ident, const char *name, void *ctx),
			 void *ctx)
{
	struct names_ctx n = { p, fn, ctx, 0 };
	uint64_t interps[PYPROC_MAX_INTERPS];
	int count = pyproc__interps(p, interps, PYPROC_MAX_INTERPS), err = -ENOENT;

	if (count < 0)
		return count;
	for (int i = 0; i < count; i++) {
		int e = names_of(p, interps[i], &n);

		if (!e || err == -ENOENT)
			err = e;
	}
	return n.count ? 0 : err;
}
