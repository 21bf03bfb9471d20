/*
 * Python objects read out of another process: str, bytes, int, dict, an
 * instance attribute. Every pointer is untrusted: the object's type is checked
 * through its type's flags before it is read as that type, sizes are capped,
 * and iteration is bounded.
 */
#ifndef TT_PYOBJ_H
#define TT_PYOBJ_H

#include <stddef.h>
#include <stdint.h>
#include "pylayout.h"
#include "pymem.h"

#define PYOBJ_TYPE_CACHE 16
#define PYOBJ_MAX_DICT   (1u << 16) /* entries looked at in one dict */
#define PYOBJ_MAX_STR    4096       /* code points read from one str */

struct pyobj_ctx {
	struct pymem mem;
	const struct py_layout *L;
	struct { uint64_t type, flags; } types[PYOBJ_TYPE_CACHE];
	unsigned next_type;
};

/* Py_TPFLAGS_*_SUBCLASS bits: the same in every CPython 3 */
#define PY_TPFLAGS_LONG    (1ul << 24)
#define PY_TPFLAGS_BYTES   (1ul << 27)
#define PY_TPFLAGS_UNICODE (1ul << 28)
#define PY_TPFLAGS_DICT    (1ul << 29)

void pyobj__init(struct pyobj_ctx *c, pid_t pid, const struct py_layout *L);
void pyobj__close(struct pyobj_ctx *c);

/* The type object and its tp_flags of obj. 0 or -errno. */
int pyobj__type(struct pyobj_ctx *c, uint64_t obj, uint64_t *type, uint64_t *flags);

/*
 * A str as UTF-8 in out (always NUL-terminated; cut at a character boundary
 * when it does not fit, or beyond PYOBJ_MAX_STR code points). 0, -EINVAL (not
 * a compact, ready str), or -errno.
 */
int pyobj__str(struct pyobj_ctx *c, uint64_t obj, char *out, size_t outlen);

/* A bytes object's contents into a new malloc'd buffer of at most max bytes. 0 or -errno. */
int pyobj__bytes(struct pyobj_ctx *c, uint64_t obj, size_t max, uint8_t **data, size_t *len);

/* A non-negative int that fits in 64 bits. 0, -ERANGE, or -errno. */
int pyobj__u64(struct pyobj_ctx *c, uint64_t obj, uint64_t *value);

/*
 * Calls fn(key, value) for each live item of a dict (split or combined),
 * stopping when fn returns non-zero (that value is returned). Else 0 or -errno.
 */
int pyobj__dict_foreach(struct pyobj_ctx *c, uint64_t dict,
		       int (*fn)(uint64_t key, uint64_t value, void *ctx), void *ctx);

/* The value of the str key `name` in a dict: 0, -ENOENT, or -errno. */
int pyobj__dict_get(struct pyobj_ctx *c, uint64_t dict, const char *name, uint64_t *value);

/* Instance attribute `name` from obj's __dict__ (managed in 3.11, or at tp_dictoffset). */
int pyobj__attr(struct pyobj_ctx *c, uint64_t obj, const char *name, uint64_t *value);

#endif
