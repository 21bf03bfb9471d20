/* Unit tests for user/model/deadlock.c: cycles of waits, confirmed across two snapshots. */
#include <stdlib.h>
#include "check.h"
#include "model/deadlock.h"
#include "model/verdict.h"

#define MAXC 8
#define MAXE 8

struct seen {
	int calls;
	size_t n[MAXC];
	struct tt_wait_edge e[MAXC][MAXE];
};

static bool on_cycle(const struct tt_wait_edge *cycle, size_t n, void *ctx)
{
	struct seen *s = ctx;

	if (s->calls < MAXC) {
		s->n[s->calls] = n;
		memcpy(s->e[s->calls], cycle, (n < MAXE ? n : MAXE) * sizeof(*cycle));
	}
	s->calls++;
	return true;
}

static struct tt_wait_edge edge(pid_t tid, pid_t owner, uint64_t addr, uint64_t start)
{
	return (struct tt_wait_edge){ .tid = tid, .owner = owner, .addr = addr, .start_ns = start };
}

#define SCAN(d, edges, n, s) deadlocks__scan((d), (edges), (n), on_cycle, (s))

TEST(two_cycle_confirmed_then_reported_once)
{
	struct tt_deadlocks *d = deadlocks__new();
	/* listed from the higher tid: the report still starts at the lowest */
	struct tt_wait_edge e[] = { edge(202, 201, 0xa000, 5000), edge(201, 202, 0xb000, 4000) };
	struct seen s = { 0 };

	CHECK(d != NULL);
	CHECK_EQ_INT(SCAN(d, e, 2, &s), 0); /* first sight: might be passing */
	CHECK_EQ_INT(s.calls, 0);
	CHECK_EQ_INT(SCAN(d, e, 2, &s), 1); /* the very same waits: a deadlock */
	CHECK_EQ_INT(s.calls, 1);
	CHECK_EQ_U64(s.n[0], 2);
	if (s.calls >= 1 && s.n[0] == 2) {
		CHECK_EQ_INT(s.e[0][0].tid, 201);
		CHECK_EQ_INT(s.e[0][0].owner, 202);
		CHECK_EQ_U64(s.e[0][0].addr, 0xb000);
		CHECK_EQ_U64(s.e[0][0].start_ns, 4000);
		CHECK_EQ_INT(s.e[0][1].tid, 202);
		CHECK_EQ_INT(s.e[0][1].owner, 201);
		CHECK_EQ_U64(s.e[0][1].addr, 0xa000);
		CHECK_EQ_U64(s.e[0][1].start_ns, 5000);
	}
	CHECK_EQ_INT(SCAN(d, e, 2, &s), 0); /* already reported */
	CHECK_EQ_INT(SCAN(d, e, 2, &s), 0);
	CHECK_EQ_INT(s.calls, 1);
	deadlocks__free(d);
}

TEST(three_cycle)
{
	struct tt_deadlocks *d = deadlocks__new();
	struct tt_wait_edge e[] = {
		edge(30, 10, 0x3000, 300), /* 30 waits for 10 */
		edge(20, 30, 0x2000, 200), /* 20 waits for 30 */
		edge(10, 20, 0x1000, 100), /* 10 waits for 20 */
		edge(99, 20, 0x1000, 999), /* a bystander waiting on the cycle: not in it */
	};
	struct seen s = { 0 };

	CHECK_EQ_INT(SCAN(d, e, 4, &s), 0);
	CHECK_EQ_INT(SCAN(d, e, 4, &s), 1);
	CHECK_EQ_INT(s.calls, 1);
	CHECK_EQ_U64(s.n[0], 3);
	if (s.calls >= 1 && s.n[0] == 3) {
		CHECK_EQ_INT(s.e[0][0].tid, 10);
		CHECK_EQ_INT(s.e[0][0].owner, 20);
		CHECK_EQ_U64(s.e[0][0].addr, 0x1000);
		CHECK_EQ_INT(s.e[0][1].tid, 20);
		CHECK_EQ_INT(s.e[0][1].owner, 30);
		CHECK_EQ_INT(s.e[0][2].tid, 30);
		CHECK_EQ_INT(s.e[0][2].owner, 10);
		CHECK_EQ_U64(s.e[0][2].start_ns, 300);
	}
	CHECK_EQ_INT(SCAN(d, e, 4, &s), 0);
	CHECK_EQ_INT(s.calls, 1);
	deadlocks__free(d);
}

TEST(moving_cycle_not_reported)
{
	struct tt_deadlocks *d = deadlocks__new();
	struct tt_wait_edge a[] = { edge(1, 2, 0x10, 100), edge(2, 1, 0x20, 110) };
	struct tt_wait_edge b[] = { edge(1, 2, 0x10, 500), edge(2, 1, 0x20, 510) }; /* both new waits */
	struct tt_wait_edge c[] = { edge(1, 2, 0x10, 500), edge(2, 1, 0x20, 900) }; /* one new wait */
	struct tt_wait_edge o[] = { edge(1, 3, 0x10, 500), edge(2, 1, 0x20, 900), edge(3, 2, 0x30, 900) };
	struct seen s = { 0 };

	CHECK_EQ_INT(SCAN(d, a, 2, &s), 0);
	CHECK_EQ_INT(SCAN(d, b, 2, &s), 0);
	CHECK_EQ_INT(SCAN(d, c, 2, &s), 0);
	CHECK_EQ_INT(SCAN(d, o, 3, &s), 0); /* 1's owner changed: another cycle, not yet confirmed */
	CHECK_EQ_INT(s.calls, 0);
	/* once it stays put, it is one */
	CHECK_EQ_INT(SCAN(d, o, 3, &s), 1);
	CHECK_EQ_INT(s.calls, 1);
	CHECK_EQ_U64(s.n[0], 3);
	if (s.calls >= 1)
		CHECK_EQ_INT(s.e[0][0].tid, 1);
	deadlocks__free(d);
}

TEST(address_change_not_reported)
{
	struct tt_deadlocks *d = deadlocks__new();
	struct tt_wait_edge a[] = { edge(1, 2, 0x10, 100), edge(2, 1, 0x20, 110) };
	struct tt_wait_edge b[] = { edge(1, 2, 0x18, 100), edge(2, 1, 0x20, 110) };
	struct seen s = { 0 };

	CHECK_EQ_INT(SCAN(d, a, 2, &s), 0);
	CHECK_EQ_INT(SCAN(d, b, 2, &s), 0);
	CHECK_EQ_INT(s.calls, 0);
	deadlocks__free(d);
}

TEST(chain_never_reported)
{
	struct tt_deadlocks *d = deadlocks__new();
	/* A -> B -> C, and C waits on nobody in the snapshot */
	struct tt_wait_edge e[] = { edge(1, 2, 0x10, 100), edge(2, 3, 0x20, 200) };
	struct seen s = { 0 };
	int total = 0;

	for (int i = 0; i < 20; i++)
		total += SCAN(d, e, 2, &s);
	CHECK_EQ_INT(total, 0);
	CHECK_EQ_INT(s.calls, 0);
	deadlocks__free(d);
}

TEST(edge_to_tid_not_waiting_ends_walk)
{
	struct tt_deadlocks *d = deadlocks__new();
	/* 1 waits for 2, 2 waits for 3, 3 is not waiting (its owner 4 is someone not in the list) */
	struct tt_wait_edge e[] = { edge(1, 2, 0x10, 100), edge(2, 3, 0x20, 200), edge(5, 1, 0x30, 300) };
	/* a thread that owns what it waits for: not a cycle of threads */
	struct tt_wait_edge self[] = { edge(7, 7, 0x70, 700) };
	struct tt_wait_edge empty[1];
	struct seen s = { 0 };

	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(SCAN(d, e, 3, &s), 0);
		CHECK_EQ_INT(SCAN(d, e, 3, &s), 0);
		CHECK_EQ_INT(SCAN(d, self, 1, &s), 0);
		CHECK_EQ_INT(SCAN(d, self, 1, &s), 0);
		CHECK_EQ_INT(SCAN(d, empty, 0, &s), 0);
	}
	CHECK_EQ_INT(s.calls, 0);
	deadlocks__free(d);
}

TEST(two_independent_cycles)
{
	struct tt_deadlocks *d = deadlocks__new();
	struct tt_wait_edge e[] = {
		edge(40, 41, 0x400, 4), edge(12, 11, 0x120, 2), edge(41, 40, 0x410, 5),
		edge(11, 13, 0x110, 1), edge(13, 12, 0x130, 3),
	};
	struct seen s = { 0 };
	int two = -1, three = -1;

	CHECK_EQ_INT(SCAN(d, e, 5, &s), 0);
	CHECK_EQ_INT(SCAN(d, e, 5, &s), 2);
	CHECK_EQ_INT(s.calls, 2);
	for (int i = 0; i < s.calls && i < 2; i++) {
		if (s.n[i] == 2)
			two = i;
		if (s.n[i] == 3)
			three = i;
	}
	CHECK(two >= 0 && three >= 0);
	if (two >= 0) {
		CHECK_EQ_INT(s.e[two][0].tid, 40);
		CHECK_EQ_INT(s.e[two][1].tid, 41);
	}
	if (three >= 0) {
		CHECK_EQ_INT(s.e[three][0].tid, 11);
		CHECK_EQ_INT(s.e[three][1].tid, 13);
		CHECK_EQ_INT(s.e[three][2].tid, 12);
	}
	CHECK_EQ_INT(SCAN(d, e, 5, &s), 0);
	CHECK_EQ_INT(s.calls, 2);
	deadlocks__free(d);
}

TEST(cycle_resolved_then_new_deadlock_reported)
{
	struct tt_deadlocks *d = deadlocks__new();
	struct tt_wait_edge a[] = { edge(1, 2, 0x10, 100), edge(2, 1, 0x20, 110) };
	struct tt_wait_edge later[] = { edge(1, 2, 0x10, 9000), edge(2, 1, 0x20, 9100) };
	struct seen s = { 0 };

	CHECK_EQ_INT(SCAN(d, a, 2, &s), 0);
	CHECK_EQ_INT(SCAN(d, a, 2, &s), 1);
	CHECK_EQ_INT(SCAN(d, a, 0, &s), 0);   /* it went away (an empty snapshot) */
	CHECK_EQ_INT(SCAN(d, a, 2, &s), 0);   /* the same waits again: not confirmed after a gap */
	CHECK_EQ_INT(SCAN(d, a, 2, &s), 0);   /* and reported already */
	CHECK_EQ_INT(SCAN(d, later, 2, &s), 0);
	CHECK_EQ_INT(SCAN(d, later, 2, &s), 1); /* new waits, a new deadlock */
	CHECK_EQ_INT(s.calls, 2);
	if (s.calls == 2)
		CHECK_EQ_U64(s.e[1][0].start_ns, 9000);
	deadlocks__free(d);
}

TEST(long_cycle_and_many_edges)
{
	enum { N = 40, EXTRA = 500 };
	struct tt_deadlocks *d = deadlocks__new();
	struct tt_wait_edge *e = calloc(N + EXTRA, sizeof(*e));
	struct seen s = { 0 };
	int bad = 0;

	/* 1000 -> 1001 -> ... -> 1039 -> 1000, listed from the middle */
	for (int i = 0; i < N; i++) {
		int tid = 1000 + (i + 17) % N;

		e[i] = edge(tid, 1000 + (tid - 1000 + 1) % N, 0x1000 + (uint64_t)tid, (uint64_t)tid);
	}
	/* a long chain beside it, ending at a thread that is not waiting */
	for (int i = 0; i < EXTRA; i++)
		e[N + i] = edge(5000 + i, 5000 + i + 1, 0x9000, (uint64_t)i);
	CHECK_EQ_INT(SCAN(d, e, N + EXTRA, &s), 0);
	CHECK_EQ_INT(SCAN(d, e, N + EXTRA, &s), 1);
	CHECK_EQ_INT(s.calls, 1);
	CHECK_EQ_U64(s.n[0], N);
	for (int i = 0; i < MAXE && s.calls; i++)
		if (s.e[0][i].tid != 1000 + i || s.e[0][i].owner != 1000 + i + 1)
			bad++;
	CHECK_EQ_INT(bad, 0);
	free(e);
	deadlocks__free(d);
}

TEST(longest_cycle_found)
{
	/* a cycle of 64 threads is found (the walk has no length limit: many_waits_and_long_cycles) */
	enum { N = 64 };
	struct tt_deadlocks *d = deadlocks__new();
	struct tt_wait_edge e[N];
	struct seen s = { 0 };

	for (int i = 0; i < N; i++)
		e[i] = edge(100 + i, 100 + (i + 1) % N, 0x100 + (uint64_t)i, 7);
	CHECK_EQ_INT(SCAN(d, e, N, &s), 0);
	CHECK_EQ_INT(SCAN(d, e, N, &s), 1);
	CHECK_EQ_INT(s.calls, 1);
	CHECK_EQ_U64(s.n[0], N);
	if (s.calls)
		CHECK_EQ_INT(s.e[0][0].tid, 100);
	deadlocks__free(d);
}

TEST(snapshot_order_does_not_matter)
{
	struct tt_deadlocks *d = deadlocks__new();
	struct tt_wait_edge a[] = { edge(7, 9, 0x10, 100), edge(8, 7, 0x30, 120), edge(9, 8, 0x20, 110) };
	struct tt_wait_edge b[] = { edge(9, 8, 0x20, 110), edge(7, 9, 0x10, 100), edge(8, 7, 0x30, 120) };
	struct seen s = { 0 };

	CHECK_EQ_INT(SCAN(d, a, 3, &s), 0);
	CHECK_EQ_INT(SCAN(d, b, 3, &s), 1);
	CHECK_EQ_INT(SCAN(d, a, 3, &s), 0);
	CHECK_EQ_INT(s.calls, 1);
	if (s.calls) {
		CHECK_EQ_U64(s.n[0], 3);
		CHECK_EQ_INT(s.e[0][0].tid, 7);
		CHECK_EQ_INT(s.e[0][1].tid, 9);
		CHECK_EQ_INT(s.e[0][2].tid, 8);
	}
	deadlocks__free(d);
}

/* The caller turns the cycle down once (a thread of it still ran): it is offered again. */
static bool reject_first(const struct tt_wait_edge *cycle, size_t n, void *ctx)
{
	struct seen *s = ctx;

	(void)cycle;
	(void)n;
	return ++s->calls > 1;
}

TEST(cycle_turned_down_is_offered_again)
{
	struct tt_deadlocks *d = deadlocks__new();
	struct tt_wait_edge e[] = { edge(201, 202, 0xb000, 4000), edge(202, 201, 0xa000, 5000) };
	struct seen s = { 0 };

	CHECK_EQ_INT(deadlocks__scan(d, e, 2, reject_first, &s), 0);
	CHECK_EQ_INT(deadlocks__scan(d, e, 2, reject_first, &s), 0); /* offered, turned down */
	CHECK_EQ_INT(s.calls, 1);
	CHECK_EQ_INT(deadlocks__scan(d, e, 2, reject_first, &s), 1); /* offered again, reported */
	CHECK_EQ_INT(deadlocks__scan(d, e, 2, reject_first, &s), 0); /* and only once */
	CHECK_EQ_INT(s.calls, 2);
	deadlocks__free(d);
}

TEST(free_null_is_safe)
{
	CHECK_RUNS_CLEANLY(deadlocks__free(NULL));
	CHECK_RUNS_CLEANLY(deadlocks__free(deadlocks__new())); /* never scanned */
}

/*
 * More waits than the old fixed snapshot (256 edges) and cycles longer than
 * the old walk (64 threads): every cycle is found, each once.
 */
TEST(many_waits_and_long_cycles)
{
	enum { CROWD = 300, LONG = 300 };
	size_t n = CROWD + 2 + LONG;
	struct tt_deadlocks *d = deadlocks__new();
	struct tt_wait_edge *e = calloc(n, sizeof(*e));
	struct seen s = { 0 };
	int two = -1, long_one = -1, bad = 0;

	if (!d || !e) {
		CHECK(d && e);
		free(e);
		deadlocks__free(d);
		return;
	}
	/* 300 threads wait for 20001, listed first; 20001 and 20002 deadlock, listed after them */
	for (int i = 0; i < CROWD; i++)
		e[i] = edge(30000 + i, 20001, 0xa000, (uint64_t)i);
	e[CROWD] = edge(20002, 20001, 0xa000, 7);
	e[CROWD + 1] = edge(20001, 20002, 0xb000, 8);
	/* 40000 -> 40001 -> ... -> 40299 -> 40000, listed backwards */
	for (int i = 0; i < LONG; i++) {
		int tid = 40000 + LONG - 1 - i;

		e[CROWD + 2 + i] = edge(tid, 40000 + (tid - 40000 + 1) % LONG, 0xc000 + (uint64_t)tid, 9);
	}
	CHECK_EQ_INT(SCAN(d, e, n, &s), 0); /* first sight */
	CHECK_EQ_INT(SCAN(d, e, n, &s), 2);
	CHECK_EQ_INT(s.calls, 2);
	for (int i = 0; i < s.calls && i < 2; i++) {
		if (s.n[i] == 2)
			two = i;
		if (s.n[i] == LONG)
			long_one = i;
	}
	CHECK(two >= 0 && long_one >= 0);
	if (two >= 0) {
		CHECK_EQ_INT(s.e[two][0].tid, 20001);
		CHECK_EQ_INT(s.e[two][0].owner, 20002);
		CHECK_EQ_U64(s.e[two][0].addr, 0xb000);
		CHECK_EQ_INT(s.e[two][1].tid, 20002);
		CHECK_EQ_INT(s.e[two][1].owner, 20001);
	}
	if (long_one >= 0)
		for (int i = 0; i < MAXE; i++)
			if (s.e[long_one][i].tid != 40000 + i || s.e[long_one][i].owner != 40000 + i + 1)
				bad++;
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(SCAN(d, e, n, &s), 0); /* reported once */
	CHECK_EQ_INT(s.calls, 2);
	free(e);
	deadlocks__free(d);
}


/* The deadlocks kept for the summary: numbered in order, strings copied, the verdict names the first. */
TEST(deadlocks_kept_numbered_and_in_the_verdict)
{
	struct tt_deadlocks *d = deadlocks__new();
	char stack[32] = "pthread_mutex_lock < locker";
	struct tt_deadlock_member m[2] = {
		{ .tgid = 7, .tid = 201, .owner = 202, .addr = 0xb000, .found_ns = 9, .blocked_ns = 4, .lock = "lock_b+0x0",
		  .stack = stack },
		{ .tgid = 7, .tid = 202, .owner = 201, .addr = 0xa000, .found_ns = 9, .blocked_ns = 5, .lock = "lock_a+0x0" },
	};
	struct tt_deadlock_member three[3] = {
		{ .tid = 301, .owner = 302, .lock = "x" }, { .tid = 302, .owner = 303, .lock = "y" },
		{ .tid = 303, .owner = 301, .lock = "z" },
	};
	const struct tt_deadlock_member *got;
	struct tt_verdict v = { 0 };
	size_t n;

	CHECK(d != NULL);
	got = deadlocks__members(d, &n);
	CHECK_EQ_U64(n, 0);
	CHECK_EQ_INT(deadlocks__count(d), 0);
	verdict__deadlocks(&v, d);
	CHECK_EQ_INT(v.deadlocks, 0);
	CHECK_STR(v.deadlock_reason, "");
	CHECK_EQ_INT(deadlocks__add(d, m, 2), 0);
	CHECK_EQ_INT(deadlocks__add(d, three, 3), 0);
	stack[0] = 'X'; /* the caller's buffer may change: the model has its copy */
	got = deadlocks__members(d, &n);
	CHECK_EQ_U64(n, 5);
	CHECK_EQ_INT(deadlocks__count(d), 2);
	if (n == 5) {
		CHECK_EQ_INT(got[0].cycle, 1);
		CHECK_EQ_INT(got[1].cycle, 1);
		CHECK_EQ_INT(got[2].cycle, 2);
		CHECK_EQ_INT(got[4].cycle, 2);
		CHECK_EQ_INT(got[1].tid, 202);
		CHECK_EQ_U64(got[1].blocked_ns, 5);
		CHECK_STR(got[0].stack, "pthread_mutex_lock < locker");
		CHECK(got[1].stack == NULL && got[1].py_stack == NULL);
		CHECK_STR(got[4].lock, "z");
	}
	verdict__deadlocks(&v, d);
	CHECK_EQ_INT(v.deadlocks, 2);
	CHECK_EQ_INT(v.deadlocked, 5);
	CHECK_STR(v.deadlock_reason, "201 waits for lock_b+0x0 held by 202, 202 waits for lock_a+0x0 held by 201");
	deadlocks__free(d);
	got = deadlocks__members(NULL, &n);
	CHECK(got == NULL && n == 0);
}

int main(void)
{
	RUN(two_cycle_confirmed_then_reported_once);
	RUN(three_cycle);
	RUN(moving_cycle_not_reported);
	RUN(address_change_not_reported);
	RUN(chain_never_reported);
	RUN(edge_to_tid_not_waiting_ends_walk);
	RUN(two_independent_cycles);
	RUN(cycle_resolved_then_new_deadlock_reported);
	RUN(long_cycle_and_many_edges);
	RUN(longest_cycle_found);
	RUN(snapshot_order_does_not_matter);
	RUN(cycle_turned_down_is_offered_again);
	RUN(free_null_is_safe);
	RUN(many_waits_and_long_cycles);
	RUN(deadlocks_kept_numbered_and_in_the_verdict);
	return check_summary();
}
