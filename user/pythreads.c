/* CPython targets: when to read thread names and frames from the interpreter (pythreads.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "cpython/pyproc.h"
#include "model/pystacks.h"
#include "procfs.h"
#include "pythreads.h"
#include "pywaits.h"

struct pythread_id {
	uint64_t ident;  /* threading.get_ident() */
	uint64_t tstate;
	pid_t tid;
};

struct pythreads {
	struct pyproc *proc;
	bool gave_up;           /* not CPython 3.11 (or unreadable): not again before an exec */
	uint64_t next_open_ns;  /* an interpreter not initialised yet: try again then */
	uint64_t open_backoff_ns;
	unsigned open_tries;    /* since the exec */
	uint64_t next_read_ns, last_read_ns, busy_until_ns;
	struct pythread_id *ids; /* the thread states of the last read */
	size_t nids, capids;
	struct pyframe frames[PYTHREADS_FRAMES];
};

void pythreads__free(struct pythreads *p)
{
	if (!p)
		return;
	pyproc__free(p->proc);
	free(p->ids);
	free(p);
}

static struct pythreads *get(struct app *a)
{
	if (!a->py)
		a->py = calloc(1, sizeof(*a->py));
	return a->py;
}

/* The target as it is now: still our process (a command we reaped may have left its pid to another). */
static bool target_alive(const struct app *a)
{
	return !a->child_done && procfs__process_running(a->tgid);
}

static void try_open(struct app *a, struct pythreads *p, uint64_t now)
{
	char why[512];
	enum pyproc_status st = pyproc__open(a->tgid, &p->proc, why, sizeof(why));

	if (st == PYPROC_OK) {
		p->next_read_ns = 0;
		pywaits__start(a, p->proc);
		return;
	}
	if (st == PYPROC_NOT_RUNNING) {
		/* an interpreter starting (or embedded and not started yet): look again, less often */
		/* every few ms for its first ~0.4 s (it starts in ~50 ms), then less and less often */
		p->open_tries++;
		p->open_backoff_ns = !p->open_backoff_ns ? PYTHREADS_OPEN_FIRST_NS
				     : p->open_tries < PYTHREADS_OPEN_FAST_TRIES ? PYTHREADS_OPEN_FAST_NS
				     : p->open_backoff_ns * 2;
		if (p->open_backoff_ns > PYTHREADS_IDLE_NS)
			p->open_backoff_ns = PYTHREADS_IDLE_NS;
		p->next_open_ns = now + p->open_backoff_ns;
		return;
	}
	p->gave_up = true;
	/* one line, and only for a CPython we cannot read (not for a process that merely ended) */
	if ((st == PYPROC_UNSUPPORTED || st == PYPROC_NO_ACCESS) && target_alive(a))
		fprintf(stderr, "threadtrace: %s: no Python thread names or frames\n", why);
}

static void on_tstate(pid_t tid, uint64_t ident, uint64_t tstate, void *ctx)
{
	struct pythreads *p = ctx;

	if (tid <= 0)
		return; /* a thread state not bound to its OS thread yet */
	if (p->nids == p->capids) {
		size_t cap = p->capids ? 2 * p->capids : 64;
		struct pythread_id *v = realloc(p->ids, cap * sizeof(*v));

		if (!v)
			return;
		p->ids = v;
		p->capids = cap;
	}
	p->ids[p->nids++] = (struct pythread_id){ .ident = ident, .tstate = tstate, .tid = tid };
}

/* The interpreter's thread states now, into p->ids. 0 or -errno. */
static int read_ids(struct pythreads *p)
{
	int n;

	p->nids = 0;
	n = pyproc__threads(p->proc, on_tstate, p);
	return n < 0 ? n : 0;
}

struct names_ctx {
	struct app *a;
	struct pythreads *p;
};

static void on_name(uint64_t ident, const char *name, void *ctx)
{
	struct names_ctx *n = ctx;

	for (size_t i = 0; i < n->p->nids; i++)
		if (n->p->ids[i].ident == ident) {
			threads__set_py_name(n->a->threads, n->p->ids[i].tid, name);
			return;
		}
}

/* Thread states, then threading._active: each named thread's name into the thread table. */
static void read_names(struct app *a, struct pythreads *p)
{
	struct names_ctx n = { a, p };

	if (read_ids(p))
		return;
	/* -ENOENT: threading not imported (yet): no names to read */
	pyproc__thread_names(p->proc, on_name, &n);
}

/* Opens the interpreter when the target is CPython and it is time; true when it is open. */
static bool ready(struct app *a, struct pythreads *p, uint64_t now)
{
	if (p->proc)
		return true;
	if (!a->python_probed || p->gave_up || now < p->next_open_ns)
		return false;
	try_open(a, p, now);
	return p->proc != NULL;
}

void pythreads__on_event(struct app *a, uint32_t kind)
{
	struct pythreads *p;
	uint64_t now, want;

	/* called for every event (waits by the million): only these two matter */
	if ((kind != TT_EV_EXEC && kind != TT_EV_START) || !(p = get(a)))
		return;
	if (kind == TT_EV_EXEC) {
		/* another program: another interpreter, or none */
		pywaits__stop(a);
		pyproc__free(p->proc);
		p->proc = NULL;
		p->gave_up = false;
		p->next_open_ns = p->open_backoff_ns = 0;
		p->open_tries = 0;
		return;
	}
	now = app__now_ns(CLOCK_MONOTONIC);
	/* a thread starts: an interpreter not open yet runs by now (its waits want their frames) */
	if (!p->proc) {
		p->next_open_ns = 0;
		ready(a, p, now);
	}
	/* ... and threading (so _thread) is imported: RLock's code can be found */
	if (p->proc)
		pywaits__refresh(a, p->proc);
	/* its name is set in Python once the OS thread runs: read a little later, not at once */
	p->busy_until_ns = now + PYTHREADS_BUSY_FOR_NS;
	want = now + PYTHREADS_START_DELAY_NS;
	if (want < p->last_read_ns + PYTHREADS_MIN_GAP_NS)
		want = p->last_read_ns + PYTHREADS_MIN_GAP_NS;
	if (want < p->next_read_ns)
		p->next_read_ns = want;
}

int pythreads__poll_ms(struct app *a, uint64_t now, int max_ms)
{
	struct pythreads *p = a->py;
	uint64_t ms;

	if (!p || p->proc || p->gave_up || !a->python_probed)
		return max_ms;
	ms = p->next_open_ns > now ? (p->next_open_ns - now + 999999) / 1000000 : 0;
	return ms < (uint64_t)max_ms ? (int)ms : max_ms;
}

void pythreads__tick(struct app *a, uint64_t now)
{
	struct pythreads *p = get(a);
	uint64_t period, cost, end;

	if (!p || !ready(a, p, now) || now < p->next_read_ns)
		return;
	read_names(a, p);
	pywaits__refresh(a, p->proc);
	end = app__now_ns(CLOCK_MONOTONIC);
	cost = end > now ? end - now : 0;
	period = now < p->busy_until_ns ? PYTHREADS_BUSY_NS : PYTHREADS_IDLE_NS;
	if (period < PYTHREADS_COST_FACTOR * cost)
		period = PYTHREADS_COST_FACTOR * cost;
	p->last_read_ns = end;
	p->next_read_ns = end + period;
}

/* The reader's frames as text (pystacks__format: the one format of a Python stack). */
static void format_frames(const struct pyframe *f, int n, bool truncated, char *buf, size_t len)
{
	struct tt_pyframe_ref refs[PYTHREADS_FRAMES];

	if (n > PYTHREADS_FRAMES)
		n = PYTHREADS_FRAMES;
	for (int i = 0; i < n; i++)
		refs[i] = (struct tt_pyframe_ref){ .file = f[i].file, .func = f[i].func, .line = f[i].line };
	pystacks__format(refs, n > 0 ? (size_t)n : 0, truncated, buf, len);
}

/* The frames of the thread state of tid in p->ids, as text. 0 or -1. */
static int stack_of(struct pythreads *p, pid_t tid, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->nids; i++) {
		bool truncated = false;
		int n;

		if (p->ids[i].tid != tid)
			continue;
		n = pyproc__frames(p->proc, p->ids[i].tstate, p->frames, PYTHREADS_FRAMES, &truncated);
		if (n <= 0)
			return -1;
		format_frames(p->frames, n, truncated, buf, len);
		return 0;
	}
	return -1;
}

struct pyproc *pythreads__proc(struct app *a)
{
	return a->py ? a->py->proc : NULL;
}

int pythreads__stack(struct app *a, pid_t tid, char *buf, size_t len)
{
	struct pythreads *p = get(a);

	if (len)
		buf[0] = '\0';
	if (!p || !len || !ready(a, p, app__now_ns(CLOCK_MONOTONIC)) || read_ids(p))
		return -1;
	return stack_of(p, tid, buf, len);
}

void pythreads__refresh(struct app *a, bool stacks)
{
	struct pythreads *p = get(a);
	char buf[PYTHREADS_STACK_LEN];

	if (!p || !target_alive(a) || !ready(a, p, app__now_ns(CLOCK_MONOTONIC)))
		return;
	read_names(a, p);
	if (!stacks)
		return;
	/* a thread that is not running holds still: its frames are where it waits */
	for (size_t i = 0; i < p->nids; i++) {
		unsigned long long ticks;
		char state;

		if (procfs__thread_stat(a->tgid, p->ids[i].tid, &state, &ticks) || (state != 'S' && state != 'D'))
			continue;
		if (!stack_of(p, p->ids[i].tid, buf, sizeof(buf)))
			threads__set_py_stack(a->threads, p->ids[i].tid, buf);
	}
}
