/*
 * adaptive: glibc's adaptive mutexes (PTHREAD_MUTEX_ADAPTIVE_NP), whose contended lock spins
 * on the CPU before it sleeps, with short critical sections.
 *   adaptive shared [N] [THREADS] [WORK]   one mutex for all threads: they serialize on it
 *   adaptive own [N] [THREADS] [WORK]      a mutex each: the same work, no contention
 * N critical sections per thread (default 2000000), THREADS threads (default 4), WORK steps of
 * arithmetic under the lock (default 50). Prints
 * "ADDR shared 0x..." (shared mode), then "ELAPSED_NS n" at the end.
 */
#include "demo.h"

#define MAX_THREADS 16

static pthread_mutex_t locks[MAX_THREADS];
static long rounds = 2000000;
static int work = 50;
static volatile uint64_t counters[MAX_THREADS * 8]; /* a cache line each */

struct worker {
	pthread_mutex_t *m;
	volatile uint64_t *counter;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (long i = 0; i < rounds; i++) {
		pthread_mutex_lock(w->m);
		/* tens of nanoseconds under the lock */
		for (int j = 0; j < work; j++)
			*w->counter = *w->counter * 6364136223846793005ULL + (uint64_t)j;
		pthread_mutex_unlock(w->m);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	struct worker w[MAX_THREADS];
	pthread_mutexattr_t attr;
	int shared = argc < 2 || !strcmp(argv[1], "shared"), n = 4;
	int64_t t0;

	if (argc > 2)
		rounds = atol(argv[2]);
	if (argc > 3)
		n = atoi(argv[3]);
	if (argc > 4)
		work = atoi(argv[4]);
	if (n < 1 || n > MAX_THREADS || rounds < 1 || work < 0) {
		fprintf(stderr, "usage: adaptive shared|own [N] [THREADS <= %d] [WORK]\n", MAX_THREADS);
		return 2;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	for (int i = 0; i < n; i++)
		pthread_mutex_init(&locks[i], &attr);
	if (shared)
		printf("ADDR shared %p\n", (void *)&locks[0]);
	fflush(stdout);
	t0 = mono_ns();
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ .m = &locks[shared ? 0 : i], .counter = &counters[(shared ? 0 : i) * 8] };
		pthread_create(&th[i], NULL, worker_main, &w[i]);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("ELAPSED_NS %lld\n", (long long)(mono_ns() - t0));
	return 0;
}
