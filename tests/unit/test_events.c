/* Unit tests for user/events.c: ring-buffer records decoded and dispatched to the models. */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "threadtrace.h"
#include "events.h"
#include "model/history.h"
#include "model/pystacks.h"
#include "model/threads.h"

#define TGID 100
#define T0 1000000000ull

/* What the sink saw. */
struct seen {
	int records;
	struct tt_record last;
	char last_py_stack[256]; /* last.py_stack, copied while it was valid */
	int exec_paths;
	int pystacks;
	uint64_t pystack_id;
};

static void on_pystack(const struct tt_event *e, void *ctx)
{
	struct seen *s = ctx;

	s->pystacks++;
	s->pystack_id = e->pystack.id;
}

static void on_record(const struct tt_record *rec, void *ctx)
{
	struct seen *s = ctx;

	s->records++;
	s->last = *rec;
	snprintf(s->last_py_stack, sizeof(s->last_py_stack), "%s", rec->py_stack ? rec->py_stack : "");
}

static void fake_exec_path(pid_t tgid, char *buf, size_t len)
{
	snprintf(buf, len, "/bin/prog-of-%d", (int)tgid);
}

static struct tt_event_head head(__u32 kind, uint64_t rel_ts, __u32 tid)
{
	return (struct tt_event_head){ .ts_ns = T0 + rel_ts, .kind = kind, .tgid = TGID, .tid = tid };
}

/* A record as the kernel writes it: the head and only its kind's bytes. */
static size_t raw_start(unsigned char *buf, __u32 tid, __u32 creator, __u64 word, const char *comm)
{
	struct tt_event_head h = head(TT_EV_START, 10, tid);
	struct tt_ev_start st = { .tid_word = word, .creator = creator };

	snprintf(st.comm, sizeof(st.comm), "%s", comm);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &st, sizeof(st));
	return sizeof(h) + sizeof(st);
}

TEST(sizes_per_kind)
{
	/* every kind has a record; none but a stack copy is larger than the union the decoder fills */
	for (__u32 k = TT_EV_START; k < TT_EV_KIND_MAX; k++) {
		CHECK(tt_event_size(k) > sizeof(struct tt_event_head));
		if (k != TT_EV_USTACK)
			CHECK(tt_event_size(k) <= sizeof(struct tt_event));
	}
	/* head, addr, stack id and length, scan, registers, the return slot and address a return probe hid */
	CHECK_EQ_INT(tt_event_size(TT_EV_USTACK), 24 + 8 + 8 + 8 * TT_SCAN_HITS + 64 + 16);
	CHECK_EQ_INT(tt_event_size(0), 0);
	CHECK_EQ_INT(tt_event_size(TT_EV_KIND_MAX), 0);
	CHECK_EQ_INT(tt_event_size(0xffffffff), 0);
	CHECK_EQ_INT(tt_event_size(TT_EV_WAIT), 24 + 48);
	CHECK_EQ_INT(tt_event_size(TT_EV_STATE), 24 + 32);
	CHECK_EQ_INT(tt_event_size(TT_EV_PYSTACK), 24 + 16 + 16 * TT_PY_DEPTH);
	CHECK_EQ_INT(tt_event_size(TT_EV_HOLD), 24 + 16);
	CHECK_EQ_INT(tt_event_size(TT_EV_FORK), tt_event_size(TT_EV_START));
}

/* A stack copy is read in place: checked, never copied into the union. */
TEST(ustack_read_in_place)
{
	static unsigned char buf[24 + sizeof(struct tt_ev_ustack)] __attribute__((aligned(8)));
	struct tt_event_head *h = (struct tt_event_head *)buf;
	struct tt_ev_ustack *u = (struct tt_ev_ustack *)(buf + sizeof(*h));
	const struct tt_event_head *gh;
	const struct tt_ev_ustack *gu;
	struct tt_event e;

	h->kind = TT_EV_USTACK;
	h->tgid = 100;
	u->len = 4096;
	u->regs[1] = 0x7ffd0000;
	CHECK_EQ_INT(events__ustack(buf, sizeof(buf), &gh, &gu), 0);
	CHECK(gh == h && gu == u && gu->regs[1] == 0x7ffd0000);
	/* the decoder refuses it (it would not fit its union) */
	CHECK_EQ_INT(events__decode(buf, sizeof(buf), &e), -EINVAL);
	/* a word's record: shorter, its copy within it */
	u->len = TT_USTACK_WORD_BYTES;
	CHECK_EQ_INT(events__ustack(buf, tt_event_size(TT_EV_USTACK) + TT_USTACK_WORD_BYTES, &gh, &gu), 0);
	/* short (its copy past the record's end), another kind, a length past the copy */
	CHECK_EQ_INT(events__ustack(buf, tt_event_size(TT_EV_USTACK) + TT_USTACK_WORD_BYTES - 1, &gh, &gu), -EINVAL);
	CHECK_EQ_INT(events__ustack(buf, tt_event_size(TT_EV_USTACK) - 1, &gh, &gu), -EINVAL);
	CHECK_EQ_INT(events__ustack(buf, 10, &gh, &gu), -EINVAL);
	u->len = TT_USTACK_BYTES + 1;
	CHECK_EQ_INT(events__ustack(buf, sizeof(buf), &gh, &gu), -EINVAL);
	u->len = 0;
	h->kind = TT_EV_WAIT;
	CHECK_EQ_INT(events__ustack(buf, sizeof(buf), &gh, &gu), -EINVAL);
}

TEST(decode_exact_record)
{
	unsigned char buf[128];
	struct tt_event e;
	size_t n = raw_start(buf, 101, 100, 0x7f00001990, "worker");

	memset(&e, 0x5a, sizeof(e));
	CHECK_EQ_INT(events__decode(buf, n, &e), 0);
	CHECK_EQ_INT(e.h.kind, TT_EV_START);
	CHECK_EQ_U64(e.h.ts_ns, T0 + 10);
	CHECK_EQ_INT(e.h.tid, 101);
	CHECK_EQ_INT(e.start.creator, 100);
	CHECK_EQ_U64(e.start.tid_word, 0x7f00001990);
	CHECK_STR(e.start.comm, "worker");
	/* past its record, the union is zero, not what was there */
	CHECK_EQ_U64(((const unsigned char *)&e)[sizeof(e) - 1], 0);
}

TEST(decode_refuses_short_and_unknown)
{
	unsigned char buf[128];
	struct tt_event_head h = head(0, 1, 1);
	struct tt_event e;
	size_t n = raw_start(buf, 101, 100, 0x1000, "w");

	CHECK_EQ_INT(events__decode(buf, n - 1, &e), -EINVAL);  /* one byte short of its kind */
	CHECK_EQ_INT(events__decode(buf, 10, &e), -EINVAL);     /* shorter than the head */
	CHECK_EQ_INT(events__decode(buf, 0, &e), -EINVAL);
	CHECK_EQ_INT(events__decode(buf, n + 8, &e), 0);        /* padding after it is fine */
	for (__u32 kind = 0; kind < 3; kind++) {
		h.kind = kind == 0 ? 0 : kind == 1 ? TT_EV_KIND_MAX : 0xffffffff;
		memcpy(buf, &h, sizeof(h));
		CHECK_EQ_INT(events__decode(buf, sizeof(buf), &e), -EINVAL);
	}
}

TEST(apply_dispatches_by_kind)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_history *hist = history__new();
	struct seen seen = { 0 };
	struct tt_event_sink sink = { .threads = t, .history = hist, .emit = on_record,
				      .exec_path = fake_exec_path, .ctx = &seen };
	struct tt_event e;
	struct tt_thread *th;

	/* start: a thread and a record */
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_START, 10, 101);
	e.start.creator = 100;
	e.start.tid_word = 0x1000;
	snprintf(e.start.comm, sizeof(e.start.comm), "w1");
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	CHECK_EQ_INT(seen.records, 1);
	CHECK_EQ_INT(seen.last.kind, TT_REC_START);
	CHECK_EQ_INT(seen.last.peer_tid, 100);
	CHECK(threads__find(t, 101) != NULL);

	/* state: into the history only */
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_STATE, 20, 101);
	e.state.state = TT_ST_LOCK;
	e.state.addr = 0xabc;
	e.state.site = 0x51e51e;
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	CHECK_EQ_INT(seen.records, 1);
	CHECK_EQ_INT(hist->nopen, 1);
	/* a blocked slice keeps its call site's id (the timeline's args.stack) */
	e.h = head(TT_EV_STATE, 21, 101);
	e.state = (struct tt_ev_state){ .state = TT_ST_ONCPU };
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	CHECK_EQ_INT(hist->nslices, 1);
	if (hist->nslices == 1) {
		CHECK_EQ_INT(hist->slices[0].state, TT_ST_LOCK);
		CHECK_EQ_U64(hist->slices[0].addr, 0xabc);
		CHECK_EQ_U64(hist->slices[0].site, 0x51e51e);
	}

	/* sched: the thread's final figures, no record */
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_SCHED, 30, 101);
	e.sched = (struct tt_ev_sched){ .oncpu_ns = 11, .runq_ns = 22, .lock_ns = 33, .sleep_ns = 44 };
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	CHECK_EQ_INT(seen.records, 1);
	th = threads__find(t, 101);
	CHECK(th && th->oncpu_ns == 11 && th->runq_ns == 22 && th->lock_ns == 33 && th->sleep_ns == 44);

	/* wait: a record; an owner that is none of our threads is not named */
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_WAIT, 40, 101);
	e.wait = (struct tt_ev_wait){ .addr = 0xabc, .dur_ns = 500, .waker = 100, .owner = 4242,
				      .ret = -ETIMEDOUT, .kind = TT_LOCK_MUTEX };
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	CHECK_EQ_INT(seen.records, 2);
	CHECK_EQ_INT(seen.last.kind, TT_REC_WAIT);
	CHECK_STR(seen.last.name, "w1");
	CHECK_EQ_U64(seen.last.addr, 0xabc);
	CHECK_EQ_U64(seen.last.dur_ns, 500);
	CHECK_EQ_INT(seen.last.peer_tid, 100);
	CHECK_EQ_INT(seen.last.blocked_by, 0);
	CHECK_STR(seen.last.detail, "timeout");
	CHECK_EQ_U64(seen.last.site, 0); /* no --stacks: none */
	e.wait.site = 0x51e51e;
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	CHECK_EQ_U64(seen.last.site, 0x51e51e);
	e.wait.site = 0;
	e.wait.owner = 101; /* one of ours: kept */
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	CHECK_EQ_INT(seen.last.blocked_by, 101);

	/* exec: the path comes from the sink */
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_EXEC, 50, TGID);
	e.exec.old_tid = TGID;
	snprintf(e.exec.comm, sizeof(e.exec.comm), "prog");
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	CHECK_EQ_INT(seen.last.kind, TT_REC_EXEC);
	CHECK_STR(seen.last.detail, "/bin/prog-of-100");

	/* a Python stack goes to the sink's pystack, no record; a wait carrying its id gets its text */
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_PYSTACK, 55, 101);
	e.pystack.id = 0x5500;
	e.pystack.depth = 1;
	sink.pystack = on_pystack;
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	CHECK_EQ_INT(seen.pystacks, 1);
	CHECK_EQ_U64(seen.pystack_id, 0x5500);
	CHECK_EQ_INT(seen.records, 5);
	{
		struct tt_pystacks *ps = pystacks__new();
		struct tt_pyframe_ref f = { "/srv/app.py", "post", 12 };

		CHECK(ps && !pystacks__add(ps, 0x5500, &f, 1, false, TT_PY_CF_NONE));
		sink.pystacks = ps;
		memset(&e, 0, sizeof(e));
		e.h = head(TT_EV_WAIT, 56, 101);
		e.wait = (struct tt_ev_wait){ .addr = 0xabd, .dur_ns = 7, .py_stack = 0x5500, .kind = TT_LOCK_SEM };
		CHECK_EQ_INT(events__apply(&sink, &e), 0);
		CHECK_EQ_INT(seen.records, 6);
		CHECK_EQ_U64(seen.last.py_stack_id, 0x5500);
		CHECK_STR(seen.last_py_stack, "/srv/app.py:post:12");
		/* an id it does not know (not resolved): the id, no text */
		e.wait.py_stack = 0x6600;
		CHECK_EQ_INT(events__apply(&sink, &e), 0);
		CHECK_EQ_U64(seen.last.py_stack_id, 0x6600);
		CHECK_STR(seen.last_py_stack, "");
		sink.pystacks = NULL;
		pystacks__free(ps);
	}

	/* an inferred join on a non-CPython target: nothing */
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_JOIN_GUESS, 60, TGID);
	e.join_guess.joinee = 101;
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	CHECK_EQ_INT(seen.records, 7);

	history__free(hist);
	threads__free(t);
}

/* CPython: an inferred join whose waiter's Python frames show another wait (a Lock) joined nothing. */
TEST(inferred_join_needs_a_python_join)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_pystacks *ps = pystacks__new();
	struct seen seen = { 0 };
	struct tt_event_sink sink = { .threads = t, .emit = on_record, .pystacks = ps, .ctx = &seen };
	const struct tt_pyframe_ref lock_f[] = { { "/srv/app.py", "post", 5 } };
	const struct tt_pyframe_ref join_f[] = { { "/usr/lib/python3.11/threading.py", "Thread.join", 1112 },
					     { "/srv/app.py", "main", 20 } };
	struct tt_event e;
	const struct tt_thread *th;

	t->accept_inferred = true;
	CHECK(!pystacks__add(ps, 0x100, lock_f, 1, false, TT_PY_CF_LOCK));
	CHECK(!pystacks__add(ps, 0x200, join_f, 2, false, TT_PY_CF_NONE));
	for (__u32 tid = 101; tid <= 103; tid++) {
		memset(&e, 0, sizeof(e));
		e.h = head(TT_EV_START, tid, tid);
		e.start.creator = TGID;
		CHECK_EQ_INT(events__apply(&sink, &e), 0);
	}
	/* 102 ends right after waking 101 from a Lock wait: no join */
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_JOIN_GUESS, 200, 101);
	e.join_guess = (struct tt_ev_join_guess){ .word = 0x5000, .wait_ns = 10, .joinee = 102, .py_stack = 0x100 };
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	th = threads__find(t, 102);
	CHECK(th && !th->joined);
	/* 103 ends right after waking 101 in Thread.join: joined */
	e.join_guess = (struct tt_ev_join_guess){ .word = 0x6000, .wait_ns = 10, .joinee = 103, .py_stack = 0x200 };
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	th = threads__find(t, 103);
	CHECK(th && th->joined && th->joined_by == 101);
	/* killed as the process ended, right after waking a joiner in Thread.join: joined, and it
	 * returned (the interpreter's shutdown joined it, then exited while its OS thread left) */
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_START, 210, 104);
	e.start.creator = TGID;
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	e.h = head(TT_EV_JOIN_GUESS, 220, 101);
	e.join_guess = (struct tt_ev_join_guess){ .word = 0x8000, .wait_ns = 10, .joinee = 104, .py_stack = 0x200,
						  .exit_flags = TT_EXIT_SIGNALED | TT_EXIT_GROUP };
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_EXIT, 221, 104);
	e.exit = (struct tt_ev_exit){ .tid_word = 0x8000, .exit_code = 9, .flags = TT_EXIT_SIGNALED | TT_EXIT_GROUP };
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	th = threads__find(t, 104);
	CHECK(th && th->joined && th->how == TT_END_EXITED && th->signal == 0);
	CHECK_STR(seen.last.detail, "exited");
	/* the same without frames that show a join: no join, killed (a daemon) */
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_START, 230, 105);
	e.start.creator = TGID;
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	e.h = head(TT_EV_JOIN_GUESS, 240, 101);
	e.join_guess = (struct tt_ev_join_guess){ .word = 0x9000, .wait_ns = 10, .joinee = 105, .py_stack = 0x100,
						  .exit_flags = TT_EXIT_SIGNALED | TT_EXIT_GROUP };
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	e.join_guess.py_stack = 0; /* frames unknown */
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	memset(&e, 0, sizeof(e));
	e.h = head(TT_EV_EXIT, 241, 105);
	e.exit = (struct tt_ev_exit){ .tid_word = 0x9000, .exit_code = 9, .flags = TT_EXIT_SIGNALED | TT_EXIT_GROUP };
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	th = threads__find(t, 105);
	CHECK(th && !th->joined && th->how == TT_END_DAEMON_KILLED && th->signal == 9);

	/* frames not known (no id, or not resolved): the inference stands as before */
	e.h = head(TT_EV_JOIN_GUESS, 250, 101);
	e.join_guess = (struct tt_ev_join_guess){ .word = 0x7000, .wait_ns = 10, .joinee = 102, .py_stack = 0x999 };
	CHECK_EQ_INT(events__apply(&sink, &e), 0);
	th = threads__find(t, 102);
	CHECK(th && th->joined);
	pystacks__free(ps);
	threads__free(t);
}

int main(void)
{
	RUN(sizes_per_kind);
	RUN(ustack_read_in_place);
	RUN(decode_exact_record);
	RUN(decode_refuses_short_and_unknown);
	RUN(apply_dispatches_by_kind);
	RUN(inferred_join_needs_a_python_join);
	return check_summary();
}
