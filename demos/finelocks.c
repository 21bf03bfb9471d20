/* finelocks: N threads (default 4), each on its own lock (~20 us busy per turn), a shared lock every 1000th turn. */
#include "demo.h"

#define MAX_THREADS 64
#define RUN_SEC 3.0		/* per thread, times TT_SCALE */
#define WORK_NS 20000		/* busy time per turn on the own lock, not scaled */
#define SHARED_EVERY 1000	/* take shared_lock on every 1000th turn */

/* The locks threadtrace must name: global, external linkage. fine_locks[i] belongs to w<i>. */
pthread_mutex_t fine_locks[MAX_THREADS];
pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static long shared_count;	/* protected by shared_lock */

static pid_t tids[MAX_THREADS];
static long iters[MAX_THREADS];

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	int64_t end;
	long n = 0;

	tids[i] = print_tid_n("w", i);
	end = mono_ns() + sec_to_ns(RUN_SEC * tt_scale);
	while (mono_ns() < end) {
		pthread_mutex_lock(&fine_locks[i]);
		spin_until(mono_ns() + WORK_NS);
		pthread_mutex_unlock(&fine_locks[i]);
		if (++n % SHARED_EVERY == 0) {
			pthread_mutex_lock(&shared_lock);
			shared_count++;
			pthread_mutex_unlock(&shared_lock);
		}
	}
	iters[i] = n;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	long n, i;

	demo_init();
	n = arg_count(argc, argv, 4, MAX_THREADS);
	for (i = 0; i < MAX_THREADS; i++)
		check(pthread_mutex_init(&fine_locks[i], NULL), "pthread_mutex_init");
	print_tid("main");
	start_threads(th, n, worker);
	join_all(th, tids, n);
	for (i = 0; i < n; i++)
		printf("ITER w%ld %ld\n", i, iters[i]);
	printf("SHARED %ld\n", shared_count);
	return 0;
}
