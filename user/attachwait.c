/* What a thread alive before tracing began is doing as tracing starts (see attachwait.h). */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include "attachwait.h"
#include "procfs.h"

/* futexword.h's reader: a u32 of the target's memory through /proc/PID/mem, 0 if unreadable. */
static __u32 mem_u32(void *ctx, __u64 addr)
{
	__u32 v = 0;

	if (pread(*(int *)ctx, &v, sizeof(v), (off_t)addr) != sizeof(v))
		return 0;
	return v;
}
#define TT_READ_U32(ctx, addr) mem_u32(ctx, addr)
#include "futexword.h"

/*
 * Its futex wait from the call it is blocked in (args: the call's); false if
 * none. *joinee: the value it waits on, when that may be a joinee's tid.
 */
static bool futex_wait_of(int mem, long nr, const unsigned long long args[6], struct tt_wait *w, pid_t *joinee)
{
	__u32 cmd = (__u32)args[1] & FUTEX_CMD_MASK;
	__u64 first = 0;

	if (nr == TT_NR_FUTEX && tt_is_wait_op(cmd)) {
		w->addr = args[0];
		w->op = (__u32)args[1];
		w->kind = tt_classify_wait(&mem, w->addr, cmd, (__u32)args[2], &w->owner);
		/* it sleeps only while the word holds the value it passed: for a join, the tid */
		if ((cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && w->kind != TT_LOCK_MUTEX &&
		    w->kind != TT_LOCK_SEM && args[2] > 0 && args[2] <= FUTEX_TID_MASK)
			*joinee = (pid_t)args[2];
	} else if (nr == TT_NR_FUTEX_WAITV) {
		/* named by the first word (struct futex_waitv: val, uaddr, ...), as the kernel side does */
		if (pread(mem, &first, sizeof(first), (off_t)(args[0] + 8)) != sizeof(first))
			return false;
		w->addr = first;
		w->op = OP_WAITV;
		w->kind = TT_LOCK_FUTEX;
	} else {
		return false;
	}
	w->timed = args[3] != 0; /* the timeout: 4th argument of both calls */
	return true;
}

int attachwait__state(pid_t tgid, pid_t tid, uint64_t t0_ns, struct tt_sched *s, pid_t *joinee)
{
	unsigned long long args[6], ticks, runtime = 0;
	char state, path[64];
	long nr;
	int mem;

	if (procfs__thread_stat(tgid, tid, &state, &ticks) || (state != 'S' && state != 'D'))
		return -1;
	*joinee = 0;
	memset(s, 0, sizeof(*s));
	s->state = TT_ST_SLEEP;
	s->since_ns = t0_ns;
	if (procfs__thread_syscall(tgid, tid, &nr, args) || procfs__thread_runtime(tgid, tid, &runtime))
		return 0; /* asleep, in no call we know */
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)tgid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	if (mem < 0)
		return 0;
	if (futex_wait_of(mem, nr, args, &s->wait, joinee)) {
		/* the word holds the joinee's tid as its namespace numbers it (a host tracing a container) */
		if (*joinee)
			*joinee = procfs__tid_of_own(tgid, *joinee);
		s->state = TT_ST_LOCK;
		s->in_wait = 1;
		s->wait.start_ns = t0_ns;
		s->wait.stack_id = -1;
		s->wait.runtime_ns = runtime;
	}
	close(mem);
	return 0;
}

static bool in_ranges(__u64 v, const unsigned long (*ranges)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v >= ranges[i][0] && v < ranges[i][1])
			return true;
	return false;
}

int attachwait__scan(pid_t tgid, pid_t tid, const unsigned long (*ranges)[2], size_t nranges,
		     __u64 scan[TT_SCAN_HITS])
{
	__u64 words[TT_SCAN_WORDS];
	unsigned long long sp;
	unsigned hits = 0;
	char path[64];
	ssize_t got;
	int mem;

	memset(scan, 0, TT_SCAN_HITS * sizeof(*scan));
	if (procfs__thread_user_sp(tgid, tid, &sp))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)tgid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	if (mem < 0)
		return -1;
	got = pread(mem, words, sizeof(words), (off_t)sp);
	close(mem);
	for (size_t i = 0; got > 0 && i < (size_t)got / sizeof(words[0]) && hits < TT_SCAN_HITS; i++)
		if (in_ranges(words[i], ranges, nranges))
			scan[hits++] = words[i];
	return hits ? 0 : -1;
}
