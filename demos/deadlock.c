/* deadlock: "ab" takes lock_a then lock_b, "ba" takes lock_b then lock_a; hangs forever (for -p, prints READY). */
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

/* The two locks threadtrace must name: global, external linkage, normal (default) mutexes. */
pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static double tt_scale = 1.0;
static double deadlock_delay = 1.0;	/* TT_DEADLOCK_DELAY seconds, not scaled */

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

/* Sleep t seconds (not scaled), resuming after signal interruptions. */
static void sleep_raw(double t)
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
static void ssleep(double sec)
{
	sleep_raw(sec * tt_scale);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(err));
	exit(1);
}

static void lock(pthread_mutex_t *m)
{
	int err = pthread_mutex_lock(m);

	if (err)
		die("pthread_mutex_lock", err);
}

/*
 * hello: main + both threads, passed once every TID line is printed.
 * go:    main + both threads, passed once main has waited TT_DEADLOCK_DELAY.
 * pair:  the two threads, passed once each holds its first lock.
 */
static pthread_barrier_t hello, go, pair;

struct order {
	const char *role;
	pthread_mutex_t *first, *second;
	const char *first_name, *second_name;
};

static const struct order orders[2] = {
	{ "ab", &lock_a, &lock_b, "lock_a", "lock_b" },
	{ "ba", &lock_b, &lock_a, "lock_b", "lock_a" },
};

static void *locker(void *arg)
{
	const struct order *o = arg;

	printf("TID %s %d\n", o->role, (int)gettid());
	pthread_barrier_wait(&hello);
	pthread_barrier_wait(&go);
	lock(o->first);
	printf("%s holds %s\n", o->role, o->first_name);
	pthread_barrier_wait(&pair);	/* both first locks are held now */
	ssleep(0.2);
	printf("%s waits for %s\n", o->role, o->second_name);
	lock(o->second);		/* never returns: the other thread holds it */
	printf("%s got both locks (no deadlock?)\n", o->role);
	pthread_mutex_unlock(o->second);
	pthread_mutex_unlock(o->first);
	return NULL;
}

int main(void)
{
	pthread_t th[2];
	int i, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_env_float("TT_SCALE", &tt_scale);
	read_env_float("TT_DEADLOCK_DELAY", &deadlock_delay);
	printf("TID main %d\n", (int)gettid());
	if ((err = pthread_barrier_init(&hello, NULL, 3)) ||
	    (err = pthread_barrier_init(&go, NULL, 3)) ||
	    (err = pthread_barrier_init(&pair, NULL, 2)))
		die("pthread_barrier_init", err);
	for (i = 0; i < 2; i++) {
		err = pthread_create(&th[i], NULL, locker, (void *)&orders[i]);
		if (err)
			die("pthread_create", err);
	}
	pthread_barrier_wait(&hello);	/* every TID line is out */
	printf("READY\n");
	sleep_raw(deadlock_delay);	/* time for `threadtrace -p` to attach */
	pthread_barrier_wait(&go);
	for (i = 0; i < 2; i++) {	/* the first join never returns */
		err = pthread_join(th[i], NULL);
		if (err)
			die("pthread_join", err);
	}
	printf("no deadlock?\n");
	return 1;
}
