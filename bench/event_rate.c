/*
 * event_rate [THREADS] [PAIRS] [pi|timeout]: generate futex waits as fast as possible, to
 * measure how many events threadtrace's event mode (--csv -w FILE) carries into a file and
 * that it counts what it drops.
 *
 * pi (default): each of THREADS (default 1) threads makes PAIRS (default 1,000,000)
 *   FUTEX_LOCK_PI + FUTEX_UNLOCK_PI calls on its own free word. The kernel takes the free
 *   lock at once (return 0, no sleep), then releases it: threadtrace sees a wait that
 *   returned 0 (a `wait` event) and the holder's release of that word (a `hold` event), so
 *   two events per pair, at the price of two cheap system calls.
 * timeout: FUTEX_WAIT with a zero timeout on a matching word: a real sleep that ends in
 *   ETIMEDOUT (one `wait` event per call), bounded by the timer interrupt (~20 us in a VM).
 *
 * Prints ELAPSED_NS, FUTEX_CALLS and EXPECTED_EVENTS (the wait/hold events a tracer should see).
 */
#include <linux/futex.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "bench.h"

static long pairs;
static int use_pi = 1;
static pthread_barrier_t ready;

struct slot {
	unsigned int word;
	long ok;
	long failed;
} __attribute__((aligned(64)));

static long futex(unsigned int *word, int op, unsigned int val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

static void *worker(void *arg)
{
	struct slot *s = arg;
	struct timespec zero = { 0, 0 };

	pthread_barrier_wait(&ready);
	for (long i = 0; i < pairs; i++) {
		if (use_pi) {
			if (futex(&s->word, FUTEX_LOCK_PI_PRIVATE, 0, NULL) == 0 &&
			    futex(&s->word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL) == 0)
				s->ok++;
			else
				s->failed++;
		} else {
			if (futex(&s->word, FUTEX_WAIT_PRIVATE, 0, &zero) < 0 && errno == ETIMEDOUT)
				s->ok++;
			else
				s->failed++;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long nthreads = bench_arg(argc, argv, 1, 1), ok = 0, failed = 0;
	static struct slot slots[64];
	pthread_t th[64];
	uint64_t t0, t1;
	int err;

	pairs = bench_arg(argc, argv, 2, 1000000);
	if (argc > 3)
		use_pi = strcmp(argv[3], "timeout") != 0;
	if (nthreads > 64)
		nthreads = 64;
	/* no timer slack (default 50 us, inherited by the threads): a zero timeout ends soonest */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	pthread_barrier_init(&ready, NULL, (unsigned)nthreads + 1);
	for (long i = 0; i < nthreads; i++)
		if ((err = pthread_create(&th[i], NULL, worker, &slots[i])))
			bench_die("pthread_create", err);
	pthread_barrier_wait(&ready);
	t0 = bench_now_ns();
	for (long i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	t1 = bench_now_ns();
	for (long i = 0; i < nthreads; i++) {
		ok += slots[i].ok;
		failed += slots[i].failed;
	}
	if (failed)
		fprintf(stderr, "event_rate: %ld calls failed\n", failed);
	printf("ELAPSED_NS %llu\nFUTEX_CALLS %ld\nEXPECTED_EVENTS %ld\n", (unsigned long long)(t1 - t0),
	       nthreads * pairs * (use_pi ? 2 : 1), ok * (use_pi ? 2 : 1));
	return failed ? 1 : 0;
}
