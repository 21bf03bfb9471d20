// SPDX-License-Identifier: GPL-2.0
/*
 * Go's sync.Mutex and RWMutex: contended acquisitions, per (process, mutex).
 * A goroutine that finds a Mutex taken calls sync.(*Mutex).lockSlow, spins,
 * then parks in Go's scheduler: no futex call of its own. Entry probes only:
 * a return probe rewrites the return address on the stack, and Go moves
 * goroutine stacks (and walks them): it would crash the program.
 * Go 1.17+ register ABI: the first arguments are in AX, BX, CX.
 */
#include "common.bpf.h"

struct go_mutexes_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* resized by the loader (--max-locks) */
	__type(key, struct tt_go_key);
	__type(value, __u64);
};

struct go_mutexes_map go_mutexes SEC(".maps");

static __always_inline void count_go(__u64 addr, __u32 kind)
{
	struct tt_go_key key = { .addr = addr, .kind = kind };
	__u64 one = 1, *n;

	key.tgid = target_tgid(bpf_get_current_pid_tgid() >> 32);
	n = bpf_map_lookup_elem(&go_mutexes, &key);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return;
	}
	/* another CPU may have added it meanwhile: then add to its count */
	if (bpf_map_update_elem(&go_mutexes, &key, &one, BPF_NOEXIST)) {
		n = bpf_map_lookup_elem(&go_mutexes, &key);
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			count_drop(TT_DROP_LOCKS); /* full: --max-locks, as the futex words' table */
	}
}

SEC("uprobe") /* sync.(*Mutex).lockSlow(m *Mutex) */
int BPF_KPROBE(go_lock_slow)
{
	if (!is_target(bpf_get_current_pid_tgid() >> 32))
		return 0;
	count_go(ctx->ax, TT_GO_MUTEX);
	return 0;
}

/*
 * sync.runtime_SemacquireMutex(s *uint32, lifo bool, skipframes int) (and Go
 * 1.20+'s runtime_SemacquireRWMutex[R]): skipframes 0 comes from an RWMutex
 * (reader or writer semaphore); lockSlow passes 1, and is counted above.
 */
SEC("uprobe")
int BPF_KPROBE(go_sema_acquire)
{
	if (!is_target(bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (ctx->cx != 0)
		return 0;
	count_go(ctx->ax, TT_GO_RWSEMA);
	return 0;
}
