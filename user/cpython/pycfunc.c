/*
 * C functions of the interpreter found without symbols (stripped
 * /usr/bin/python3.11 has none for static functions): where they start from
 * the method tables the interpreter keeps in memory, where they end from the
 * interpreter file's unwind tables.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ehframe.h"
#include "pyproc_int.h"

#define MAX_METHODS 64          /* _thread.RLock has 11, _thread.lock 13 */
#define PY_TPFLAGS_TYPE (1ul << 31) /* Py_TPFLAGS_TYPE_SUBCLASS: the object is a type */

static const struct {
	const char *c_name, *attr, *tp_name;
} cfuncs[] = {
	[PYPROC_RLOCK_ACQUIRE] = { "rlock_acquire", "RLock", "_thread.RLock" },
	[PYPROC_LOCK_ACQUIRE] = { "lock_PyThread_acquire_lock", "LockType", "_thread.lock" },
};

const char *pyproc__cfunc_name(enum pyproc_cfunc which)
{
	return (unsigned)which < sizeof(cfuncs) / sizeof(cfuncs[0]) ? cfuncs[which].c_name : NULL;
}

/* A NUL-terminated C string of at most len - 1 bytes at addr (-EINVAL: longer). */
static int read_cstr(struct pyproc *p, uint64_t addr, char *out, size_t len)
{
	/* read byte runs that stay within one page: a short name may end just before unmapped memory */
	size_t n = 0;

	while (n < len) {
		size_t chunk = 4096 - ((addr + n) & 4095);
		int err;

		if (chunk > len - n)
			chunk = len - n;
		err = pymem__read(&p->obj.mem, addr + n, out + n, chunk);
		if (err)
			return err;
		if (memchr(out + n, '\0', chunk))
			return 0;
		n += chunk;
	}
	out[len - 1] = '\0';
	return -EINVAL;
}

/* The type object _thread.<attr> of one interpreter, checked to be a type named tp_name. */
static int thread_type(struct pyproc *p, uint64_t interp, int which, uint64_t *type)
{
	uint64_t modules, mod, md_dict, meta, flags, name_ptr;
	char name[64];
	int err;

	err = pyproc__modules(p, interp, &modules);
	if (!err)
		err = pyobj__dict_get(&p->obj, modules, "_thread", &mod);
	if (!err)
		err = pymem__read_u64(&p->obj.mem, mod + p->obj.L->module_dict, &md_dict);
	if (!err)
		err = pyobj__dict_get(&p->obj, md_dict, cfuncs[which].attr, type);
	if (!err)
		err = pyobj__type(&p->obj, *type, &meta, &flags);
	if (!err && !(flags & PY_TPFLAGS_TYPE))
		err = -EINVAL;
	if (!err)
		err = pymem__read_u64(&p->obj.mem, *type + p->obj.L->type_name, &name_ptr);
	if (!err)
		err = read_cstr(p, name_ptr, name, sizeof(name));
	if (!err && strcmp(name, cfuncs[which].tp_name))
		err = -EINVAL;
	return err;
}

/* ml_meth of "acquire" in a type's tp_methods, checked equal to "__enter__"'s (3.11's tables). */
static int acquire_meth(struct pyproc *p, uint64_t type, uint64_t *meth)
{
	const struct py_layout *L = p->obj.L;
	uint64_t methods, acquire = 0, enter = 0;
	int err;

	err = pymem__read_u64(&p->obj.mem, type + L->type_methods, &methods);
	if (err)
		return err;
	for (int i = 0; i < MAX_METHODS && methods; i++) {
		uint64_t def = methods + (uint64_t)i * L->methoddef_size, name_ptr, fn;
		char name[32];

		err = pymem__read_u64(&p->obj.mem, def + L->methoddef_name, &name_ptr);
		if (err)
			return err;
		if (!name_ptr)
			break; /* the sentinel */
		err = pymem__read_u64(&p->obj.mem, def + L->methoddef_meth, &fn);
		if (err)
			return err;
		if (read_cstr(p, name_ptr, name, sizeof(name)))
			continue; /* a long name is none of ours */
		if (!strcmp(name, "acquire"))
			acquire = fn;
		else if (!strcmp(name, "__enter__"))
			enter = fn;
	}
	if (!acquire || !enter)
		return -ENOENT;
	if (acquire != enter)
		return -EINVAL;
	*meth = acquire;
	return 0;
}

/* [start, end) of the function at addr in the interpreter file, in the process's addresses. */
static int extent(struct pyproc *p, uint64_t addr, uint64_t *start, uint64_t *end)
{
	uint64_t bias = p->find.bias, s, e;
	char via[PATH_MAX + 64];
	int err;

	if (addr < bias)
		return -ENOENT;
	/* the file that is mapped (right across mount namespaces), else the path as the process sees it */
	snprintf(via, sizeof(via), "/proc/%d/map_files/%llx-%llx", (int)p->obj.mem.pid,
		 (unsigned long long)p->find.map_start, (unsigned long long)p->find.map_end);
	err = ehframe__func_range(via, addr - bias, &s, &e);
	if (err && err != -ENOENT && err != -EINVAL && err != -ENOTSUP) {
		snprintf(via, sizeof(via), "/proc/%d/root%s", (int)p->obj.mem.pid, p->find.path);
		err = ehframe__func_range(via, addr - bias, &s, &e);
	}
	if (err)
		return err;
	if (s != addr - bias)
		return -EINVAL; /* the pointer is not where a function starts */
	*start = s + bias;
	*end = e + bias;
	return 0;
}

int pyproc__c_func_range(struct pyproc *p, enum pyproc_cfunc which, uint64_t *start, uint64_t *end)
{
	uint64_t interps[PYPROC_MAX_INTERPS], type, meth;
	int n, err = -ENOENT;

	if (!pyproc__cfunc_name(which))
		return -EINVAL;
	n = pyproc__interps(p, interps, PYPROC_MAX_INTERPS);
	if (n < 0)
		return n;
	/* every interpreter's _thread types share one static method table: the first readable will do */
	for (int i = 0; i < n && err; i++) {
		err = thread_type(p, interps[i], which, &type);
		if (!err)
			err = acquire_meth(p, type, &meth);
	}
	if (err)
		return err;
	return extent(p, meth, start, end);
}
