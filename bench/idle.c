/*
 * idle: an idle process to attach to (-p) for exit-time, memory and BPF-cost runs. Prints
 * READY, then waits: with no argument until a signal; with "go", until a line on stdin, then
 * it runs churn's loop (TOTAL threads, 4 at a time), prints THREADS N and exits once stdin
 * has another line or ends (so a tracer can still be read while the process lives).
 */
#include <pthread.h>
#include <signal.h>
#include "bench.h"

static void *nothing(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	long total = bench_arg(argc, argv, 2, 10000);
	char line[16];

	printf("READY %d\n", (int)getpid());
	fflush(stdout);
	if (argc < 2) {
		for (;;)
			pause();
	}
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	for (long done = 0; done < total; done += 4) {
		pthread_t th[4];
		int err;

		for (int i = 0; i < 4; i++)
			if ((err = pthread_create(&th[i], NULL, nothing, NULL)))
				bench_die("pthread_create", err);
		for (int i = 0; i < 4; i++)
			pthread_join(th[i], NULL);
	}
	printf("THREADS %ld\n", total);
	fflush(stdout);
	(void)!fgets(line, sizeof(line), stdin);
	return 0;
}
