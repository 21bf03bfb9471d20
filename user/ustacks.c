/* Unwound call sites by site (see ustacks.h): one unwinder per process, an array of sites. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "model/array.h"
#include "model/index.h"
#include "unwind.h"
#include "ustacks.h"

struct ustack {
	uint64_t addr;
	pid_t tgid;
	__s32 stack_id;
	__u64 scan[TT_SCAN_HITS];
	int n;
	uint64_t pcs[TT_USTACK_FRAMES];
};

struct proc_unwinder {
	pid_t tgid;
	struct unwinder *u;
	bool gone; /* it had ended before its unwinder could be made */
};

struct ustacks {
	struct ustack *v;
	size_t n, cap;
	struct tt_index by_site; /* (hash of the site, tgid) -> position in v */
	struct proc_unwinder *procs;
	size_t nprocs, capprocs;
};

struct ustacks *ustacks__new(void)
{
	return calloc(1, sizeof(struct ustacks));
}

void ustacks__free(struct ustacks *us)
{
	if (!us)
		return;
	for (size_t i = 0; i < us->nprocs; i++)
		unwinder__free(us->procs[i].u);
	free(us->procs);
	free(us->v);
	index__free(&us->by_site);
	free(us);
}

/* FNV-1a over the site's words: its key in the index (a match is checked in full) */
static uint64_t site_hash(uint64_t addr, __s32 stack_id, const __u64 scan[TT_SCAN_HITS])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = (h ^ addr) * 0x100000001b3ULL;
	h = (h ^ (uint32_t)stack_id) * 0x100000001b3ULL;
	for (int i = 0; i < TT_SCAN_HITS; i++)
		h = (h ^ scan[i]) * 0x100000001b3ULL;
	return h;
}

static struct ustack *find(const struct ustacks *us, pid_t tgid, uint64_t addr, __s32 stack_id,
			   const __u64 scan[TT_SCAN_HITS])
{
	struct ustack *s;
	size_t pos;

	if (!index__get(&us->by_site, site_hash(addr, stack_id, scan), (uint32_t)tgid, &pos))
		return NULL;
	s = &us->v[pos];
	return s->tgid == tgid && s->addr == addr && s->stack_id == stack_id &&
			       !memcmp(s->scan, scan, sizeof(s->scan)) ? s : NULL;
}

static struct proc_unwinder *proc_of(struct ustacks *us, pid_t tgid)
{
	for (size_t i = 0; i < us->nprocs; i++)
		if (us->procs[i].tgid == tgid)
			return &us->procs[i];
	return NULL;
}

/* Makes p's unwinder; a process found gone is not tried again (each try opens its /proc files). */
static void make_unwinder(struct proc_unwinder *p)
{
	p->u = unwinder__new(p->tgid);
	p->gone = !p->u && kill(p->tgid, 0) && errno == ESRCH;
}

/* The process's unwinder, made on its first site or watch (NULL: the process is gone). */
static struct unwinder *unwinder_of(struct ustacks *us, pid_t tgid)
{
	struct proc_unwinder *p = proc_of(us, tgid);

	if (p && !p->u && !p->gone)
		make_unwinder(p); /* it was not ready: try again */
	if (p)
		return p->u;
	if (ARRAY_ROOM(us->procs, us->nprocs, us->capprocs))
		return NULL;
	p = &us->procs[us->nprocs++];
	*p = (struct proc_unwinder){ .tgid = tgid };
	make_unwinder(p);
	return p->u;
}

void ustacks__watch(struct ustacks *us, pid_t tgid)
{
	struct proc_unwinder *p;

	if (!us)
		return;
	p = proc_of(us, tgid);
	if (p && p->u)
		unwinder__refresh(p->u);
	else
		unwinder_of(us, tgid);
}

/*
 * u's stack as it was before a return probe (a spinning lock's slow path, bpf/spin.bpf.c)
 * put its trampoline in place of the return address at ret_slot: copied into buf and mended
 * when that slot is in the copy, else u's own bytes.
 */
static const void *unprobed_stack(const struct tt_ev_ustack *u, size_t len, uint8_t *buf)
{
	uint64_t sp = u->regs[1], off = u->ret_slot - sp;

	if (!u->ret_slot || u->ret_slot < sp || off > len - sizeof(u->ret_addr))
		return u->stack;
	memcpy(buf, u->stack, len);
	memcpy(buf + off, &u->ret_addr, sizeof(u->ret_addr));
	return buf;
}

int ustacks__add(struct ustacks *us, const struct tt_event_head *h, const struct tt_ev_ustack *u)
{
	static uint8_t mended[TT_USTACK_BYTES];
	struct unwind_regs r = { .ip = u->regs[0], .sp = u->regs[1], .bp = u->regs[2], .bx = u->regs[3],
				 .r12 = u->regs[4], .r13 = u->regs[5], .r14 = u->regs[6], .r15 = u->regs[7] };
	struct unwinder *uw;
	struct ustack *s;
	size_t len = u->len < sizeof(u->stack) ? u->len : sizeof(u->stack);

	if (find(us, (pid_t)h->tgid, u->addr, u->stack_id, u->scan))
		return 0; /* sent again after the kernel's map of sites sent evicted it */
	uw = unwinder_of(us, (pid_t)h->tgid);
	if (!uw || !len)
		return -ESRCH;
	if (ARRAY_ROOM(us->v, us->n, us->cap))
		return -ENOMEM;
	s = &us->v[us->n];
	*s = (struct ustack){ .addr = u->addr, .tgid = (pid_t)h->tgid, .stack_id = u->stack_id };
	memcpy(s->scan, u->scan, sizeof(s->scan));
	s->n = unwinder__frames(uw, (pid_t)h->tid, &r, unprobed_stack(u, len, mended), len, s->pcs,
				TT_USTACK_FRAMES);
	if (s->n < 1)
		return -ESRCH;
	if (index__put(&us->by_site, site_hash(s->addr, s->stack_id, s->scan), (uint32_t)s->tgid, us->n))
		return -ENOMEM;
	us->n++;
	return 0;
}

const uint64_t *ustacks__find(const struct ustacks *us, pid_t tgid, uint64_t addr, __s32 stack_id,
			      const __u64 scan[TT_SCAN_HITS], int *n)
{
	const struct ustack *s = us ? find(us, tgid, addr, stack_id, scan) : NULL;

	*n = s ? s->n : 0;
	return s ? s->pcs : NULL;
}
