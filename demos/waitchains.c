/*
 * waitchains: waits with known call chains, for --folded's flame graphs. Each
 * function on a chain is noinline and does work after its call (no tail call),
 * so that the frame-pointer walk sees every frame:
 *   main -> update_table -> lock_table -> pthread_mutex_lock(&table_lock), held by
 *           the thread "holder" for 0.4 s (contention)
 *   consumer -> wait_ready -> pthread_cond_wait(&ready_cond), until main signals
 *   taker -> take_slot -> sem_wait(&slots), until main posts
 *   main -> pthread_join(taker): the taker lingers 0.2 s after its slot
 * (times x TT_SCALE). TT_NAME: the main thread's name (so the process's), set first:
 * any bytes, ';' and control characters too.
 */
#include "demo.h"

#include <semaphore.h>
#include <stdatomic.h>
#include <sys/prctl.h>

pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
sem_t slots;

static volatile long table_version;
static int ready;
static atomic_int held;

static __attribute__((noinline)) void lock_table(void)
{
	pthread_mutex_lock(&table_lock);
	table_version++;
}

static __attribute__((noinline)) void update_table(void)
{
	lock_table();
	table_version++;
	pthread_mutex_unlock(&table_lock);
}

static void *holder(void *arg)
{
	(void)arg;
	print_tid("holder");
	pthread_mutex_lock(&table_lock);
	atomic_store(&held, 1);
	ssleep(0.4);
	pthread_mutex_unlock(&table_lock);
	return NULL;
}

static __attribute__((noinline)) void wait_ready(void)
{
	pthread_mutex_lock(&ready_lock);
	while (!ready)
		pthread_cond_wait(&ready_cond, &ready_lock);
	pthread_mutex_unlock(&ready_lock);
	table_version++;
}

static void *consumer(void *arg)
{
	(void)arg;
	print_tid("consumer");
	wait_ready();
	return NULL;
}

static __attribute__((noinline)) void take_slot(void)
{
	while (sem_wait(&slots) && errno == EINTR)
		;
	table_version++;
}

static void *taker(void *arg)
{
	(void)arg;
	print_tid("taker");
	take_slot();
	ssleep(0.2);
	return NULL;
}

int main(void)
{
	const char *name = getenv("TT_NAME");
	pthread_t th[3];

	if (name)
		prctl(PR_SET_NAME, name);
	demo_init();
	if (sem_init(&slots, 0, 0))
		die("sem_init", errno);
	print_tid("main");
	check(pthread_create(&th[0], NULL, consumer, NULL), "pthread_create");
	check(pthread_create(&th[1], NULL, taker, NULL), "pthread_create");
	check(pthread_create(&th[2], NULL, holder, NULL), "pthread_create");
	while (!atomic_load(&held))
		sleep_raw(0.001);
	update_table();
	pthread_mutex_lock(&ready_lock);
	ready = 1;
	pthread_cond_broadcast(&ready_cond);
	pthread_mutex_unlock(&ready_lock);
	sem_post(&slots);
	for (int i = 0; i < 3; i++)
		check(pthread_join(th[i], NULL), "pthread_join");
	printf("DONE %ld\n", (long)table_version);
	return 0;
}
