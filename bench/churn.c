/*
 * churn [TOTAL] [BATCH]: TOTAL (default 20,000) threads created and joined, BATCH (default 4)
 * at a time. Each thread does nothing: all the cost is the kernel's (clone, exit) and libc's,
 * plus whatever a tracer adds per thread start, exit and join.
 */
#include <pthread.h>
#include "bench.h"

static void *nothing(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	long total = bench_arg(argc, argv, 1, 20000), batch = bench_arg(argc, argv, 2, 4), done = 0;
	pthread_t th[256];
	uint64_t t0, t1;
	int err;

	if (batch > 256)
		batch = 256;
	t0 = bench_now_ns();
	while (done < total) {
		long n = total - done < batch ? total - done : batch;

		for (long i = 0; i < n; i++)
			if ((err = pthread_create(&th[i], NULL, nothing, NULL)))
				bench_die("pthread_create", err);
		for (long i = 0; i < n; i++)
			if ((err = pthread_join(th[i], NULL)))
				bench_die("pthread_join", err);
		done += n;
	}
	t1 = bench_now_ns();
	printf("ELAPSED_NS %llu\nTHREADS %ld\n", (unsigned long long)(t1 - t0), done);
	return 0;
}
