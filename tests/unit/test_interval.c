/* Unit tests for user/model/interval.c: each -i interval's figures, and that they add up. */
#include <stdlib.h>
#include "check.h"
#include "threadtrace.h"
#include "model/interval.h"
#include "model/locks.h"
#include "model/sched.h"
#include "model/threads.h"

#define TGID 100
#define T0 1000000000ull
#define SEC 1000000000ull
#define MS 1000000ull

static struct tt_thread *alive(struct tt_threads *t, pid_t tid)
{
	struct tt_record rec;

	threads__add_alive(t, tid, "w", T0, &rec);
	return threads__find(t, tid);
}

/* Totals as the kernel's maps give them at each read: closed figures only (since_ns 0). */
static void set_cpu(struct tt_threads *t, pid_t tid, uint64_t oncpu, uint64_t sleep)
{
	struct tt_sched s = { .oncpu_ns = oncpu, .sleep_ns = sleep };

	threads__set_sched(t, tid, &s, 0);
}

static void set_waits(struct tt_locks *l, pid_t tid, uint64_t addr, uint64_t waits, uint64_t total)
{
	struct tt_lock_key k = { .addr = addr, .tid = (__u32)tid, .tgid = TGID };
	struct tt_lock_stat s = { .waits = waits, .total_ns = total, .kinds = 1u << TT_LOCK_MUTEX };

	locks__reset_figures(l);
	locks__add_wait_stat(l, &k, &s);
}

static const struct tt_thread *row(const struct tt_interval *iv, pid_t tid)
{
	for (size_t i = 0; i < iv->nthreads; i++)
		if (iv->threads[i].tid == tid)
			return &iv->threads[i];
	return NULL;
}

TEST(first_interval_counts_from_the_start_then_differences)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_locks *l = locks__new();
	struct tt_interval *iv = interval__new();
	struct tt_parallelism par = { 0 };
	const struct tt_thread *r;

	CHECK(t && l && iv);
	alive(t, 101);
	set_cpu(t, 101, 700 * MS, 0);
	set_waits(l, 101, 0xa0, 20, 300 * MS);
	par.ns[1] = 700 * MS;
	par.ns[0] = 300 * MS;
	CHECK_EQ_INT(interval__next(iv, t, l, &par, T0 + SEC, false), 0);
	CHECK_EQ_INT(iv->n, 1);
	CHECK_EQ_U64(iv->from_ns, 0);
	CHECK_EQ_U64(iv->to_ns, SEC);
	r = row(iv, 101);
	CHECK(r != NULL);
	if (r)
		CHECK_EQ_U64(r->oncpu_ns, 700 * MS);
	CHECK_EQ_U64(iv->nlocks, 1);
	if (iv->nlocks)
		CHECK_EQ_U64(iv->locks[0].waits, 20);
	CHECK_EQ_U64(iv->par.ns[1], 700 * MS);

	/* one second later: only that second's figures; a new thread and a new lock appear */
	alive(t, 102);
	set_cpu(t, 101, 1500 * MS, 0);
	set_cpu(t, 102, 100 * MS, 900 * MS);
	set_waits(l, 101, 0xa0, 45, 650 * MS);
	{
		struct tt_lock_key k = { .addr = 0xb0, .tid = 102, .tgid = TGID };
		struct tt_lock_stat s = { .waits = 3, .total_ns = 900 * MS, .kinds = 1u << TT_LOCK_MUTEX };

		locks__add_wait_stat(l, &k, &s);
	}
	locks__sort(l); /* the table's order changes: the interval keys its locks by address */
	par.ns[1] = 1500 * MS;
	par.ns[2] = 100 * MS;
	CHECK_EQ_INT(interval__next(iv, t, l, &par, T0 + 2 * SEC, false), 0);
	CHECK_EQ_INT(iv->n, 2);
	CHECK_EQ_U64(iv->from_ns, SEC);
	CHECK_EQ_U64(iv->to_ns, 2 * SEC);
	r = row(iv, 101);
	if (r)
		CHECK_EQ_U64(r->oncpu_ns, 800 * MS);
	r = row(iv, 102);
	CHECK(r != NULL);
	if (r) {
		CHECK_EQ_U64(r->oncpu_ns, 100 * MS);
		CHECK_EQ_U64(r->sleep_ns, 900 * MS);
	}
	CHECK_EQ_U64(iv->nlocks, 2);
	if (iv->nlocks == 2) {
		/* most waited in the interval first: 0xb0's 900 ms before 0xa0's 350 ms */
		CHECK_EQ_U64(iv->locks[0].addr, 0xb0);
		CHECK_EQ_U64(iv->locks[0].waits, 3);
		CHECK_EQ_U64(iv->locks[1].addr, 0xa0);
		CHECK_EQ_U64(iv->locks[1].waits, 25);
		CHECK_EQ_U64(iv->locks[1].total_ns, 350 * MS);
	}
	CHECK_EQ_U64(iv->par.ns[1], 800 * MS);
	CHECK_EQ_U64(iv->par.ns[2], 100 * MS);

	/* nothing new: a lock without waits in the interval is left out */
	CHECK_EQ_INT(interval__next(iv, t, l, &par, T0 + 3 * SEC, true), 0);
	CHECK(iv->last);
	CHECK_EQ_U64(iv->nlocks, 0);
	r = row(iv, 101);
	if (r)
		CHECK_EQ_U64(r->oncpu_ns, 0);
	interval__free(iv);
	locks__free(l);
	threads__free(t);
}

TEST(a_thread_ended_before_the_interval_is_left_out)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_locks *l = locks__new();
	struct tt_interval *iv = interval__new();
	struct tt_parallelism par = { 0 };
	struct tt_thread *th;

	CHECK(t && l && iv);
	alive(t, 101);
	th = alive(t, 102);
	th->ended = true;
	th->end_ns = 500 * MS; /* ended in the first interval: shown there, not after */
	CHECK_EQ_INT(interval__next(iv, t, l, &par, T0 + SEC, false), 0);
	CHECK(row(iv, 102) != NULL);
	CHECK_EQ_INT(interval__next(iv, t, l, &par, T0 + 2 * SEC, false), 0);
	CHECK(row(iv, 102) == NULL);
	CHECK(row(iv, 101) != NULL);
	interval__free(iv);
	locks__free(l);
	threads__free(t);
}

TEST(free_null_is_safe)
{
	CHECK_RUNS_CLEANLY(interval__free(NULL));
}

int main(void)
{
	RUN(first_interval_counts_from_the_start_then_differences);
	RUN(a_thread_ended_before_the_interval_is_left_out);
	RUN(free_null_is_safe);
	return check_summary();
}
