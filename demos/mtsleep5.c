/* mtsleep5: "subclass" style with OS thread names: main, loop0 rename themselves; main renames loop1 from outside. */
#include "demo.h"

#include <sys/prctl.h>

struct my_thread {
	void (*func)(int nloop, int nsec);
	int nloop, nsec;	/* args */
	const char *name;
	int self_named;		/* 1: thread names itself, 0: main names it */
	pthread_t th;
	pid_t tid;		/* filled in by the thread itself */
};

static void *my_thread_run(void *p)
{
	struct my_thread *t = p;

	t->tid = gettid();
	if (t->self_named)
		check(pthread_setname_np(pthread_self(), t->name), "pthread_setname_np(self)");
	printf("TID %s %d\n", t->name, (int)t->tid);
	t->func(t->nloop, t->nsec);
	return NULL;
}

static void my_thread_start(struct my_thread *t)
{
	check(pthread_create(&t->th, NULL, my_thread_run, t), "pthread_create");
	/* Naming another thread goes through /proc/self/task/<tid>/comm. */
	if (!t->self_named)
		check(pthread_setname_np(t->th, t->name), "pthread_setname_np(other)");
}

static void loop(int nloop, int nsec)
{
	char b[32];

	printf("start loop %d at: %s\n", nloop, now(b));
	ssleep(nsec);
	printf("loop %d done at: %s\n", nloop, now(b));
}

int main(void)
{
	struct my_thread t[2] = {
		{ .func = loop, .nloop = 0, .nsec = 4, .name = "loop0", .self_named = 1 },
		{ .func = loop, .nloop = 1, .nsec = 2, .name = "loop1", .self_named = 0 },
	};
	char b[32];
	int i;

	demo_init();
	if (prctl(PR_SET_NAME, "mt5-main", 0, 0, 0) != 0) {
		perror("prctl(PR_SET_NAME)");
		return 1;
	}
	print_tid("main");
	printf("starting at: %s\n", now(b));
	for (i = 0; i < 2; i++)
		my_thread_start(&t[i]);
	for (i = 0; i < 2; i++)
		join_print(t[i].th, &t[i].tid);
	printf("all DONE at: %s\n", now(b));
	return 0;
}
