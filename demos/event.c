/* event: 3 waiters block on a flag (mutex + condvar); main sets it after 1 s and broadcasts. */
#include "demo.h"

#define NWAITERS 3

/* The event: global, external linkage. event_flag is protected by event_lock. */
pthread_mutex_t event_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t event_cond = PTHREAD_COND_INITIALIZER;
int event_flag;

static pid_t tids[NWAITERS];

static void *waiter(void *arg)
{
	long i = (long)(intptr_t)arg;

	tids[i] = print_tid_n("waiter", i);
	pthread_mutex_lock(&event_lock);
	while (!event_flag)
		pthread_cond_wait(&event_cond, &event_lock);
	pthread_mutex_unlock(&event_lock);
	printf("WOKE waiter%ld\n", i);
	return NULL;
}

int main(void)
{
	pthread_t th[NWAITERS];

	demo_init();
	print_tid("main");
	start_threads(th, NWAITERS, waiter);
	ssleep(1.0);
	pthread_mutex_lock(&event_lock);
	event_flag = 1;
	printf("SET\n");		/* under the lock: before any WOKE line */
	pthread_cond_broadcast(&event_cond);
	pthread_mutex_unlock(&event_lock);
	join_all(th, tids, NWAITERS);
	return 0;
}
