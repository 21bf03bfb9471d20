/* manythreads: N short-lived threads (default 200), at most 500 alive at once, joined in creation order. */
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
#include <limits.h>

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

#define MAX_LIVE 500

static pid_t *tids;

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;

	tids[i] = gettid();
	printf("TID t%ld %d\n", i, (int)tids[i]);
	ssleep(0.01);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t *th;
	pthread_attr_t attr;
	long n = 200, i, next_join = 0;
	char *end;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	if (argc > 2) {
		fprintf(stderr, "usage: %s [N]   (1..20000, default 200)\n", argv[0]);
		return 2;
	}
	if (argc == 2) {
		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (end == argv[1] || *end || errno || n < 1 || n > 20000) {
			fprintf(stderr, "bad thread count '%s' (want 1..20000)\n", argv[1]);
			return 2;
		}
	}
	th = calloc(n, sizeof(*th));
	tids = calloc(n, sizeof(*tids));
	if (!th || !tids) {
		perror("calloc");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024 > PTHREAD_STACK_MIN ? 256 * 1024 : PTHREAD_STACK_MIN);

	printf("TID main %d\n", (int)gettid());
	for (i = 0; i < n; i++) {
		for (;;) {
			if (i - next_join < MAX_LIVE) {
				err = pthread_create(&th[i], &attr, worker, (void *)(intptr_t)i);
				if (err != EAGAIN || i == next_join)
					break;
			}
			/* Too many alive (or EAGAIN): join the oldest one, then retry. */
			join_print(th[next_join], &tids[next_join]);
			next_join++;
		}
		if (err)
			die("pthread_create", err);
	}
	for (; next_join < n; next_join++)
		join_print(th[next_join], &tids[next_join]);
	pthread_attr_destroy(&attr);
	free(th);
	free(tids);
	return 0;
}
