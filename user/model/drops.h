/* What each kind of kernel-side drop means (enum tt_drop_kind): its name in records, the map, the option. */
#ifndef TT_DROPS_H
#define TT_DROPS_H

#include "threadtrace.h"

struct tt_drop_info {
	const char *key;    /* in `lost` records and JSON: "ringbuf", "map", "locks", ... */
	const char *what;   /* what was lost: "events" or "records" */
	const char *full;   /* what was full, for a person */
	const char *option; /* the option that sizes it */
};

/* The description of kind k (0 <= k < TT_DROP_MAX). */
const struct tt_drop_info *drops__info(int k);

#endif
