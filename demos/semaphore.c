/* semaphore: a pool of 2 slots guarded by a counting semaphore; 5 threads take a slot for 0.3 s, twice each. */
#include "demo.h"

#include <semaphore.h>

#define POOL_SIZE 2
#define NTHREADS 5
#define ROUNDS 2

/* The pool's semaphore: global, external linkage; sem_init'ed to POOL_SIZE in main. */
sem_t pool_sem;

static pid_t tids[NTHREADS];

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	int r;

	tids[i] = print_tid_n("w", i);
	for (r = 0; r < ROUNDS; r++) {
		while (sem_wait(&pool_sem) != 0)
			if (errno != EINTR)
				die("sem_wait", errno);
		printf("ACQUIRE w%ld %d\n", i, r);
		ssleep(0.3);		/* use the pool slot */
		printf("RELEASE w%ld %d\n", i, r);
		if (sem_post(&pool_sem) != 0)
			die("sem_post", errno);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];

	demo_init();
	if (sem_init(&pool_sem, 0, POOL_SIZE) != 0)
		die("sem_init", errno);
	print_tid("main");
	start_threads(th, NTHREADS, worker);
	join_all(th, tids, NTHREADS);
	return 0;
}
