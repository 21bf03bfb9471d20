/* Kernel events into the models: decoding and the dispatch by kind (see events.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "events.h"
#include "model/history.h"
#include "model/locks.h"
#include "model/pystacks.h"
#include "model/threads.h"

_Static_assert(sizeof(struct tt_event_head) == 24, "tt_event_head: the kernel side's layout");
_Static_assert(sizeof(struct tt_ev_wait) == 48 && sizeof(struct tt_ev_state) == 32 && sizeof(struct tt_ev_start) == 32 &&
		       sizeof(struct tt_ev_exit) == 32 && sizeof(struct tt_ev_sched) == 40 &&
		       sizeof(struct tt_ev_pystack) == 16 + 16 * TT_PY_DEPTH,
	       "event records: fixed-width fields, explicit padding");
_Static_assert(sizeof(struct tt_event) == 24 + sizeof(struct tt_ev_pystack), "tt_event: the head and the largest record");

int events__decode(const void *data, size_t len, struct tt_event *e)
{
	struct tt_event_head h;
	size_t want;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, data, sizeof(h));
	want = tt_event_size(h.kind);
	/* a stack copy is read where it lies (events__ustack), never copied into e */
	if (!want || len < want || h.kind == TT_EV_USTACK)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	memcpy(e, data, want);
	return 0;
}

int events__ustack(const void *data, size_t len, const struct tt_event_head **h, const struct tt_ev_ustack **u)
{
	const struct tt_event_head *head = data;

	size_t least = tt_event_size(TT_EV_USTACK);

	if (len < sizeof(*head) || head->kind != TT_EV_USTACK || len < least)
		return -EINVAL;
	*h = head;
	*u = (const struct tt_ev_ustack *)(head + 1);
	/* its copy lies within the record (a word's record is shorter than the struct) */
	return (*u)->len > TT_USTACK_BYTES || (*u)->len > len - least ? -EINVAL : 0;
}

static uint64_t since_t0(const struct tt_threads *t, uint64_t ts)
{
	return ts > t->t0_ns ? ts - t->t0_ns : 0;
}

/* TT_EV_WAIT, TT_EV_HOLD: a record for the event stream (the tables come from the kernel's maps). */
static void apply_lock_event(const struct tt_event_sink *s, const struct tt_event *e)
{
	struct tt_thread *th = threads__find(s->threads, (pid_t)e->h.tid);
	struct tt_record rec;

	if (!locks__event_record(e, s->threads->t0_ns, th ? th->name : NULL, &rec))
		return;
	/* +8 of a word that is no pthread mutex holds no tid: name only our threads */
	if (rec.blocked_by && !threads__find(s->threads, rec.blocked_by))
		rec.blocked_by = 0;
	if (th && th->py_name[0])
		rec.py_name = th->py_name;
	if (e->h.kind == TT_EV_WAIT && e->wait.py_stack) {
		const struct tt_pystack *ps = pystacks__find(s->pystacks, e->wait.py_stack);

		rec.py_stack_id = e->wait.py_stack;
		if (ps)
			rec.py_stack = ps->text;
	}
	if (e->h.kind == TT_EV_WAIT)
		rec.site = e->wait.site;
	s->emit(&rec, s->ctx);
}

/*
 * A waiter's Python stack that shows some other wait (a Lock released just
 * before its holder ended); for a joinee the process's end killed, anything
 * but frames that show a join.
 */
static bool not_a_python_join(const struct tt_event_sink *s, const struct tt_ev_join_guess *g)
{
	const struct tt_pystack *ps = pystacks__find(s->pystacks, g->py_stack);

	if (g->exit_flags)
		return !ps || ps->kind != TT_PY_JOIN;
	return ps && ps->kind != TT_PY_NONE && ps->kind != TT_PY_JOIN;
}

/*
 * exec: the program's path as execve was given it, read by the kernel side at
 * the exec; the sink's (the process's executable now) when that is cut or
 * missing; "?" when neither is known.
 */
static void exec_detail(const struct tt_event_sink *s, const struct tt_event *e, char *buf, size_t len)
{
	size_t n = strnlen(e->exec.path, sizeof(e->exec.path));

	buf[0] = '\0';
	if (n && n < sizeof(e->exec.path) - 1 && n < len) {
		memcpy(buf, e->exec.path, n);
		buf[n] = '\0';
		return;
	}
	if (s->exec_path)
		s->exec_path((pid_t)e->h.tgid, buf, len);
	if (buf[0])
		return;
	if (n)
		snprintf(buf, len, "%.*s", (int)n, e->exec.path); /* cut, but what is known */
	else
		snprintf(buf, len, "?");
}

/* TT_EV_SCHED: an ended thread's final figures (its kernel entry is gone). */
static void apply_sched(const struct tt_event_sink *s, const struct tt_event *e)
{
	const struct tt_ev_sched *f = &e->sched;
	struct tt_sched sched = { .oncpu_ns = f->oncpu_ns, .runq_ns = f->runq_ns, .lock_ns = f->lock_ns,
				  .sleep_ns = f->sleep_ns, .spin_ns = f->spin_ns, .state = TT_ST_UNKNOWN };

	threads__set_final_sched(s->threads, (pid_t)e->h.tid, &sched);
}

int events__apply(const struct tt_event_sink *s, const struct tt_event *e)
{
	struct tt_record rec;
	int n;

	switch (e->h.kind) {
	case TT_EV_STATE:
		if (s->history && history__state(s->history, (pid_t)e->h.tgid, (pid_t)e->h.tid, e->state.state,
						 since_t0(s->threads, e->h.ts_ns), e->state.addr, e->state.py_stack,
						 e->state.site))
			return -ENOMEM;
		return 0;
	case TT_EV_SCHED:
		apply_sched(s, e);
		return 0;
	case TT_EV_PYSTACK:
		if (s->pystack)
			s->pystack(e, s->ctx);
		return 0;
	case TT_EV_JOIN_GUESS:
		/* a wait whose Python frames are known and say it was no Thread.join joined nothing */
		if (not_a_python_join(s, &e->join_guess))
			return 0;
		break;
	case TT_EV_WAIT:
	case TT_EV_HOLD:
		apply_lock_event(s, e);
		return 0;
	}
	/* the lifecycle: start, fork, rename, exec, exit, join, join_guess */
	n = threads__apply(s->threads, e, &rec);
	if (n < 0)
		return -ENOMEM;
	if (!n)
		return 0;
	if (e->h.kind == TT_EV_EXEC)
		exec_detail(s, e, rec.detail, sizeof(rec.detail));
	s->emit(&rec, s->ctx);
	return 0;
}
