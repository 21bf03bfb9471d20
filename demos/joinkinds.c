/*
 * joinkinds: every libc join function, and joins that join nothing.
 *   slow (sleeps 1 s): pthread_tryjoin_np -> EBUSY, pthread_timedjoin_np with 0.2 s -> ETIMEDOUT,
 *                      then pthread_clockjoin_np (monotonic, 10 s) -> joined after ~0.8 s
 *   quick (ends at once): pthread_tryjoin_np once it has ended -> joined
 *   c11 (thrd_create, sleeps 0.3 s): thrd_join -> joined after ~0.3 s
 * Prints "TID <role> <tid>", "FAILED <function> <errno name>" for the joins that join nothing and
 * "JOIN <joiner> <joinee>" for the ones that do (times TT_SCALE).
 */
#include "demo.h"

#include <threads.h>

static pid_t tid_slow, tid_quick, tid_c11;
static volatile int quick_done;

static void *slow(void *arg)
{
	(void)arg;
	tid_slow = print_tid("slow");
	ssleep(1.0);
	return NULL;
}

static void *quick(void *arg)
{
	(void)arg;
	tid_quick = print_tid("quick");
	quick_done = 1;
	return NULL;
}

static int c11(void *arg)
{
	(void)arg;
	tid_c11 = print_tid("c11");
	ssleep(0.3);
	return 0;
}

static struct timespec in(clockid_t clock, double sec)
{
	struct timespec ts;
	int64_t ns;

	clock_gettime(clock, &ts);
	ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + sec_to_ns(sec);
	ts.tv_sec = ns / 1000000000;
	ts.tv_nsec = ns % 1000000000;
	return ts;
}

static void expect_fail(int err, int want, const char *what, const char *name)
{
	if (err != want)
		die(what, err ? err : EINVAL);
	printf("FAILED %s %s\n", what, name);
}

int main(void)
{
	pthread_t ts, tq;
	struct timespec deadline;
	thrd_t tc;

	demo_init();
	print_tid("main");
	check(pthread_create(&ts, NULL, slow, NULL), "pthread_create");
	check(pthread_create(&tq, NULL, quick, NULL), "pthread_create");
	if (thrd_create(&tc, c11, NULL) != thrd_success)
		die("thrd_create", EAGAIN);
	while (!quick_done)
		sleep_raw(0.001);
	ssleep(0.05); /* quick has returned and exited by now */

	expect_fail(pthread_tryjoin_np(ts, NULL), EBUSY, "pthread_tryjoin_np", "EBUSY");
	deadline = in(CLOCK_REALTIME, 0.2);
	expect_fail(pthread_timedjoin_np(ts, NULL, &deadline), ETIMEDOUT, "pthread_timedjoin_np", "ETIMEDOUT");
	check(pthread_tryjoin_np(tq, NULL), "pthread_tryjoin_np");
	printf("JOIN %d %d\n", (int)gettid(), (int)tid_quick);
	if (thrd_join(tc, NULL) != thrd_success)
		die("thrd_join", EINVAL);
	printf("JOIN %d %d\n", (int)gettid(), (int)tid_c11);
	deadline = in(CLOCK_MONOTONIC, 10.0);
	check(pthread_clockjoin_np(ts, NULL, CLOCK_MONOTONIC, &deadline), "pthread_clockjoin_np");
	printf("JOIN %d %d\n", (int)gettid(), (int)tid_slow);
	return 0;
}
