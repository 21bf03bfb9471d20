/*
 * nofp_bank: locks as real programs keep them, built as distributions build (-O2
 * -fomit-frame-pointer: the Makefile's rule for nofp_* demos). Two account mutexes in a
 * calloc'd array and a work queue's mutex and condition variable on the heap; each taken in
 * its own function, so a stack names who waits where:
 *   main -> depositor_main -> deposit   (accounts[1].m)
 *   main -> waiter_main -> wait_for_work (queue->cond)
 *   main -> pthread_join
 * Prints "ADDR account|queue_mutex|queue_cond 0x..." (where each lock lies) first.
 * Modes:
 *   nofp_bank hang   main holds accounts[1].m and never lets go: the depositor blocks in
 *                    deposit, the waiter in wait_for_work, main in its join of the depositor;
 *                    prints "READY PID" once all three wait (end it with a signal)
 *   nofp_bank [N]    N rounds (default 2000) of both threads depositing into the same
 *                    account, then the waiter gets its work; main joins both (the
 *                    depositor ends 50 ms after its deposits: that join waits)
 */
#include "demo.h"

struct account {
	pthread_mutex_t m;
	long balance;
};

struct queue {
	pthread_mutex_t m;
	pthread_cond_t cond;
	int ready;
};

static struct account *accounts;
static struct queue *work;
static long rounds = 2000;
static pid_t depositor_tid, waiter_tid; /* set by each thread first */

/* noinline and work after the call: each function keeps a frame of its own (no tail call) */
__attribute__((noinline)) static void deposit(int i, long amount)
{
	pthread_mutex_lock(&accounts[i].m);
	accounts[i].balance += amount;
	spin_until(mono_ns() + 2000);
	pthread_mutex_unlock(&accounts[i].m);
}

__attribute__((noinline)) static int wait_for_work(void)
{
	int got;

	pthread_mutex_lock(&work->m);
	while (!work->ready)
		pthread_cond_wait(&work->cond, &work->m);
	got = work->ready;
	pthread_mutex_unlock(&work->m);
	return got;
}

__attribute__((noinline)) static void *depositor_main(void *arg)
{
	long sum = 0;

	(void)arg;
	pthread_setname_np(pthread_self(), "depositor");
	__atomic_store_n(&depositor_tid, print_tid("depositor"), __ATOMIC_RELEASE);
	for (long i = 0; i < rounds; i++) {
		deposit(1, i);
		sum += i;
	}
	/* ends after main's deposits: main's join of it always waits */
	usleep(50000);
	return (void *)sum;
}

__attribute__((noinline)) static void *waiter_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "waiter");
	__atomic_store_n(&waiter_tid, print_tid("waiter"), __ATOMIC_RELEASE);
	return (void *)(intptr_t)wait_for_work();
}

/* once the thread is blocked in a futex wait (/proc's syscall file: number 202) */
static void await_futex_wait(pid_t tid)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	for (;;) {
		FILE *f = fopen(path, "r");
		int blocked = f && fgets(buf, sizeof(buf), f) && strncmp(buf, "202 ", 4) == 0;

		if (f)
			fclose(f);
		if (blocked)
			return;
		usleep(1000);
	}
}

int main(int argc, char **argv)
{
	int hang = argc > 1 && strcmp(argv[1], "hang") == 0;
	pthread_t dep, wai;
	void *ret;

	if (argc > 1 && !hang)
		rounds = atol(argv[1]);
	accounts = calloc(2, sizeof(*accounts));
	work = calloc(1, sizeof(*work));
	if (!accounts || !work)
		return 1;
	for (int i = 0; i < 2; i++)
		pthread_mutex_init(&accounts[i].m, NULL);
	pthread_mutex_init(&work->m, NULL);
	pthread_cond_init(&work->cond, NULL);
	/* where the locks live: the ground truth for their names */
	printf("ADDR account %p\nADDR queue_mutex %p\nADDR queue_cond %p\n", (void *)&accounts[1].m,
	       (void *)&work->m, (void *)&work->cond);
	fflush(stdout);
	if (hang)
		pthread_mutex_lock(&accounts[1].m);
	if (pthread_create(&dep, NULL, depositor_main, NULL) || pthread_create(&wai, NULL, waiter_main, NULL))
		return 1;
	if (hang) {
		/* READY only once both wait: a tracer attached then sees both blocked */
		while (!__atomic_load_n(&depositor_tid, __ATOMIC_ACQUIRE) ||
		       !__atomic_load_n(&waiter_tid, __ATOMIC_ACQUIRE))
			usleep(1000);
		await_futex_wait(depositor_tid);
		await_futex_wait(waiter_tid);
		printf("READY %d\n", (int)getpid());
		fflush(stdout);
	} else {
		for (long i = 0; i < rounds; i++)
			deposit(1, -i);
		pthread_mutex_lock(&work->m);
		work->ready = 1;
		pthread_cond_signal(&work->cond);
		pthread_mutex_unlock(&work->m);
	}
	pthread_join(dep, &ret);
	pthread_join(wai, &ret);
	printf("balance %ld\n", accounts[1].balance);
	fflush(stdout);
	/* a tracer reads a new call site's frames from this process's files: do not vanish at once */
	usleep(200000);
	return 0;
}
