/*
 * mutex_contend [THREADS] [ITERS] [CS] [OUTSIDE]: THREADS (default 4) threads each lock and
 * unlock one pthread mutex ITERS (default 1,000,000) times around a tiny critical section
 * (CS, default 40, steps of a dependent loop: tens of ns), with OUTSIDE (default 40) such
 * steps between two locks so that threads on both CPUs collide. On two CPUs that is a few
 * hundred thousand futex calls a second, all made inside glibc.
 * Prints ELAPSED_NS and VCSW: the threads' voluntary context switches in the loop, i.e. the
 * waits that really slept (counted by the kernel for free: no tracer needed). The futex
 * calls themselves are counted by bench/run with bpftrace.
 */
#include <pthread.h>
#include "bench.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t ready;
static volatile unsigned long counter;
static long iters, cs_steps, out_steps;

/* n steps of work the compiler cannot drop */
static inline void work(long n)
{
	for (long i = 0; i < n; i++)
		__asm__ __volatile__("" ::: "memory");
}

static void *worker(void *arg)
{
	long *vcsw = arg, before;

	pthread_barrier_wait(&ready);
	before = bench_thread_vcsw();
	for (long i = 0; i < iters; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		work(cs_steps);
		pthread_mutex_unlock(&lock);
		work(out_steps);
	}
	*vcsw = bench_thread_vcsw() - before;
	return NULL;
}

int main(int argc, char **argv)
{
	long nthreads = bench_arg(argc, argv, 1, 4), vcsw_total = 0;
	pthread_t th[64];
	long vcsw[64];
	uint64_t t0, t1;
	int err;

	iters = bench_arg(argc, argv, 2, 1000000);
	cs_steps = bench_arg(argc, argv, 3, 40);
	out_steps = bench_arg(argc, argv, 4, 40);
	if (nthreads > 64)
		nthreads = 64;
	pthread_barrier_init(&ready, NULL, (unsigned)nthreads + 1);
	for (long i = 0; i < nthreads; i++)
		if ((err = pthread_create(&th[i], NULL, worker, &vcsw[i])))
			bench_die("pthread_create", err);
	/* timed from the moment all threads are there: creation is churn's business */
	pthread_barrier_wait(&ready);
	t0 = bench_now_ns();
	for (long i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	t1 = bench_now_ns();
	for (long i = 0; i < nthreads; i++)
		vcsw_total += vcsw[i];
	if (counter != (unsigned long)(nthreads * iters))
		fprintf(stderr, "mutex_contend: counter %lu, expected %ld\n", counter, nthreads * iters);
	printf("ELAPSED_NS %llu\nVCSW %ld\nLOCKS %ld\n", (unsigned long long)(t1 - t0), vcsw_total,
	       nthreads * iters);
	return 0;
}
