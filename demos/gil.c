/*
 * gil: N threads (default 4) take turns on one big lock, computing TT_HOLD_MS ms (default 5) per
 * turn, like CPython's GIL. A thread that drops the lock yields, and (unless TT_GIL_FAIR=0) then
 * waits until a waiting thread has taken it -- CPython's forced switching. Without that a plain
 * mutex is not handed over: the dropper re-locks before the woken waiter runs, and one thread
 * does nearly all the turns.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The "GIL": global, external linkage, a normal mutex. */
pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;

#define MAX_THREADS 64
#define RUN_SEC 3.0		/* per thread, times TT_SCALE */

static double tt_scale = 1.0;
static double hold_ms = 5.0;	/* TT_HOLD_MS, not scaled */
static int fair = 1;		/* TT_GIL_FAIR: 1 force hand-overs, 0 plain unlock + sched_yield */

static atomic_int gil_waiting;		/* threads inside pthread_mutex_lock(&big_lock) */
static atomic_ulong gil_switches;	/* bumped by each thread that takes big_lock */

/* Parse env NAME as a finite float >= 0 into *val; invalid -> message, exit 2. */
static void read_env_float(const char *name, double *val)
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

static void read_fair(void)
{
	const char *s = getenv("TT_GIL_FAIR");

	if (!s)
		return;
	if (strcmp(s, "0") && strcmp(s, "1")) {
		fprintf(stderr, "invalid TT_GIL_FAIR '%s' (want 0 or 1)\n", s);
		exit(2);
	}
	fair = *s == '1';
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

static void gil_take(void)
{
	atomic_fetch_add(&gil_waiting, 1);
	pthread_mutex_lock(&big_lock);
	atomic_fetch_sub(&gil_waiting, 1);
	atomic_fetch_add(&gil_switches, 1);
}

static void gil_drop(void)
{
	unsigned long seq = atomic_load(&gil_switches);	/* only the holder changes it */

	pthread_mutex_unlock(&big_lock);
	sched_yield();
	/* Forced switch: while someone waits, let it take the lock before we try again. */
	while (fair && atomic_load(&gil_waiting) > 0 && atomic_load(&gil_switches) == seq)
		sched_yield();
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
	int64_t end, hold = sec_to_ns(hold_ms / 1000.0);
	long n = 0;

	tids[i] = gettid();
	printf("TID w%ld %d\n", i, (int)tids[i]);
	end = mono_ns() + sec_to_ns(RUN_SEC * tt_scale);
	while (mono_ns() < end) {
		gil_take();
		spin_until(mono_ns() + hold);
		gil_drop();
		n++;
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
	read_env_float("TT_SCALE", &tt_scale);
	read_env_float("TT_HOLD_MS", &hold_ms);
	read_fair();
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
	return 0;
}
