/* mtsleep5: "subclass" style with OS thread names: main, loop0 rename themselves; main renames loop1 from outside. */
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
#include <sys/prctl.h>

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

struct my_thread {
	void (*func)(int nloop, int nsec);
	int nloop, nsec;	/* args */
	const char *name;
	int self_named;		/* 1: thread names itself, 0: main names it */
	pthread_t th;
	pid_t tid;		/* filled in by the thread itself */
};

static void *my_thread_run(void *p)
{
	struct my_thread *t = p;
	int err;

	t->tid = gettid();
	if (t->self_named && (err = pthread_setname_np(pthread_self(), t->name)))
		die("pthread_setname_np(self)", err);
	printf("TID %s %d\n", t->name, (int)t->tid);
	t->func(t->nloop, t->nsec);
	return NULL;
}

static void my_thread_start(struct my_thread *t)
{
	int err = pthread_create(&t->th, NULL, my_thread_run, t);

	if (err)
		die("pthread_create", err);
	/* Naming another thread goes through /proc/self/task/<tid>/comm. */
	if (!t->self_named && (err = pthread_setname_np(t->th, t->name)))
		die("pthread_setname_np(other)", err);
}

static void loop(int nloop, int nsec)
{
	char b[32];

	printf("start loop %d at: %s\n", nloop, now(b));
	ssleep(nsec);
	printf("loop %d done at: %s\n", nloop, now(b));
}

int main(void)
{
	struct my_thread t[2] = {
		{ .func = loop, .nloop = 0, .nsec = 4, .name = "loop0", .self_named = 1 },
		{ .func = loop, .nloop = 1, .nsec = 2, .name = "loop1", .self_named = 0 },
	};
	char b[32];
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	if (prctl(PR_SET_NAME, "mt5-main", 0, 0, 0) != 0) {
		perror("prctl(PR_SET_NAME)");
		return 1;
	}
	printf("TID main %d\n", (int)gettid());
	printf("starting at: %s\n", now(b));
	for (i = 0; i < 2; i++)
		my_thread_start(&t[i]);
	for (i = 0; i < 2; i++)
		join_print(t[i].th, &t[i].tid);
	printf("all DONE at: %s\n", now(b));
	return 0;
}
