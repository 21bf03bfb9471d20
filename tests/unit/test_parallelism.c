/* Unit tests for user/model/sched.c (parallelism) and threads__set_sched (user/model/threads.c). */
#include <math.h>
#include "check.h"
#include "threadtrace.h"
#include "model/sched.h"
#include "model/threads.h"

#define TGID 100
#define T0 1000000000ull
#define SEC 1000000000ull

#define CHECK_DBL(a, b)                                                                      \
	do {                                                                                 \
		double check_da_ = (a), check_db_ = (b);                                     \
		if (!(fabs(check_da_ - check_db_) <= 1e-12 * (fabs(check_db_) > 1 ? fabs(check_db_) : 1))) \
			check_fail(__FILE__, __LINE__, "CHECK_DBL(%s, %s): %.15g != %.15g", #a, #b, \
				   check_da_, check_db_);                                    \
	} while (0)

static struct tt_par kpar(uint64_t running, uint64_t last_ns)
{
	struct tt_par k;

	memset(&k, 0, sizeof(k));
	k.running = running;
	k.last_ns = last_ns;
	return k;
}

TEST(from_kernel_adds_open_interval)
{
	struct tt_par k = kpar(2, T0 + 1000);
	struct tt_parallelism p;

	k.ns[0] = 500;
	k.ns[1] = 700;
	k.ns[2] = 900;
	k.ns[TT_PAR_SLOTS - 1] = 11;
	memset(&p, 0x5a, sizeof(p));
	parallelism__from_kernel(&p, &k, T0 + 1500);
	CHECK_EQ_U64(p.ns[0], 500);
	CHECK_EQ_U64(p.ns[1], 700);
	CHECK_EQ_U64(p.ns[2], 900 + 500);
	CHECK_EQ_U64(p.ns[3], 0);
	CHECK_EQ_U64(p.ns[TT_PAR_SLOTS - 1], 11);
	CHECK_EQ_U64(parallelism__total_ns(&p), 500 + 700 + 1400 + 11);
	/* the kernel's counters are not changed */
	CHECK_EQ_U64(k.ns[2], 900);

	/* nothing running now: the open interval goes to ns[0] */
	k = kpar(0, T0 + 1000);
	k.ns[1] = 100;
	parallelism__from_kernel(&p, &k, T0 + 4000);
	CHECK_EQ_U64(p.ns[0], 3000);
	CHECK_EQ_U64(p.ns[1], 100);
	CHECK_EQ_U64(parallelism__total_ns(&p), 3100);
}

TEST(from_kernel_without_open_interval)
{
	struct tt_par k;
	struct tt_parallelism p;

	/* never changed (last_ns 0): nothing to add */
	k = kpar(1, 0);
	k.ns[1] = 42;
	parallelism__from_kernel(&p, &k, T0 + 5000);
	CHECK_EQ_U64(p.ns[1], 42);
	CHECK_EQ_U64(parallelism__total_ns(&p), 42);

	/* now not after the last change: nothing to add */
	k = kpar(1, T0 + 5000);
	k.ns[1] = 42;
	parallelism__from_kernel(&p, &k, T0 + 5000);
	CHECK_EQ_U64(p.ns[1], 42);
	parallelism__from_kernel(&p, &k, T0 + 4000);
	CHECK_EQ_U64(p.ns[1], 42);
	CHECK_EQ_U64(parallelism__total_ns(&p), 42);

	/* a count beyond the slots (racy kernel counter): not written out of bounds */
	k = kpar(TT_PAR_SLOTS, T0);
	k.ns[TT_PAR_SLOTS - 1] = 7;
	parallelism__from_kernel(&p, &k, T0 + 1000);
	CHECK_EQ_U64(p.ns[TT_PAR_SLOTS - 1], 7);
	CHECK_EQ_U64(parallelism__total_ns(&p), 7);
	k = kpar((uint64_t)-1, T0); /* a decrement below zero */
	parallelism__from_kernel(&p, &k, T0 + 1000);
	CHECK_EQ_U64(parallelism__total_ns(&p), 0);

	/* the last slot itself still gets its interval */
	k = kpar(TT_PAR_SLOTS - 1, T0);
	parallelism__from_kernel(&p, &k, T0 + 1000);
	CHECK_EQ_U64(p.ns[TT_PAR_SLOTS - 1], 1000);
}

TEST(mean_total_max)
{
	struct tt_parallelism p;

	memset(&p, 0, sizeof(p));
	p.ns[0] = 1 * SEC;
	p.ns[2] = 3 * SEC;
	CHECK_DBL(parallelism__mean(&p), 1.5);
	CHECK_EQ_U64(parallelism__total_ns(&p), 4 * SEC);
	CHECK_EQ_INT(parallelism__max(&p), 2);

	memset(&p, 0, sizeof(p));
	p.ns[1] = 1 * SEC;
	p.ns[2] = 1 * SEC;
	p.ns[4] = 2 * SEC;
	CHECK_DBL(parallelism__mean(&p), 11.0 / 4.0);
	CHECK_EQ_INT(parallelism__max(&p), 4);

	memset(&p, 0, sizeof(p));
	p.ns[TT_PAR_SLOTS - 1] = 1;
	p.ns[1] = 1;
	CHECK_DBL(parallelism__mean(&p), TT_PAR_SLOTS / 2.0);
	CHECK_EQ_INT(parallelism__max(&p), TT_PAR_SLOTS - 1);

	/* only idle time: mean 0, max 0 */
	memset(&p, 0, sizeof(p));
	p.ns[0] = 5 * SEC;
	CHECK_DBL(parallelism__mean(&p), 0);
	CHECK_EQ_INT(parallelism__max(&p), 0);
	CHECK_EQ_U64(parallelism__total_ns(&p), 5 * SEC);

	/* big totals do not overflow the mean */
	memset(&p, 0, sizeof(p));
	p.ns[3] = 4000000ull * SEC; /* 46 days */
	p.ns[5] = 4000000ull * SEC;
	CHECK_DBL(parallelism__mean(&p), 4.0);
}

TEST(empty_is_zero)
{
	struct tt_parallelism p;

	memset(&p, 0, sizeof(p));
	CHECK_DBL(parallelism__mean(&p), 0);
	CHECK(parallelism__mean(&p) == 0.0);
	CHECK_EQ_U64(parallelism__total_ns(&p), 0);
	CHECK_EQ_INT(parallelism__max(&p), 0);
}

static struct tt_threads *two_threads(void)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;

	for (int i = 0; i < 2; i++) {
		struct tt_event e;

		memset(&e, 0, sizeof(e));
		e.h.kind = TT_EV_START;
		e.h.ts_ns = T0 + 100;
		e.h.tgid = TGID;
		e.h.tid = 101 + (__u32)i;
		e.start.creator = 100;
		e.start.tid_word = 0x1000 * (uint64_t)(i + 1);
		strcpy(e.start.comm, "w");
		CHECK_EQ_INT(threads__apply(t, &e, &rec), 1);
	}
	return t;
}

static struct tt_sched sched(uint64_t oncpu, uint64_t runq, uint64_t lock, uint64_t sleep, uint64_t since,
			     __u32 state)
{
	struct tt_sched s;

	memset(&s, 0, sizeof(s));
	s.oncpu_ns = oncpu;
	s.runq_ns = runq;
	s.lock_ns = lock;
	s.sleep_ns = sleep;
	s.since_ns = since;
	s.state = state;
	return s;
}

#define CHECK_SCHED(th, on, rq, lk, sl)                    \
	do {                                               \
		CHECK((th) != NULL);                       \
		if (th) {                                  \
			CHECK_EQ_U64((th)->oncpu_ns, on);  \
			CHECK_EQ_U64((th)->runq_ns, rq);   \
			CHECK_EQ_U64((th)->lock_ns, lk);   \
			CHECK_EQ_U64((th)->sleep_ns, sl);  \
		}                                          \
	} while (0)

TEST(set_sched_open_interval_by_state)
{
	struct tt_threads *t = two_threads();
	struct tt_sched s;

	/* blocked in a futex wait since T0+1000: now T0+1600 */
	s = sched(10, 20, 30, 40, T0 + 1000, TT_ST_LOCK);
	threads__set_sched(t, 101, &s, T0 + 1600);
	CHECK_SCHED(threads__find(t, 101), 10, 20, 30 + 600, 40);
	CHECK_SCHED(threads__find(t, 102), 0, 0, 0, 0); /* the other one untouched */

	s = sched(10, 20, 30, 40, T0 + 1000, TT_ST_ONCPU);
	threads__set_sched(t, 101, &s, T0 + 1600);
	CHECK_SCHED(threads__find(t, 101), 610, 20, 30, 40); /* set, not added to the previous */

	s = sched(10, 20, 30, 40, T0 + 1000, TT_ST_RUNQ);
	threads__set_sched(t, 102, &s, T0 + 1600);
	CHECK_SCHED(threads__find(t, 102), 10, 620, 30, 40);

	s = sched(10, 20, 30, 40, T0 + 1000, TT_ST_SLEEP);
	threads__set_sched(t, 102, &s, T0 + 1600);
	CHECK_SCHED(threads__find(t, 102), 10, 20, 30, 640);

	/* ended (the kernel closed its books): no open interval */
	s = sched(10, 20, 30, 40, T0 + 1000, TT_ST_UNKNOWN);
	threads__set_sched(t, 102, &s, T0 + 1600);
	CHECK_SCHED(threads__find(t, 102), 10, 20, 30, 40);
	threads__free(t);
}

TEST(set_sched_no_open_interval)
{
	struct tt_threads *t = two_threads();
	struct tt_sched s;

	/* since 0: never switched */
	s = sched(1, 2, 3, 4, 0, TT_ST_LOCK);
	threads__set_sched(t, 101, &s, T0 + 1600);
	CHECK_SCHED(threads__find(t, 101), 1, 2, 3, 4);
	/* now before since (clocks read on other CPUs): nothing added */
	s = sched(1, 2, 3, 4, T0 + 2000, TT_ST_LOCK);
	threads__set_sched(t, 101, &s, T0 + 1600);
	CHECK_SCHED(threads__find(t, 101), 1, 2, 3, 4);
	s = sched(1, 2, 3, 4, T0 + 2000, TT_ST_ONCPU);
	threads__set_sched(t, 101, &s, T0 + 2000);
	CHECK_SCHED(threads__find(t, 101), 1, 2, 3, 4);
	threads__free(t);
}

/*
 * A thread that has ended has no open interval. The kernel's final
 * sched_switch of a dead task (prev_state TASK_DEAD) comes after
 * sched_process_exit and leaves its entry in TT_ST_SLEEP with since_ns = its
 * death (bpf/hooks.bpf.c on_sched_switch): counting that "open" interval up to
 * now gives a thread that lived 10 ms seconds of sleep, and inflates the
 * blocked time the verdict divides by.
 */
TEST(set_sched_ended_thread_no_open_interval)
{
	struct tt_threads *t = two_threads();
	struct tt_record rec;
	struct tt_event e;
	struct tt_sched s;
	struct tt_thread *th;

	memset(&e, 0, sizeof(e));
	e.h.kind = TT_EV_EXIT;
	e.h.ts_ns = T0 + 10000000; /* 101 ends 10 ms in */
	e.h.tgid = TGID;
	e.h.tid = 101;
	e.exit.tid_word = 0x1000;
	strcpy(e.exit.comm, "w");
	CHECK_EQ_INT(threads__apply(t, &e, &rec), 1);
	th = threads__find(t, 101);
	CHECK(th && th->ended);

	/* its last switch-out, 50 us after the exit, left it "asleep" since then */
	s = sched(9000000, 100000, 0, 800000, T0 + 10050000, TT_ST_SLEEP);
	threads__set_sched(t, 101, &s, T0 + 2 * SEC);
	CHECK_SCHED(threads__find(t, 101), 9000000, 100000, 0, 800000);
	th = threads__find(t, 101);
	if (th)
		CHECK(th->oncpu_ns + th->runq_ns + th->lock_ns + th->sleep_ns <= th->end_ns - th->start_ns);

	/* the live one still gets its open interval */
	s = sched(0, 0, 0, 800000, T0 + SEC, TT_ST_SLEEP);
	threads__set_sched(t, 102, &s, T0 + 2 * SEC);
	CHECK_SCHED(threads__find(t, 102), 0, 0, 0, 800000 + SEC);
	threads__free(t);
}

TEST(set_sched_unknown_tid_ignored)
{
	struct tt_threads *t = two_threads();
	struct tt_sched s = sched(5 * SEC, 6, 7, 8, T0 + 1, TT_ST_ONCPU);

	threads__set_sched(t, 999, &s, T0 + 100);
	CHECK_EQ_U64(t->n, 2);
	CHECK(threads__find(t, 999) == NULL);
	CHECK_SCHED(threads__find(t, 101), 0, 0, 0, 0);
	CHECK_SCHED(threads__find(t, 102), 0, 0, 0, 0);

	/* an empty table too */
	threads__free(t);
	t = threads__new(TGID, T0);
	threads__set_sched(t, 101, &s, T0 + 100);
	CHECK_EQ_U64(t->n, 0);
	threads__free(t);
}

int main(void)
{
	RUN(from_kernel_adds_open_interval);
	RUN(from_kernel_without_open_interval);
	RUN(mean_total_max);
	RUN(empty_is_zero);
	RUN(set_sched_open_interval_by_state);
	RUN(set_sched_no_open_interval);
	RUN(set_sched_ended_thread_no_open_interval);
	RUN(set_sched_unknown_tid_ignored);
	return check_summary();
}
