/*
 * joincancel: a join that never returns. "joiner" joins "sleeper" (which sleeps 0.4 s) and is
 * cancelled while it waits; main joins joiner, then detaches sleeper and lets it end (0.6 s).
 * So exactly one join returns: main's of joiner. Prints "TID <role> <tid>", "CANCELLED <tid>"
 * and "JOIN <joiner> <joinee>" (times TT_SCALE).
 */
#include "demo.h"

static pthread_t th_sleeper;
static pid_t tid_joiner;
static volatile int joining;

static void *sleeper(void *arg)
{
	(void)arg;
	print_tid("sleeper");
	ssleep(0.4);
	return NULL;
}

static void *joiner(void *arg)
{
	(void)arg;
	tid_joiner = print_tid("joiner");
	joining = 1;
	check(pthread_join(th_sleeper, NULL), "pthread_join"); /* cancelled in there */
	die("pthread_join returned", EINVAL);
	return NULL;
}

int main(void)
{
	pthread_t th_joiner;
	void *ret;

	demo_init();
	print_tid("main");
	check(pthread_create(&th_sleeper, NULL, sleeper, NULL), "pthread_create");
	check(pthread_create(&th_joiner, NULL, joiner, NULL), "pthread_create");
	while (!joining)
		sleep_raw(0.001);
	ssleep(0.1); /* joiner is asleep in its join by now */
	check(pthread_cancel(th_joiner), "pthread_cancel");
	check(pthread_join(th_joiner, &ret), "pthread_join");
	if (ret != PTHREAD_CANCELED)
		die("joiner was not cancelled", EINVAL);
	printf("CANCELLED %d\nJOIN %d %d\n", (int)tid_joiner, (int)gettid(), (int)tid_joiner);
	check(pthread_detach(th_sleeper), "pthread_detach");
	ssleep(0.6); /* sleeper ends, detached: nobody joins it */
	return 0;
}
