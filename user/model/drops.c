/* What each kind of kernel-side drop means: one table for stderr, the summary, CSV and JSON. */
#include <stddef.h>
#include "model/drops.h"

/* indexed by enum tt_drop_kind; the --max-locks maps are named by their key, not "per lock" (docs/reliability.md) */
static const struct tt_drop_info infos[TT_DROP_MAX] = {
	[TT_DROP_RINGBUF] = { "ringbuf", "events", "the ring buffer", "--buffer" },
	[TT_DROP_MAP] = { "map", "records", "a per-thread map (one entry per live thread)", "--max-threads" },
	[TT_DROP_LOCKS] = { "locks", "wait records",
			    "the wait map (one entry per futex word and thread that waited on it)", "--max-locks" },
	[TT_DROP_HOLDS] = { "holds", "hold records", "the hold map (one entry per futex word)", "--max-locks" },
	[TT_DROP_WAKES] = { "wakes", "wake records",
			    "the who-woke-whom map (one entry per futex word, waker and wakee)", "--max-locks" },
	[TT_DROP_OWNERS] = { "owners", "blocked-by records",
			     "the who-blocked-whom map (one entry per futex word, owner and waiter)", "--max-locks" },
	[TT_DROP_SITES] = { "sites", "call-site records", "the call-site map (one entry per futex word and call site)",
			    "--max-locks" },
	[TT_DROP_SPINS] = { "spins", "slow-path records",
			    "the spinning-lock map (one entry per lock and thread in its slow path)", "--max-locks" },
};

const struct tt_drop_info *drops__info(int k)
{
	return k >= 0 && k < TT_DROP_MAX ? &infos[k] : NULL;
}
