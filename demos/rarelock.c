/*
 * rarelock: a lock contended only now and then. N threads (default 4): lock, spin 20 us,
 * unlock, sleep 0.2-2 ms (random), for 3 s x TT_SCALE. Every hold is 20 us; most unlocks
 * find nobody waiting. Prints how many times each thread took the lock (HOLDS w<i> n).
 */
#include "demo.h"

#define MAX_THREADS 64
#define RUN_SEC 3.0		/* per thread, times TT_SCALE */
#define HOLD_NS 20000		/* busy time under the lock, not scaled */
#define SLEEP_MIN_US 200	/* sleep between turns: 0.2-2 ms, not scaled */
#define SLEEP_MAX_US 2000

/* The lock threadtrace must name: global, external linkage. */
pthread_mutex_t rare_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;		/* protected by rare_lock */

static pid_t tids[MAX_THREADS];
static long takes[MAX_THREADS];

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	unsigned seed = (unsigned)i * 2654435761u + 1;
	int64_t end;
	long n = 0;

	tids[i] = print_tid_n("w", i);
	end = mono_ns() + sec_to_ns(RUN_SEC * tt_scale);
	while (mono_ns() < end) {
		pthread_mutex_lock(&rare_lock);
		spin_until(mono_ns() + HOLD_NS);
		counter++;
		pthread_mutex_unlock(&rare_lock);
		n++;
		sleep_raw((SLEEP_MIN_US + rand_r(&seed) % (SLEEP_MAX_US - SLEEP_MIN_US + 1)) * 1e-6);
	}
	takes[i] = n;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	long n, i;

	demo_init();
	n = arg_count(argc, argv, 4, MAX_THREADS);
	print_tid("main");
	start_threads(th, n, worker);
	join_all(th, tids, n);
	for (i = 0; i < n; i++)
		printf("HOLDS w%ld %ld\n", i, takes[i]);
	printf("COUNTER %ld\n", counter);
	return 0;
}
