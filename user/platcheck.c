/* Start-up checks of the platform assumptions (bpf/platform.h, docs/platform.md). */
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "platcheck.h"
#include "platform.h"

/* The glibc layouts the kernel side reads, checked against the headers it is built with. */
_Static_assert(offsetof(pthread_mutex_t, __data.__owner) == TT_GLIBC_MUTEX_OWNER, "glibc mutex __owner moved");
_Static_assert(offsetof(pthread_cond_t, __data.__g_signals) == TT_GLIBC_COND_SIGNALS, "glibc cond __g_signals moved");
_Static_assert(offsetof(pthread_cond_t, __data.__wrefs) == TT_GLIBC_COND_WREFS, "glibc cond __wrefs moved");

int platcheck__machine(const char *machine, char *why, size_t len)
{
	struct utsname u;

	if (!machine) {
		if (uname(&u)) {
			snprintf(why, len, "cannot tell this machine's architecture (uname)");
			return -1;
		}
		machine = u.machine;
	}
	if (strcmp(machine, TT_MACHINE)) {
		snprintf(why, len, "this machine is %s; threadtrace supports %s only (docs/platform.md)", machine,
			 TT_MACHINE);
		return -1;
	}
	return 0;
}

static uint32_t u32_at(const void *p, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)p + off, sizeof(v));
	return v;
}

int platcheck__libc(char *why, size_t len)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	uint32_t owner;
	sem_t s;
	int ok;

	if (pthread_mutex_lock(&m))
		return 0; /* nothing to learn */
	owner = u32_at(&m, TT_GLIBC_MUTEX_OWNER);
	pthread_mutex_unlock(&m);
	if (owner != (uint32_t)gettid()) {
		snprintf(why, len, "this glibc keeps no mutex owner at +%d: lock owners will be wrong (docs/platform.md)",
			 TT_GLIBC_MUTEX_OWNER);
		return -1;
	}
	/* a semaphore's value is its futex word; its waiter count follows (0 with nobody waiting) */
	if (sem_init(&s, 0, 5))
		return 0;
	ok = u32_at(&s, 0) == 5 && u32_at(&s, TT_GLIBC_SEM_NWAITERS) == 0;
	sem_destroy(&s);
	if (!ok) {
		snprintf(why, len, "this glibc's sem_t is not value then waiters: semaphores will be misnamed (docs/platform.md)");
		return -1;
	}
	return 0;
}
