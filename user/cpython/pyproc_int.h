/* What pyproc.c, pyframes.c and pynames.c share: the reader's state. Not for users. */
#ifndef TT_PYPROC_INT_H
#define TT_PYPROC_INT_H

#include "pyfind.h"
#include "pyobj.h"
#include "pyproc.h"

#define PYPROC_CODE_CACHE  256         /* code objects, direct-mapped by address */
#define PYPROC_MAX_LINETABLE (1u << 20)
#define PYPROC_MAX_INTERPS 64

/* One code object's strings and line table, valid while its fields read back the same. */
struct pycode {
	uint64_t addr, filename, qualname, linetable;
	int firstlineno, firsttraceable;
	char file[PYPROC_FILE_LEN];
	char func[PYPROC_FUNC_LEN];
	uint8_t *table;
	size_t table_len;
};

struct pyproc {
	struct pyobj_ctx obj;
	struct pyfind find;
	uint32_t version;
	uint64_t code_type;            /* the PyCode_Type address once one was checked by name */
	struct pycode codes[PYPROC_CODE_CACHE];
};

/* The code object at addr, read or from the cache. 0 or -errno (-EINVAL: not a code object). */
int pycode__get(struct pyproc *p, uint64_t addr, struct pycode **out);
void pycode__cache_free(struct pyproc *p);

/* Interpreter states, from _PyRuntime.interpreters.head on; at most max. Count or -errno. */
int pyproc__interps(struct pyproc *p, uint64_t *interps, int max);

/* sys.modules of one interpreter: interp->modules, else sys.__dict__['modules']. 0 or -errno. */
int pyproc__modules(struct pyproc *p, uint64_t interp, uint64_t *modules);

/*
 * Brent's cycle finder for walks along untrusted `next` pointers: step()
 * returns true when addr was seen before (a cycle).
 */
struct pycycle {
	uint64_t mark;
	unsigned power, lam;
};

static inline void pycycle__init(struct pycycle *c)
{
	c->mark = 0;
	c->power = c->lam = 1;
}

static inline int pycycle__step(struct pycycle *c, uint64_t addr)
{
	if (addr == c->mark)
		return 1;
	if (c->lam == c->power) {
		c->mark = addr;
		c->power *= 2;
		c->lam = 0;
	}
	c->lam++;
	return 0;
}

#endif
