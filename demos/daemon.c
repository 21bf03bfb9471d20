/* daemon: main joins a worker, then returns from main while a detached "daemon" thread still runs. */
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

static pid_t worker_tid;

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	printf("TID worker %d\n", (int)worker_tid);
	ssleep(0.5);
	return NULL;
}

static void *daemon_thread(void *arg)
{
	(void)arg;
	printf("TID daemon %d\n", (int)gettid());
	for (;;)		/* never ends by itself */
		ssleep(0.1);
	return NULL;
}

int main(void)
{
	pthread_attr_t attr;
	pthread_t w, d;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	printf("TID main %d\n", (int)gettid());
	if ((err = pthread_create(&w, NULL, worker, NULL)))
		die("pthread_create(worker)", err);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if ((err = pthread_create(&d, &attr, daemon_thread, NULL)))
		die("pthread_create(daemon)", err);
	pthread_attr_destroy(&attr);
	join_print(w, &worker_tid);
	ssleep(1);
	printf("main returning\n");
	return 0;		/* exit() kills the still-running daemon */
}
