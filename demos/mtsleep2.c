/* mtsleep2: one thread per loop; each posts its own "done" semaphore, main waits on them, then joins. */
#include "demo.h"

#include <semaphore.h>

static const int loops[] = { 4, 2 };
static sem_t done[2];
static pid_t tids[2];

static void *loop(void *arg)
{
	int n = (int)(intptr_t)arg;
	char b[32];

	tids[n] = print_tid_n("loop", n);
	printf("start loop %d at: %s\n", n, now(b));
	ssleep(loops[n]);
	printf("loop %d done at: %s\n", n, now(b));
	sem_post(&done[n]);		/* "release the lock" */
	return NULL;
}

int main(void)
{
	pthread_t th[2];
	char b[32];
	int i;

	demo_init();
	print_tid("main");
	printf("starting at: %s\n", now(b));
	for (i = 0; i < 2; i++) {
		sem_init(&done[i], 0, 0);
		check(pthread_create(&th[i], NULL, loop, (void *)(intptr_t)i), "pthread_create");
	}
	for (i = 0; i < 2; i++)		/* wait for loop0's lock, then loop1's */
		while (sem_wait(&done[i]) != 0 && errno == EINTR)
			;
	join_all(th, tids, 2);
	printf("all DONE at: %s\n", now(b));
	return 0;
}
