/* semaphore: a pool of 2 slots guarded by a counting semaphore; 5 threads take a slot for 0.3 s, twice each. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL_SIZE 2
#define NTHREADS 5
#define ROUNDS 2

/* The pool's semaphore: global, external linkage; sem_init'ed to POOL_SIZE in main. */
sem_t pool_sem;

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

/* Sleep sec * TT_SCALE seconds, resuming after signal interruptions. */
static void ssleep(double sec)
{
	double t = sec * tt_scale > 1e9 ? 1e9 : sec * tt_scale;
	struct timespec ts = { .tv_sec = (time_t)t };

	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec > 999999999)
		ts.tv_nsec = 999999999;
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(err));
	exit(1);
}

/* Join th, then report it; *tid was stored by the thread itself. */
static void join_print(pthread_t th, const pid_t *tid)
{
	int err = pthread_join(th, NULL);

	if (err)
		die("pthread_join", err);
	printf("JOIN %d %d\n", (int)gettid(), (int)*tid);
}

static pid_t tids[NTHREADS];

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	int r;

	tids[i] = gettid();
	printf("TID w%ld %d\n", i, (int)tids[i]);
	for (r = 0; r < ROUNDS; r++) {
		while (sem_wait(&pool_sem) != 0)
			if (errno != EINTR)
				die("sem_wait", errno);
		printf("ACQUIRE w%ld %d\n", i, r);
		ssleep(0.3);		/* use the pool slot */
		printf("RELEASE w%ld %d\n", i, r);
		if (sem_post(&pool_sem) != 0)
			die("sem_post", errno);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];
	long i;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	if (sem_init(&pool_sem, 0, POOL_SIZE) != 0)
		die("sem_init", errno);
	printf("TID main %d\n", (int)gettid());
	for (i = 0; i < NTHREADS; i++) {
		err = pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
		if (err)
			die("pthread_create", err);
	}
	for (i = 0; i < NTHREADS; i++)
		join_print(th[i], &tids[i]);
	return 0;
}
