/* Unit tests for user/model/goverdict.c and golocks.c: a Go program's verdict on synthetic models. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "threadtrace.h"
#include "model/locks.h"
#include "model/sched.h"
#include "model/threads.h"
#include "model/verdict.h"
#include "verdict_fixture.h"

/* n threads that each ran oncpu_ns of 2 s, asleep the rest (parked Ms). */
static struct tt_threads *go_threads(int n, uint64_t oncpu_ns)
{
	return make_same_threads(n, (struct sched_fig){ .oncpu = oncpu_ns, .sleep = 2 * SEC - oncpu_ns });
}

static void add_go(struct tt_locks *l, uint64_t addr, const char *name, uint32_t kind, uint64_t n)
{
	struct tt_go_key key = { .addr = addr, .tgid = TGID, .kind = kind };
	struct tt_lock *k;

	CHECK_EQ_INT(locks__add_go_mutex(l, &key, n), 0);
	k = locks__find(l, TGID, addr);
	CHECK(k != NULL);
	if (!k)
		abort();
	snprintf(k->name, sizeof(k->name), "%s", name);
}

/* A runtime word the idle Ms wait on: 2 s of idle futex waits. */
static void add_runtime_word(struct tt_locks *l)
{
	bool created;
	struct tt_lock *k = locks__get(l, TGID, 0x532e88, &created);

	CHECK(k && created);
	if (!k)
		abort();
	snprintf(k->name, sizeof(k->name), "runtime.m0+0x148");
	k->is_go_runtime = lock__is_go_runtime_name(k->name);
	k->kinds = 1u << TT_LOCK_FUTEX;
	k->waits = 1000;
	k->total_ns = 2 * SEC;
	k->threads = 1;
	k->handoffs = 1000;
}

/* One shared sync.Mutex, 20,000 contended acquisitions in 2 s, 1 thread running of 2 CPUs: named. */
TEST(shared_go_mutex_named)
{
	struct tt_threads *t = go_threads(4, 500 * MS);
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(1, 2 * SEC);
	struct tt_verdict v;

	l->go = true;
	add_runtime_word(l);
	add_go(l, 0x5612c0, "main.mu+0x0", TT_GO_MUTEX, 20000);
	locks__sort(l);
	CHECK_STR(lock__kind_name(locks__find(l, TGID, 0x5612c0)), "go-mutex");
	CHECK(lock__role(locks__find(l, TGID, 0x5612c0)) == TT_ROLE_CONTENTION);
	CHECK(lock__role(locks__find(l, TGID, 0x532e88)) == TT_ROLE_IDLE);
	verdict__compute(&v, l, t, &par, 2.0, 2);
	CHECK(v.has_candidate && v.gil_like && v.go_mutex);
	CHECK_STR(v.lock_name, "main.mu+0x0");
	CHECK_EQ_U64(v.lock_addr, 0x5612c0);
	CHECK_EQ_U64(v.waits, 20000);
	CHECK_EQ_U64(v.go_acquisitions, 20000);
	CHECK(v.go_per_s > 9999.0 && v.go_per_s < 10001.0);
	CHECK_STR(v.confidence, "medium");
	CHECK(strstr(v.reason, "10000 contended acquisitions/s (100% of the Go mutexes'), 1.00 threads running at "
			       "once where 2.00 could; goroutines waiting on it park in Go's scheduler, whose waits "
			       "are not timed") != NULL);
	locks__free(l);
	threads__free(t);
}

/* Go without contention: the futex verdict says "no lock", never with high confidence, and why. */
TEST(go_without_contention_not_high)
{
	struct tt_threads *t = go_threads(4, 500 * MS);
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(2, 2 * SEC);
	struct tt_verdict v;

	add_runtime_word(l);
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 2.0, 2);
	CHECK_STR(v.confidence, "high"); /* a C program's verdict on the same words */
	l->go = true;
	verdict__compute(&v, l, t, &par, 2.0, 2);
	CHECK(!v.has_candidate && !v.go_mutex);
	CHECK_STR(v.confidence, "medium");
	CHECK(strstr(v.reason, "; a Go program: goroutines wait in Go's scheduler, untimed (0 contended sync mutex "
			       "acquisitions/s, 2.00 threads running at once where 2.00 could)") != NULL);
	locks__free(l);
	threads__free(t);
}

/* Contended but still parallel (2 running of 2): not named, low confidence. */
TEST(go_mutex_still_parallel)
{
	struct tt_threads *t = go_threads(4, 1900 * MS);
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(2, 2 * SEC);
	struct tt_verdict v;

	l->go = true;
	add_go(l, 0x5612c0, "main.mu+0x0", TT_GO_MUTEX, 20000);
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 2.0, 2);
	CHECK(!v.go_mutex && !v.gil_like);
	CHECK_STR(v.confidence, "low");
	CHECK(strstr(v.reason, "(10000 contended sync mutex acquisitions/s, 2.00 threads running at once where 2.00 could)"));
	locks__free(l);
	threads__free(t);
}

/* Two mutexes, neither with most acquisitions: none named (fine-grained locking). */
TEST(go_mutexes_spread)
{
	struct tt_threads *t = go_threads(4, 500 * MS);
	struct tt_locks *l = locks__new();
	struct tt_parallelism par = par_at(1, 2 * SEC);
	struct tt_verdict v;

	l->go = true;
	add_go(l, 0x5612c0, "main.a+0x0", TT_GO_MUTEX, 1000);
	add_go(l, 0x5612d0, "main.b+0x0", TT_GO_MUTEX, 1000);
	add_go(l, 0x5612e0, "main.c+0x0", TT_GO_MUTEX, 1000);
	locks__sort(l);
	verdict__compute(&v, l, t, &par, 2.0, 2);
	CHECK(!v.go_mutex);
	CHECK_EQ_U64(v.go_acquisitions, 3000);
	CHECK(strcmp(v.confidence, "high") != 0);
	locks__free(l);
	threads__free(t);
}

TEST(runtime_names)
{
	CHECK(lock__is_go_runtime_name("runtime.m0+0x148"));
	CHECK(lock__is_go_runtime_name("futex in runtime.futex.abi0() [anon 0xc000040548]"));
	CHECK(!lock__is_go_runtime_name("main.mu+0x0"));
	CHECK(!lock__is_go_runtime_name("mutex in deposit() [heap 0x1]"));
}

int main(void)
{
	RUN(shared_go_mutex_named);
	RUN(go_without_contention_not_high);
	RUN(go_mutex_still_parallel);
	RUN(go_mutexes_spread);
	RUN(runtime_names);
	return check_summary();
}
