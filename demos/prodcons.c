/* prodcons: a bounded queue (capacity 4, mutex + 2 condvars): 1 producer puts 40 items, 2 consumers take them. */
#include "demo.h"

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
	producer_tid = print_tid("producer");
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
	consumer_tids[n] = print_tid(role);
	while (get(role) != SENTINEL)
		ssleep(0.020);		/* "process" the item */
	return NULL;
}

int main(void)
{
	pthread_t prod, cons[NCONSUMERS];

	demo_init();
	print_tid("main");
	check(pthread_create(&prod, NULL, producer, NULL), "pthread_create");
	start_threads(cons, NCONSUMERS, consumer);
	join_print(prod, &producer_tid);
	join_all(cons, consumer_tids, NCONSUMERS);
	return 0;
}
