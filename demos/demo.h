/*
 * demo.h: the boilerplate the C demos share (TT_SCALE, TID/JOIN lines, sleeping, busy loops,
 * argument parsing). Header-only: every demo is built as one translation unit, so everything
 * here is static inline. Include it first: it defines _GNU_SOURCE (gettid, pthread_setname_np).
 */
#ifndef DEMO_H
#define DEMO_H

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

/* TT_SCALE: every demo sleep and run time is multiplied by it (default 1). */
static double tt_scale = 1.0;

/* Parse env NAME as a finite float >= 0 into *val (unset: keep it); invalid -> message, exit 2. */
static inline void read_env_float(const char *name, double *val)
{
	const char *s = getenv(name);
	char *end;

	if (!s)
		return;
	errno = 0;
	*val = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(*val) || *val < 0) {
		fprintf(stderr, "invalid %s '%s' (want a float >= 0)\n", name, s);
		exit(2);
	}
}

/* Line-buffer stdout (one write per line), then read TT_SCALE into tt_scale. */
static inline void demo_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	read_env_float("TT_SCALE", &tt_scale);
}

/* Print "<what>: <strerror(err)>" to stderr and exit 1. */
static inline void die(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(err));
	exit(1);
}

/* die(what, err) if err (a pthread-style error number) is not 0. */
static inline void check(int err, const char *what)
{
	if (err)
		die(what, err);
}

/* Parse the optional thread count argv[1] (1..max, default def); bad usage -> message, exit 2. */
static inline long arg_count(int argc, char **argv, long def, long max)
{
	long n = def;
	char *end;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [N]   (1..%ld, default %ld)\n", argv[0], max, def);
		exit(2);
	}
	if (argc == 2) {
		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (end == argv[1] || *end || errno || n < 1 || n > max) {
			fprintf(stderr, "bad thread count '%s' (want 1..%ld)\n", argv[1], max);
			exit(2);
		}
	}
	return n;
}

/* Print "TID <role> <tid>" for the calling thread; returns its tid. */
static inline pid_t print_tid(const char *role)
{
	pid_t tid = gettid();

	printf("TID %s %d\n", role, (int)tid);
	return tid;
}

/* Print "TID <prefix><i> <tid>" for the calling thread; returns its tid. */
static inline pid_t print_tid_n(const char *prefix, long i)
{
	pid_t tid = gettid();

	printf("TID %s%ld %d\n", prefix, i, (int)tid);
	return tid;
}

/* Start th[0..n-1], thread i running fn((void *)i); die on failure. */
static inline void start_threads(pthread_t *th, long n, void *(*fn)(void *))
{
	long i;

	for (i = 0; i < n; i++)
		check(pthread_create(&th[i], NULL, fn, (void *)(intptr_t)i), "pthread_create");
}

/* Join th, then print "JOIN <joiner> <joinee>"; *tid was stored by the thread itself. */
static inline void join_print(pthread_t th, const pid_t *tid)
{
	check(pthread_join(th, NULL), "pthread_join");
	printf("JOIN %d %d\n", (int)gettid(), (int)*tid);
}

/* join_print th[0..n-1] in order, with their tids[0..n-1]. */
static inline void join_all(const pthread_t *th, const pid_t *tids, long n)
{
	long i;

	for (i = 0; i < n; i++)
		join_print(th[i], &tids[i]);
}

/* Sleep t seconds (not scaled, at most 1e9), resuming after signal interruptions. */
static inline void sleep_raw(double t)
{
	struct timespec ts;

	if (t > 1e9)
		t = 1e9;
	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec > 999999999)
		ts.tv_nsec = 999999999;
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* Sleep sec * TT_SCALE seconds. */
static inline void ssleep(double sec)
{
	sleep_raw(sec * tt_scale);
}

/* CLOCK_MONOTONIC in ns: served by the vDSO, no system call. */
static inline int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Seconds to ns, saturating at 1e18 ns. */
static inline int64_t sec_to_ns(double sec)
{
	return sec > 1e9 ? (int64_t)1e18 : (int64_t)(sec * 1e9);
}

/* Busy loop until mono_ns() >= deadline: pure computation, no system calls. */
static inline void spin_until(int64_t deadline)
{
	while (mono_ns() < deadline)
		;
}

/* The local time as ctime_r() writes it, without its newline, in buf. */
static inline const char *now(char buf[32])
{
	time_t t = time(NULL);

	ctime_r(&t, buf);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

#endif /* DEMO_H */
