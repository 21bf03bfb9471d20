/*
 * gil: N threads (default 4) take turns on one big lock, computing TT_HOLD_MS ms (default 5) per
 * turn, like CPython's GIL. A thread that drops the lock yields, and (unless TT_GIL_FAIR=0) then
 * waits until a waiting thread has taken it -- CPython's forced switching. Without that a plain
 * mutex is not handed over: the dropper re-locks before the woken waiter runs, and one thread
 * does nearly all the turns.
 */
#include "demo.h"

#include <sched.h>
#include <stdatomic.h>

/* The "GIL": global, external linkage, a normal mutex. */
pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;

#define MAX_THREADS 64
#define RUN_SEC 3.0		/* per thread, times TT_SCALE */

static double hold_ms = 5.0;	/* TT_HOLD_MS, not scaled */
static int fair = 1;		/* TT_GIL_FAIR: 1 force hand-overs, 0 plain unlock + sched_yield */

static atomic_int gil_waiting;		/* threads inside pthread_mutex_lock(&big_lock) */
static atomic_ulong gil_switches;	/* bumped by each thread that takes big_lock */

static void read_fair(void)
{
	const char *s = getenv("TT_GIL_FAIR");

	if (!s)
		return;
	if (strcmp(s, "0") && strcmp(s, "1")) {
		fprintf(stderr, "invalid TT_GIL_FAIR '%s' (want 0 or 1)\n", s);
		exit(2);
	}
	fair = *s == '1';
}

static void gil_take(void)
{
	atomic_fetch_add(&gil_waiting, 1);
	pthread_mutex_lock(&big_lock);
	atomic_fetch_sub(&gil_waiting, 1);
	atomic_fetch_add(&gil_switches, 1);
}

static void gil_drop(void)
{
	unsigned long seq = atomic_load(&gil_switches);	/* only the holder changes it */

	pthread_mutex_unlock(&big_lock);
	sched_yield();
	/* Forced switch: while someone waits, let it take the lock before we try again. */
	while (fair && atomic_load(&gil_waiting) > 0 && atomic_load(&gil_switches) == seq)
		sched_yield();
}

static pid_t tids[MAX_THREADS];
static long iters[MAX_THREADS];

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	int64_t end, hold = sec_to_ns(hold_ms / 1000.0);
	long n = 0;

	tids[i] = print_tid_n("w", i);
	end = mono_ns() + sec_to_ns(RUN_SEC * tt_scale);
	while (mono_ns() < end) {
		gil_take();
		spin_until(mono_ns() + hold);
		gil_drop();
		n++;
	}
	iters[i] = n;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	long n, i;

	demo_init();
	read_env_float("TT_HOLD_MS", &hold_ms);
	read_fair();
	n = arg_count(argc, argv, 4, MAX_THREADS);
	print_tid("main");
	start_threads(th, n, worker);
	join_all(th, tids, n);
	for (i = 0; i < n; i++)
		printf("ITER w%ld %ld\n", i, iters[i]);
	return 0;
}
