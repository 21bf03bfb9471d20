/* futex_waitv (Linux 5.16+): one thread waits on two words at once; another wakes the second. */
#include "demo.h"

#include <linux/futex.h>
#include <sys/syscall.h>

#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32 0x02 /* uapi futex.h, Linux 5.16 */
#endif
#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

/* the two words, globals so the tracer names them */
uint32_t waitv_first, waitv_second;

struct waitv_entry {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};

static void *waker(void *arg)
{
	(void)arg;
	print_tid("waker");
	fflush(stdout);
	usleep(200 * 1000);
	__atomic_store_n(&waitv_second, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &waitv_second, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

int main(void)
{
	struct waitv_entry w[2] = {
		{ .val = 0, .uaddr = (uintptr_t)&waitv_first, .flags = FUTEX2_SIZE_U32 | FUTEX_PRIVATE_FLAG },
		{ .val = 0, .uaddr = (uintptr_t)&waitv_second, .flags = FUTEX2_SIZE_U32 | FUTEX_PRIVATE_FLAG },
	};
	pthread_t th;
	long r;

	print_tid("main");
	fflush(stdout);
	pthread_create(&th, NULL, waker, NULL);
	r = syscall(SYS_futex_waitv, w, 2, 0, NULL, CLOCK_MONOTONIC);
	printf("WOKEN index %ld\n", r);
	pthread_join(th, NULL);
	return r == 1 ? 0 : 1;
}
