/*
 * N distinct futex words, each slept on once until a short timeout: a lock table under load.
 * A wait whose timeout passes before it sleeps is no blocking wait: that word is waited on again.
 */
#include "demo.h"

#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long n = 100000, timeouts = 0;
	struct timespec tiny = { 0, 20000 };
	uint32_t *words;
	char *end;

	if (argc > 1) {
		n = strtol(argv[1], &end, 10);
		if (*end || n < 1 || n > 10000000) {
			fprintf(stderr, "usage: manylocks [N: 1..10000000]\n");
			return 2;
		}
	}
	words = calloc((size_t)n, sizeof(*words));
	if (!words)
		return 1;
	prctl(PR_SET_TIMERSLACK, 1UL); /* 20 us timeouts that last about 20 us */
	print_tid("main");
	for (long i = 0; i < n; i++) {
		struct rusage before, after;

		do {
			getrusage(RUSAGE_THREAD, &before);
			if (syscall(SYS_futex, &words[i], FUTEX_WAIT_PRIVATE, 0, &tiny, NULL, 0) < 0 &&
			    errno == ETIMEDOUT)
				timeouts++;
			getrusage(RUSAGE_THREAD, &after);
		} while (after.ru_nvcsw == before.ru_nvcsw); /* it did not sleep */
	}
	printf("TIMEOUTS %ld\n", timeouts);
	free(words);
	return 0;
}
