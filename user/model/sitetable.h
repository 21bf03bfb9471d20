/*
 * --stacks: every blocking call site under its id (tt_site_id), its frames named: what the
 * `site` of a `wait` event, of a timeline's blocked slice and of a summary site resolves to
 * (sites.csv, the timeline's args.stack). One entry per (process, word, native stack): the
 * kernel's sites map also tells Python stacks apart, whose waits are summed here.
 */
#ifndef TT_SITETABLE_H
#define TT_SITETABLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "model/index.h"

struct tt_site_entry {
	uint64_t id;
	pid_t tgid;
	uint64_t addr;          /* the futex word */
	uint64_t waits, total_ns; /* its ended waits (a wait in progress counts when it ends) */
	char *frames;           /* innermost first, " < " between them, as the text's call sites; NULL: none named; raw */
};

struct tt_sitetable {
	struct tt_site_entry *v;
	size_t n, cap;
	struct tt_index by_id;
};

struct tt_sitetable *sitetable__new(void);
void sitetable__free(struct tt_sitetable *t);
/*
 * Adds count waits of total_ns to site id (of word addr in tgid), made when new (*created set).
 * NULL on ENOMEM. The pointer is valid until the next add.
 */
struct tt_site_entry *sitetable__add(struct tt_sitetable *t, uint64_t id, pid_t tgid, uint64_t addr,
				     uint64_t count, uint64_t total_ns, int *created);
/* Gives e its frames' text (copied). 0, or -1 on ENOMEM. */
int sitetable__set_frames(struct tt_site_entry *e, const char *frames);
const struct tt_site_entry *sitetable__find(const struct tt_sitetable *t, uint64_t id);
/* Orders the sites by total wait, most first (then by id). 0, or -1 on ENOMEM. */
int sitetable__sort(struct tt_sitetable *t);

#endif
