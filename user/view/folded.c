/*
 * --folded FILE: the wait time as folded stacks, one line per (lock, stack),
 * as flamegraph.pl, inferno and speedscope read them:
 *   PROCESS;FRAME;...;FRAME;[KIND] LOCK MICROSECONDS
 * root first. Frames are functions (no offsets: a flame graph merges a
 * function's call sites). A Python wait: its Python frames, outermost first,
 * then the native frames from the interpreter's innermost loop on (docs/folded.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/waitstacks.h"
#include "sanitize.h"
#include "view.h"

struct line {
	char *text;     /* without the count */
	uint64_t ns;
};

/*
 * A name the target chose, as one frame: no control characters or invalid
 * UTF-8 ('?'), no ';' (it separates frames: '_'). Spaces stay: the readers
 * split a line at its last space only.
 */
static void put_frame(FILE *m, const char *name, bool first)
{
	char clean[4 * TT_LOCK_NAME_LEN];

	sanitize__for_terminal(clean, sizeof(clean), name);
	for (char *p = clean; *p; p++)
		if (*p == ';')
			*p = '_';
	if (!first)
		fputc(';', m);
	fputs(*clean ? clean : "[unnamed]", m);
}

static void put_process(FILE *m, const struct tt_threads *threads, pid_t tgid)
{
	const struct tt_thread *th = threads__find(threads, tgid);
	char name[32];

	if (th && th->tgid == tgid && th->name[0]) {
		put_frame(m, th->name, true);
		return;
	}
	snprintf(name, sizeof(name), "[pid %d]", (int)tgid);
	put_frame(m, name, true);
}

static void put_lock(FILE *m, const struct tt_lock *k, uint64_t addr)
{
	char frame[TT_LOCK_NAME_LEN + 32];

	if (k)
		snprintf(frame, sizeof(frame), "[%s] %s", lock__kind_name(k), k->name);
	else
		snprintf(frame, sizeof(frame), "[futex] 0x%" PRIx64, addr);
	put_frame(m, frame, false);
}

/* The interpreter's loop: the native frames up to its innermost run the Python frames. */
static bool is_eval_loop(const char *name)
{
	return !strcmp(name, "_PyEval_EvalFrameDefault") || !strcmp(name, "_PyEval_EvalFrame") ||
	       !strcmp(name, "PyEval_EvalCode");
}

static void put_stack(FILE *m, const struct tt_waitstack *e, const struct tt_pystack *py)
{
	const char *f = e->frames, *from = e->frames;
	size_t skip = 0;

	if (py) {
		const char *pf[TT_PY_DEPTH + 1];
		size_t n = 0;

		/* innermost first in the model: written the other way round */
		for (const char *p = py->frames; n < py->nframes && n < TT_PY_DEPTH + 1; p += strlen(p) + 1)
			pf[n++] = p;
		if (py->truncated)
			put_frame(m, "...", false);
		while (n-- > 0)
			put_frame(m, pf[n], false);
		/* the native frames that stand for the Python ones go: main() .. the innermost eval loop */
		for (size_t i = 0; i < e->nframes; i++, f += strlen(f) + 1)
			if (is_eval_loop(f)) {
				skip = i + 1;
				from = f + strlen(f) + 1;
			}
	}
	f = from;
	for (size_t i = skip; i < e->nframes; i++, f += strlen(f) + 1)
		put_frame(m, f, false);
}

static int line_cmp(const void *pa, const void *pb)
{
	const struct line *a = pa, *b = pb;

	return strcmp(a->text, b->text);
}

static int add_line(struct line *lines, size_t *n, char *text, uint64_t ns)
{
	if (!text)
		return -1;
	lines[(*n)++] = (struct line){ .text = text, .ns = ns };
	return 0;
}

int folded__write(FILE *out, const struct tt_waitstacks *ws, const struct tt_report *r)
{
	int err = -1;
	const struct tt_locks *locks = r->locks;
	size_t n = 0, cap = ws->n + locks->n;
	struct line *lines = calloc(cap ? cap : 1, sizeof(*lines));
	uint64_t *site_ns = calloc(locks->n ? locks->n : 1, sizeof(*site_ns));

	if (!lines || !site_ns)
		goto out;
	for (size_t i = 0; i < ws->n; i++) {
		const struct tt_waitstack *e = &ws->v[i];
		const struct tt_lock *k = locks__find(locks, e->tgid, e->addr);
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);

		if (!m)
			goto out;
		put_process(m, r->threads, e->tgid);
		put_stack(m, e, pystacks__find(r->pystacks, e->py_stack));
		put_lock(m, k, e->addr);
		if (fclose(m) || add_line(lines, &n, text, e->total_ns))
			goto out;
		if (k)
			site_ns[k - locks->v] += e->total_ns;
	}
	/* a lock's waits no call site holds (the sites map was full, say): its table total all the same */
	for (size_t i = 0; i < locks->n; i++) {
		const struct tt_lock *k = &locks->v[i];
		char *text = NULL;
		size_t len = 0;
		FILE *m;

		if (k->total_ns < site_ns[i] + 1000) /* under a microsecond left */
			continue;
		m = open_memstream(&text, &len);
		if (!m)
			goto out;
		put_process(m, r->threads, k->tgid);
		put_frame(m, "[call site not recorded]", false);
		put_lock(m, k, k->addr);
		if (fclose(m) || add_line(lines, &n, text, k->total_ns - site_ns[i]))
			goto out;
	}
	/* sorted, and equal lines (stacks that differ only in offsets) merged */
	qsort(lines, n, sizeof(*lines), line_cmp);
	for (size_t i = 0; i < n;) {
		uint64_t ns = 0;
		size_t j = i;

		for (; j < n && !strcmp(lines[j].text, lines[i].text); j++)
			ns += lines[j].ns;
		if ((ns + 500) / 1000)
			fprintf(out, "%s %" PRIu64 "\n", lines[i].text, (ns + 500) / 1000);
		i = j;
	}
	err = 0;
out:
	if (lines)
		for (size_t i = 0; i < n; i++)
			free(lines[i].text);
	free(lines);
	free(site_ns);
	return err;
}
