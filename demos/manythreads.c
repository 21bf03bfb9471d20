/* manythreads: N short-lived threads (default 200), at most 500 alive at once, joined in creation order. */
#include "demo.h"

#include <limits.h>

#define MAX_LIVE 500

static pid_t *tids;

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;

	tids[i] = print_tid_n("t", i);
	ssleep(0.01);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t *th;
	pthread_attr_t attr;
	long n, i, next_join = 0;
	int err;

	demo_init();
	n = arg_count(argc, argv, 200, 20000);
	th = calloc(n, sizeof(*th));
	tids = calloc(n, sizeof(*tids));
	if (!th || !tids) {
		perror("calloc");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024 > PTHREAD_STACK_MIN ? 256 * 1024 : PTHREAD_STACK_MIN);

	print_tid("main");
	for (i = 0; i < n; i++) {
		for (;;) {
			if (i - next_join < MAX_LIVE) {
				err = pthread_create(&th[i], &attr, worker, (void *)(intptr_t)i);
				if (err != EAGAIN || i == next_join)
					break;
			}
			/* Too many alive (or EAGAIN): join the oldest one, then retry. */
			join_print(th[next_join], &tids[next_join]);
			next_join++;
		}
		check(err, "pthread_create");
	}
	for (; next_join < n; next_join++)
		join_print(th[next_join], &tids[next_join]);
	pthread_attr_destroy(&attr);
	free(th);
	free(tids);
	return 0;
}
