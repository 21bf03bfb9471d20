/* cpubound: N threads (default 4) computing for 3 s each, no locks at all. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64
#define RUN_SEC 3.0		/* per thread, times TT_SCALE */

static double tt_scale = 1.0;

static void read_scale(void)
{
	const char *s = getenv("TT_SCALE");
	char *end;

	if (!s)
		return;
	errno = 0;
	tt_scale = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(tt_scale) || tt_scale < 0) {
		fprintf(stderr, "invalid TT_SCALE '%s' (want a float >= 0)\n", s);
		exit(2);
	}
}

static void die(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(err));
	exit(1);
}

/* CLOCK_MONOTONIC in ns: served by the vDSO, no system call. */
static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t sec_to_ns(double sec)
{
	return sec > 1e9 ? (int64_t)1e18 : (int64_t)(sec * 1e9);
}

/* Join th, then report it; *tid was stored by the thread itself. */
static void join_print(pthread_t th, const pid_t *tid)
{
	int err = pthread_join(th, NULL);

	if (err)
		die("pthread_join", err);
	printf("JOIN %d %d\n", (int)gettid(), (int)*tid);
}

static pid_t tids[MAX_THREADS];
static long iters[MAX_THREADS];

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	int64_t end;
	long n = 0;

	tids[i] = gettid();
	printf("TID w%ld %d\n", i, (int)tids[i]);
	end = mono_ns() + sec_to_ns(RUN_SEC * tt_scale);
	while (mono_ns() < end)	/* pure computation: no locks, no system calls */
		n++;
	iters[i] = n;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	long n = 4, i;
	char *end;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	if (argc > 2) {
		fprintf(stderr, "usage: %s [N]   (1..%d, default 4)\n", argv[0], MAX_THREADS);
		return 2;
	}
	if (argc == 2) {
		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (end == argv[1] || *end || errno || n < 1 || n > MAX_THREADS) {
			fprintf(stderr, "bad thread count '%s' (want 1..%d)\n", argv[1], MAX_THREADS);
			return 2;
		}
	}
	printf("TID main %d\n", (int)gettid());
	for (i = 0; i < n; i++) {
		err = pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
		if (err)
			die("pthread_create", err);
	}
	for (i = 0; i < n; i++)
		join_print(th[i], &tids[i]);
	for (i = 0; i < n; i++)
		printf("ITER w%ld %ld\n", i, iters[i]);
	return 0;
}
