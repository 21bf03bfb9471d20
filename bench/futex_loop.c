/*
 * futex_loop [N]: N (default 3,000,000) FUTEX_WAKE calls on a word nobody waits on, one thread.
 * The cheapest futex call there is: what a tracer adds to each one shows in full.
 */
#include <linux/futex.h>
#include <sys/syscall.h>
#include "bench.h"

static int word;

int main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, 3000000), woken = 0;
	uint64_t t0, t1;

	t0 = bench_now_ns();
	for (long i = 0; i < n; i++)
		woken += syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	t1 = bench_now_ns();
	if (woken)
		fprintf(stderr, "futex_loop: %ld woken?\n", woken);
	printf("ELAPSED_NS %llu\nFUTEX_CALLS %ld\n", (unsigned long long)(t1 - t0), n);
	return 0;
}
