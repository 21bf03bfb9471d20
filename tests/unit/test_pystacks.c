/* Unit tests for user/model/pystacks.c and pylocks.c: Python waits classed, named, grouped. */
#include <stdlib.h>
#include "check.h"
#include "threadtrace.h"
#include "model/locks.h"
#include "model/pystacks.h"

#define TGID 100
#define LIB "/usr/lib/python3.11/"
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define KIND_SEM (1u << TT_LOCK_SEM)

static const struct tt_pyframe_ref bootstrap[] = {
	{ LIB "threading.py", "Thread.run", 975 },
	{ LIB "threading.py", "Thread._bootstrap_inner", 1038 },
};

static enum tt_py_kind classify(const struct tt_pyframe_ref *f, size_t n, enum tt_py_cfunc cf, size_t *site)
{
	return pystacks__classify(f, n, cf, site);
}

TEST(lock_and_rlock_are_the_programs_own_frame)
{
	const struct tt_pyframe_ref f[] = { { "/srv/app.py", "post_entry", 5 }, { "/srv/app.py", "worker", 9 },
					    bootstrap[0], bootstrap[1] };
	size_t site = 99;

	CHECK_EQ_INT(classify(f, N(f), TT_PY_CF_NONE, &site), TT_PY_LOCK);
	CHECK_EQ_INT(site, 0);
	CHECK_EQ_INT(classify(f, N(f), TT_PY_CF_LOCK, &site), TT_PY_LOCK);
	CHECK_EQ_INT(classify(f, N(f), TT_PY_CF_RLOCK, &site), TT_PY_RLOCK);
	/* in neither Lock's code (both known): another C call (SimpleQueue.get), a wait, idle */
	CHECK_EQ_INT(classify(f, N(f), TT_PY_CF_OTHER, &site), TT_PY_CWAIT);
	CHECK(!pystack__is_contention(TT_PY_CWAIT));
	CHECK_STR(pystack__kind_name(TT_PY_CWAIT), "py-wait");
	CHECK(pystack__is_contention(TT_PY_LOCK) && pystack__is_contention(TT_PY_RLOCK));
}

TEST(waits_in_threading_are_classed_by_their_outermost_known_function)
{
	static const struct {
		struct tt_pyframe_ref f[5];
		size_t n;
		enum tt_py_kind kind;
		size_t site;
	} cases[] = {
		{ { { LIB "threading.py", "Condition.wait", 320 }, { "/a.py", "consume", 7 } }, 2, TT_PY_CONDITION, 1 },
		{ { { LIB "threading.py", "Condition.wait", 320 }, { LIB "threading.py", "Event.wait", 622 },
		    { "/a.py", "go", 8 } }, 3, TT_PY_EVENT, 2 },
		{ { { LIB "threading.py", "Condition.wait", 320 }, { LIB "queue.py", "Queue.get", 171 },
		    { "/a.py", "take", 9 } }, 3, TT_PY_QUEUE, 2 },
		{ { { LIB "threading.py", "Condition.wait", 320 }, { LIB "threading.py", "Semaphore.acquire", 467 },
		    { LIB "threading.py", "Semaphore.__enter__", 490 }, { "/a.py", "use", 3 } }, 4, TT_PY_SEMAPHORE, 3 },
		{ { { LIB "threading.py", "Condition.wait", 320 }, { LIB "threading.py", "Condition.wait_for", 352 },
		    { LIB "threading.py", "Barrier._wait", 700 }, { LIB "threading.py", "Barrier.wait", 680 },
		    { "/a.py", "meet", 4 } }, 5, TT_PY_BARRIER, 4 },
		{ { { LIB "threading.py", "Thread._wait_for_tstate_lock", 1132 }, { LIB "threading.py", "Thread.join", 1112 },
		    { "/a.py", "<module>", 20 } }, 3, TT_PY_JOIN, 2 },
		/* a Timer: threading's frames only, named by the function that waits */
		{ { { LIB "threading.py", "Condition.wait", 324 }, { LIB "threading.py", "Event.wait", 622 },
		    { LIB "threading.py", "Timer.run", 1428 }, bootstrap[1] }, 4, TT_PY_EVENT, 1 },
		/* a program's own threading.py is no standard library */
		{ { { "/srv/threading.py", "Condition.wait", 1 }, { "/a.py", "f", 2 } }, 2, TT_PY_LOCK, 0 },
		/* concurrent.futures' idle worker: SimpleQueue.get in C */
		{ { { LIB "concurrent/futures/thread.py", "_worker", 81 }, bootstrap[0] }, 2, TT_PY_QUEUE, 0 },
	};

	for (size_t i = 0; i < N(cases); i++) {
		size_t site = 99;
		enum tt_py_kind k = classify(cases[i].f, cases[i].n, TT_PY_CF_NONE, &site);

		if (k != cases[i].kind || site != cases[i].site)
			check_fail(__FILE__, __LINE__, "case %zu: kind %d site %zu, want %d %zu", i, (int)k, site,
				   (int)cases[i].kind, cases[i].site);
	}
	CHECK(!pystack__is_contention(TT_PY_CONDITION) && !pystack__is_contention(TT_PY_QUEUE) &&
	      !pystack__is_contention(TT_PY_JOIN));
}

TEST(condition_enter_blocks_on_its_lock)
{
	const struct tt_pyframe_ref f[] = { { LIB "threading.py", "Condition.__enter__", 277 }, { "/a.py", "put", 30 } };
	size_t site;

	/* a Condition's default lock is an RLock: contention on it, at the program's `with cond:` */
	CHECK_EQ_INT(classify(f, N(f), TT_PY_CF_RLOCK, &site), TT_PY_RLOCK);
	CHECK_EQ_INT(site, 1);
	CHECK_EQ_INT(classify(f, 0, TT_PY_CF_RLOCK, &site), TT_PY_NONE);
}

TEST(add_keeps_text_site_and_kind)
{
	struct tt_pystacks *ps = pystacks__new();
	const struct tt_pyframe_ref f[] = { { LIB "threading.py", "Condition.wait", 320 },
					    { "/srv/app/q.py", "consume", 12 } };
	const struct tt_pystack *s;

	CHECK(ps != NULL);
	CHECK_EQ_INT(pystacks__add(ps, 0x10, f, N(f), true, TT_PY_CF_NONE), 0);
	s = pystacks__find(ps, 0x10);
	CHECK(s != NULL);
	if (s) {
		CHECK_STR(s->text, LIB "threading.py:Condition.wait:320 < /srv/app/q.py:consume:12 < ...");
		CHECK_STR(s->site, "consume (q.py:12)");
		CHECK_EQ_INT(s->kind, TT_PY_CONDITION);
	}
	/* known ids stay as they are; 0 is no id */
	CHECK_EQ_INT(pystacks__add(ps, 0x10, f + 1, 1, false, TT_PY_CF_NONE), 0);
	CHECK_EQ_INT(pystacks__find(ps, 0x10)->kind, TT_PY_CONDITION);
	CHECK(pystacks__find(ps, 0) == NULL && pystacks__find(ps, 0x11) == NULL && pystacks__find(NULL, 0x10) == NULL);
	CHECK_STR(pystack__kind_name(TT_PY_SEMAPHORE), "py-semaphore");
	CHECK_STR(pystack__type_name(TT_PY_QUEUE), "Queue");
	pystacks__free(ps);
}

/* One word of the lock table with waits by tid at a Python site (its stack id). */
static void add_word(struct tt_locks *l, uint64_t addr, __u32 tid, uint64_t waits, uint64_t total, uint64_t py, __u32 kinds)
{
	struct tt_lock_key k = { .addr = addr, .tid = tid, .tgid = TGID };
	struct tt_lock_stat st = { .waits = waits, .total_ns = total, .max_ns = total, .kinds = kinds };
	struct tt_site_key sk = { .addr = addr, .tgid = TGID, .stack_id = -1, .py_stack = py };
	struct tt_pair_val v = { .count = waits, .total_ns = total };

	CHECK_EQ_INT(locks__add_wait_stat(l, &k, &st), 0);
	CHECK_EQ_INT(locks__add_site(l, &sk, &v), 0);
}

static const struct tt_lock *named(const struct tt_locks *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

TEST(python_locks_named_by_site_and_kind)
{
	struct tt_locks *l = locks__new();
	struct tt_pystacks *ps = pystacks__new();
	const struct tt_pyframe_ref lock_site[] = { { "/srv/app.py", "post", 5 } };
	const struct tt_pyframe_ref cond_site[] = { { LIB "threading.py", "Condition.wait", 320 }, { "/srv/app.py", "take", 9 } };
	const struct tt_pyframe_ref join_site[] = { { LIB "threading.py", "Thread.join", 1112 }, { "/srv/app.py", "main", 20 } };
	struct tt_pair_key wake = { .addr = 0x5000, .a = 107, .b = 100 };
	struct tt_pair_val one = { .count = 1 };
	const struct tt_lock *k;
	char want[TT_LOCK_NAME_LEN];

	CHECK(l && ps);
	CHECK_EQ_INT(pystacks__add(ps, 0x100, lock_site, 1, false, TT_PY_CF_LOCK), 0);
	CHECK_EQ_INT(pystacks__add(ps, 0x200, cond_site, 2, false, TT_PY_CF_NONE), 0);
	CHECK_EQ_INT(pystacks__add(ps, 0x300, join_site, 2, false, TT_PY_CF_NONE), 0);
	/* two Lock objects taken at one site: two names, told apart by address */
	add_word(l, 0x1000, 101, 10, 1000, 0x100, KIND_SEM);
	add_word(l, 0x2000, 102, 4, 400, 0x100, KIND_SEM);
	/* two threads' Condition waiter locks at one site: one row */
	add_word(l, 0x3000, 103, 3, 300, 0x200, KIND_SEM);
	add_word(l, 0x4000, 104, 5, 500, 0x200, KIND_SEM);
	/* a join of thread 107 (its exit woke the word) */
	add_word(l, 0x5000, 100, 1, 900, 0x300, KIND_SEM);
	CHECK_EQ_INT(locks__add_wake_pair(l, TGID, &wake, &one), 0);
	/* the GIL and words that are not sem_t keep their names and kinds */
	add_word(l, 0x6000, 101, 2, 20, 0x100, 1u << TT_LOCK_MUTEX);
	locks__name_python(l, ps);

	snprintf(want, sizeof(want), "Lock in post (app.py:5) [0x%x]", 0x1000);
	k = named(l, want);
	CHECK(k && k->py_kind == TT_PY_LOCK && k->waits == 10 && lock__role(k) == TT_ROLE_CONTENTION);
	CHECK_STR(k ? lock__kind_name(k) : "", "py-lock");
	snprintf(want, sizeof(want), "Lock in post (app.py:5) [0x%x]", 0x2000);
	CHECK(named(l, want) != NULL);
	k = named(l, "Condition in take (app.py:9)");
	CHECK(k && k->waits == 8 && k->total_ns == 800 && k->threads == 2 && lock__role(k) == TT_ROLE_IDLE);
	CHECK_STR(k ? lock__kind_name(k) : "", "py-condition");
	k = locks__find(l, TGID, 0x4000);
	CHECK(k && k->waits == 0); /* absorbed: views leave it out */
	k = named(l, "join of 107 in main (app.py:20)");
	CHECK(k && k->py_kind == TT_PY_JOIN);
	k = locks__find(l, TGID, 0x6000);
	CHECK(k && k->py_kind == TT_PY_NONE && strcmp(lock__kind_name(k), "mutex") == 0);

	/* a second report: figures read anew, the names stay, the idle words merge again */
	locks__reset_figures(l);
	add_word(l, 0x3000, 103, 1, 10, 0x200, KIND_SEM);
	add_word(l, 0x4000, 104, 2, 20, 0x200, KIND_SEM);
	locks__name_python(l, ps);
	k = locks__find(l, TGID, 0x3000);
	CHECK(k && k->waits == 3 && k->total_ns == 30 && !strcmp(k->name, "Condition in take (app.py:9)"));
	locks__free(l);
	pystacks__free(ps);
}

int main(void)
{
	RUN(lock_and_rlock_are_the_programs_own_frame);
	RUN(waits_in_threading_are_classed_by_their_outermost_known_function);
	RUN(condition_enter_blocks_on_its_lock);
	RUN(add_keeps_text_site_and_kind);
	RUN(python_locks_named_by_site_and_kind);
	return check_summary();
}
