/*
 * Synthetic models for the verdict tests (test_verdict.c, test_goverdict.c): threads with
 * given scheduling figures, and a parallelism spent at one count.
 */
#ifndef TT_TEST_VERDICT_FIXTURE_H
#define TT_TEST_VERDICT_FIXTURE_H

#include <stdio.h>
#include <string.h>
#include "check.h"
#include "threadtrace.h"
#include "model/sched.h"
#include "model/threads.h"

#define TGID 100
#define T0 1000000000ull
#define SEC 1000000000ull
#define MS 1000000ull

struct sched_fig {
	uint64_t oncpu, runq, lock, sleep;
};

/* n threads (tids 101..) of TGID, started by 100, with closed scheduling figures. */
static inline struct tt_threads *make_threads(int n, const struct sched_fig *f)
{
	struct tt_threads *t = threads__new(TGID, T0);

	for (int i = 0; i < n; i++) {
		struct tt_event e;
		struct tt_record rec;
		struct tt_sched s;

		memset(&e, 0, sizeof(e));
		e.h.kind = TT_EV_START;
		e.h.ts_ns = T0 + 10 + (uint64_t)i;
		e.h.tgid = TGID;
		e.h.tid = 101 + (__u32)i;
		e.start.creator = 100;
		e.start.tid_word = 0x7f0000001000ull + 0x1000ull * (uint64_t)i;
		snprintf(e.start.comm, sizeof(e.start.comm), "worker-%d", i);
		CHECK_EQ_INT(threads__apply(t, &e, &rec), 1);

		memset(&s, 0, sizeof(s));
		s.oncpu_ns = f[i].oncpu;
		s.runq_ns = f[i].runq;
		s.lock_ns = f[i].lock;
		s.sleep_ns = f[i].sleep;
		s.state = TT_ST_UNKNOWN; /* ended or no open interval */
		threads__set_sched(t, 101 + i, &s, T0 + 5 * SEC);
	}
	CHECK_EQ_U64(t->n, (size_t)n);
	return t;
}

/* n threads with the same figures (n <= 16). */
static inline struct tt_threads *make_same_threads(int n, struct sched_fig f)
{
	struct sched_fig v[16];

	for (int i = 0; i < n && i < 16; i++)
		v[i] = f;
	return make_threads(n, v);
}

/* All of ns spent with exactly `running` threads on a CPU. */
static inline struct tt_parallelism par_at(unsigned running, uint64_t ns)
{
	struct tt_parallelism p;

	memset(&p, 0, sizeof(p));
	p.ns[running] = ns;
	return p;
}

#endif
