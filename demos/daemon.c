/* daemon: main joins a worker, then returns from main while a detached "daemon" thread still runs. */
#include "demo.h"

static pid_t worker_tid;

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = print_tid("worker");
	ssleep(0.5);
	return NULL;
}

static void *daemon_thread(void *arg)
{
	(void)arg;
	print_tid("daemon");
	for (;;)		/* never ends by itself */
		ssleep(0.1);
	return NULL;
}

int main(void)
{
	pthread_attr_t attr;
	pthread_t w, d;

	demo_init();
	print_tid("main");
	check(pthread_create(&w, NULL, worker, NULL), "pthread_create(worker)");
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	check(pthread_create(&d, &attr, daemon_thread, NULL), "pthread_create(daemon)");
	pthread_attr_destroy(&attr);
	join_print(w, &worker_tid);
	ssleep(1);
	printf("main returning\n");
	return 0;		/* exit() kills the still-running daemon */
}
