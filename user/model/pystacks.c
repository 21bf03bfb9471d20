/* The Python stacks of waits, and what they say (see pystacks.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strutil.h"
#include "model/array.h"
#include "model/pystacks.h"

struct tt_pystacks *pystacks__new(void)
{
	return calloc(1, sizeof(struct tt_pystacks));
}

void pystacks__free(struct tt_pystacks *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].text);
		free(t->v[i].site);
		free(t->v[i].frames);
	}
	free(t->v);
	index__free(&t->by_id);
	free(t);
}

/* The standard library's threading or queue module (not a program's own threading.py). */
static bool is_sync_module(const char *file)
{
	if (!file || !strstr(file, "python3"))
		return false;
	return str__ends_with(file, "/threading.py") || str__ends_with(file, "/queue.py");
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* What a function of threading.py or queue.py waits for; TT_PY_NONE: not one that decides. */
static enum tt_py_kind kind_of_function(const char *file, const char *func)
{
	static const struct {
		const char *func;
		enum tt_py_kind kind;
	} threading_fns[] = {
		{ "Event.wait", TT_PY_EVENT },
		{ "Semaphore.acquire", TT_PY_SEMAPHORE },
		{ "Semaphore.__enter__", TT_PY_SEMAPHORE },
		{ "Barrier.wait", TT_PY_BARRIER },
		{ "Thread.join", TT_PY_JOIN },
		{ "Thread._wait_for_tstate_lock", TT_PY_JOIN },
		{ "_shutdown", TT_PY_JOIN },
		{ "Condition.wait", TT_PY_CONDITION },
		{ "Condition.wait_for", TT_PY_CONDITION },
		{ "_RLock.acquire", TT_PY_RLOCK },
		{ "_RLock.__enter__", TT_PY_RLOCK },
	};

	if (!func)
		return TT_PY_NONE;
	if (str__ends_with(file, "/queue.py"))
		return TT_PY_QUEUE;
	for (size_t i = 0; i < sizeof(threading_fns) / sizeof(threading_fns[0]); i++)
		if (!strcmp(func, threading_fns[i].func))
			return threading_fns[i].kind;
	return TT_PY_NONE;
}

enum tt_py_kind pystacks__classify(const struct tt_pyframe_ref *f, size_t n, enum tt_py_cfunc cfunc, size_t *site)
{
	size_t run = 0;

	*site = 0;
	if (!n)
		return TT_PY_NONE;
	/* the innermost frames in threading/queue: the primitive's own code */
	while (run < n && is_sync_module(f[run].file))
		run++;
	*site = run < n ? run : n - 1;
	/* the outermost of them that says what it is: Event.wait over Condition.wait */
	for (size_t i = run; i-- > 0;) {
		enum tt_py_kind k = kind_of_function(f[i].file, f[i].func);

		if (k == TT_PY_NONE)
			continue;
		/* threading's own threads (a Timer): named by the function that waits */
		if (run == n)
			*site = i;
		return k;
	}
	/* concurrent.futures' idle workers: SimpleQueue.get, in C (so in no frame of its own) */
	if (run == 0 && f[0].func && !strcmp(f[0].func, "_worker") && f[0].file &&
	    str__ends_with(f[0].file, "/concurrent/futures/thread.py") && strstr(f[0].file, "python3"))
		return TT_PY_QUEUE;
	/* inside a C method called from the program's code (or Condition.__enter__'s lock) */
	if (cfunc == TT_PY_CF_RLOCK)
		return TT_PY_RLOCK;
	/* neither Lock's code (both known): waiting in some other C call, for something */
	if (cfunc == TT_PY_CF_OTHER)
		return TT_PY_CWAIT;
	return TT_PY_LOCK;
}

void pystacks__format(const struct tt_pyframe_ref *f, size_t n, bool truncated, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%s:%s:%d", i ? " < " : "", f[i].file ? f[i].file : "?",
				 f[i].func ? f[i].func : "?", f[i].line);

		if (w < 0 || (size_t)w >= len - used) {
			/* the frame did not fit: end at the frame before it */
			buf[used] = '\0';
			truncated = true;
			break;
		}
		used += (size_t)w;
	}
	if (truncated && used + 6 < len)
		snprintf(buf + used, len - used, "%s...", used ? " < " : "");
}

static char *join_frames(const struct tt_pyframe_ref *f, size_t n, bool truncated)
{
	size_t len = 8; /* " < ..." and the NUL */
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(f[i].file ? f[i].file : "?") + strlen(f[i].func ? f[i].func : "?") + 16;
	s = malloc(len);
	if (s)
		pystacks__format(f, n, truncated, s, len);
	return s;
}

/* Each frame formatted alone, one after another (the folded stacks take them one by one). */
static char *each_frame(const struct tt_pyframe_ref *f, size_t n)
{
	size_t len = 1, used = 0;
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(f[i].file ? f[i].file : "?") + strlen(f[i].func ? f[i].func : "?") + 16;
	s = malloc(len);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		pystacks__format(&f[i], 1, false, s + used, len - used);
		used += strlen(s + used) + 1;
	}
	s[used] = '\0';
	return s;
}

int pystacks__add(struct tt_pystacks *t, uint64_t id, const struct tt_pyframe_ref *f, size_t n, bool truncated,
		  enum tt_py_cfunc cfunc)
{
	struct tt_pystack *s;
	size_t site, len;

	if (pystacks__find(t, id))
		return 0;
	if (ARRAY_ROOM(t->v, t->n, t->cap))
		return -1;
	s = &t->v[t->n];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->kind = pystacks__classify(f, n, cfunc, &site);
	s->text = join_frames(f, n, truncated);
	s->frames = each_frame(f, n);
	s->nframes = n;
	s->truncated = truncated;
	if (n) {
		len = strlen(f[site].func ? f[site].func : "?") + strlen(f[site].file ? f[site].file : "?") + 32;
		s->site = malloc(len);
		if (s->site)
			snprintf(s->site, len, "%s (%s:%d)", f[site].func ? f[site].func : "?",
				 basename_of(f[site].file ? f[site].file : "?"), f[site].line);
	}
	if (!s->text || !s->frames || (n && !s->site) || index__put(&t->by_id, id, 0, t->n)) {
		free(s->text);
		free(s->site);
		free(s->frames);
		return -1;
	}
	t->n++;
	return 0;
}

const struct tt_pystack *pystacks__find(const struct tt_pystacks *t, uint64_t id)
{
	size_t pos;

	if (!t || !id || !index__get(&t->by_id, id, 0, &pos))
		return NULL;
	return &t->v[pos];
}

/* Each kind's name in the tables and how a lock of it is named. */
static const struct {
	const char *kind, *type;
} kinds[TT_PY_KINDS] = {
	[TT_PY_NONE] = { "", "" },
	[TT_PY_LOCK] = { "py-lock", "Lock" },
	[TT_PY_RLOCK] = { "py-rlock", "RLock" },
	[TT_PY_CONDITION] = { "py-condition", "Condition" },
	[TT_PY_EVENT] = { "py-event", "Event" },
	[TT_PY_SEMAPHORE] = { "py-semaphore", "Semaphore" },
	[TT_PY_QUEUE] = { "py-queue", "Queue" },
	[TT_PY_BARRIER] = { "py-barrier", "Barrier" },
	[TT_PY_JOIN] = { "py-join", "join" },
	[TT_PY_CWAIT] = { "py-wait", "wait" },
};

const char *pystack__kind_name(enum tt_py_kind k)
{
	return k < TT_PY_KINDS ? kinds[k].kind : "";
}

const char *pystack__type_name(enum tt_py_kind k)
{
	return k < TT_PY_KINDS ? kinds[k].type : "";
}

bool pystack__is_contention(enum tt_py_kind k)
{
	return k == TT_PY_LOCK || k == TT_PY_RLOCK;
}
