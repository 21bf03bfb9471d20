/* Unit tests for user/model/verdict.c: the GIL-like verdict on synthetic models. */
#include <math.h>
#include <stdlib.h>
#include "check.h"
#include "threadtrace.h"
#include "model/locks.h"
#include "model/sched.h"
#include "model/threads.h"
#include "model/verdict.h"
#include "verdict_fixture.h"

#define KIND(k) (1u << (k))

/* Doubles computed from exact integers: equal to within rounding. */
#define CHECK_DBL(a, b)                                                                      \
	do {                                                                                 \
		double check_da_ = (a), check_db_ = (b);                                     \
		if (!(fabs(check_da_ - check_db_) <= 1e-9 * (fabs(check_db_) > 1 ? fabs(check_db_) : 1))) \
			check_fail(__FILE__, __LINE__, "CHECK_DBL(%s, %s): %.12g != %.12g", #a, #b, \
				   check_da_, check_db_);                                    \
	} while (0)

/* A lock with its figures set (the pointer is valid until the next add or sort). */
static struct tt_lock *add_lock(struct tt_locks *l, pid_t tgid, uint64_t addr, const char *name, uint32_t kinds,
				uint64_t total_ns, unsigned threads, uint64_t handoffs)
{
	bool created = false;
	struct tt_lock *k = locks__get(l, tgid, addr, &created);

	CHECK(k != NULL && created);
	if (!k)
		abort();
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->kinds = kinds;
	k->total_ns = total_ns;
	k->waits = total_ns ? (threads ? threads : 1) * 10 : 0;
	k->max_ns = total_ns;
	k->threads = threads;
	k->handoffs = handoffs;
	return k;
}

/* a. One mutex, four threads each waiting 0.7 s of 1 s, passing it 400 times: GIL-like. */
TEST(gil_like_c_mutex)
{
	struct tt_threads *t = make_same_threads(4, (struct sched_fig){ .oncpu = 250 * MS, .runq = 50 * MS,
									.lock = 700 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(1, SEC);
	struct tt_verdict v;

	add_lock(l, TGID, 0x5600001040, "big_lock", KIND(TT_LOCK_MUTEX), 4 * 700 * MS, 4, 400);
	locks__sort(l);
	memset(&v, 0x5a, sizeof(v));
	verdict__compute(&v, l, t, &par, 1.0, 2);
	CHECK(v.has_candidate);
	CHECK(v.gil_like);
	CHECK_STR(v.lock_name, "big_lock");
	CHECK_EQ_INT(v.lock_tgid, TGID);
	CHECK_EQ_U64(v.lock_addr, 0x5600001040);
	CHECK(!v.is_gil);
	CHECK(v.share > 0.9);
	CHECK_DBL(v.share, 1.0);           /* nothing else blocked */
	CHECK_DBL(v.thread_share, 0.7 / 0.95); /* 2.8 s of 3.8 s: run-queue time is left out */
	CHECK_EQ_U64(v.wait_ns, 2800 * MS);
	CHECK_EQ_U64(v.handoffs, 400);
	CHECK_DBL(v.handoffs_per_s, 400.0);
	CHECK_EQ_INT(v.threads, 4);
	CHECK_DBL(v.par_mean, 1.0);
	CHECK(v.par_without == 2.0);       /* demand 4.0, bounded by 2 CPUs */
	CHECK_STR(v.confidence, "high");
	CHECK_STR(v.reason, "100% of the blocked time, 400 hand-offs/s among 4 threads, "
			    "1.00 threads running at once where 2.00 could");
	locks__free(l);
	threads__free(t);
}

/* b. Fine-grained locking: 5 ms of waits among 4 threads that mostly run. */
TEST(fine_locks_not_gil_like)
{
	struct tt_threads *t = make_same_threads(4, (struct sched_fig){ .oncpu = 900 * MS, .runq = 50 * MS,
									.lock = 1250000 });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par;
	struct tt_verdict v;

	memset(&par, 0, sizeof(par));
	par.ns[2] = 900 * MS;
	par.ns[1] = 100 * MS; /* mean 1.9 */
	add_lock(l, TGID, 0x5600002000, "queue_lock", KIND(TT_LOCK_MUTEX), 5 * MS, 4, 40);
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 1.0, 4);
	CHECK(v.has_candidate);
	CHECK(!v.gil_like);
	CHECK_STR(v.lock_name, "queue_lock");
	CHECK_EQ_U64(v.wait_ns, 5 * MS);
	CHECK_DBL(v.par_mean, 1.9);
	CHECK_DBL(v.share, 1.0); /* the only blocked time, but a tiny part of the threads' time */
	CHECK_DBL(v.thread_share, 5e6 / (4 * (900e6 + 1.25e6))); /* run-queue time left out */
	CHECK_DBL(v.par_without, (4 * 950e6 + 5e6) / 1e9);
	CHECK_STR(v.reason, "waits on it are only 0% of the threads' time");
	CHECK_STR(v.confidence, "medium");
	locks__free(l);
	threads__free(t);
}

/* c. Idle waits only: a condition variable is waited for, never a candidate. */
TEST(idle_condvar_no_candidate)
{
	struct tt_threads *t = make_same_threads(4, (struct sched_fig){ .oncpu = 100 * MS, .lock = 900 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(1, 400 * MS);
	struct tt_verdict v;

	add_lock(l, TGID, 0x5600003000, "work_cond", KIND(TT_LOCK_COND), 3600 * MS, 4, 500);
	add_lock(l, TGID, 0x5600003100, "work_sem", KIND(TT_LOCK_SEM), 100 * MS, 2, 50);
	add_lock(l, TGID, 0x5600003200, "[heap]", KIND(TT_LOCK_FUTEX), 50 * MS, 2, 50);
	locks__sort(l);
	memset(&v, 0x5a, sizeof(v));
	verdict__compute(&v, l, t, &par, 1.0, 4);
	CHECK(!v.has_candidate);
	CHECK(!v.gil_like);
	CHECK_STR(v.lock_name, "");
	CHECK_EQ_U64(v.wait_ns, 0);
	CHECK_EQ_U64(v.handoffs, 0);
	CHECK_EQ_INT(v.threads, 0);
	CHECK_STR(v.reason, "no lock was held while others waited; the waits were for work, events or joins "
			    "(idle: 3.750 s, joins: 0.000 s)");
	CHECK_STR(v.confidence, "high");
	CHECK_DBL(v.par_mean, 1.0);
	CHECK_DBL(v.par_without, 1.0); /* demand 0.4, raised to what ran */
	locks__free(l);
	threads__free(t);
}

/* c'. The same with a small mutex: it is the candidate, with a small share. */
TEST(idle_condvar_small_mutex_candidate)
{
	struct tt_threads *t = make_same_threads(4, (struct sched_fig){ .oncpu = 100 * MS, .lock = 900 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(1, 400 * MS);
	struct tt_verdict v;

	add_lock(l, TGID, 0x5600003000, "work_cond", KIND(TT_LOCK_COND), 3564 * MS, 4, 500);
	add_lock(l, TGID, 0x5600004000, "stats_mutex", KIND(TT_LOCK_MUTEX), 36 * MS, 3, 120);
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 1.0, 4);
	CHECK(v.has_candidate);
	CHECK(!v.gil_like);
	CHECK_STR(v.lock_name, "stats_mutex");
	CHECK_EQ_U64(v.lock_addr, 0x5600004000);
	CHECK_EQ_U64(v.wait_ns, 36 * MS);
	CHECK_EQ_U64(v.handoffs, 120);
	CHECK_EQ_INT(v.threads, 3);
	CHECK_DBL(v.share, 0.01); /* 36 ms of 3.6 s blocked */
	/* what the rest of the blocked time is: idle waits (the condition), sleeps */
	CHECK_STR(v.reason, "waits on it are 1% of the blocked time (0.036 s of 3.600 s; idle waits 3.564 s, sleeps 0.000 s)");
	CHECK_STR(v.confidence, "high"); /* far below the threshold, 1 s and 120 hand-offs seen */
	locks__free(l);
	threads__free(t);
}

/* d. CPython: the GIL's words in one process make one lock; its hold comes from the condition. */
TEST(cpython_gil_words_grouped)
{
	struct tt_threads *t = make_same_threads(4, (struct sched_fig){ .oncpu = 250 * MS, .runq = 50 * MS,
									.lock = 700 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(1, SEC);
	struct tt_lock *cond, *mutex, *other;
	struct tt_verdict v;

	cond = add_lock(l, TGID, 0x8a0100, "_PyRuntime+256", KIND(TT_LOCK_COND), 2000 * MS, 4, 300);
	cond->is_gil = cond->is_gil_cond = true;
	cond->hold.count = 30;
	cond->hold.total_ns = 30 * 5 * MS;
	cond->hold.max_ns = 6 * MS;
	cond->hold.hist[88] = 20; /* [4194304, 5242880) */
	cond->hold.hist[89] = 10;
	mutex = add_lock(l, TGID, 0x8a0140, "_PyRuntime+320", KIND(TT_LOCK_MUTEX), 800 * MS, 3, 100);
	mutex->is_gil = true;
	mutex->hold.count = 999;
	mutex->hold.total_ns = 999;
	mutex->hold.max_ns = 100 * MS;
	mutex->hold.hist[3] = 999;
	/* the GIL of another process: not part of this one */
	other = add_lock(l, TGID + 1, 0x8a0100, "_PyRuntime+256", KIND(TT_LOCK_COND), 50 * MS, 2, 77);
	other->is_gil = other->is_gil_cond = true;
	other->hold.count = 5;
	other->hold.hist[88] = 5;
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 1.0, 2);
	CHECK(v.has_candidate);
	CHECK(v.is_gil);
	CHECK_STR(v.lock_name, "GIL");
	CHECK_EQ_INT(v.lock_tgid, TGID);
	CHECK_EQ_U64(v.lock_addr, 0x8a0100);
	CHECK_EQ_U64(v.wait_ns, 2800 * MS);
	CHECK_EQ_U64(v.handoffs, 400);
	CHECK_EQ_INT(v.threads, 4);
	/* the hold: the condition word's only */
	CHECK_EQ_U64(v.hold.count, 30);
	CHECK_EQ_U64(v.hold.total_ns, 150 * MS);
	CHECK_EQ_U64(v.hold.max_ns, 6 * MS);
	CHECK_EQ_U64(v.hold.hist[88], 20);
	CHECK_EQ_U64(v.hold.hist[89], 10);
	CHECK_EQ_U64(v.hold.hist[3], 0);
	CHECK_DBL(v.share, 2800.0 / 2850.0);
	CHECK(v.gil_like);
	CHECK_STR(v.confidence, "high");
	CHECK(v.par_without == 2.0);
	locks__free(l);
	threads__free(t);
}

/* d'. The grouping does not depend on which word waited most. */
TEST(cpython_gil_mutex_word_first)
{
	struct tt_threads *t = make_same_threads(2, (struct sched_fig){ .oncpu = 500 * MS, .lock = 500 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(1, SEC);
	struct tt_lock *cond, *mutex;
	struct tt_verdict v;

	mutex = add_lock(l, TGID, 0x8a0140, "_PyRuntime+320", KIND(TT_LOCK_MUTEX), 700 * MS, 2, 60);
	mutex->is_gil = true;
	mutex->hold.count = 7;
	mutex->hold.hist[40] = 7;
	cond = add_lock(l, TGID, 0x8a0100, "_PyRuntime+256", KIND(TT_LOCK_COND), 300 * MS, 2, 40);
	cond->is_gil = cond->is_gil_cond = true;
	cond->hold.count = 11;
	cond->hold.max_ns = 2000;
	cond->hold.hist[41] = 11;
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 1.0, 2);
	CHECK(v.has_candidate && v.is_gil);
	CHECK_STR(v.lock_name, "GIL");
	CHECK_EQ_U64(v.wait_ns, 1000 * MS);
	CHECK_EQ_U64(v.handoffs, 100);
	CHECK_EQ_INT(v.threads, 2);
	CHECK_EQ_U64(v.hold.count, 11);
	CHECK_EQ_U64(v.hold.hist[41], 11);
	CHECK_EQ_U64(v.hold.hist[40], 0);
	CHECK_EQ_U64(v.hold.max_ns, 2000);
	CHECK_DBL(v.share, 1.0);
	CHECK_DBL(v.thread_share, 0.5);
	locks__free(l);
	threads__free(t);
}

/* e. I/O bound CPython: the GIL barely waited on, threads asleep in I/O. */
TEST(io_bound_not_gil_like)
{
	struct tt_threads *t = make_same_threads(4, (struct sched_fig){ .oncpu = 5 * MS, .lock = 10 * MS,
									.sleep = 990 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(1, 20 * MS);
	struct tt_lock *cond, *mutex;
	struct tt_verdict v;

	cond = add_lock(l, TGID, 0x8a0100, "_PyRuntime+256", KIND(TT_LOCK_COND), 30 * MS, 4, 80);
	cond->is_gil = cond->is_gil_cond = true;
	mutex = add_lock(l, TGID, 0x8a0140, "_PyRuntime+320", KIND(TT_LOCK_MUTEX), 10 * MS, 4, 20);
	mutex->is_gil = true;
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 1.0, 4);
	CHECK(v.has_candidate);
	CHECK(v.is_gil);
	CHECK(!v.gil_like);
	CHECK_STR(v.lock_name, "GIL");
	CHECK_EQ_U64(v.wait_ns, 40 * MS);
	CHECK_DBL(v.share, 0.01); /* 40 ms of 40 ms + 3.96 s asleep */
	CHECK(strstr(v.reason, "of the blocked time") != NULL);
	CHECK_STR(v.reason, "waits on it are 1% of the blocked time (0.040 s of 4.000 s; idle waits 0.000 s, sleeps 3.960 s)");
	CHECK_STR(v.confidence, "high");
	locks__free(l);
	threads__free(t);
}

/* f. A join word (a thread's tid word) is waited for the longest: never the candidate. */
TEST(join_word_never_candidate)
{
	struct tt_threads *t = make_same_threads(3, (struct sched_fig){ .oncpu = 300 * MS, .lock = 700 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(1, SEC);
	struct tt_lock *j;
	struct tt_verdict v;

	j = add_lock(l, TGID, 0x7f0000001910, "[stack]", KIND(TT_LOCK_MUTEX) | KIND(TT_LOCK_FUTEX), 5 * SEC, 1, 0);
	j->is_join = true;
	add_lock(l, TGID, 0x5600005000, "table_lock", KIND(TT_LOCK_MUTEX), 2100 * MS, 3, 300);
	locks__sort(l);
	CHECK_EQ_U64(l->v[0].addr, 0x7f0000001910); /* the join sorts first */
	verdict__compute(&v, l, t, &par, 1.0, 4);
	CHECK(v.has_candidate);
	CHECK_STR(v.lock_name, "table_lock");
	CHECK_EQ_U64(v.lock_addr, 0x5600005000);
	CHECK_EQ_U64(v.wait_ns, 2100 * MS);
	CHECK_DBL(v.share, 1.0); /* joins are not blocked time */
	CHECK(v.gil_like);
	locks__free(l);

	/* a join alone: no candidate at all */
	l = locks__new();
	j = add_lock(l, TGID, 0x7f0000001910, "[stack]", KIND(TT_LOCK_MUTEX), 5 * SEC, 1, 0);
	j->is_join = true;
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 1.0, 4);
	CHECK(!v.has_candidate);
	CHECK(!v.gil_like);
	CHECK_STR(v.reason, "no lock was held while others waited; the waits were for work, events or joins "
			    "(idle: 0.000 s, joins: 5.000 s)");
	locks__free(l);
	threads__free(t);
}

/* g. Nothing waited on. */
TEST(no_locks)
{
	struct tt_threads *t = make_same_threads(2, (struct sched_fig){ .oncpu = 900 * MS, .runq = 100 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(2, SEC);
	struct tt_verdict v;

	memset(&v, 0x5a, sizeof(v));
	verdict__compute(&v, l, t, &par, 1.0, 8);
	CHECK(!v.has_candidate);
	CHECK(!v.gil_like);
	CHECK_STR(v.lock_name, "");
	CHECK_EQ_U64(v.wait_ns, 0);
	CHECK_DBL(v.share, 0);
	CHECK_DBL(v.par_mean, 2.0);
	CHECK_DBL(v.par_without, 2.0);
	CHECK_STR(v.reason, "no thread blocked on a lock");
	CHECK_STR(v.confidence, "high");
	locks__free(l);
	threads__free(t);

	/* no threads, no time either */
	t = threads__new(TGID, T0);
	l = locks__new();
	memset(&par, 0, sizeof(par));
	verdict__compute(&v, l, t, &par, 0, 1);
	CHECK(!v.has_candidate && !v.gil_like);
	CHECK_DBL(v.par_mean, 0);
	CHECK_DBL(v.par_without, 0);
	locks__free(l);
	threads__free(t);
}

/* A lock with waits but a single waiter, or rare hand-offs, is not passed around. */
TEST(not_passed_back_and_forth)
{
	struct tt_threads *t = make_same_threads(2, (struct sched_fig){ .oncpu = 300 * MS, .lock = 700 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(1, SEC);
	struct tt_verdict v;

	add_lock(l, TGID, 0x5600006000, "one_waiter", KIND(TT_LOCK_MUTEX), 1400 * MS, 1, 400);
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 1.0, 2);
	CHECK(v.has_candidate && !v.gil_like);
	CHECK_STR(v.reason, "it is not passed back and forth (1 waiting threads, 400.0 hand-offs/s)");
	locks__free(l);

	l = locks__new();
	add_lock(l, TGID, 0x5600006000, "rare", KIND(TT_LOCK_MUTEX), 1400 * MS, 2, 9);
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 1.0, 2);
	CHECK(v.has_candidate && !v.gil_like);
	CHECK_STR(v.reason, "it is not passed back and forth (2 waiting threads, 9.0 hand-offs/s)");
	CHECK_STR(v.confidence, "low"); /* fewer than 10 hand-offs seen */
	locks__free(l);
	threads__free(t);
}

/* A heavily waited lock that still leaves the CPUs busy: threads run in parallel. */
TEST(still_parallel_not_gil_like)
{
	struct tt_threads *t = make_same_threads(4, (struct sched_fig){ .oncpu = 500 * MS, .lock = 500 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(2, SEC);
	struct tt_verdict v;

	add_lock(l, TGID, 0x5600007000, "pool_lock", KIND(TT_LOCK_PI), 2000 * MS, 4, 1000);
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 1.0, 2);
	CHECK(v.has_candidate && !v.gil_like);
	CHECK_DBL(v.par_mean, 2.0);
	CHECK(v.par_without == 2.0);
	CHECK_STR(v.reason, "threads still run in parallel (2.00 at once, at most 2.00 possible)");
	locks__free(l);
	threads__free(t);
}

/* A contended lock whose holders sleep while they hold it: held across a blocking call. */
TEST(held_across_a_blocking_call)
{
	struct tt_threads *t = make_same_threads(4, (struct sched_fig){ .oncpu = 10 * MS, .lock = 400 * MS,
									 .sleep = 150 * MS });
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(0, SEC);
	struct tt_lock *k;
	struct tt_verdict v;

	k = add_lock(l, TGID, 0x5600008000, "Lock in post_entry (app.py:5)", KIND(TT_LOCK_SEM), 1600 * MS, 4, 120);
	k->py_kind = TT_PY_LOCK;
	/* 120 holds of 5 ms, 0.06 ms of them on a CPU */
	k->hold.count = 120;
	k->hold.total_ns = 600 * MS;
	k->hold.oncpu_ns = 6 * MS;
	k->hold.max_ns = 6 * MS;
	k->hold.hist[tt_hold_slot(5 * MS)] = 120;
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 1.0, 2);
	CHECK(v.has_candidate && v.held_blocking); /* GIL-like or not: the figures above decide that */
	CHECK_DBL(v.hold_oncpu, 0.01);
	CHECK_EQ_U64(v.waits, 40);
	/* the same lock, its holders computing for 3 ms of each 5: no */
	k = (struct tt_lock *)locks__find(l, TGID, 0x5600008000);
	k->hold.oncpu_ns = 360 * MS;
	verdict__compute(&v, l, t, &par, 1.0, 2);
	CHECK(v.has_candidate && !v.held_blocking);
	CHECK_DBL(v.hold_oncpu, 0.6);
	/* too few holds to say */
	k->hold.count = 4;
	k->hold.oncpu_ns = 0;
	verdict__compute(&v, l, t, &par, 1.0, 2);
	CHECK(!v.held_blocking);
	locks__free(l);
	threads__free(t);
}

int main(void)
{
	RUN(gil_like_c_mutex);
	RUN(fine_locks_not_gil_like);
	RUN(idle_condvar_no_candidate);
	RUN(idle_condvar_small_mutex_candidate);
	RUN(cpython_gil_words_grouped);
	RUN(cpython_gil_mutex_word_first);
	RUN(io_bound_not_gil_like);
	RUN(join_word_never_candidate);
	RUN(no_locks);
	RUN(not_passed_back_and_forth);
	RUN(still_parallel_not_gil_like);
	RUN(held_across_a_blocking_call);
	return check_summary();
}
