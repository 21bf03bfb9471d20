/*
 * latejoin: for -p: everything after the attach. Main and w0 start, main prints READY and waits
 * for SIGUSR1; then it starts w1 (sleeps 0.2 s), lets w0 go (sleeps 0.5 s) and joins both
 * (times TT_SCALE). Prints "TID <role> <tid>" and "JOIN <joiner> <joinee>".
 */
#include "demo.h"

#include <semaphore.h>
#include <signal.h>

static sem_t go;
static pid_t tids[2];

static void *w0(void *arg)
{
	(void)arg;
	tids[0] = print_tid("w0");
	while (sem_wait(&go) != 0 && errno == EINTR)
		;
	ssleep(0.5);
	return NULL;
}

static void *w1(void *arg)
{
	(void)arg;
	tids[1] = print_tid("w1");
	ssleep(0.2);
	return NULL;
}

int main(void)
{
	pthread_t th[2];
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread: they inherit it */
	demo_init();
	sem_init(&go, 0, 0);
	print_tid("main");
	check(pthread_create(&th[0], NULL, w0, NULL), "pthread_create");
	while (!__atomic_load_n(&tids[0], __ATOMIC_SEQ_CST))
		sleep_raw(0.001);
	printf("READY\n");
	check(sigwait(&set, &sig), "sigwait");
	check(pthread_create(&th[1], NULL, w1, NULL), "pthread_create");
	sem_post(&go);
	join_all(th, tids, 2);
	return 0;
}
