/*
 * Unit tests for user/cpython/'s memory side (pymem, pyobj, the frame walker)
 * on objects the test builds in its own memory with the 3.11 layout, read back
 * through process_vm_readv of its own pid: known truth, including the broken
 * shapes (bad pointers, wrong types, cycles) a live target can show.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "check.h"
#include "cpython/pyobj.h"
#include "cpython/pyproc_int.h"

static const struct py_layout *L;

/* A fake object: 16-byte aligned bytes, with room before it for managed-dict words. */
struct fake {
	_Alignas(16) uint8_t pre[32];
	uint8_t b[1024];
};

static uint64_t at(struct fake *f) { return (uint64_t)(uintptr_t)f->b; }

static void put64(struct fake *f, long off, uint64_t v) { memcpy(f->b + off, &v, 8); }
static void put32(struct fake *f, long off, uint32_t v) { memcpy(f->b + off, &v, 4); }

static struct fake t_str, t_bytes, t_long, t_dict, t_code, t_obj, t_plain;

static void make_type(struct fake *t, uint64_t flags, const char *name)
{
	memset(t, 0, sizeof(*t));
	put64(t, L->type_flags, flags);
	put64(t, L->type_name, (uint64_t)(uintptr_t)name);
}

/* A compact str of kind 1/2/4 (ascii: kind 1 and PyASCIIObject's data offset). */
static void make_str(struct fake *o, const void *data, size_t n, unsigned kind, int ascii)
{
	memset(o, 0, sizeof(*o));
	put64(o, L->ob_type, at(&t_str));
	put64(o, L->unicode_length, n);
	put32(o, L->unicode_state, kind << 2 | 1u << 5 | (ascii ? 1u << 6 : 0) | 1u << 7);
	memcpy(o->b + (ascii ? L->unicode_ascii_data : L->unicode_compact_data), data, n * kind);
}

static void make_bytes(struct fake *o, const void *data, size_t n)
{
	memset(o, 0, sizeof(*o));
	put64(o, L->ob_type, at(&t_bytes));
	put64(o, L->ob_size, n);
	memcpy(o->b + L->bytes_data, data, n);
}

static void setup(void)
{
	L = pylayout__named(3, 11);
	make_type(&t_str, PY_TPFLAGS_UNICODE, "str");
	make_type(&t_bytes, PY_TPFLAGS_BYTES, "bytes");
	make_type(&t_long, PY_TPFLAGS_LONG, "int");
	make_type(&t_dict, PY_TPFLAGS_DICT, "dict");
	make_type(&t_code, 0, "code");
	make_type(&t_obj, L->tpflags_managed_dict, "Thread");
	make_type(&t_plain, 0, "object");
}

static struct pyobj_ctx ctx;

TEST(memory_reads_are_bounded)
{
	long page = sysconf(_SC_PAGESIZE);
	char buf[16], *two;
	uint64_t v = 0x1122334455667788ull, got = 0;

	pymem__init(&ctx.mem, getpid());
	CHECK_EQ_INT(pymem__read_u64(&ctx.mem, (uint64_t)(uintptr_t)&v, &got), 0);
	CHECK_EQ_U64(got, v);
	CHECK_EQ_INT(pymem__read(&ctx.mem, 0, buf, 8), -EFAULT);
	CHECK_EQ_INT(pymem__read(&ctx.mem, 16, buf, 8), -EFAULT);
	CHECK_EQ_INT(pymem__read(&ctx.mem, ~0ull - 4, buf, 8), -EFAULT);
	CHECK_EQ_INT(pymem__read(&ctx.mem, 1ull << 60, buf, 8), -EFAULT);
	CHECK_EQ_INT(pymem__read(&ctx.mem, (uint64_t)(uintptr_t)&v, NULL, PYMEM_MAX_READ + 1), -E2BIG);
	/* a read that runs into an unmapped page fails whole */
	two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(two != MAP_FAILED);
	munmap(two + page, page);
	CHECK_EQ_INT(pymem__read(&ctx.mem, (uint64_t)(uintptr_t)(two + page - 8), buf, 8), 0);
	CHECK_EQ_INT(pymem__read(&ctx.mem, (uint64_t)(uintptr_t)(two + page - 8), buf, 16), -EFAULT);
	CHECK_EQ_INT(pymem__read(&ctx.mem, (uint64_t)(uintptr_t)(two + page), buf, 8), -EFAULT);
	munmap(two, page);
	pymem__close(&ctx.mem);
}

TEST(strings_of_every_kind)
{
	static struct fake s;
	static const uint16_t ucs2[] = { 'a', 0x20ac, 'b' };          /* a€b */
	static const uint32_t ucs4[] = { 0x1f600, 'x' };               /* 😀x */
	static const uint8_t latin1[] = { 'c', 0xe9 };                 /* cé */
	char out[64];

	pyobj__init(&ctx, getpid(), L);
	make_str(&s, "worker-0", 8, 1, 1);
	CHECK_EQ_INT(pyobj__str(&ctx, at(&s), out, sizeof(out)), 0);
	CHECK_STR(out, "worker-0");
	/* cut to the buffer, always terminated */
	CHECK_EQ_INT(pyobj__str(&ctx, at(&s), out, 4), 0);
	CHECK_STR(out, "wor");
	make_str(&s, latin1, 2, 1, 0);
	CHECK_EQ_INT(pyobj__str(&ctx, at(&s), out, sizeof(out)), 0);
	CHECK_STR(out, "c\xc3\xa9");
	make_str(&s, ucs2, 3, 2, 0);
	CHECK_EQ_INT(pyobj__str(&ctx, at(&s), out, sizeof(out)), 0);
	CHECK_STR(out, "a\xe2\x82\xac" "b");
	/* a multi-byte character that does not fit whole is left out, not split */
	CHECK_EQ_INT(pyobj__str(&ctx, at(&s), out, 4), 0);
	CHECK_STR(out, "a");
	make_str(&s, ucs4, 2, 4, 0);
	CHECK_EQ_INT(pyobj__str(&ctx, at(&s), out, sizeof(out)), 0);
	CHECK_STR(out, "\xf0\x9f\x98\x80x");
	/* not a str, not compact, a wild length: refused */
	put64(&s, L->ob_type, at(&t_bytes));
	CHECK_EQ_INT(pyobj__str(&ctx, at(&s), out, sizeof(out)), -EINVAL);
	CHECK_STR(out, "");
	make_str(&s, "abc", 3, 1, 1);
	put32(&s, L->unicode_state, 1u << 2 | 1u << 6 | 1u << 7); /* not compact */
	CHECK_EQ_INT(pyobj__str(&ctx, at(&s), out, sizeof(out)), -EINVAL);
	make_str(&s, "abc", 3, 1, 1);
	put64(&s, L->unicode_length, 1ull << 50);
	CHECK_EQ_INT(pyobj__str(&ctx, at(&s), out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(pyobj__str(&ctx, 8, out, sizeof(out)), -EFAULT);
	pyobj__close(&ctx);
}

TEST(ints_up_to_64_bits)
{
	static struct fake n;
	uint64_t v = 0;
	/* 0x7f0a12345678 in 30-bit digits */
	uint64_t want = 0x7f0a12345678ull;
	uint32_t d[3] = { want & 0x3fffffff, (want >> 30) & 0x3fffffff, (uint32_t)(want >> 60) };

	pyobj__init(&ctx, getpid(), L);
	memset(&n, 0, sizeof(n));
	put64(&n, L->ob_type, at(&t_long));
	put64(&n, L->ob_size, 2);
	memcpy(n.b + L->long_digits, d, sizeof(d));
	CHECK_EQ_INT(pyobj__u64(&ctx, at(&n), &v), 0);
	CHECK_EQ_U64(v, want);
	put64(&n, L->ob_size, 0);
	CHECK_EQ_INT(pyobj__u64(&ctx, at(&n), &v), 0);
	CHECK_EQ_U64(v, 0);
	put64(&n, L->ob_size, 4);
	CHECK_EQ_INT(pyobj__u64(&ctx, at(&n), &v), -ERANGE);
	put64(&n, L->ob_size, (uint64_t)-1);
	CHECK_EQ_INT(pyobj__u64(&ctx, at(&n), &v), -ERANGE);
	/* 3 digits whose top one overflows 64 bits */
	d[2] = 0x3fffffff;
	memcpy(n.b + L->long_digits, d, sizeof(d));
	put64(&n, L->ob_size, 3);
	CHECK_EQ_INT(pyobj__u64(&ctx, at(&n), &v), -ERANGE);
	pyobj__close(&ctx);
}

/* A keys object of unicode kind (or split) with n entries at 16 bytes each, 8 index slots of 1 byte. */
static void make_keys(struct fake *k, unsigned kind, const uint64_t *keys, const uint64_t *values, int n)
{
	memset(k, 0, sizeof(*k));
	k->b[L->keys_log2_size] = 3;
	k->b[L->keys_log2_index_bytes] = 3;
	k->b[L->keys_kind] = (uint8_t)kind;
	put64(k, L->keys_nentries, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		long e = L->keys_indices + 8 + i * L->uentry_size;

		put64(k, e + L->uentry_key, keys[i]);
		put64(k, e + L->uentry_value, values ? values[i] : 0);
	}
}

TEST(dicts_combined_split_and_managed)
{
	static struct fake k_name, k_ident, k_other, v_name, v_other, keys, dict, values, obj;
	uint64_t got = 0;

	pyobj__init(&ctx, getpid(), L);
	make_str(&k_name, "_name", 5, 1, 1);
	make_str(&k_ident, "_ident", 6, 1, 1);
	make_str(&k_other, "_other", 6, 1, 1);
	make_str(&v_name, "worker-7", 8, 1, 1);
	make_str(&v_other, "x", 1, 1, 1);
	{
		/* combined: the middle entry deleted (value NULL) */
		uint64_t ks[] = { at(&k_other), at(&k_ident), at(&k_name) };
		uint64_t vs[] = { at(&v_other), 0, at(&v_name) };

		make_keys(&keys, 1, ks, vs, 3);
	}
	memset(&dict, 0, sizeof(dict));
	put64(&dict, L->ob_type, at(&t_dict));
	put64(&dict, L->dict_keys, at(&keys));
	CHECK_EQ_INT(pyobj__dict_get(&ctx, at(&dict), "_name", &got), 0);
	CHECK_EQ_U64(got, at(&v_name));
	CHECK_EQ_INT(pyobj__dict_get(&ctx, at(&dict), "_ident", &got), -ENOENT);
	CHECK_EQ_INT(pyobj__dict_get(&ctx, at(&dict), "_nam", &got), -ENOENT);
	/* split: values from ma_values */
	{
		uint64_t ks[] = { at(&k_other), at(&k_name) };
		uint64_t vs[] = { 0, at(&v_name) };

		make_keys(&keys, 2, ks, NULL, 2);
		memset(&values, 0, sizeof(values));
		memcpy(values.b, vs, sizeof(vs));
		put64(&dict, L->dict_values, at(&values));
		CHECK_EQ_INT(pyobj__dict_get(&ctx, at(&dict), "_name", &got), 0);
		CHECK_EQ_U64(got, at(&v_name));
		CHECK_EQ_INT(pyobj__dict_get(&ctx, at(&dict), "_other", &got), -ENOENT);
	}
	/* a managed-dict instance without a dict: the type's cached keys, the object's values */
	put64(&t_obj, L->heaptype_cached_keys, at(&keys));
	memset(&obj, 0, sizeof(obj));
	put64(&obj, L->ob_type, at(&t_obj));
	memcpy(obj.b + L->managed_values, &(uint64_t){ at(&values) }, 8);
	CHECK_EQ_INT(pyobj__attr(&ctx, at(&obj), "_name", &got), 0);
	CHECK_EQ_U64(got, at(&v_name));
	/* ... and with one: the dict wins */
	{
		static struct fake keys2;
		uint64_t ks[] = { at(&k_name) }, vs[] = { at(&v_other) };

		make_keys(&keys2, 1, ks, vs, 1);
		put64(&dict, L->dict_keys, at(&keys2));
		put64(&dict, L->dict_values, 0);
		memcpy(obj.b + L->managed_dict, &(uint64_t){ at(&dict) }, 8);
		CHECK_EQ_INT(pyobj__attr(&ctx, at(&obj), "_name", &got), 0);
		CHECK_EQ_U64(got, at(&v_other));
	}
	/* not a dict; absurd key headers */
	CHECK_EQ_INT(pyobj__dict_get(&ctx, at(&v_name), "_name", &got), -EINVAL);
	keys.b[L->keys_log2_size] = 60;
	put64(&dict, L->dict_keys, at(&keys));
	CHECK_EQ_INT(pyobj__dict_get(&ctx, at(&dict), "_name", &got), -EINVAL);
	/* no __dict__ at all */
	put64(&obj, L->ob_type, at(&t_plain));
	CHECK_EQ_INT(pyobj__attr(&ctx, at(&obj), "_name", &got), -ENOENT);
	pyobj__close(&ctx);
}

/* Frames: fake code objects, a _PyInterpreterFrame chain, a thread state. */
static struct fake f_file, f_func, f_table, code, frames[3], cframe, tstate;

static void make_code(void)
{
	/* one entry "no columns, line +2" over 4 units, then "line +3" over 4 */
	static const uint8_t table[] = { 0x80 | 13 << 3 | 3, 4, 0x80 | 13 << 3 | 3, 6 };

	make_str(&f_file, "/srv/app.py", 11, 1, 1);
	make_str(&f_func, "Pool.get", 8, 1, 1);
	make_bytes(&f_table, table, sizeof(table));
	memset(&code, 0, sizeof(code));
	put64(&code, L->ob_type, at(&t_code));
	put64(&code, L->code_filename, at(&f_file));
	put64(&code, L->code_qualname, at(&f_func));
	put64(&code, L->code_linetable, at(&f_table));
	put32(&code, L->code_firstlineno, 40);
}

/* frame i executing code unit `unit`, previous = prev */
static void make_frame(int i, long unit, uint64_t prev)
{
	memset(&frames[i], 0, sizeof(frames[i]));
	put64(&frames[i], L->iframe_code, at(&code));
	put64(&frames[i], L->iframe_previous, prev);
	put64(&frames[i], L->iframe_prev_instr, at(&code) + L->code_adaptive + (uint64_t)(unit * 2));
}

TEST(frame_chain_lines_and_guards)
{
	struct pyframe out[4];
	struct pyproc *p = calloc(1, sizeof(*p));
	bool trunc = true;
	int n;

	pyobj__init(&p->obj, getpid(), L);
	make_code();
	make_frame(2, 1, 0);                  /* outermost: unit 1 -> line 42 */
	make_frame(1, 6, at(&frames[2]));     /* unit 6 -> line 45 */
	make_frame(0, -1, at(&frames[1]));    /* innermost, not started yet: hidden (incomplete) */
	memset(&cframe, 0, sizeof(cframe));
	put64(&cframe, L->cframe_current_frame, at(&frames[0]));
	memset(&tstate, 0, sizeof(tstate));
	put64(&tstate, L->tstate_cframe, at(&cframe));

	n = pyproc__frames(p, at(&tstate), out, 4, &trunc);
	CHECK_EQ_INT(n, 2);
	CHECK(!trunc);
	if (n == 2) {
		CHECK_STR(out[0].file, "/srv/app.py");
		CHECK_STR(out[0].func, "Pool.get");
		CHECK_EQ_INT(out[0].line, 45);
		CHECK_EQ_INT(out[1].line, 42);
		CHECK_EQ_U64(out[1].code, at(&code));
	}
	/* fewer slots than frames: the innermost ones, marked truncated */
	n = pyproc__frames(p, at(&tstate), out, 1, &trunc);
	CHECK_EQ_INT(n, 1);
	CHECK(trunc);
	CHECK_EQ_INT(out[0].line, 45);
	/* an instruction far past the code's table: no line, no long walk */
	make_frame(1, 1 << 20, at(&frames[2]));
	n = pyproc__frames(p, at(&tstate), out, 4, &trunc);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(out[0].line, -1);
	/* a cycle (2 -> 1 -> 2 ...) ends with -ELOOP */
	make_frame(2, 1, at(&frames[1]));
	CHECK_EQ_INT(pyproc__frames(p, at(&tstate), out, 4, &trunc), -ELOOP);
	make_frame(2, 1, at(&frames[2]));     /* a frame that is its own caller */
	CHECK_EQ_INT(pyproc__frames(p, at(&tstate), out, 4, &trunc), -ELOOP);
	/* a "code object" of another type is refused, not printed */
	make_frame(2, 1, 0);
	put64(&code, L->ob_type, at(&t_plain));
	pycode__cache_free(p);
	p->code_type = 0;
	CHECK_EQ_INT(pyproc__frames(p, at(&tstate), out, 4, &trunc), -EINVAL);
	/* a dangling frame pointer */
	put64(&cframe, L->cframe_current_frame, 4096 * 3);
	CHECK_EQ_INT(pyproc__frames(p, at(&tstate), out, 4, &trunc), -EFAULT);
	pyproc__free(p);
}

/* pyproc__threads: the thread states of every interpreter, without frames or names. */
static struct fake runtime, interp[2], ts[4];

struct seen_threads {
	int n;
	pid_t tid[8];
	uint64_t ident[8], tstate[8];
};

static void on_tstate(pid_t tid, uint64_t ident, uint64_t tstate, void *ctx)
{
	struct seen_threads *s = ctx;

	if (s->n < 8) {
		s->tid[s->n] = tid;
		s->ident[s->n] = ident;
		s->tstate[s->n] = tstate;
	}
	s->n++;
}

static void make_tstate(int i, pid_t tid, uint64_t ident, uint64_t next)
{
	memset(&ts[i], 0, sizeof(ts[i]));
	put64(&ts[i], L->tstate_native_thread_id, (uint64_t)tid);
	put64(&ts[i], L->tstate_thread_id, ident);
	put64(&ts[i], L->tstate_next, next);
}

TEST(thread_states_of_every_interpreter)
{
	struct pyproc *p = calloc(1, sizeof(*p));
	struct seen_threads s = { 0 };

	pyobj__init(&p->obj, getpid(), L);
	memset(&runtime, 0, sizeof(runtime));
	p->find.runtime = at(&runtime);
	memset(interp, 0, sizeof(interp));
	put64(&runtime, L->runtime_interpreters_head, at(&interp[0]));
	put64(&interp[0], L->interp_next, at(&interp[1]));
	/* main interpreter: two threads; a sub-interpreter: one */
	make_tstate(2, 4242, 0x7f0000000100, 0);
	make_tstate(1, 4243, 0x7f0000000200, at(&ts[2]));
	make_tstate(0, 4300, 0x7f0000000300, 0);
	put64(&interp[0], L->interp_threads_head, at(&ts[1]));
	put64(&interp[1], L->interp_threads_head, at(&ts[0]));

	CHECK_EQ_INT(pyproc__threads(p, on_tstate, &s), 3);
	CHECK_EQ_INT(s.n, 3);
	if (s.n == 3) {
		CHECK_EQ_INT(s.tid[0], 4243);
		CHECK_EQ_U64(s.ident[0], 0x7f0000000200);
		CHECK_EQ_U64(s.tstate[0], at(&ts[1]));
		CHECK_EQ_INT(s.tid[1], 4242);
		CHECK_EQ_U64(s.tstate[1], at(&ts[2]));
		CHECK_EQ_INT(s.tid[2], 4300);
		CHECK_EQ_U64(s.ident[2], 0x7f0000000300);
	}
	/* a cycle among the thread states ends the walk: -ELOOP, not a hang */
	put64(&ts[2], L->tstate_next, at(&ts[1]));
	s.n = 0;
	CHECK_EQ_INT(pyproc__threads(p, on_tstate, &s), -ELOOP);
	/* a pointer to nowhere: -EFAULT */
	put64(&ts[2], L->tstate_next, 0x10);
	CHECK(pyproc__threads(p, on_tstate, &s) < 0);
	pyproc__free(p);
}

TEST(pyproc_refuses_what_is_not_python)
{
	struct pyproc *p = (void *)1;
	char why[256] = "";

	/* this test binary defines no _PyRuntime */
	CHECK_EQ_INT(pyproc__open(getpid(), &p, why, sizeof(why)), PYPROC_NOT_PYTHON);
	CHECK(p == NULL);
	CHECK(strstr(why, "not CPython") != NULL);
	CHECK_EQ_INT(pyproc__open(-5, &p, why, sizeof(why)), PYPROC_NO_ACCESS);
	/* versions: only tables that exist, and no alphas or betas */
	CHECK(pylayout__for(0x030b07f0) == pylayout__named(3, 11));
	CHECK(pylayout__for(0x030b02f0) != NULL);
	CHECK(pylayout__for(0x030b00b4) == NULL);
	CHECK(pylayout__for(0x030c01f0) == NULL);
	CHECK(pylayout__for(0x030a0cf0) == NULL);
	CHECK(pylayout__for(0) == NULL);
}

int main(void)
{
	setup();
	RUN(memory_reads_are_bounded);
	RUN(strings_of_every_kind);
	RUN(ints_up_to_64_bits);
	RUN(dicts_combined_split_and_managed);
	RUN(frame_chain_lines_and_guards);
	RUN(thread_states_of_every_interpreter);
	RUN(pyproc_refuses_what_is_not_python);
	return check_summary();
}
