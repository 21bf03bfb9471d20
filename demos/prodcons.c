/* prodcons: a bounded queue (capacity 4, mutex + 2 condvars): 1 producer puts 40 items, 2 consumers take them. */
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

#define CAPACITY 4
#define NITEMS 40
#define NCONSUMERS 2
#define SENTINEL (-1)

/* The queue's lock and condition variables: global, external linkage. */
pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;

/* Ring buffer, protected by queue_lock. */
static int items[CAPACITY];
static int head, count;

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

/* Append v, waiting while the queue is full; prints PUT under the lock so it precedes the GOT. */
static void put(int v)
{
	pthread_mutex_lock(&queue_lock);
	while (count == CAPACITY)
		pthread_cond_wait(&not_full, &queue_lock);
	items[(head + count) % CAPACITY] = v;
	count++;
	printf("PUT %d\n", v);
	pthread_cond_signal(&not_empty);
	pthread_mutex_unlock(&queue_lock);
}

/* Take the oldest item, waiting while the queue is empty; prints GOT under the lock. */
static int get(const char *role)
{
	int v;

	pthread_mutex_lock(&queue_lock);
	while (count == 0)
		pthread_cond_wait(&not_empty, &queue_lock);
	v = items[head];
	head = (head + 1) % CAPACITY;
	count--;
	printf("GOT %s %d\n", role, v);
	pthread_cond_signal(&not_full);
	pthread_mutex_unlock(&queue_lock);
	return v;
}

static pid_t producer_tid, consumer_tids[NCONSUMERS];

static void *producer(void *arg)
{
	unsigned int seed = 42;
	int i;

	(void)arg;
	producer_tid = gettid();
	printf("TID producer %d\n", (int)producer_tid);
	for (i = 0; i < NITEMS; i++) {
		ssleep((rand_r(&seed) % 51) / 1000.0);	/* 0..50 ms */
		put(i);
	}
	for (i = 0; i < NCONSUMERS; i++)
		put(SENTINEL);		/* one stop item per consumer */
	return NULL;
}

static void *consumer(void *arg)
{
	long n = (long)(intptr_t)arg;
	char role[16];

	snprintf(role, sizeof(role), "consumer%ld", n);
	consumer_tids[n] = gettid();
	printf("TID %s %d\n", role, (int)consumer_tids[n]);
	while (get(role) != SENTINEL)
		ssleep(0.020);		/* "process" the item */
	return NULL;
}

int main(void)
{
	pthread_t prod, cons[NCONSUMERS];
	long i;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	printf("TID main %d\n", (int)gettid());
	err = pthread_create(&prod, NULL, producer, NULL);
	if (err)
		die("pthread_create", err);
	for (i = 0; i < NCONSUMERS; i++) {
		err = pthread_create(&cons[i], NULL, consumer, (void *)(intptr_t)i);
		if (err)
			die("pthread_create", err);
	}
	join_print(prod, &producer_tid);
	for (i = 0; i < NCONSUMERS; i++)
		join_print(cons[i], &consumer_tids[i]);
	return 0;
}
