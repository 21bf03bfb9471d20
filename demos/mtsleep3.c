/* mtsleep3: one thread per loop; main joins loop0 (waits ~4 s), then loop1 (already finished). */
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

static const int loops[] = { 4, 2 };
static pid_t tids[2];

static void *loop(void *arg)
{
	int n = (int)(intptr_t)arg;
	char b[32];

	tids[n] = gettid();
	printf("TID loop%d %d\n", n, (int)tids[n]);
	printf("start loop %d at: %s\n", n, now(b));
	ssleep(loops[n]);
	printf("loop %d done at: %s\n", n, now(b));
	return NULL;
}

int main(void)
{
	pthread_t th[2];
	char b[32];
	int i, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	printf("TID main %d\n", (int)gettid());
	printf("starting at: %s\n", now(b));
	for (i = 0; i < 2; i++) {
		err = pthread_create(&th[i], NULL, loop, (void *)(intptr_t)i);
		if (err)
			die("pthread_create", err);
	}
	for (i = 0; i < 2; i++)
		join_print(th[i], &tids[i]);
	printf("all DONE at: %s\n", now(b));
	return 0;
}
