/* mtsleep1: no threads at all -- loop0 (4 s) then loop1 (2 s) run one after the other in main. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
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

static void loop0(void)
{
	char b[32];

	printf("start loop 0 at: %s\n", now(b));
	ssleep(4);
	printf("loop 0 done at: %s\n", now(b));
}

static void loop1(void)
{
	char b[32];

	printf("start loop 1 at: %s\n", now(b));
	ssleep(2);
	printf("loop 1 done at: %s\n", now(b));
}

int main(void)
{
	char b[32];

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	printf("TID main %d\n", (int)gettid());
	printf("starting at: %s\n", now(b));
	loop0();
	loop1();
	printf("all DONE at: %s\n", now(b));
	return 0;
}
