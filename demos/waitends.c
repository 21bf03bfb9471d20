/*
 * waitends: one futex wait ended each way a wait can end, in this order, on one word:
 *   by its timeout (0.3 s), by a signal (SIGUSR1 to the waiting thread after 0.3 s; the
 *   handler has no SA_RESTART, so the call returns EINTR), by a wake from main (after 0.3 s).
 * Prints "TID <role> <tid>" and "ENDED <how>" as the waiter sees each call return (times TT_SCALE).
 */
#include "demo.h"

#include <linux/futex.h>
#include <signal.h>
#include <sys/syscall.h>

static uint32_t word;
static volatile int stage;

static void on_usr1(int sig)
{
	(void)sig;
}

static long futex_wait(const struct timespec *timeout)
{
	return syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, timeout, NULL, 0);
}

static void report(long ret, const char *want)
{
	const char *how = ret == 0 ? "woken" : errno == ETIMEDOUT ? "timeout" : errno == EINTR ? "interrupted" : "other";

	printf("ENDED %s\n", how);
	if (strcmp(how, want))
		die(want, EINVAL);
}

static void *waiter(void *arg)
{
	struct timespec t = { 0, (long)(0.3 * tt_scale * 1e9) };

	(void)arg;
	print_tid("waiter");
	report(futex_wait(&t), "timeout");
	stage = 1;
	report(futex_wait(NULL), "interrupted");
	stage = 2;
	while (!__atomic_load_n(&word, __ATOMIC_ACQUIRE))
		if (futex_wait(NULL) == 0)
			break;
	report(0, "woken");
	return NULL;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 }; /* no SA_RESTART: the wait returns EINTR */
	pthread_t th;

	demo_init();
	print_tid("main");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	check(pthread_create(&th, NULL, waiter, NULL), "pthread_create");
	while (stage < 1)
		sleep_raw(0.001);
	ssleep(0.3);
	check(pthread_kill(th, SIGUSR1), "pthread_kill");
	while (stage < 2)
		sleep_raw(0.001);
	ssleep(0.3);
	__atomic_store_n(&word, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	check(pthread_join(th, NULL), "pthread_join");
	return 0;
}
