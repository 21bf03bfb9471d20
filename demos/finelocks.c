/* finelocks: N threads (default 4), each on its own lock (~20 us busy per turn), a shared lock every 1000th turn. */
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
#define WORK_NS 20000		/* busy time per turn on the own lock, not scaled */
#define SHARED_EVERY 1000	/* take shared_lock on every 1000th turn */

/* The locks threadtrace must name: global, external linkage. fine_locks[i] belongs to w<i>. */
pthread_mutex_t fine_locks[MAX_THREADS];
pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static long shared_count;	/* protected by shared_lock */

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

/* Busy loop until mono_ns() >= deadline: pure computation, no system calls. */
static void spin_until(int64_t deadline)
{
	while (mono_ns() < deadline)
		;
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
	for (i = 0; i < MAX_THREADS; i++)
		if ((err = pthread_mutex_init(&fine_locks[i], NULL)))
			die("pthread_mutex_init", err);
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
	printf("SHARED %ld\n", shared_count);
	return 0;
}
