/*
 * The call sites of blocking waits, unwound with DWARF call-frame information (--stacks):
 * the kernel sends each new site's registers and stack top once (TT_EV_USTACK); they are
 * unwound at once, while the process and its files are there, and kept by site.
 */
#ifndef TT_USTACKS_H
#define TT_USTACKS_H

#include <stdint.h>
#include <sys/types.h>
#include "frames.h"
#include "threadtrace.h"

#define TT_USTACK_FRAMES TT_FRAMES_MAX /* frames kept per site */

struct ustacks;

struct ustacks *ustacks__new(void);
void ustacks__free(struct ustacks *us);

/*
 * Unwinds one TT_EV_USTACK record (head h, record u, from the ring buffer) and keeps its frames
 * under its site. 0; -ENOMEM; -ESRCH when the process is gone (nothing kept).
 */
int ustacks__add(struct ustacks *us, const struct tt_event_head *h, const struct tt_ev_ustack *u);

/*
 * The frames of a site of word addr (innermost first: its pc, then return addresses), or NULL
 * when it was not unwound; *n their count. stack_id TT_USTACK_WORD, scan all 0: the word's
 * first blocking wait.
 */
const uint64_t *ustacks__find(const struct ustacks *us, pid_t tgid, uint64_t addr, __s32 stack_id,
			      const __u64 scan[TT_SCAN_HITS], int *n);

/*
 * Reads tgid's modules now, and opens their files: its stacks can be unwound after it ended
 * (a short-lived process's last records are read once it is gone). Called with each read of
 * its maps; a new process gets its unwinder here.
 */
void ustacks__watch(struct ustacks *us, pid_t tgid);

#endif
