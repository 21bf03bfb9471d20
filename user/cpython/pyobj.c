/* str, bytes, int and dict readers over pymem, checked by type flags. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pyobj.h"

void pyobj__init(struct pyobj_ctx *c, pid_t pid, const struct py_layout *L)
{
	memset(c, 0, sizeof(*c));
	pymem__init(&c->mem, pid);
	c->L = L;
}

void pyobj__close(struct pyobj_ctx *c)
{
	pymem__close(&c->mem);
}

int pyobj__type(struct pyobj_ctx *c, uint64_t obj, uint64_t *type, uint64_t *flags)
{
	unsigned i;
	int err;

	err = pymem__read_u64(&c->mem, obj + c->L->ob_type, type);
	if (err)
		return err;
	for (i = 0; i < PYOBJ_TYPE_CACHE; i++)
		if (c->types[i].type == *type) {
			*flags = c->types[i].flags;
			return 0;
		}
	err = pymem__read_u64(&c->mem, *type + c->L->type_flags, flags);
	if (err)
		return err;
	i = c->next_type++ % PYOBJ_TYPE_CACHE;
	c->types[i].type = *type;
	c->types[i].flags = *flags;
	return 0;
}

static int check_kind(struct pyobj_ctx *c, uint64_t obj, uint64_t flag)
{
	uint64_t type, flags;
	int err = pyobj__type(c, obj, &type, &flags);

	if (err)
		return err;
	return flags & flag ? 0 : -EINVAL;
}

/* Appends code point cp as UTF-8 if it fits whole (and leaves room for the NUL). */
static int put_utf8(char *out, size_t outlen, size_t *n, uint32_t cp)
{
	char b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		if (cp >= 0xd800 && cp < 0xe000)
			cp = 0xfffd; /* lone surrogates (surrogateescape) are not UTF-8 */
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else if (cp < 0x110000) {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	} else {
		return -EINVAL;
	}
	if (*n + k >= outlen)
		return -ENOSPC;
	memcpy(out + *n, b, k);
	*n += k;
	return 0;
}

int pyobj__str(struct pyobj_ctx *c, uint64_t obj, char *out, size_t outlen)
{
	const struct py_layout *L = c->L;
	uint64_t length;
	uint32_t state;
	unsigned kind;
	size_t n = 0, count;
	uint8_t *raw;
	int err;

	if (!outlen)
		return -EINVAL;
	out[0] = '\0';
	err = check_kind(c, obj, PY_TPFLAGS_UNICODE);
	if (!err)
		err = pymem__read_u64(&c->mem, obj + L->unicode_length, &length);
	if (!err)
		err = pymem__read(&c->mem, obj + L->unicode_state, &state, sizeof(state));
	if (err)
		return err;
	/* state bits (3.11, little-endian bit-fields): interned 0-1, kind 2-4, compact 5, ascii 6, ready 7 */
	kind = (state >> 2) & 7;
	if (!(state & (1u << 5)) || !(state & (1u << 7)) || (kind != 1 && kind != 2 && kind != 4) ||
	    length > (1ull << 40))
		return -EINVAL;
	count = length < PYOBJ_MAX_STR ? (size_t)length : PYOBJ_MAX_STR;
	if (count > outlen - 1 && kind == 1 && (state & (1u << 6)))
		count = outlen - 1; /* ASCII: one byte per code point; no need to read more */
	if (!count)
		return 0;
	raw = malloc(count * kind);
	if (!raw)
		return -ENOMEM;
	err = pymem__read(&c->mem, obj + ((state & (1u << 6)) ? L->unicode_ascii_data : L->unicode_compact_data),
			 raw, count * kind);
	for (size_t i = 0; !err && i < count; i++) {
		uint32_t cp = kind == 1 ? raw[i] : kind == 2 ? ((uint16_t *)raw)[i] : ((uint32_t *)raw)[i];

		if (put_utf8(out, outlen, &n, cp))
			break;
	}
	free(raw);
	out[n] = '\0';
	return err;
}

int pyobj__bytes(struct pyobj_ctx *c, uint64_t obj, size_t max, uint8_t **data, size_t *len)
{
	int64_t size;
	int err;

	*data = NULL;
	*len = 0;
	err = check_kind(c, obj, PY_TPFLAGS_BYTES);
	if (!err)
		err = pymem__read(&c->mem, obj + c->L->ob_size, &size, sizeof(size));
	if (err)
		return err;
	if (size < 0 || (uint64_t)size > max)
		return -E2BIG;
	*data = malloc(size ? (size_t)size : 1);
	if (!*data)
		return -ENOMEM;
	err = pymem__read(&c->mem, obj + c->L->bytes_data, *data, (size_t)size);
	if (err) {
		free(*data);
		*data = NULL;
		return err;
	}
	*len = (size_t)size;
	return 0;
}

int pyobj__u64(struct pyobj_ctx *c, uint64_t obj, uint64_t *value)
{
	unsigned shift = c->L->long_shift;
	uint32_t digits[3];
	int64_t size;
	uint64_t v = 0;
	int err;

	err = check_kind(c, obj, PY_TPFLAGS_LONG);
	if (!err)
		err = pymem__read(&c->mem, obj + c->L->ob_size, &size, sizeof(size));
	if (err)
		return err;
	/* 3.11: the sign of ob_size is the int's, |ob_size| its count of 30-bit digits */
	if (size < 0 || size > 3)
		return -ERANGE;
	err = pymem__read(&c->mem, obj + c->L->long_digits, digits, (size_t)size * sizeof(digits[0]));
	if (err)
		return err;
	for (int64_t i = size - 1; i >= 0; i--) {
		if (v >> (64 - shift))
			return -ERANGE;
		v = (v << shift) | (digits[i] & ((1u << shift) - 1));
	}
	*value = v;
	return 0;
}

/* Keys of a dict, or a type's cached (shared) keys: header fields and where entries start. */
struct keys {
	uint64_t entries;
	uint32_t entry_size, key_off, value_off;
	uint64_t nentries;
};

static int read_keys(struct pyobj_ctx *c, uint64_t keys_addr, struct keys *k)
{
	const struct py_layout *L = c->L;
	uint8_t hdr[64];
	uint8_t log2_size, log2_index_bytes, kind;
	int64_t nentries;
	int err;

	if (L->keys_indices > sizeof(hdr))
		return -EINVAL;
	err = pymem__read(&c->mem, keys_addr, hdr, L->keys_indices);
	if (err)
		return err;
	log2_size = hdr[L->keys_log2_size];
	log2_index_bytes = hdr[L->keys_log2_index_bytes];
	kind = hdr[L->keys_kind];
	memcpy(&nentries, hdr + L->keys_nentries, sizeof(nentries));
	/* index bytes: 1, 2, 4 or 8 per slot; a dict this reader visits is never huge */
	if (log2_size < 3 || log2_size > 24 || log2_index_bytes < log2_size ||
	    log2_index_bytes > log2_size + 3 || kind > 2 || nentries < 0 ||
	    (uint64_t)nentries > (1ull << log2_size))
		return -EINVAL;
	k->entries = keys_addr + L->keys_indices + (1ull << log2_index_bytes);
	if (kind == 0) { /* DICT_KEYS_GENERAL: {hash, key, value} */
		k->entry_size = L->entry_size;
		k->key_off = L->entry_key;
		k->value_off = L->entry_value;
	} else {         /* DICT_KEYS_UNICODE and DICT_KEYS_SPLIT: {key, value} */
		k->entry_size = L->uentry_size;
		k->key_off = L->uentry_key;
		k->value_off = L->uentry_value;
	}
	k->nentries = (uint64_t)nentries < PYOBJ_MAX_DICT ? (uint64_t)nentries : PYOBJ_MAX_DICT;
	return 0;
}

/*
 * Entries of keys k; values from `values` (a split table: PyDictValues) when
 * non-zero, else from the entries themselves.
 */
static int foreach_entry(struct pyobj_ctx *c, const struct keys *k, uint64_t values,
			 int (*fn)(uint64_t key, uint64_t value, void *ctx), void *ctx)
{
	enum { CHUNK = 128 };
	uint8_t buf[CHUNK * 24];
	uint64_t vals[CHUNK];

	if (k->entry_size > 24)
		return -EINVAL;
	for (uint64_t i = 0; i < k->nentries; i += CHUNK) {
		size_t n = k->nentries - i < CHUNK ? (size_t)(k->nentries - i) : CHUNK;
		int err = pymem__read(&c->mem, k->entries + i * k->entry_size, buf, n * k->entry_size);

		if (!err && values)
			err = pymem__read(&c->mem, values + i * 8, vals, n * 8);
		if (err)
			return err;
		for (size_t j = 0; j < n; j++) {
			uint64_t key, value;
			int r;

			memcpy(&key, buf + j * k->entry_size + k->key_off, 8);
			if (values)
				value = vals[j];
			else
				memcpy(&value, buf + j * k->entry_size + k->value_off, 8);
			if (!key || !value)
				continue; /* a deleted entry, or a split-table slot this instance has not set */
			r = fn(key, value, ctx);
			if (r)
				return r;
		}
	}
	return 0;
}

int pyobj__dict_foreach(struct pyobj_ctx *c, uint64_t dict,
		       int (*fn)(uint64_t key, uint64_t value, void *ctx), void *ctx)
{
	uint64_t keys_addr, values;
	struct keys k;
	int err;

	err = check_kind(c, dict, PY_TPFLAGS_DICT);
	if (!err)
		err = pymem__read_u64(&c->mem, dict + c->L->dict_keys, &keys_addr);
	if (!err)
		err = pymem__read_u64(&c->mem, dict + c->L->dict_values, &values);
	if (!err)
		err = read_keys(c, keys_addr, &k);
	if (err)
		return err;
	return foreach_entry(c, &k, values, fn, ctx);
}

struct get_ctx {
	struct pyobj_ctx *c;
	const char *name;
	uint64_t value;
};

static int get_cb(uint64_t key, uint64_t value, void *ctx)
{
	struct get_ctx *g = ctx;
	char s[256];

	if (pyobj__str(g->c, key, s, sizeof(s)) || strcmp(s, g->name))
		return 0;
	g->value = value;
	return 1;
}

int pyobj__dict_get(struct pyobj_ctx *c, uint64_t dict, const char *name, uint64_t *value)
{
	struct get_ctx g = { c, name, 0 };
	int r = pyobj__dict_foreach(c, dict, get_cb, &g);

	if (r == 1) {
		*value = g.value;
		return 0;
	}
	return r ? r : -ENOENT;
}

int pyobj__attr(struct pyobj_ctx *c, uint64_t obj, const char *name, uint64_t *value)
{
	const struct py_layout *L = c->L;
	uint64_t type, flags, dict = 0, values = 0;
	int64_t dictoffset;
	int err;

	err = pyobj__type(c, obj, &type, &flags);
	if (err)
		return err;
	if (flags & L->tpflags_managed_dict) {
		/* 3.11 _PyObject_ValuesPointer / _PyObject_ManagedDictPointer: before the GC header */
		err = pymem__read_u64(&c->mem, obj + L->managed_values, &values);
		if (!err)
			err = pymem__read_u64(&c->mem, obj + L->managed_dict, &dict);
		if (err)
			return err;
		if (!dict && values) {
			/* no dict made yet: keys are the type's shared keys, values the instance's */
			struct get_ctx g = { c, name, 0 };
			uint64_t cached;
			struct keys k;

			err = pymem__read_u64(&c->mem, type + L->heaptype_cached_keys, &cached);
			if (!err)
				err = read_keys(c, cached, &k);
			if (err)
				return err;
			err = foreach_entry(c, &k, values, get_cb, &g);
			if (err == 1) {
				*value = g.value;
				return 0;
			}
			return err ? err : -ENOENT;
		}
	} else {
		err = pymem__read(&c->mem, type + L->type_dictoffset, &dictoffset, sizeof(dictoffset));
		if (err)
			return err;
		if (dictoffset <= 0 || dictoffset > 4096)
			return -ENOENT; /* no __dict__, or a variable-size object's (not needed here) */
		err = pymem__read_u64(&c->mem, obj + (uint64_t)dictoffset, &dict);
		if (err)
			return err;
	}
	if (!dict)
		return -ENOENT;
	return pyobj__dict_get(c, dict, name, value);
}
