/* Go's mutexes in the lock table, and the Go runtime's own futex words told apart. */
#include <string.h>
#include "model/locks.h"

int locks__add_go_mutex(struct tt_locks *l, const struct tt_go_key *key, uint64_t acquisitions)
{
	bool created;
	/* an RWMutex semaphore word is never a Mutex's first word: one address, one row */
	struct tt_lock *k = locks__get(l, (pid_t)key->tgid, key->addr, &created);

	if (!k)
		return -1;
	k->go_kind = key->kind;
	k->waits += acquisitions;
	return 0;
}

bool lock__is_go_runtime_name(const char *name)
{
	/* a symbol of the runtime's, or an anonymous word named after the runtime code that waits on it */
	return !strncmp(name, "runtime.", 8) || strstr(name, " in runtime.") != NULL;
}
