/* mtsleep4: "callable object" style -- a thread_func record (func, args, name) run by a trampoline. */
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

static const char *now(char buf[32])
{
	time_t t = time(NULL);

	ctime_r(&t, buf);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
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

struct thread_func {
	void *(*func)(void *);
	void *args;
	const char *name;
};

struct loop_args {
	int nloop;
	int nsec;
	pid_t tid;		/* filled in by the thread itself */
};

/* Thread start routine: "call" the object. */
static void *trampoline(void *p)
{
	struct thread_func *tf = p;

	printf("TID %s %d\n", tf->name, (int)gettid());
	return tf->func(tf->args);
}

static void *loop(void *p)
{
	struct loop_args *a = p;
	char b[32];

	a->tid = gettid();
	printf("start loop %d at: %s\n", a->nloop, now(b));
	ssleep(a->nsec);
	printf("loop %d done at: %s\n", a->nloop, now(b));
	return NULL;
}

int main(void)
{
	struct loop_args args[2] = { { 0, 4, 0 }, { 1, 2, 0 } };
	struct thread_func tf[2] = {
		{ loop, &args[0], "loop0" },
		{ loop, &args[1], "loop1" },
	};
	pthread_t th[2];
	char b[32];
	int i, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	printf("TID main %d\n", (int)gettid());
	printf("starting at: %s\n", now(b));
	for (i = 0; i < 2; i++) {
		err = pthread_create(&th[i], NULL, trampoline, &tf[i]);
		if (err)
			die("pthread_create", err);
	}
	for (i = 0; i < 2; i++)
		join_print(th[i], &args[i].tid);
	printf("all DONE at: %s\n", now(b));
	return 0;
}
