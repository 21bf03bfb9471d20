/* idle: named threads that sleep until SIGTERM/SIGINT, for attaching the tracer with -p (prints READY). */
#include "demo.h"

#include <semaphore.h>
#include <signal.h>
#include <sys/prctl.h>

static sem_t started;

static void *idler(void *arg)
{
	long i = (long)(intptr_t)arg;
	char name[16];

	snprintf(name, sizeof(name), "idle-%ld", i);
	check(pthread_setname_np(pthread_self(), name), "pthread_setname_np");
	print_tid(name);
	sem_post(&started);
	for (;;)		/* SIGTERM/SIGINT are blocked here; main takes them */
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	sigset_t set;
	pthread_t th;
	long n, i;
	int sig;

	/* Block the stop signals first; the threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	demo_init();
	n = arg_count(argc, argv, 3, 1000);
	if (prctl(PR_SET_NAME, "idle-main", 0, 0, 0) != 0) {
		perror("prctl(PR_SET_NAME)");
		return 1;
	}
	print_tid("main");
	sem_init(&started, 0, 0);
	for (i = 0; i < n; i++) {
		check(pthread_create(&th, NULL, idler, (void *)(intptr_t)i), "pthread_create");
		pthread_detach(th);
	}
	for (i = 0; i < n; i++)
		while (sem_wait(&started) != 0 && errno == EINTR)
			;
	printf("READY\n");
	check(sigwait(&set, &sig), "sigwait");
	printf("stopping\n");
	return 0;		/* exit() kills the idle threads */
}
