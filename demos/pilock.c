/* A priority-inheritance mutex (FUTEX_LOCK_PI): the holder's tid is the lock word itself. */
#include "demo.h"

pthread_mutex_t pi_lock;

static void *holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pi_lock);
	print_tid("holder");
	fflush(stdout);
	usleep(300 * 1000); /* the waiter blocks meanwhile */
	pthread_mutex_unlock(&pi_lock);
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	print_tid("waiter");
	fflush(stdout);
	usleep(100 * 1000);
	pthread_mutex_lock(&pi_lock);
	pthread_mutex_unlock(&pi_lock);
	return NULL;
}

int main(void)
{
	pthread_mutexattr_t attr;
	pthread_t h, w;

	print_tid("main");
	fflush(stdout);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&pi_lock, &attr);
	pthread_create(&h, NULL, holder, NULL);
	usleep(50 * 1000); /* the holder takes it first */
	pthread_create(&w, NULL, waiter, NULL);
	pthread_join(h, NULL);
	pthread_join(w, NULL);
	return 0;
}
