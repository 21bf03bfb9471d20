/*
 * churnwait N B PAUSE_MS: N short-lived threads, B at a time; each sleeps on one
 * futex word (the gate) until main has seen every thread of its batch asleep
 * and wakes them, then lives 2 ms more; main joins the batch and pauses.
 * glibc reuses the stacks, so the threads of later batches get the tid words of
 * earlier ones. Prints "WORD <gate address>", "SELF <tid> <pthread_self>" per
 * thread (same pthread_self: same struct pthread, same tid word), and at the
 * end "SLEPT <n>": the gate waits that slept and were woken (a futex wait that
 * returned 0 after the thread was seen asleep).
 */
#include "demo.h"

#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>

static atomic_uint gate;
static atomic_long arrived, slept;
static pid_t tids[1024];

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	unsigned gen = atomic_load(&gate);

	tids[i] = gettid();
	printf("SELF %d 0x%lx\n", (int)tids[i], (unsigned long)pthread_self());
	atomic_fetch_add(&arrived, 1);
	while (atomic_load(&gate) == gen)
		if (!syscall(SYS_futex, &gate, FUTEX_WAIT_PRIVATE, gen, NULL, NULL, 0))
			atomic_fetch_add(&slept, 1);
	ssleep(0.002);
	return NULL;
}

/* Whether thread tid sleeps now (its state in /proc is S). */
static int asleep(pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

int main(int argc, char **argv)
{
	long n, b, pause_ms;
	pthread_t th[1024];

	demo_init();
	if (argc != 4 || (n = atol(argv[1])) < 1 || (b = atol(argv[2])) < 1 || b > 1024 || (pause_ms = atol(argv[3])) < 0) {
		fprintf(stderr, "usage: %s N B PAUSE_MS (1 <= B <= 1024)\n", argv[0]);
		return 2;
	}
	printf("WORD 0x%lx\n", (unsigned long)(uintptr_t)&gate);
	for (long done = 0; done < n; done += b) {
		long k = n - done < b ? n - done : b;

		atomic_store(&arrived, 0);
		memset(tids, 0, sizeof(tids));
		start_threads(th, k, worker);
		while (atomic_load(&arrived) < k)
			ssleep(0.0005);
		for (long i = 0; i < k; i++)
			while (!asleep(tids[i]))
				ssleep(0.0005);
		atomic_fetch_add(&gate, 1);
		syscall(SYS_futex, &gate, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
		for (long i = 0; i < k; i++)
			check(pthread_join(th[i], NULL), "pthread_join");
		if (pause_ms)
			sleep_raw(pause_ms / 1000.0);
	}
	printf("SLEPT %ld\n", atomic_load(&slept));
	return 0;
}
