/*
 * event_rate [THREADS] [COUNT] [rename|pingpong]: generate traced events as fast as possible,
 * to measure how many events threadtrace's event mode (--csv -w FILE) carries into a file and
 * that it counts what it drops.
 *
 * rename (default): each of THREADS (default 1) threads renames itself COUNT (default 1,000,000)
 *   times (prctl PR_SET_NAME, two names in turn): one `rename` event each, at the price of one
 *   cheap system call. The fastest event source there is.
 * pingpong: THREADS pairs of threads, each pair on one CPU, hand a turn back and forth COUNT
 *   times through two futex words (each waits on its own word and wakes the other's): every
 *   time a thread sleeps is one `wait` event, and no `hold` (a hold ends only at a wake of the
 *   word it waited on). The sleeps (the players', and main's in the barrier and the joins) are
 *   counted with getrusage (voluntary switches), so the expected count is exact however the
 *   scheduler interleaves the pairs.
 *
 * Prints ELAPSED_NS, FUTEX_CALLS and EXPECTED_EVENTS (the events a tracer should see).
 * With BENCH_HOLD set in the environment (for a tracer to attach with -p, and be read while the
 * process lives): prints READY PID and waits for a line on stdin before it starts, and for
 * stdin to end before it exits.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "bench.h"

static long count;
static int pingpong;
static pthread_barrier_t ready;

struct player {
	_Atomic unsigned int *mine, *theirs; /* 1: my turn */
	int cpu;
	long sleeps, calls;
} __attribute__((aligned(64)));

static long futex(_Atomic unsigned int *word, int op, unsigned int val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

static void *renamer(void *arg)
{
	struct player *p = arg;

	pthread_barrier_wait(&ready);
	for (long i = 0; i < count; i++)
		prctl(PR_SET_NAME, (i & 1) ? "rate-b" : "rate-a", 0, 0, 0);
	p->calls = count;
	return NULL;
}

static void *player(void *arg)
{
	struct player *p = arg;
	cpu_set_t set;
	long vcsw0;

	CPU_ZERO(&set);
	CPU_SET(p->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	vcsw0 = bench_thread_vcsw(); /* moving to its CPU may have slept, not in a futex */
	pthread_barrier_wait(&ready);
	for (long i = 0; i < count; i++) {
		while (!atomic_load(p->mine)) {
			futex(p->mine, FUTEX_WAIT_PRIVATE, 0);
			p->calls++;
		}
		atomic_store(p->mine, 0);
		atomic_store(p->theirs, 1);
		futex(p->theirs, FUTEX_WAKE_PRIVATE, 1);
		p->calls++;
	}
	p->sleeps = bench_thread_vcsw() - vcsw0; /* the barrier's wait too */
	return NULL;
}

int main(int argc, char **argv)
{
	long nthreads = bench_arg(argc, argv, 1, 1), calls = 0, expected = 0;
	static _Atomic unsigned int words[64][2];
	static struct player players[128];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), n, main_vcsw;
	pthread_t th[128];
	uint64_t t0, t1;
	int err;

	bool hold = getenv("BENCH_HOLD") != NULL;
	char line[16];

	count = bench_arg(argc, argv, 2, 1000000);
	if (argc > 3)
		pingpong = !strcmp(argv[3], "pingpong");
	if (nthreads > 64)
		nthreads = 64;
	n = pingpong ? 2 * nthreads : nthreads;
	pthread_barrier_init(&ready, NULL, (unsigned)n + 1);
	if (hold) {
		printf("READY %d\n", (int)getpid());
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	main_vcsw = bench_thread_vcsw();
	for (long i = 0; i < n; i++) {
		struct player *p = &players[i];

		if (pingpong) {
			p->mine = &words[i / 2][i % 2];
			p->theirs = &words[i / 2][1 - i % 2];
			p->cpu = (int)((i / 2) % (ncpu > 0 ? ncpu : 1));
			atomic_store(p->mine, i % 2 == 0); /* the first of each pair starts */
		}
		if ((err = pthread_create(&th[i], NULL, pingpong ? player : renamer, p)))
			bench_die("pthread_create", err);
	}
	pthread_barrier_wait(&ready);
	t0 = bench_now_ns();
	for (long i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	t1 = bench_now_ns();
	/* main's own sleeps (barrier, joins) are futex waits too */
	expected = pingpong ? bench_thread_vcsw() - main_vcsw : 0;
	for (long i = 0; i < n; i++) {
		calls += players[i].calls;
		expected += pingpong ? players[i].sleeps : players[i].calls;
	}
	printf("ELAPSED_NS %llu\nFUTEX_CALLS %ld\nEXPECTED_EVENTS %ld\n", (unsigned long long)(t1 - t0),
	       pingpong ? calls : 0, expected);
	fflush(stdout);
	while (hold && fgets(line, sizeof(line), stdin))
		;
	return 0;
}
