/* mtsleep4: "callable object" style -- a thread_func record (func, args, name) run by a trampoline. */
#include "demo.h"

struct thread_func {
	void *(*func)(void *);
	void *args;
	const char *name;
};

struct loop_args {
	int nloop;
	int nsec;
	pid_t tid;		/* filled in by the thread itself */
};

/* Thread start routine: "call" the object. */
static void *trampoline(void *p)
{
	struct thread_func *tf = p;

	print_tid(tf->name);
	return tf->func(tf->args);
}

static void *loop(void *p)
{
	struct loop_args *a = p;
	char b[32];

	a->tid = gettid();
	printf("start loop %d at: %s\n", a->nloop, now(b));
	ssleep(a->nsec);
	printf("loop %d done at: %s\n", a->nloop, now(b));
	return NULL;
}

int main(void)
{
	struct loop_args args[2] = { { 0, 4, 0 }, { 1, 2, 0 } };
	struct thread_func tf[2] = {
		{ loop, &args[0], "loop0" },
		{ loop, &args[1], "loop1" },
	};
	pthread_t th[2];
	char b[32];
	int i;

	demo_init();
	print_tid("main");
	printf("starting at: %s\n", now(b));
	for (i = 0; i < 2; i++)
		check(pthread_create(&th[i], NULL, trampoline, &tf[i]), "pthread_create");
	for (i = 0; i < 2; i++)
		join_print(th[i], &args[i].tid);
	printf("all DONE at: %s\n", now(b));
	return 0;
}
