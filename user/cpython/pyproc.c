/* Opening a CPython process: interpreter, version, layout; and its threads. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pyproc_int.h"

const char *pyproc__status_str(enum pyproc_status s)
{
	switch (s) {
	case PYPROC_OK: return "ok";
	case PYPROC_NOT_PYTHON: return "not-python";
	case PYPROC_UNSUPPORTED: return "unsupported";
	case PYPROC_NO_ACCESS: return "no-access";
	case PYPROC_NOT_RUNNING: return "not-running";
	}
	return "?";
}

/* 0x030b07f0 -> "3.11.7", 0x030c00b1 -> "3.12.0b1" */
static void version_str(uint32_t v, char *out, size_t len)
{
	static const char *const levels[16] = { [0xA] = "a", [0xB] = "b", [0xC] = "rc" };
	unsigned level = (v >> 4) & 0xf;

	if (level == 0xF)
		snprintf(out, len, "%u.%u.%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff);
	else
		snprintf(out, len, "%u.%u.%u%s%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
			 levels[level] ? levels[level] : "?", v & 0xf);
}

static enum pyproc_status fail(enum pyproc_status st, char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static enum pyproc_status fail(enum pyproc_status st, char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return st;
}

enum pyproc_status pyproc__open(pid_t pid, struct pyproc **out, char *why, size_t whylen)
{
	const struct py_layout *L;
	struct pyfind find;
	struct pymem mem;
	uint32_t version = 0;
	uint64_t interp = 0;
	char vs[32];
	struct pyproc *p;
	int err;

	*out = NULL;
	if (pid <= 0 || (kill(pid, 0) && errno == ESRCH))
		return fail(PYPROC_NO_ACCESS, why, whylen, "pid %d: no such process", (int)pid);
	err = pyfind__interpreter(pid, &find);
	if (err == -ENOENT)
		return fail(PYPROC_NOT_PYTHON, why, whylen,
			    "pid %d: not CPython (no mapped file defines _PyRuntime)", (int)pid);
	if (err)
		return fail(PYPROC_NO_ACCESS, why, whylen, "pid %d: cannot read its mappings: %s", (int)pid,
			    strerror(-err));
	if (!find.version) {
		if (find.minor_guess >= 0)
			snprintf(vs, sizeof(vs), "3.%d", find.minor_guess);
		else
			snprintf(vs, sizeof(vs), "older than 3.11");
		return fail(PYPROC_UNSUPPORTED, why, whylen,
			    "pid %d: CPython %s in %s: unsupported (no Py_Version symbol; this reader knows 3.11)",
			    (int)pid, vs, find.path);
	}
	pymem__init(&mem, pid);
	err = pymem__read(&mem, find.version, &version, sizeof(version));
	if (!err) {
		L = pylayout__for(version);
		if (L)
			err = pymem__read_u64(&mem, find.runtime + L->runtime_interpreters_head, &interp);
	}
	pymem__close(&mem);
	if (err)
		return fail(PYPROC_NO_ACCESS, why, whylen, "pid %d: cannot read its memory: %s", (int)pid,
			    strerror(-err));
	version_str(version, vs, sizeof(vs));
	L = pylayout__for(version);
	if (!L)
		return fail(PYPROC_UNSUPPORTED, why, whylen,
			    "pid %d: CPython %s (Py_Version 0x%08x) in %s: unsupported (this reader knows 3.11)",
			    (int)pid, vs, version, find.path);
	if (!interp)
		return fail(PYPROC_NOT_RUNNING, why, whylen,
			    "pid %d: CPython %s in %s has no interpreter (starting or finished)", (int)pid, vs,
			    find.path);
	p = calloc(1, sizeof(*p));
	if (!p)
		return fail(PYPROC_NO_ACCESS, why, whylen, "out of memory");
	pyobj__init(&p->obj, pid, L);
	p->find = find;
	p->version = version;
	*out = p;
	fail(PYPROC_OK, why, whylen, "pid %d: CPython %s in %s", (int)pid, vs, find.path);
	return PYPROC_OK;
}

void pyproc__free(struct pyproc *p)
{
	if (!p)
		return;
	pycode__cache_free(p);
	pyobj__close(&p->obj);
	free(p);
}

uint32_t pyproc__version(const struct pyproc *p) { return p->version; }
const char *pyproc__binary(const struct pyproc *p) { return p->find.path; }
uint64_t pyproc__runtime(const struct pyproc *p) { return p->find.runtime; }
const struct py_layout *pyproc__layout(const struct pyproc *p) { return p->obj.L; }

int pyproc__interps(struct pyproc *p, uint64_t *interps, int max)
{
	const struct py_layout *L = p->obj.L;
	struct pycycle cyc;
	uint64_t interp;
	int n = 0, err;

	err = pymem__read_u64(&p->obj.mem, p->find.runtime + L->runtime_interpreters_head, &interp);
	if (err)
		return err;
	pycycle__init(&cyc);
	while (interp && n < max) {
		if (pycycle__step(&cyc, interp))
			return -ELOOP;
		interps[n++] = interp;
		err = pymem__read_u64(&p->obj.mem, interp + L->interp_next, &interp);
		if (err)
			return err;
	}
	return n;
}

uint64_t pyproc__main_interp(struct pyproc *p)
{
	uint64_t interps[PYPROC_MAX_INTERPS];
	int n = pyproc__interps(p, interps, PYPROC_MAX_INTERPS);

	/* newest first: the main interpreter, made first, is the last */
	return n > 0 ? interps[n - 1] : 0;
}

void pysnapshot__free(struct pysnapshot *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nthreads; i++)
		free(s->threads[i].frames);
	free(s->threads);
	free(s);
}

/* The thread states of one interpreter appended to s. 0 or -errno. */
static int add_threads(struct pyproc *p, uint64_t interp, struct pysnapshot *s)
{
	const struct py_layout *L = p->obj.L;
	struct pycycle cyc;
	uint64_t tstate;
	int err;

	err = pymem__read_u64(&p->obj.mem, interp + L->interp_threads_head, &tstate);
	pycycle__init(&cyc);
	while (!err && tstate && s->nthreads < PYPROC_MAX_THREADS) {
		struct pythread *t = &s->threads[s->nthreads];
		uint64_t native;

		if (pycycle__step(&cyc, tstate))
			return -ELOOP;
		memset(t, 0, sizeof(*t));
		t->tstate = tstate;
		err = pymem__read_u64(&p->obj.mem, tstate + L->tstate_thread_id, &t->ident);
		if (!err)
			err = pymem__read_u64(&p->obj.mem, tstate + L->tstate_native_thread_id, &native);
		if (err)
			return err;
		t->tid = (pid_t)native;
		t->frames = calloc(PYPROC_MAX_FRAMES, sizeof(*t->frames));
		if (!t->frames)
			return -ENOMEM;
		s->nthreads++;
		t->nframes = pyproc__frames(p, tstate, t->frames, PYPROC_MAX_FRAMES, &t->truncated);
		if (t->nframes < 0) {
			t->frames_err = t->nframes;
			t->nframes = 0;
		}
		err = pymem__read_u64(&p->obj.mem, tstate + L->tstate_next, &tstate);
	}
	return err;
}

int pyproc__threads(struct pyproc *p, void (*fn)(pid_t tid, uint64_t ident, uint64_t tstate, void *ctx),
		    void *ctx)
{
	const struct py_layout *L = p->obj.L;
	uint64_t interps[PYPROC_MAX_INTERPS];
	int n = pyproc__interps(p, interps, PYPROC_MAX_INTERPS), count = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct pycycle cyc;
		uint64_t tstate;
		int err;

		err = pymem__read_u64(&p->obj.mem, interps[i] + L->interp_threads_head, &tstate);
		pycycle__init(&cyc);
		while (!err && tstate && count < PYPROC_MAX_THREADS) {
			uint64_t ident, native;

			if (pycycle__step(&cyc, tstate))
				return -ELOOP;
			err = pymem__read_u64(&p->obj.mem, tstate + L->tstate_thread_id, &ident);
			if (!err)
				err = pymem__read_u64(&p->obj.mem, tstate + L->tstate_native_thread_id, &native);
			if (err)
				break;
			fn((pid_t)native, ident, tstate, ctx);
			count++;
			err = pymem__read_u64(&p->obj.mem, tstate + L->tstate_next, &tstate);
		}
		if (err)
			return err;
	}
	return count;
}

static void name_cb(uint64_t ident, const char *name, void *ctx)
{
	struct pysnapshot *s = ctx;

	for (int i = 0; i < s->nthreads; i++)
		if (s->threads[i].ident == ident && !s->threads[i].has_name) {
			snprintf(s->threads[i].name, sizeof(s->threads[i].name), "%s", name);
			s->threads[i].has_name = true;
		}
}

int pyproc__snapshot(struct pyproc *p, struct pysnapshot **out)
{
	uint64_t interps[PYPROC_MAX_INTERPS];
	struct pysnapshot *s;
	int n, err = 0;

	*out = NULL;
	n = pyproc__interps(p, interps, PYPROC_MAX_INTERPS);
	if (n < 0)
		return n;
	s = calloc(1, sizeof(*s));
	if (s)
		s->threads = calloc(PYPROC_MAX_THREADS, sizeof(*s->threads));
	if (!s || !s->threads) {
		pysnapshot__free(s);
		return -ENOMEM;
	}
	for (int i = 0; i < n && !err; i++)
		err = add_threads(p, interps[i], s);
	if (err) {
		pysnapshot__free(s);
		return err;
	}
	s->names_err = pyproc__thread_names(p, name_cb, s);
	*out = s;
	return 0;
}
