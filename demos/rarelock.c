/*
 * rarelock: a lock contended only now and then. N threads (default 4): lock, spin 20 us,
 * unlock, sleep 0.2-2 ms (random), for 3 s x TT_SCALE. Every hold is 20 us (more if the
 * holder loses its CPU meanwhile); most unlocks find nobody waiting. Prints how many times
 * each thread took the lock (HOLDS w<i> n) and its longest hold as it timed it itself, from
 * pthread_mutex_lock's return to the call of pthread_mutex_unlock (HOLDMAX w<i> ns).
 * TT_HOGS=K adds K threads that only compute, for as long (a busy machine: a woken waiter
 * then waits for a CPU).
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
static int64_t longest[MAX_THREADS];

static void *hog(void *arg)
{
	(void)arg;
	print_tid("hog");
	spin_until(mono_ns() + sec_to_ns(RUN_SEC * tt_scale));
	return NULL;
}

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	unsigned seed = (unsigned)i * 2654435761u + 1;
	int64_t end, took, held, most = 0;
	long n = 0;

	tids[i] = print_tid_n("w", i);
	end = mono_ns() + sec_to_ns(RUN_SEC * tt_scale);
	while (mono_ns() < end) {
		pthread_mutex_lock(&rare_lock);
		took = mono_ns();
		spin_until(took + HOLD_NS);
		counter++;
		held = mono_ns() - took;
		pthread_mutex_unlock(&rare_lock);
		if (held > most)
			most = held;
		n++;
		sleep_raw((SLEEP_MIN_US + rand_r(&seed) % (SLEEP_MAX_US - SLEEP_MIN_US + 1)) * 1e-6);
	}
	takes[i] = n;
	longest[i] = most;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS], hogs[MAX_THREADS];
	double nhogs = 0;
	long n, i;

	demo_init();
	n = arg_count(argc, argv, 4, MAX_THREADS);
	read_env_float("TT_HOGS", &nhogs);
	if (nhogs > MAX_THREADS)
		nhogs = MAX_THREADS;
	print_tid("main");
	for (i = 0; i < (long)nhogs; i++)
		check(pthread_create(&hogs[i], NULL, hog, NULL), "pthread_create");
	start_threads(th, n, worker);
	join_all(th, tids, n);
	for (i = 0; i < (long)nhogs; i++)
		check(pthread_join(hogs[i], NULL), "pthread_join");
	for (i = 0; i < n; i++)
		printf("HOLDS w%ld %ld\nHOLDMAX w%ld %lld\n", i, takes[i], i, (long long)longest[i]);
	printf("COUNTER %ld\n", counter);
	return 0;
}
