/* cpubound: N threads (default 4) computing for 3 s each, no locks at all. */
#include "demo.h"

#define MAX_THREADS 64
#define RUN_SEC 3.0		/* per thread, times TT_SCALE */

static pid_t tids[MAX_THREADS];
static long iters[MAX_THREADS];

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	int64_t end;
	long n = 0;

	tids[i] = print_tid_n("w", i);
	end = mono_ns() + sec_to_ns(RUN_SEC * tt_scale);
	while (mono_ns() < end)	/* pure computation: no locks, no system calls */
		n++;
	iters[i] = n;
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
		printf("ITER w%ld %ld\n", i, iters[i]);
	return 0;
}
