/* Unit tests for user/model/locks.c: the lock table and its figures. */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "lockcallers.h"
#include "threadtrace.h"
#include "model/locks.h"

#define TGID 100
#define T0 1000000000ull /* CLOCK_MONOTONIC at trace start */

#define KIND(k) (1u << (k))

static struct tt_lock_key lkey(pid_t tgid, pid_t tid, uint64_t addr)
{
	struct tt_lock_key k;

	memset(&k, 0, sizeof(k));
	k.addr = addr;
	k.tid = (__u32)tid;
	k.tgid = (__u32)tgid;
	return k;
}

static struct tt_addr_key akey(pid_t tgid, uint64_t addr)
{
	struct tt_addr_key k;

	memset(&k, 0, sizeof(k));
	k.addr = addr;
	k.tgid = (__u32)tgid;
	return k;
}

static struct tt_lock *get(struct tt_locks *l, pid_t tgid, uint64_t addr)
{
	bool created;

	return locks__get(l, tgid, addr, &created);
}

TEST(get_creates_per_tgid_and_addr)
{
	struct tt_locks *l = locks__new();
	struct tt_lock *a, *b, *again;
	bool created = false;

	a = locks__get(l, 100, 0x1000, &created);
	CHECK(a != NULL);
	CHECK(created);
	if (a) {
		CHECK_EQ_INT(a->tgid, 100);
		CHECK_EQ_U64(a->addr, 0x1000);
		CHECK_EQ_U64(a->waits, 0);
		CHECK_EQ_U64(a->total_ns, 0);
		CHECK_EQ_INT(a->threads, 0);
		CHECK_EQ_INT(a->kinds, 0);
		CHECK_STR(a->name, "");
		CHECK(!a->is_gil && !a->is_join && !a->is_gil_cond);
		strcpy(a->name, "lock_a");
	}
	created = false;
	b = locks__get(l, 200, 0x1000, &created); /* same address, another process */
	CHECK(created);
	CHECK(b != NULL && b != a);
	CHECK_EQ_U64(l->n, 2);
	if (b) {
		CHECK_EQ_INT(b->tgid, 200);
		CHECK_EQ_U64(b->addr, 0x1000);
		CHECK_STR(b->name, "");
	}
	created = true;
	again = locks__get(l, 100, 0x1000, &created);
	CHECK(!created);
	CHECK(again == locks__find(l, 100, 0x1000));
	if (again)
		CHECK_STR(again->name, "lock_a");
	CHECK_EQ_U64(l->n, 2);

	CHECK(locks__find(l, 100, 0x2000) == NULL);
	CHECK(locks__find(l, 300, 0x1000) == NULL);
	CHECK(locks__find(l, 200, 0x1000) != NULL);
	if (locks__find(l, 200, 0x1000))
		CHECK_EQ_INT(locks__find(l, 200, 0x1000)->tgid, 200);
	locks__free(l);

	/* an empty table finds nothing */
	l = locks__new();
	CHECK(locks__find(l, 100, 0x1000) == NULL);
	locks__free(l);
}

TEST(get_many_locks_grows_table)
{
	enum { N = 1000 };
	struct tt_locks *l = locks__new();
	int bad = 0;

	for (int i = 0; i < N; i++) {
		bool created = false;
		struct tt_lock *k = locks__get(l, 100 + i % 3, 0x1000 + 8 * (uint64_t)i, &created);

		if (!k || !created)
			bad++;
		else
			k->total_ns = (uint64_t)i;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_U64(l->n, N);
	for (int i = 0; i < N; i++) {
		struct tt_lock *k = locks__find(l, 100 + i % 3, 0x1000 + 8 * (uint64_t)i);

		if (!k || k->total_ns != (uint64_t)i || k->tgid != 100 + i % 3)
			bad++;
		if (locks__find(l, 100 + (i + 1) % 3, 0x1000 + 8 * (uint64_t)i))
			bad++; /* another process's word at that address does not exist */
	}
	CHECK_EQ_INT(bad, 0);
	locks__free(l);
	locks__free(NULL);
}

TEST(wait_stats_summed_over_threads)
{
	struct tt_locks *l = locks__new();
	struct tt_lock_stat s1, s2, s3, other;
	struct tt_lock_key k1 = lkey(TGID, 101, 0xa000), k2 = lkey(TGID, 102, 0xa000);
	struct tt_lock_key k3 = lkey(TGID, 103, 0xa000), ko = lkey(TGID + 1, 101, 0xa000);
	struct tt_lock *k;

	memset(&s1, 0, sizeof(s1));
	s1.waits = 3;
	s1.total_ns = 300;
	s1.max_ns = 150;
	s1.timeouts = 1;
	s1.interrupted = 0;
	s1.woken = 2;
	s1.kinds = KIND(TT_LOCK_MUTEX);
	s1.hist[5] = 2;
	s1.hist[7] = 1;

	memset(&s2, 0, sizeof(s2));
	s2.waits = 5;
	s2.total_ns = 1000;
	s2.max_ns = 400;
	s2.timeouts = 0;
	s2.interrupted = 2;
	s2.woken = 3;
	s2.kinds = KIND(TT_LOCK_COND);
	s2.hist[7] = 4;
	s2.hist[TT_LOG2_SLOTS - 1] = 1;

	CHECK_EQ_INT(locks__add_wait_stat(l, &k1, &s1), 0);
	CHECK_EQ_INT(locks__add_wait_stat(l, &k2, &s2), 0);
	CHECK_EQ_U64(l->n, 1);
	k = locks__find(l, TGID, 0xa000);
	CHECK(k != NULL);
	if (!k) {
		locks__free(l);
		return;
	}
	CHECK_EQ_U64(k->waits, 8);
	CHECK_EQ_U64(k->total_ns, 1300);
	CHECK_EQ_U64(k->max_ns, 400);
	CHECK_EQ_U64(k->timeouts, 1);
	CHECK_EQ_U64(k->interrupted, 2);
	CHECK_EQ_U64(k->woken, 5);
	CHECK_EQ_INT(k->kinds, KIND(TT_LOCK_MUTEX) | KIND(TT_LOCK_COND));
	CHECK_EQ_U64(k->hist[5], 2);
	CHECK_EQ_U64(k->hist[7], 5);
	CHECK_EQ_U64(k->hist[TT_LOG2_SLOTS - 1], 1);
	CHECK_EQ_U64(k->hist[0], 0);
	CHECK_EQ_U64(k->hist[6], 0);
	CHECK_EQ_INT(k->threads, 2);

	/* an entry with no blocking wait (nothing counted yet) adds no thread */
	memset(&s3, 0, sizeof(s3));
	s3.kinds = KIND(TT_LOCK_MUTEX);
	CHECK_EQ_INT(locks__add_wait_stat(l, &k3, &s3), 0);
	k = locks__find(l, TGID, 0xa000);
	CHECK(k != NULL);
	if (k) {
		CHECK_EQ_INT(k->threads, 2);
		CHECK_EQ_U64(k->waits, 8);
		CHECK_EQ_U64(k->total_ns, 1300);
		CHECK_EQ_U64(k->max_ns, 400);
		CHECK_EQ_U64(k->woken, 5);
	}

	/* a smaller max does not lower it */
	memset(&other, 0, sizeof(other));
	other.waits = 1;
	other.total_ns = 10;
	other.max_ns = 10;
	other.kinds = KIND(TT_LOCK_MUTEX);
	CHECK_EQ_INT(locks__add_wait_stat(l, &(struct tt_lock_key){ .addr = 0xa000, .tid = 104, .tgid = TGID },
					  &other), 0);
	k = locks__find(l, TGID, 0xa000);
	if (k) {
		CHECK_EQ_U64(k->max_ns, 400);
		CHECK_EQ_U64(k->waits, 9);
		CHECK_EQ_U64(k->total_ns, 1310);
		CHECK_EQ_INT(k->threads, 3);
	}

	/* the same address in another process is another lock */
	CHECK_EQ_INT(locks__add_wait_stat(l, &ko, &other), 0);
	CHECK_EQ_U64(l->n, 2);
	k = locks__find(l, TGID + 1, 0xa000);
	CHECK(k != NULL);
	if (k) {
		CHECK_EQ_U64(k->waits, 1);
		CHECK_EQ_U64(k->total_ns, 10);
		CHECK_EQ_INT(k->threads, 1);
	}
	locks__free(l);
}

TEST(hold_stat_copied)
{
	struct tt_locks *l = locks__new();
	struct tt_addr_key key = akey(TGID, 0xb000);
	struct tt_hold_stat h;
	struct tt_lock *k;

	memset(&h, 0, sizeof(h));
	h.count = 7;
	h.total_ns = 7000;
	h.max_ns = 3000;
	h.hist[20] = 4;
	h.hist[TT_HOLD_SLOTS - 1] = 3;
	CHECK_EQ_INT(locks__add_hold_stat(l, &key, &h), 0);
	k = locks__find(l, TGID, 0xb000);
	CHECK(k != NULL);
	if (k) {
		CHECK_EQ_U64(k->hold.count, 7);
		CHECK_EQ_U64(k->hold.total_ns, 7000);
		CHECK_EQ_U64(k->hold.max_ns, 3000);
		CHECK_EQ_U64(k->hold.hist[20], 4);
		CHECK_EQ_U64(k->hold.hist[TT_HOLD_SLOTS - 1], 3);
		CHECK_EQ_U64(k->hold.hist[21], 0);
		CHECK(memcmp(&k->hold, &h, sizeof(h)) == 0);
		/* no waits came with it */
		CHECK_EQ_U64(k->waits, 0);
		CHECK_EQ_INT(k->threads, 0);
	}
	CHECK(locks__find(l, TGID + 1, 0xb000) == NULL);
	locks__free(l);
}

/* tt_log2 (the kernel side's too) is floor(log2(v)) for every v: at and around each power of two. */
TEST(log2_is_floor_log2)
{
	CHECK_EQ_INT(tt_log2(0), 0);
	CHECK_EQ_INT(tt_log2(1), 0);
	for (int k = 1; k < 64; k++) {
		uint64_t p = 1ULL << k;

		CHECK_EQ_INT(tt_log2(p), k);
		CHECK_EQ_INT(tt_log2(p - 1), k - 1);
		CHECK_EQ_INT(tt_log2(p + 1), k == 0 ? 1 : k);
		CHECK_EQ_INT(tt_log2(p | (p - 1)), k);
	}
	CHECK_EQ_INT(tt_log2(UINT64_MAX), 63);
}

/* Lock callers skip the runtime's frames: libc, ld.so, libstdc++, CPython, C++ and Rust std. */
TEST(lock_callers_skip_runtime_frames)
{
	CHECK(lockcallers__is_runtime("/usr/lib/x86_64-linux-gnu/libc.so.6", "__GI___lll_lock_wait"));
	CHECK(lockcallers__is_runtime("/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", "x"));
	CHECK(lockcallers__is_runtime("/usr/bin/python3.11", "PyThread_acquire_lock_timed"));
	CHECK(lockcallers__is_runtime("/build/rust_bank", "std::sys::unix::locks::futex::Mutex::lock_contended"));
	CHECK(lockcallers__is_runtime("/build/rust_bank", "<std::sys::sync::condvar::futex::Condvar>::wait"));
	CHECK(lockcallers__is_runtime("/build/cxx_bank", "_ZNSt6thread4joinEv"));
	CHECK(!lockcallers__is_runtime("/build/rust_bank", "rust_bank::deposit"));
	CHECK(!lockcallers__is_runtime("/build/cxx_bank", "Account::deposit"));
	CHECK(!lockcallers__is_runtime("/usr/lib/x86_64-linux-gnu/liblzma.so.5.4.1", ""));
	CHECK(!lockcallers__is_runtime("/build/nofp_bank", "deposit.constprop.0"));
}

TEST(hold_slot_low_known_values)
{
	CHECK_EQ_U64(tt_hold_slot_low(0), 0);
	CHECK_EQ_U64(tt_hold_slot_low(1), 1);
	CHECK_EQ_U64(tt_hold_slot_low(3), 3);
	CHECK_EQ_U64(tt_hold_slot_low(8), 4);
	CHECK_EQ_U64(tt_hold_slot_low(9), 5);
	CHECK_EQ_U64(tt_hold_slot_low(11), 7);
	CHECK_EQ_U64(tt_hold_slot_low(12), 8);
	CHECK_EQ_U64(tt_hold_slot_low(13), 10);
	CHECK_EQ_U64(tt_hold_slot_low(20), 32);
	CHECK_EQ_U64(tt_hold_slot_low(21), 40);
	CHECK_EQ_U64(tt_hold_slot_low(40), 1024);
	CHECK_EQ_U64(tt_hold_slot_low(41), 1280);
	CHECK_EQ_U64(tt_hold_slot_low(159), (1ull << 39) + (3ull << 37));
	/* slot lower bounds never go down */
	for (unsigned i = 1; i < TT_HOLD_SLOTS; i++)
		if (tt_hold_slot_low(i) < tt_hold_slot_low(i - 1))
			check_fail(__FILE__, __LINE__, "tt_hold_slot_low(%u) = %llu < tt_hold_slot_low(%u) = %llu", i,
				   (unsigned long long)tt_hold_slot_low(i), i - 1,
				   (unsigned long long)tt_hold_slot_low(i - 1));
}

static int check_slot_inverse(uint64_t v)
{
	unsigned s = tt_hold_slot(v);
	uint64_t lo = tt_hold_slot_low(s), hi = tt_hold_slot_low(s + 1);

	if (lo <= v && v < hi)
		return 0;
	printf("    v %llu: slot %u, low %llu, next low %llu\n", (unsigned long long)v, s,
	       (unsigned long long)lo, (unsigned long long)hi);
	return 1;
}

TEST(hold_slot_low_inverts_slot)
{
	int bad = 0, n = 0;

	for (uint64_t v = 0; v < 4; v++, n++)
		bad += check_slot_inverse(v);
	for (uint64_t v = 4; v <= 100000; v += 37, n++)
		bad += check_slot_inverse(v);
	for (unsigned e = 2; e <= 38; e++) {
		uint64_t p = 1ull << e;

		bad += check_slot_inverse(p);
		bad += check_slot_inverse(p - 1);
		bad += check_slot_inverse(p + 1);
		bad += check_slot_inverse(p + (p >> 2));     /* a quarter boundary */
		bad += check_slot_inverse(p + (p >> 2) - 1);
		bad += check_slot_inverse(p + 3 * (p >> 2)); /* last quarter */
		bad += check_slot_inverse(2 * p - 1);
		n += 7;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(n, 4 + 2703 + 37 * 7);
	/* the formula maps known values to known slots */
	CHECK_EQ_INT(tt_hold_slot(4), 8);
	CHECK_EQ_INT(tt_hold_slot(36), 20);
	CHECK_EQ_INT(tt_hold_slot(1024), 40);
	CHECK_EQ_INT(tt_hold_slot(1ull << 38), 152);
}

/* The kernel's slot rule and the lower bounds user space reads are one pair (bpf/threadtrace.h). */
TEST(hold_slot_round_trip)
{
	int bad = 0;

	/* every used slot's lower bound falls in that slot, one below it in the slot before */
	for (unsigned i = 0; i < TT_HOLD_SLOTS; i++) {
		if (i >= 4 && i < 8)
			continue; /* 4..7 hold nothing: 4 ns is slot 8 */
		if (tt_hold_slot(tt_hold_slot_low(i)) != i) {
			printf("    slot %u: low %llu maps to slot %u\n", i, (unsigned long long)tt_hold_slot_low(i),
			       tt_hold_slot(tt_hold_slot_low(i)));
			bad++;
		}
		if (i > 0 && i != 8 && tt_hold_slot(tt_hold_slot_low(i) - 1) != i - 1) {
			printf("    slot %u: low - 1 maps to slot %u\n", i, tt_hold_slot(tt_hold_slot_low(i) - 1));
			bad++;
		}
	}
	CHECK_EQ_INT(bad, 0);
	/* the empty slots 4..7 start where slot 8 does */
	for (unsigned i = 4; i < 8; i++)
		CHECK_EQ_U64(tt_hold_slot_low(i), 4);
	CHECK_EQ_INT(tt_hold_slot(3), 3);
	CHECK_EQ_INT(tt_hold_slot(4), 8);
	CHECK_EQ_INT(tt_hold_slot(5), 9);
	CHECK_EQ_INT(tt_hold_slot(7), 11);
	CHECK_EQ_INT(tt_hold_slot(8), 12);
	CHECK_EQ_INT(tt_hold_slot(9), 12);
	CHECK_EQ_INT(tt_hold_slot(10), 13);
	/* 2^k starts slot 4k, 2^k - 1 ends slot 4k - 1 */
	for (unsigned k = 2; k < TT_HOLD_SLOTS / 4; k++) {
		CHECK_EQ_INT(tt_hold_slot(1ull << k), 4 * k);
		CHECK_EQ_INT(tt_hold_slot((1ull << k) - 1), k == 2 ? 3 : 4 * k - 1);
	}
	/* the slot never goes down as the time grows */
	for (uint64_t v = 1, prev = 0; v < (1ull << 42); v += v / 3 + 1) {
		CHECK(tt_hold_slot(v) >= tt_hold_slot(prev));
		prev = v;
	}
	/* the top slot takes everything from its lower bound up */
	CHECK_EQ_INT(tt_hold_slot(tt_hold_slot_low(TT_HOLD_SLOTS - 1)), TT_HOLD_SLOTS - 1);
	CHECK_EQ_INT(tt_hold_slot(1ull << 40), TT_HOLD_SLOTS - 1);
	CHECK_EQ_INT(tt_hold_slot(UINT64_MAX), TT_HOLD_SLOTS - 1);
	CHECK_EQ_U64(tt_hold_slot_low(TT_HOLD_SLOTS), 1ull << 40);
}

static struct tt_hold_stat three_slot_holds(void)
{
	struct tt_hold_stat h;

	memset(&h, 0, sizeof(h));
	h.hist[20] = 50; /* [32, 40) */
	h.hist[40] = 40; /* [1024, 1280) */
	h.hist[60] = 10; /* [32768, 40960) */
	h.count = 100;
	return h;
}

#define CHECK_IN_SLOT(v, slot)                                                                \
	do {                                                                                  \
		uint64_t v_ = (v);                                                            \
		CHECK_EQ_INT(tt_hold_slot(v_), (slot));                                       \
		if (!(tt_hold_slot_low(slot) <= v_ && v_ < tt_hold_slot_low((slot) + 1)))     \
			check_fail(__FILE__, __LINE__, "%s = %llu not in slot %d [%llu, %llu)", #v, \
				   (unsigned long long)v_, (slot),                            \
				   (unsigned long long)tt_hold_slot_low(slot),                \
				   (unsigned long long)tt_hold_slot_low((slot) + 1));         \
	} while (0)

TEST(hold_percentile_lands_in_slot)
{
	struct tt_hold_stat h = three_slot_holds();

	CHECK_IN_SLOT(hold__percentile(&h, 50), 20);
	CHECK_IN_SLOT(hold__percentile(&h, 90), 40);
	CHECK_IN_SLOT(hold__percentile(&h, 99), 60);
	/* the edges between slots: 50 of 100 still in the first, 51 in the second */
	CHECK_IN_SLOT(hold__percentile(&h, 0), 20);
	CHECK_IN_SLOT(hold__percentile(&h, 51), 40);
	CHECK_IN_SLOT(hold__percentile(&h, 91), 60);
	CHECK_IN_SLOT(hold__percentile(&h, 100), 60);
	/* concrete bounds */
	CHECK(hold__percentile(&h, 50) >= 32 && hold__percentile(&h, 50) < 40);
	CHECK(hold__percentile(&h, 90) >= 1024 && hold__percentile(&h, 90) < 1280);
	CHECK(hold__percentile(&h, 99) >= 32768 && hold__percentile(&h, 99) < 40960);

	/* all holds in one tiny exact slot */
	memset(&h, 0, sizeof(h));
	h.hist[3] = 5;
	CHECK_EQ_U64(hold__percentile(&h, 50), 3);
	CHECK_EQ_U64(hold__percentile(&h, 99), 3);
	h.hist[3] = 0;
	h.hist[0] = 1;
	CHECK_EQ_U64(hold__percentile(&h, 99), 0);

	/* a single hold in the last slot */
	memset(&h, 0, sizeof(h));
	h.hist[TT_HOLD_SLOTS - 1] = 1;
	CHECK(hold__percentile(&h, 50) >= tt_hold_slot_low(TT_HOLD_SLOTS - 1));
}

TEST(hold_percentile_without_holds_is_zero)
{
	struct tt_hold_stat h;

	memset(&h, 0, sizeof(h));
	CHECK_EQ_U64(hold__percentile(&h, 50), 0);
	CHECK_EQ_U64(hold__percentile(&h, 99), 0);
	h.max_ns = 12345; /* a max but no histogram: still no holds */
	CHECK_EQ_U64(hold__percentile(&h, 50), 0);
	CHECK_EQ_U64(hold__percentile(&h, 100), 0);
}

TEST(hold_percentile_never_above_max)
{
	struct tt_hold_stat h = three_slot_holds();
	int bad = 0;

	h.max_ns = 35000; /* inside slot 60, below its middle */
	CHECK_EQ_U64(hold__percentile(&h, 99), 35000);
	CHECK_EQ_U64(hold__percentile(&h, 100), 35000);
	CHECK_IN_SLOT(hold__percentile(&h, 50), 20);
	CHECK_IN_SLOT(hold__percentile(&h, 90), 40);
	for (int p = 0; p <= 100; p++)
		if (hold__percentile(&h, p) > h.max_ns)
			bad++;
	CHECK_EQ_INT(bad, 0);

	h.max_ns = 32768; /* the lowest value of slot 60 */
	CHECK_EQ_U64(hold__percentile(&h, 99), 32768);

	h.max_ns = 33;    /* below the middle of slot 20 too */
	CHECK_EQ_U64(hold__percentile(&h, 50), 33);
	CHECK_EQ_U64(hold__percentile(&h, 99), 33);

	/* max_ns == 0: not set, no cap */
	h.max_ns = 0;
	CHECK_IN_SLOT(hold__percentile(&h, 99), 60);
}

static struct tt_pair_key pkey(uint64_t addr, pid_t a, pid_t b)
{
	struct tt_pair_key k;

	memset(&k, 0, sizeof(k));
	k.addr = addr;
	k.a = (__u32)a;
	k.b = (__u32)b;
	return k;
}

TEST(wake_pairs_count_handoffs)
{
	struct tt_locks *l = locks__new();
	struct tt_pair_key k12 = pkey(0xc000, 101, 102), k33 = pkey(0xc000, 103, 103), k21 = pkey(0xc000, 102, 101);
	struct tt_pair_val v10 = { .count = 10, .total_ns = 100 }, v7 = { .count = 7, .total_ns = 70 };
	struct tt_pair_val v5 = { .count = 5, .total_ns = 50 };
	struct tt_lock *k;

	CHECK_EQ_INT(locks__add_wake_pair(l, TGID, &k12, &v10), 0);
	CHECK_EQ_INT(locks__add_wake_pair(l, TGID, &k33, &v7), 0); /* woke itself: no hand-off */
	CHECK_EQ_INT(locks__add_wake_pair(l, TGID, &k21, &v5), 0);
	k = locks__find(l, TGID, 0xc000);
	CHECK(k != NULL);
	if (k) {
		CHECK_EQ_U64(k->handoffs, 15);
		CHECK_EQ_U64(k->blocked_by_known, 0);
	}
	CHECK_EQ_U64(l->nwakes, 3);
	CHECK_EQ_U64(l->nowners, 0);
	if (l->nwakes == 3) {
		CHECK_EQ_INT(l->wakes[0].tgid, TGID);
		CHECK_EQ_U64(l->wakes[0].addr, 0xc000);
		CHECK_EQ_INT(l->wakes[0].a, 101);
		CHECK_EQ_INT(l->wakes[0].b, 102);
		CHECK_EQ_U64(l->wakes[0].count, 10);
		CHECK_EQ_U64(l->wakes[0].total_ns, 100);
		CHECK_EQ_INT(l->wakes[1].a, 103);
		CHECK_EQ_INT(l->wakes[1].b, 103);
		CHECK_EQ_U64(l->wakes[1].count, 7);
	}
	/* a pair in another process goes to its own lock */
	CHECK_EQ_INT(locks__add_wake_pair(l, TGID + 1, &k12, &v7), 0);
	CHECK_EQ_U64(l->n, 2);
	k = locks__find(l, TGID + 1, 0xc000);
	CHECK(k && k->handoffs == 7);
	k = locks__find(l, TGID, 0xc000);
	CHECK(k && k->handoffs == 15);
	locks__free(l);
}

TEST(owner_pairs_count_blocked_by_known)
{
	struct tt_locks *l = locks__new();
	struct tt_pair_key ka = pkey(0xd000, 101, 102), kb = pkey(0xd000, 103, 102);
	struct tt_pair_val v4 = { .count = 4, .total_ns = 400 }, v6 = { .count = 6, .total_ns = 600 };
	struct tt_lock *k;

	CHECK_EQ_INT(locks__add_owner_pair(l, TGID, &ka, &v4), 0);
	CHECK_EQ_INT(locks__add_owner_pair(l, TGID, &kb, &v6), 0);
	k = locks__find(l, TGID, 0xd000);
	CHECK(k != NULL);
	if (k) {
		CHECK_EQ_U64(k->blocked_by_known, 10);
		CHECK_EQ_U64(k->handoffs, 0);
	}
	CHECK_EQ_U64(l->nowners, 2);
	CHECK_EQ_U64(l->nwakes, 0);
	if (l->nowners == 2) {
		CHECK_EQ_INT(l->owners[1].tgid, TGID);
		CHECK_EQ_U64(l->owners[1].addr, 0xd000);
		CHECK_EQ_INT(l->owners[1].a, 103);
		CHECK_EQ_INT(l->owners[1].b, 102);
		CHECK_EQ_U64(l->owners[1].count, 6);
		CHECK_EQ_U64(l->owners[1].total_ns, 600);
	}
	locks__free(l);
}

TEST(many_pairs_kept)
{
	enum { N = 300 };
	struct tt_locks *l = locks__new();
	uint64_t sum = 0;
	int bad = 0;

	for (int i = 0; i < N; i++) {
		struct tt_pair_key k = pkey(0xe000 + 8 * (uint64_t)(i % 5), 1000 + i, 2000 + i);
		struct tt_pair_val v = { .count = (uint64_t)i + 1, .total_ns = 0 };

		if (locks__add_wake_pair(l, TGID, &k, &v) || locks__add_owner_pair(l, TGID, &k, &v))
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_U64(l->nwakes, N);
	CHECK_EQ_U64(l->nowners, N);
	CHECK_EQ_U64(l->n, 5);
	for (size_t i = 0; i < l->n; i++) {
		sum += l->v[i].handoffs;
		if (l->v[i].handoffs != l->v[i].blocked_by_known)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_U64(sum, (uint64_t)N * (N + 1) / 2);
	for (int i = 0; i < N; i++)
		if (l->wakes[i].a != 1000 + i || l->wakes[i].count != (uint64_t)i + 1 ||
		    l->owners[i].b != 2000 + i)
			bad++;
	CHECK_EQ_INT(bad, 0);
	locks__free(l);
}

TEST(sort_locks_and_pairs)
{
	static const struct { uint64_t addr, total; } in[] = {
		{ 0x30, 100 }, { 0x10, 500 }, { 0x20, 100 }, { 0x05, 0 }, { 0x40, 500 }, { 0x08, 700 },
	};
	static const uint64_t want_addr[] = { 0x08, 0x10, 0x40, 0x20, 0x30, 0x05 };
	static const struct { pid_t a, b; uint64_t count; } pairs[] = {
		{ 5, 6, 1 }, { 7, 1, 9 }, { 2, 3, 5 }, { 3, 9, 9 }, { 3, 4, 9 }, { 1, 1, 2 },
	};
	static const struct { pid_t a, b; uint64_t count; } want_pairs[] = {
		{ 3, 4, 9 }, { 3, 9, 9 }, { 7, 1, 9 }, { 2, 3, 5 }, { 1, 1, 2 }, { 5, 6, 1 },
	};
	struct tt_locks *l = locks__new();

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct tt_lock *k = get(l, TGID, in[i].addr);

		if (k) {
			k->total_ns = in[i].total;
			snprintf(k->name, sizeof(k->name), "lock%llx", (unsigned long long)in[i].addr);
		}
	}
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct tt_pair_key k = pkey(0x10, pairs[i].a, pairs[i].b);
		struct tt_pair_val v = { .count = pairs[i].count, .total_ns = 0 };

		CHECK_EQ_INT(locks__add_wake_pair(l, TGID, &k, &v), 0);
		/* owners in the reverse order: the result is the same */
		k = pkey(0x10, pairs[5 - i].a, pairs[5 - i].b);
		v.count = pairs[5 - i].count;
		CHECK_EQ_INT(locks__add_owner_pair(l, TGID, &k, &v), 0);
	}
	locks__sort(l);
	CHECK_EQ_U64(l->n, 6);
	for (size_t i = 0; i < 6 && i < l->n; i++) {
		char name[32];

		CHECK_EQ_U64(l->v[i].addr, want_addr[i]);
		snprintf(name, sizeof(name), "lock%llx", (unsigned long long)want_addr[i]);
		CHECK_STR(l->v[i].name, name); /* the names move with their locks */
	}
	CHECK_EQ_U64(l->nwakes, 6);
	CHECK_EQ_U64(l->nowners, 6);
	for (size_t i = 0; i < 6; i++) {
		CHECK_EQ_INT(l->wakes[i].a, want_pairs[i].a);
		CHECK_EQ_INT(l->wakes[i].b, want_pairs[i].b);
		CHECK_EQ_U64(l->wakes[i].count, want_pairs[i].count);
		CHECK_EQ_INT(l->owners[i].a, want_pairs[i].a);
		CHECK_EQ_INT(l->owners[i].b, want_pairs[i].b);
		CHECK_EQ_U64(l->owners[i].count, want_pairs[i].count);
	}
	/* lookups still work after the sort */
	CHECK(locks__find(l, TGID, 0x40) == &l->v[2]);
	locks__free(l);

	/* sorting an empty table is fine */
	l = locks__new();
	locks__sort(l);
	CHECK_EQ_U64(l->n, 0);
	locks__free(l);
}

TEST(kind_name_priorities)
{
	static const struct {
		uint32_t kinds;
		bool is_join;
		const char *name;
	} cases[] = {
		{ KIND(TT_LOCK_PI) | KIND(TT_LOCK_MUTEX) | KIND(TT_LOCK_COND) | KIND(TT_LOCK_SEM), true, "pi-lock" },
		{ KIND(TT_LOCK_PI), false, "pi-lock" },
		{ KIND(TT_LOCK_MUTEX) | KIND(TT_LOCK_COND) | KIND(TT_LOCK_SEM), true, "mutex" },
		{ KIND(TT_LOCK_MUTEX), false, "mutex" },
		{ KIND(TT_LOCK_COND) | KIND(TT_LOCK_SEM) | KIND(TT_LOCK_FUTEX), true, "join" },
		{ 0, true, "join" },
		{ KIND(TT_LOCK_COND) | KIND(TT_LOCK_SEM), false, "condvar" },
		{ KIND(TT_LOCK_SEM) | KIND(TT_LOCK_FUTEX), false, "semaphore" },
		{ KIND(TT_LOCK_FUTEX), false, "futex" },
		{ 0, false, "futex" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tt_lock k;

		memset(&k, 0, sizeof(k));
		k.kinds = cases[i].kinds;
		k.is_join = cases[i].is_join;
		if (strcmp(lock__kind_name(&k), cases[i].name))
			printf("    case %zu: kinds 0x%x join %d\n", i, cases[i].kinds, cases[i].is_join);
		CHECK_STR(lock__kind_name(&k), cases[i].name);
	}
}

TEST(lock_role_by_kind)
{
	static const struct {
		uint32_t kinds;
		bool is_gil, is_join;
		enum tt_lock_role role;
	} cases[] = {
		{ KIND(TT_LOCK_COND), true, false, TT_ROLE_CONTENTION },  /* the GIL's condition */
		{ KIND(TT_LOCK_SEM), true, false, TT_ROLE_CONTENTION },
		{ 0, true, false, TT_ROLE_CONTENTION },
		{ KIND(TT_LOCK_MUTEX), false, true, TT_ROLE_IDLE },       /* a join, whatever its bits */
		{ KIND(TT_LOCK_PI), false, true, TT_ROLE_IDLE },
		{ KIND(TT_LOCK_MUTEX), false, false, TT_ROLE_CONTENTION },
		{ KIND(TT_LOCK_PI), false, false, TT_ROLE_CONTENTION },
		{ KIND(TT_LOCK_MUTEX) | KIND(TT_LOCK_COND), false, false, TT_ROLE_CONTENTION },
		{ KIND(TT_LOCK_COND), false, false, TT_ROLE_IDLE },
		{ KIND(TT_LOCK_SEM), false, false, TT_ROLE_IDLE },
		{ KIND(TT_LOCK_FUTEX), false, false, TT_ROLE_IDLE },
		{ KIND(TT_LOCK_COND) | KIND(TT_LOCK_SEM) | KIND(TT_LOCK_FUTEX), false, false, TT_ROLE_IDLE },
		{ 0, false, false, TT_ROLE_IDLE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tt_lock k;

		memset(&k, 0, sizeof(k));
		k.kinds = cases[i].kinds;
		k.is_gil = cases[i].is_gil;
		k.is_join = cases[i].is_join;
		if (lock__role(&k) != cases[i].role)
			printf("    case %zu: kinds 0x%x gil %d join %d\n", i, cases[i].kinds, cases[i].is_gil,
			       cases[i].is_join);
		CHECK_EQ_INT(lock__role(&k), cases[i].role);
	}
}

TEST(reset_figures_keeps_names)
{
	struct tt_locks *l = locks__new();
	struct tt_lock_key key = lkey(TGID, 101, 0xf000);
	struct tt_addr_key hkey = akey(TGID, 0xf000);
	struct tt_pair_key pk = pkey(0xf000, 101, 102);
	struct tt_pair_val pv = { .count = 3, .total_ns = 30 };
	struct tt_lock_stat s;
	struct tt_hold_stat h;
	struct tt_lock *k;
	bool created = true;

	k = get(l, TGID, 0xf000);
	if (k) {
		strcpy(k->name, "_PyRuntime+1234");
		strcpy(k->group, "GIL");
		k->is_gil = true;
		k->is_gil_cond = true;
	}
	k = get(l, TGID + 1, 0xf008);
	if (k) {
		strcpy(k->name, "[heap]");
		k->is_join = true;
	}
	memset(&s, 0, sizeof(s));
	s.waits = 4;
	s.total_ns = 4000;
	s.max_ns = 2000;
	s.timeouts = 1;
	s.interrupted = 1;
	s.woken = 2;
	s.kinds = KIND(TT_LOCK_COND);
	s.hist[11] = 4;
	memset(&h, 0, sizeof(h));
	h.count = 2;
	h.total_ns = 20;
	h.max_ns = 15;
	h.hist[9] = 2;
	CHECK_EQ_INT(locks__add_wait_stat(l, &key, &s), 0);
	CHECK_EQ_INT(locks__add_hold_stat(l, &hkey, &h), 0);
	CHECK_EQ_INT(locks__add_wake_pair(l, TGID, &pk, &pv), 0);
	CHECK_EQ_INT(locks__add_owner_pair(l, TGID, &pk, &pv), 0);

	locks__reset_figures(l);
	CHECK_EQ_U64(l->n, 2);
	CHECK_EQ_U64(l->nwakes, 0);
	CHECK_EQ_U64(l->nowners, 0);
	k = locks__find(l, TGID, 0xf000);
	CHECK(k != NULL);
	if (k) {
		static const uint64_t zero_hist[TT_LOG2_SLOTS];
		static const struct tt_hold_stat zero_hold;

		CHECK_STR(k->name, "_PyRuntime+1234");
		CHECK_STR(k->group, "GIL");
		CHECK(k->is_gil);
		CHECK(k->is_gil_cond);
		CHECK_EQ_INT(k->tgid, TGID);
		CHECK_EQ_U64(k->addr, 0xf000);
		CHECK_EQ_INT(k->kinds, 0);
		CHECK_EQ_U64(k->waits, 0);
		CHECK_EQ_U64(k->total_ns, 0);
		CHECK_EQ_U64(k->max_ns, 0);
		CHECK_EQ_U64(k->timeouts, 0);
		CHECK_EQ_U64(k->interrupted, 0);
		CHECK_EQ_U64(k->woken, 0);
		CHECK_EQ_U64(k->handoffs, 0);
		CHECK_EQ_U64(k->blocked_by_known, 0);
		CHECK_EQ_INT(k->threads, 0);
		CHECK(memcmp(k->hist, zero_hist, sizeof(zero_hist)) == 0);
		CHECK(memcmp(&k->hold, &zero_hold, sizeof(zero_hold)) == 0);
	}
	k = locks__find(l, TGID + 1, 0xf008);
	CHECK(k && k->is_join);
	if (k)
		CHECK_STR(k->name, "[heap]");

	/* the same lock again, not a new one: and fresh figures */
	k = locks__get(l, TGID, 0xf000, &created);
	CHECK(!created);
	CHECK_EQ_INT(locks__add_wait_stat(l, &key, &s), 0);
	k = locks__find(l, TGID, 0xf000);
	if (k) {
		CHECK_EQ_U64(k->waits, 4);
		CHECK_EQ_U64(k->total_ns, 4000);
		CHECK_EQ_INT(k->threads, 1);
		CHECK_EQ_U64(k->hist[11], 4);
	}
	CHECK_EQ_U64(l->n, 2);
	locks__free(l);
}

/* A wait (peer: waker, arg: owner) or hold event. */
static struct tt_event lock_ev(__u32 kind, uint64_t ts, __u32 tid, __u32 peer, __u64 addr, __u64 dur, __s32 ret,
			       __u64 arg)
{
	struct tt_event e;

	memset(&e, 0, sizeof(e));
	e.h.kind = kind;
	e.h.ts_ns = ts;
	e.h.tgid = TGID;
	e.h.tid = tid;
	if (kind == TT_EV_HOLD) {
		e.hold.addr = addr;
		e.hold.dur_ns = dur;
		return e;
	}
	e.wait.addr = addr;
	e.wait.dur_ns = dur;
	e.wait.waker = peer;
	e.wait.ret = ret;
	e.wait.owner = (__u32)arg;
	e.wait.kind = TT_LOCK_MUTEX;
	return e;
}

TEST(event_record_wait)
{
	static const struct { __s32 ret; const char *detail; } cases[] = {
		{ -110, "timeout" }, { -4, "interrupted" }, { 0, "woken" },
	};

	CHECK_EQ_INT(ETIMEDOUT, 110);
	CHECK_EQ_INT(EINTR, 4);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tt_event e = lock_ev(TT_EV_WAIT, T0 + 5000, 101, 102, 0x7f00aa, 777, cases[i].ret, 103);
		struct tt_record rec;

		memset(&rec, 0x5a, sizeof(rec));
		CHECK_EQ_INT(locks__event_record(&e, T0, "worker", &rec), 1);
		CHECK_EQ_INT(rec.kind, TT_REC_WAIT);
		CHECK_STR(rec.detail, cases[i].detail);
		CHECK_EQ_U64(rec.ts_ns, 5000);
		CHECK_EQ_INT(rec.tgid, TGID);
		CHECK_EQ_INT(rec.tid, 101);
		CHECK_EQ_INT(rec.peer_tid, 102);
		CHECK_EQ_INT(rec.blocked_by, 103);
		CHECK_EQ_U64(rec.addr, 0x7f00aa);
		CHECK(rec.has_dur);
		CHECK_EQ_U64(rec.dur_ns, 777);
		CHECK(!rec.has_status);
		CHECK_STR(rec.name, "worker");
	}
}

TEST(event_record_wait_edges)
{
	struct tt_event e = lock_ev(TT_EV_WAIT, T0 - 10, 101, 0, 0x10, 1, -11, 0);
	struct tt_record rec;

	/* before t0: clamped to 0; no name; unknown waker and owner */
	CHECK_EQ_INT(locks__event_record(&e, T0, NULL, &rec), 1);
	CHECK_EQ_U64(rec.ts_ns, 0);
	CHECK_STR(rec.name, "");
	CHECK_EQ_INT(rec.peer_tid, 0);
	CHECK_EQ_INT(rec.blocked_by, 0);
	/* a long name is cut to the record's size */
	e.h.ts_ns = T0 + 123456789012ull;
	CHECK_EQ_INT(locks__event_record(&e, T0, "a-name-longer-than-sixteen", &rec), 1);
	CHECK_EQ_U64(rec.ts_ns, 123456789012ull);
	CHECK_EQ_INT(strlen(rec.name), TT_NAME_LEN - 1);
	CHECK(strncmp(rec.name, "a-name-longer-than-sixteen", TT_NAME_LEN - 1) == 0);
}

TEST(event_record_hold_and_others)
{
	struct tt_event e = lock_ev(TT_EV_HOLD, T0 + 42, 105, 0, 0xbeef, 9000, 0, 0);
	struct tt_record rec;

	memset(&rec, 0x5a, sizeof(rec));
	CHECK_EQ_INT(locks__event_record(&e, T0, "holder", &rec), 1);
	CHECK_EQ_INT(rec.kind, TT_REC_HOLD);
	CHECK_EQ_U64(rec.ts_ns, 42);
	CHECK_EQ_INT(rec.tid, 105);
	CHECK_EQ_INT(rec.tgid, TGID);
	CHECK_EQ_U64(rec.addr, 0xbeef);
	CHECK(rec.has_dur);
	CHECK_EQ_U64(rec.dur_ns, 9000);
	CHECK_STR(rec.name, "holder");

	static const __u32 not_lock[] = { TT_EV_START, TT_EV_EXIT, TT_EV_RENAME, TT_EV_EXEC, TT_EV_JOIN,
					   TT_EV_JOIN_GUESS, TT_EV_FORK, 0, TT_EV_KIND_MAX };
	for (size_t i = 0; i < sizeof(not_lock) / sizeof(not_lock[0]); i++) {
		e.h.kind = not_lock[i];
		if (locks__event_record(&e, T0, "x", &rec) != 0)
			printf("    kind %u\n", not_lock[i]);
		CHECK_EQ_INT(locks__event_record(&e, T0, "x", &rec), 0);
	}
}

/* A spinning lock's slow paths: the spin is wait time, an acquisition without sleep a hand-off. */
TEST(spin_stats_count_as_waiting)
{
	struct tt_locks *l = locks__new();
	struct tt_lock_stat w;
	struct tt_lock_key kw = lkey(TGID, 101, 0xb000);
	struct tt_spin_key s1 = { .addr = 0xb000, .tgid = TGID, .tid = 101 };
	struct tt_spin_key s2 = { .addr = 0xb000, .tgid = TGID, .tid = 102 };
	struct tt_spin_key s3 = { .addr = 0xc000, .tgid = TGID, .tid = 101 };
	struct tt_spin_stat a = { .acquires = 10, .spun_only = 8, .spin_ns = 700, .slow_ns = 2000 };
	struct tt_spin_stat b = { .acquires = 5, .spun_only = 5, .spin_ns = 300, .slow_ns = 300 };
	struct tt_lock *k;

	memset(&w, 0, sizeof(w));
	w.waits = 2;
	w.total_ns = 1000;
	w.kinds = KIND(TT_LOCK_MUTEX);
	/* thread 101 blocked twice, and spun; 102 only spun; another lock was only ever spun on */
	CHECK_EQ_INT(locks__add_wait_stat(l, &kw, &w), 0);
	CHECK_EQ_INT(locks__add_spin_stat(l, &s1, &a), 0);
	CHECK_EQ_INT(locks__add_spin_stat(l, &s2, &b), 0);
	CHECK_EQ_INT(locks__add_spin_stat(l, &s3, &b), 0);
	k = locks__find(l, TGID, 0xb000);
	CHECK(k != NULL);
	if (k) {
		CHECK_EQ_U64(k->waits, 2);
		CHECK_EQ_U64(k->total_ns, 1000 + 700 + 300);
		CHECK_EQ_U64(k->spin_acquires, 15);
		CHECK_EQ_U64(k->spun_only, 13);
		CHECK_EQ_U64(k->spin_ns, 1000);
		CHECK_EQ_U64(k->slow_ns, 2300);
		CHECK_EQ_U64(k->handoffs, 13);
		CHECK_EQ_INT((int)k->threads, 2);
		CHECK(lock__seen(k) && lock__role(k) == TT_ROLE_CONTENTION);
	}
	k = locks__find(l, TGID, 0xc000);
	CHECK(k != NULL);
	if (k) { /* no wait at all, still shown: a mutex, contended */
		CHECK_EQ_U64(k->waits, 0);
		CHECK(lock__seen(k) && lock__role(k) == TT_ROLE_CONTENTION);
		CHECK_STR(lock__kind_name(k), "mutex");
		CHECK_EQ_INT((int)k->threads, 1);
	}
	locks__reset_figures(l);
	k = locks__find(l, TGID, 0xb000);
	CHECK(k && !k->spin_acquires && !k->spin_ns && !k->spin_threads && !lock__seen(k));
	locks__free(l);
}

int main(void)
{
	RUN(get_creates_per_tgid_and_addr);
	RUN(get_many_locks_grows_table);
	RUN(wait_stats_summed_over_threads);
	RUN(hold_stat_copied);
	RUN(log2_is_floor_log2);
	RUN(lock_callers_skip_runtime_frames);
	RUN(hold_slot_low_known_values);
	RUN(hold_slot_low_inverts_slot);
	RUN(hold_slot_round_trip);
	RUN(hold_percentile_lands_in_slot);
	RUN(hold_percentile_without_holds_is_zero);
	RUN(hold_percentile_never_above_max);
	RUN(wake_pairs_count_handoffs);
	RUN(owner_pairs_count_blocked_by_known);
	RUN(many_pairs_kept);
	RUN(sort_locks_and_pairs);
	RUN(kind_name_priorities);
	RUN(lock_role_by_kind);
	RUN(reset_figures_keeps_names);
	RUN(event_record_wait);
	RUN(event_record_wait_edges);
	RUN(event_record_hold_and_others);
	RUN(spin_stats_count_as_waiting);
	return check_summary();
}
