/* mtsleep3: one thread per loop; main joins loop0 (waits ~4 s), then loop1 (already finished). */
#include "demo.h"

static const int loops[] = { 4, 2 };
static pid_t tids[2];

static void *loop(void *arg)
{
	int n = (int)(intptr_t)arg;
	char b[32];

	tids[n] = print_tid_n("loop", n);
	printf("start loop %d at: %s\n", n, now(b));
	ssleep(loops[n]);
	printf("loop %d done at: %s\n", n, now(b));
	return NULL;
}

int main(void)
{
	pthread_t th[2];
	char b[32];

	demo_init();
	print_tid("main");
	printf("starting at: %s\n", now(b));
	start_threads(th, 2, loop);
	join_all(th, tids, 2);
	printf("all DONE at: %s\n", now(b));
	return 0;
}
