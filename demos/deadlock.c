/* deadlock: "ab" takes lock_a then lock_b, "ba" takes lock_b then lock_a; hangs forever (for -p, prints READY). */
#include "demo.h"

/* The two locks threadtrace must name: global, external linkage, normal (default) mutexes. */
pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static double deadlock_delay = 1.0;	/* TT_DEADLOCK_DELAY seconds, not scaled */

static void lock(pthread_mutex_t *m)
{
	check(pthread_mutex_lock(m), "pthread_mutex_lock");
}

/*
 * hello: main + both threads, passed once every TID line is printed.
 * go:    main + both threads, passed once main has waited TT_DEADLOCK_DELAY.
 * pair:  the two threads, passed once each holds its first lock.
 */
static pthread_barrier_t hello, go, pair;

struct order {
	const char *role;
	pthread_mutex_t *first, *second;
	const char *first_name, *second_name;
};

static const struct order orders[2] = {
	{ "ab", &lock_a, &lock_b, "lock_a", "lock_b" },
	{ "ba", &lock_b, &lock_a, "lock_b", "lock_a" },
};

static void *locker(void *arg)
{
	const struct order *o = arg;

	print_tid(o->role);
	pthread_barrier_wait(&hello);
	pthread_barrier_wait(&go);
	lock(o->first);
	printf("%s holds %s\n", o->role, o->first_name);
	pthread_barrier_wait(&pair);	/* both first locks are held now */
	ssleep(0.2);
	printf("%s waits for %s\n", o->role, o->second_name);
	lock(o->second);		/* never returns: the other thread holds it */
	printf("%s got both locks (no deadlock?)\n", o->role);
	pthread_mutex_unlock(o->second);
	pthread_mutex_unlock(o->first);
	return NULL;
}

int main(void)
{
	pthread_t th[2];
	int i;

	demo_init();
	read_env_float("TT_DEADLOCK_DELAY", &deadlock_delay);
	print_tid("main");
	check(pthread_barrier_init(&hello, NULL, 3), "pthread_barrier_init");
	check(pthread_barrier_init(&go, NULL, 3), "pthread_barrier_init");
	check(pthread_barrier_init(&pair, NULL, 2), "pthread_barrier_init");
	for (i = 0; i < 2; i++)
		check(pthread_create(&th[i], NULL, locker, (void *)&orders[i]), "pthread_create");
	pthread_barrier_wait(&hello);	/* every TID line is out */
	printf("READY\n");
	sleep_raw(deadlock_delay);	/* time for `threadtrace -p` to attach */
	pthread_barrier_wait(&go);
	for (i = 0; i < 2; i++)		/* the first join never returns */
		check(pthread_join(th[i], NULL), "pthread_join");
	printf("no deadlock?\n");
	return 1;
}
