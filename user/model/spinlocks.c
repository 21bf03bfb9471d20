/* Locks that spin before they sleep, in the lock table (their figures: bpf/spin.bpf.c). */
#include "model/locks.h"

int locks__add_spin_stat(struct tt_locks *l, const struct tt_spin_key *key, const struct tt_spin_stat *s)
{
	bool created;
	struct tt_lock *k = locks__get(l, (pid_t)key->tgid, key->addr, &created);

	if (!k)
		return -1;
	/* Rust's Mutex and glibc's adaptive mutex: a lock word (a row made by a spin alone has no wait to tell) */
	k->kinds |= 1u << TT_LOCK_MUTEX;
	k->spin_acquires += s->acquires;
	k->spun_only += s->spun_only;
	k->spin_ns += s->spin_ns;
	k->slow_ns += s->slow_ns;
	/* the spin is time waiting for the lock, as a blocked wait is; a hand-off no wake-up shows */
	k->total_ns += s->spin_ns;
	k->handoffs += s->spun_only;
	/* every thread that blocked on it went through its slow path first: the most of the two is all */
	if (++k->spin_threads > k->threads)
		k->threads = k->spin_threads;
	return 0;
}
