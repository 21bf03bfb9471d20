/* event: 3 waiters block on a flag (mutex + condvar); main sets it after 1 s and broadcasts. */
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

#define NWAITERS 3

/* The event: global, external linkage. event_flag is protected by event_lock. */
pthread_mutex_t event_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t event_cond = PTHREAD_COND_INITIALIZER;
int event_flag;

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

static pid_t tids[NWAITERS];

static void *waiter(void *arg)
{
	long i = (long)(intptr_t)arg;

	tids[i] = gettid();
	printf("TID waiter%ld %d\n", i, (int)tids[i]);
	pthread_mutex_lock(&event_lock);
	while (!event_flag)
		pthread_cond_wait(&event_cond, &event_lock);
	pthread_mutex_unlock(&event_lock);
	printf("WOKE waiter%ld\n", i);
	return NULL;
}

int main(void)
{
	pthread_t th[NWAITERS];
	long i;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	printf("TID main %d\n", (int)gettid());
	for (i = 0; i < NWAITERS; i++) {
		err = pthread_create(&th[i], NULL, waiter, (void *)(intptr_t)i);
		if (err)
			die("pthread_create", err);
	}
	ssleep(1.0);
	pthread_mutex_lock(&event_lock);
	event_flag = 1;
	printf("SET\n");		/* under the lock: before any WOKE line */
	pthread_cond_broadcast(&event_cond);
	pthread_mutex_unlock(&event_lock);
	for (i = 0; i < NWAITERS; i++)
		join_print(th[i], &tids[i]);
	return 0;
}
