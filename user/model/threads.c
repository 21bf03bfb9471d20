/* The thread table: decodes lifecycle events into threads and records. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "threadtrace.h"
#include "model/array.h"
#include "model/threads.h"

struct tt_threads *threads__new(pid_t tgid, uint64_t t0_ns)
{
	struct tt_threads *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tgid = tgid;
	t->t0_ns = t0_ns;
	return t;
}

void threads__free(struct tt_threads *t)
{
	if (!t)
		return;
	index__free(&t->by_tid);
	index__free(&t->by_word);
	index__free(&t->by_word_ended);
	index__free(&t->word_first);
	index__free(&t->word_users);
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].py_stack);
	free(t->v);
	free(t);
}

const char *thread__end_name(enum tt_end how)
{
	switch (how) {
	case TT_END_EXITED: return "exited";
	case TT_END_DAEMON_KILLED: return "daemon-killed";
	case TT_END_PROCESS_EXIT: return "process-exit";
	case TT_END_ALIVE: break;
	}
	return "alive";
}

struct tt_thread *threads__find(const struct tt_threads *t, pid_t tid)
{
	size_t pos;

	return index__get(&t->by_tid, (uint64_t)tid, 0, &pos) ? &t->v[pos] : NULL;
}

static struct tt_thread *threads__add(struct tt_threads *t, pid_t tgid, pid_t tid)
{
	struct tt_thread *th;

	if (ARRAY_ROOM(t->v, t->n, t->cap) || index__put(&t->by_tid, (uint64_t)tid, 0, t->n))
		return NULL;
	th = &t->v[t->n++];
	memset(th, 0, sizeof(*th));
	th->tid = tid;
	th->tgid = tgid;
	return th;
}

/* A thread we learn of from an event other than its start: alive since before attach. */
static struct tt_thread *threads__get(struct tt_threads *t, pid_t tgid, pid_t tid)
{
	struct tt_thread *th = threads__find(t, tid);

	return th && !th->ended ? th : threads__add(t, tgid, tid);
}

/*
 * The thread a join of this tid word (struct pthread) joined: a join returns after its thread
 * ended, so the latest thread with the word to end (a thread reusing the stack may already
 * have started), else the latest given it (its end was not seen).
 */
struct tt_thread *threads__by_tid_word(const struct tt_threads *t, pid_t tgid, uint64_t word)
{
	size_t pos;

	if (!word)
		return NULL;
	if (index__get(&t->by_word_ended, word, (uint32_t)tgid, &pos))
		return &t->v[pos];
	/* a thread given another word since (one learnt at attach, then its own at exit) is not it */
	if (index__get(&t->by_word, word, (uint32_t)tgid, &pos) && t->v[pos].tid_word == word)
		return &t->v[pos];
	return NULL;
}

/* word_users: the count of threads whose tid word is word, changed by delta. */
static int count_word_user(struct tt_threads *t, uint64_t word, pid_t tgid, int delta)
{
	size_t n = 0;

	if (!word)
		return 0;
	index__get(&t->word_users, word, (uint32_t)tgid, &n);
	return index__put(&t->word_users, word, (uint32_t)tgid, delta < 0 && !n ? 0 : n + (size_t)(long)delta);
}

static int set_tid_word(struct tt_threads *t, struct tt_thread *th, uint64_t word)
{
	size_t pos = (size_t)(th - t->v), first;

	if (th->tid_word != word &&
	    (count_word_user(t, th->tid_word, th->tgid, -1) || count_word_user(t, word, th->tgid, 1)))
		return -1;
	th->tid_word = word;
	if (word && !index__get(&t->word_first, word, (uint32_t)th->tgid, &first) &&
	    index__put(&t->word_first, word, (uint32_t)th->tgid, pos))
		return -1;
	return word ? index__put(&t->by_word, word, (uint32_t)th->tgid, pos) : 0;
}

size_t threads__tid_word_users(const struct tt_threads *t, pid_t tgid, uint64_t word, const struct tt_thread **first)
{
	size_t n = 0, pos;

	*first = NULL;
	if (!word || !index__get(&t->word_users, word, (uint32_t)tgid, &n) || !n)
		return 0;
	if (index__get(&t->word_first, word, (uint32_t)tgid, &pos) && t->v[pos].tid_word == word) {
		*first = &t->v[pos];
		return n;
	}
	/* the first was given another word since (learnt at attach, then its own): the next in order */
	for (size_t i = 0; i < t->n && !*first; i++)
		if (t->v[i].tgid == tgid && t->v[i].tid_word == word)
			*first = &t->v[i];
	return n;
}

static uint64_t rel_ns(const struct tt_threads *t, uint64_t ts)
{
	return ts > t->t0_ns ? ts - t->t0_ns : 0;
}

static void record_init(struct tt_record *rec, enum tt_rec_kind kind, const struct tt_threads *t,
			pid_t tid, uint64_t ts_ns, const char *name)
{
	const struct tt_thread *th = threads__find(t, tid);

	memset(rec, 0, sizeof(*rec));
	rec->kind = kind;
	rec->tgid = th ? th->tgid : t->tgid;
	rec->tid = tid;
	rec->ts_ns = ts_ns;
	if (name)
		snprintf(rec->name, sizeof(rec->name), "%.*s", TT_NAME_LEN - 1, name);
	if (th && th->py_name[0])
		rec->py_name = th->py_name;
}

int threads__add_alive(struct tt_threads *t, pid_t tid, const char *name, uint64_t now_ns,
		       struct tt_record *rec)
{
	struct tt_thread *th = threads__find(t, tid);

	if (th && !th->ended)
		return 0; /* its start event came first */
	th = threads__add(t, t->tgid, tid);
	if (!th)
		return -1;
	snprintf(th->name, sizeof(th->name), "%.*s", TT_NAME_LEN - 1, name);
	record_init(rec, TT_REC_ALIVE, t, tid, rel_ns(t, now_ns), th->name);
	snprintf(rec->detail, sizeof(rec->detail), "attach");
	return 1;
}

int threads__learn_tid_word(struct tt_threads *t, pid_t tid, uint64_t tid_word)
{
	struct tt_thread *th = threads__find(t, tid);

	if (!th || th->ended)
		return -1;
	return th->tid_word ? 0 : set_tid_word(t, th, tid_word);
}

static enum tt_end classify_exit(__u32 flags)
{
	/* A CPython daemon stopping itself at shutdown was, in effect, killed by the exit. */
	if (flags & (TT_EXIT_SIGNALED | TT_EXIT_SHUTDOWN))
		return TT_END_DAEMON_KILLED;
	if (flags & TT_EXIT_GROUP)
		return TT_END_PROCESS_EXIT;
	return TT_END_EXITED;
}

static int apply_exit(struct tt_threads *t, const struct tt_event *e, struct tt_record *rec)
{
	const struct tt_ev_exit *x = &e->exit;
	struct tt_thread *th = threads__get(t, (pid_t)e->h.tgid, (pid_t)e->h.tid);

	if (!th)
		return -1;
	t->nended += !th->ended;
	th->ended = true;
	th->end_ns = rel_ns(t, e->h.ts_ns);
	th->how = classify_exit(x->flags);
	th->python_shutdown = x->flags & TT_EXIT_SHUTDOWN;
	th->exit_code = (x->exit_code >> 8) & 0xff;
	th->signal = x->exit_code & 0x7f;
	/* joined (its joiner saw it finish) before the process's end killed its OS thread: it returned */
	if (th->joined && th->join_inferred && th->how == TT_END_DAEMON_KILLED && !th->python_shutdown) {
		th->how = TT_END_EXITED;
		th->exit_code = th->signal = 0;
	}
	if ((th->tid_word != x->tid_word && set_tid_word(t, th, x->tid_word)) ||
	    (x->tid_word && index__put(&t->by_word_ended, x->tid_word, (uint32_t)th->tgid, (size_t)(th - t->v))))
		return -1;
	snprintf(th->name, sizeof(th->name), "%.*s", TT_NAME_LEN - 1, x->comm);
	record_init(rec, TT_REC_EXIT, t, e->h.tid, th->end_ns, th->name);
	snprintf(rec->detail, sizeof(rec->detail), "%s", thread__end_name(th->how));
	rec->has_status = true;
	rec->exit_code = th->exit_code;
	rec->signal = th->signal;
	if (th->start_known) {
		rec->has_dur = true;
		rec->dur_ns = th->end_ns - th->start_ns;
	}
	return 1;
}

static int apply_join(struct tt_threads *t, const struct tt_event *e, struct tt_record *rec)
{
	bool inferred = e->h.kind == TT_EV_JOIN_GUESS;
	uint64_t word = inferred ? e->join_guess.word : e->join.tid_word;
	uint64_t wait_ns = inferred ? e->join_guess.wait_ns : e->join.wait_ns;
	pid_t tgid = (pid_t)e->h.tgid, tid = (pid_t)e->h.tid, guessed = (pid_t)e->join_guess.joinee;
	struct tt_thread *joiner = threads__find(t, tid), *joinee;

	/*
	 * A dead thread joins nothing: a guessed joiner that ended before the wake was not waiting
	 * in a join. One that ended after it did (the main thread's join returned, then it ended
	 * the process before the joinee's OS thread got to its exit).
	 */
	if (inferred && joiner && joiner->ended) {
		if (!e->join_guess.woken_ns || joiner->end_ns <= rel_ns(t, e->join_guess.woken_ns))
			return 0;
		/* it joined, then ended: its own row, never a new "still alive" one under its tid */
	} else {
		joiner = threads__get(t, tgid, tid);
		if (!joiner)
			return -1;
	}
	joinee = inferred ? threads__find(t, guessed) : threads__by_tid_word(t, tgid, word);
	if (inferred) {
		/* Only CPython joins this way; elsewhere such a wake is just a wake. */
		if (!t->accept_inferred || (joinee && joinee->joined))
			return 0;
		if (!joinee) {
			if (!threads__add(t, tgid, guessed))
				return -1;
			/* the table may have moved */
			joiner = threads__find(t, tid);
			joinee = threads__find(t, guessed);
		}
	}
	record_init(rec, TT_REC_JOIN, t, tid, rel_ns(t, e->h.ts_ns), joiner->name);
	rec->has_dur = true;
	rec->dur_ns = wait_ns;
	rec->addr = word;
	snprintf(rec->detail, sizeof(rec->detail), "%s", inferred ? "inferred" : "pthread");
	if (joinee) {
		rec->peer_tid = joinee->tid;
		joinee->joined = true;
		joinee->join_inferred = inferred;
		joinee->joined_by = tid;
		joinee->join_wait_ns = wait_ns;
	}
	return 1;
}

/* A new thread (TT_EV_START) or process (TT_EV_FORK). */
static int apply_start(struct tt_threads *t, const struct tt_event *e, struct tt_record *rec)
{
	const struct tt_ev_start *st = &e->start;
	struct tt_thread *th = threads__add(t, (pid_t)e->h.tgid, (pid_t)e->h.tid);

	if (!th)
		return -1;
	th->creator = (pid_t)st->creator;
	th->start_known = true;
	th->start_ns = rel_ns(t, e->h.ts_ns);
	if (set_tid_word(t, th, st->tid_word))
		return -1;
	snprintf(th->name, sizeof(th->name), "%.*s", TT_NAME_LEN - 1, st->comm);
	record_init(rec, e->h.kind == TT_EV_FORK ? TT_REC_FORK : TT_REC_START, t, th->tid, th->start_ns,
		    th->name);
	rec->peer_tid = th->creator;
	return 1;
}

/* A new name: by a rename (TT_EV_RENAME), or by a new program (TT_EV_EXEC). */
static int apply_name(struct tt_threads *t, const struct tt_event *e, struct tt_record *rec)
{
	bool exec = e->h.kind == TT_EV_EXEC;
	const char *comm = exec ? e->exec.comm : e->rename.comm;
	/* rename: who renamed it; exec: the tid that called execve */
	pid_t by = (pid_t)(exec ? e->exec.old_tid : e->rename.by);
	struct tt_thread *th = threads__get(t, (pid_t)e->h.tgid, (pid_t)e->h.tid);

	if (!th)
		return -1;
	/* A command we started is first seen at its exec: its program starts there. */
	if (exec && !th->start_known && !th->renames && !th->name[0]) {
		th->start_known = true;
		th->start_ns = rel_ns(t, e->h.ts_ns);
	}
	snprintf(th->name, sizeof(th->name), "%.*s", TT_NAME_LEN - 1, comm);
	if (exec) { /* a new program: what Python called the thread is gone */
		th->py_name[0] = '\0';
		free(th->py_stack);
		th->py_stack = NULL;
	}
	record_init(rec, exec ? TT_REC_EXEC : TT_REC_RENAME, t, th->tid, rel_ns(t, e->h.ts_ns), th->name);
	th->renames += !exec;
	if (by != th->tid)
		rec->peer_tid = by;
	return 1;
}

int threads__apply(struct tt_threads *t, const struct tt_event *e, struct tt_record *rec)
{
	switch (e->h.kind) {
	case TT_EV_START:
	case TT_EV_FORK:
		return apply_start(t, e, rec);
	case TT_EV_RENAME:
	case TT_EV_EXEC:
		return apply_name(t, e, rec);
	case TT_EV_EXIT:
		return apply_exit(t, e, rec);
	case TT_EV_JOIN:
	case TT_EV_JOIN_GUESS:
		return apply_join(t, e, rec);
	}
	return 0;
}

void threads__finish(struct tt_threads *t, uint64_t now_ns, bool (*running)(pid_t tgid),
		     void (*emit)(const struct tt_record *rec, void *ctx), void *ctx)
{
	uint64_t ts = rel_ns(t, now_ns);
	struct tt_record rec;

	for (size_t i = 0; i < t->n; i++) {
		struct tt_thread *th = &t->v[i];

		if (th->ended)
			continue;
		record_init(&rec, TT_REC_END, t, th->tid, ts, th->name);
		snprintf(rec.detail, sizeof(rec.detail), "%s", !running || running(th->tgid) ? "alive" : "unknown");
		if (th->start_known) {
			rec.has_dur = true;
			rec.dur_ns = ts - th->start_ns;
		}
		rec.py_stack = th->py_stack;
		emit(&rec, ctx);
	}
}

int threads__set_py_name(struct tt_threads *t, pid_t tid, const char *name)
{
	struct tt_thread *th = threads__find(t, tid);
	char next[TT_PY_NAME_LEN];

	if (!th)
		return -1;
	snprintf(next, sizeof(next), "%s", name);
	if (!strcmp(th->py_name, next))
		return 0;
	th->renames += th->py_name[0] != '\0';
	memcpy(th->py_name, next, sizeof(next));
	return 1;
}

int threads__set_py_stack(struct tt_threads *t, pid_t tid, const char *stack)
{
	struct tt_thread *th = threads__find(t, tid);
	char *copy = NULL;

	if (!th || (stack && !(copy = strdup(stack))))
		return -1;
	free(th->py_stack);
	th->py_stack = copy;
	return 0;
}

void threads__sample(struct tt_threads *t,
		     int (*sample)(pid_t tgid, pid_t tid, char *state, unsigned long long *ticks))
{
	for (size_t i = 0; i < t->n; i++) {
		struct tt_thread *th = &t->v[i];
		unsigned long long ticks;
		char state;

		if (th->ended || sample(th->tgid, th->tid, &state, &ticks))
			continue;
		th->state = state;
		th->cpu_ticks_delta = ticks >= th->cpu_ticks ? ticks - th->cpu_ticks : 0;
		th->cpu_ticks = ticks;
	}
}

/* A thread's figures from its kernel entry s; an open interval of a live thread counts up to now_ns. */
static void set_figures(struct tt_thread *th, const struct tt_sched *s, uint64_t now_ns)
{
	uint64_t open = s->since_ns && now_ns > s->since_ns ? now_ns - s->since_ns : 0;

	if (th->ended)
		open = 0; /* its books closed at its exit */
	th->oncpu_ns = s->oncpu_ns + (s->state == TT_ST_ONCPU ? open : 0);
	th->runq_ns = s->runq_ns + (s->state == TT_ST_RUNQ ? open : 0);
	th->lock_ns = s->lock_ns + (s->state == TT_ST_LOCK ? open : 0);
	th->sleep_ns = s->sleep_ns + (s->state == TT_ST_SLEEP ? open : 0);
	th->spin_ns = s->spin_ns + (s->state == TT_ST_SPIN ? open : 0);
}

void threads__set_sched(struct tt_threads *t, pid_t tid, const struct tt_sched *s, uint64_t now_ns)
{
	struct tt_thread *th = threads__find(t, tid);

	if (th)
		set_figures(th, s, now_ns);
}

void threads__set_final_sched(struct tt_threads *t, pid_t tid, const struct tt_sched *s)
{
	struct tt_thread *th = threads__find(t, tid);

	if (!th)
		return;
	/* a new thread with its tid came first (its figures were late): the ended one before it */
	for (size_t i = (size_t)(th - t->v); !th->ended && i-- > 0;) {
		if (t->v[i].tid == tid) {
			if (t->v[i].ended)
				th = &t->v[i];
			break;
		}
	}
	set_figures(th, s, 0);
}

enum tt_join_seen threads__join_seen(const struct tt_threads *t, const struct tt_thread *th)
{
	if (th->joined)
		return th->join_inferred ? TT_JOIN_INFERRED : TT_JOIN_PTHREAD;
	/* CPython's joins are seen only when they wait: one of a thread that returned may have come after its end */
	if (t->accept_inferred && th->ended && th->how == TT_END_EXITED && th->tid != th->tgid)
		return TT_JOIN_NOT_SEEN;
	return TT_JOIN_NONE;
}

const char *thread__join_seen_name(enum tt_join_seen j)
{
	switch (j) {
	case TT_JOIN_PTHREAD: return "pthread";
	case TT_JOIN_INFERRED: return "inferred";
	case TT_JOIN_NOT_SEEN: return "not-seen";
	default: return "";
	}
}
