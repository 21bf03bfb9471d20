/* N distinct futex words, each waited on once with a tiny timeout: a lock table under load. */
#include "demo.h"

#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long n = 100000, timeouts = 0;
	struct timespec tiny = { 0, 1000 };
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
	prctl(PR_SET_TIMERSLACK, 1UL); /* 1 us timeouts that last about 1 us */
	print_tid("main");
	for (long i = 0; i < n; i++)
		if (syscall(SYS_futex, &words[i], FUTEX_WAIT_PRIVATE, 0, &tiny, NULL, 0) < 0 && errno == ETIMEDOUT)
			timeouts++;
	printf("TIMEOUTS %ld\n", timeouts);
	free(words);
	return 0;
}
