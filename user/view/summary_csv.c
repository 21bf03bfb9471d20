/* --summary-csv DIR: the summary tables as CSV files (columns in docs/csv.md). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "view/view.h"

const char *const summary_csv__names[TT_SUMMARY_FILES] = { "locks.csv", "threads.csv", "parallelism.csv",
							     "deadlocks.csv", "sites.csv" };

static void write_locks(FILE *f, const struct tt_report *r)
{
	fputs("tgid,addr,symbol,kind,role,waits,timeouts,interrupted,total_wait_ns,max_wait_ns,threads,"
	      "handoffs,holds,hold_p50_ns,hold_p90_ns,hold_p99_ns,hold_max_ns,gil_like,hold_oncpu_ns,holds_bounded,"
	      "spin_acquires,spun_only,spin_ns,slow_ns\n", f);
	for (size_t i = 0; i < r->locks->n; i++) {
		const struct tt_lock *k = &r->locks->v[i];
		bool gil_like = r->verdict->gil_like && k->tgid == r->verdict->lock_tgid &&
				(k->addr == r->verdict->lock_addr || (k->is_gil && r->verdict->is_gil));

		if (!lock__seen(k))
			continue;
		fprintf(f, "%d,0x%" PRIx64 ",", (int)k->tgid, k->addr);
		csv__write_field(f, k->name);
		fprintf(f, ",%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			   ",%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%d,%" PRIu64 ",%" PRIu64
			   ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
			lock__kind_name(k), lock__role(k) == TT_ROLE_CONTENTION ? "contention" : "idle", k->waits,
			k->timeouts, k->interrupted, k->total_ns, k->max_ns, k->threads, k->handoffs,
			(uint64_t)k->hold.count, hold__percentile(&k->hold, 50), hold__percentile(&k->hold, 90),
			hold__percentile(&k->hold, 99), (uint64_t)k->hold.max_ns, gil_like, (uint64_t)k->hold.oncpu_ns,
			(uint64_t)k->hold.bounded, k->spin_acquires, k->spun_only, k->spin_ns, k->slow_ns);
	}
}

static void write_threads(FILE *f, const struct tt_report *r)
{
	fputs("tgid,tid,name,oncpu_ns,runq_ns,lock_ns,sleep_ns,exit,creator,start_ns,end_ns,joined_by,join_wait_ns,"
	      "futex_waits,futex_wait_ns,py_name,py_stack,join,spin_ns\n", f);
	for (size_t i = 0; i < r->threads->n; i++) {
		const struct tt_thread *th = &r->threads->v[i];

		fprintf(f, "%d,%d,", (int)th->tgid, (int)th->tid);
		csv__write_field(f, th->name);
		fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,", th->oncpu_ns, th->runq_ns,
			th->lock_ns, th->sleep_ns, th->ended ? thread__end_name(th->how) : "alive");
		if (th->creator)
			fprintf(f, "%d", (int)th->creator);
		fputc(',', f);
		if (th->start_known)
			fprintf(f, "%" PRIu64, th->start_ns);
		fputc(',', f);
		if (th->ended)
			fprintf(f, "%" PRIu64, th->end_ns);
		fputc(',', f);
		if (th->joined)
			fprintf(f, "%d,%" PRIu64, (int)th->joined_by, th->join_wait_ns);
		else
			fputc(',', f);
		fprintf(f, ",%" PRIu64 ",%" PRIu64 ",", th->waits, th->wait_ns);
		csv__write_field(f, th->py_name);
		fputc(',', f);
		csv__write_field(f, th->py_stack ? th->py_stack : "");
		fprintf(f, ",%s,%" PRIu64 "\n", thread__join_seen_name(threads__join_seen(r->threads, th)), th->spin_ns);
	}
}

static void write_parallelism(FILE *f, const struct tt_report *r)
{
	fputs("running,time_ns\n", f);
	for (unsigned i = 0; i <= parallelism__max(r->par); i++)
		fprintf(f, "%u,%" PRIu64 "\n", i, r->par->ns[i]);
}

/* The deadlocks found, a row per thread of each (a header alone: none). */
static void write_deadlocks(FILE *f, const struct tt_report *r)
{
	size_t n;
	const struct tt_deadlock_member *m = deadlocks__members(r->deadlocks, &n);

	fputs("deadlock,tgid,tid,owner,addr,lock,found_ns,blocked_ns,stack,py_stack\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%u,%d,%d,%d,0x%" PRIx64 ",", m[i].cycle, (int)m[i].tgid, (int)m[i].tid, (int)m[i].owner,
			m[i].addr);
		csv__write_field(f, m[i].lock);
		fprintf(f, ",%" PRIu64 ",%" PRIu64 ",", m[i].found_ns, m[i].blocked_ns);
		csv__write_field(f, m[i].stack ? m[i].stack : "");
		fputc(',', f);
		csv__write_field(f, m[i].py_stack ? m[i].py_stack : "");
		fputc('\n', f);
	}
}

/*
 * --stacks: every call site by the id `wait` rows carry, most waited first (only a header
 * without --stacks): its word, named as in locks.csv, and its frames as the text names them.
 */
static void write_sites(FILE *f, const struct tt_report *r)
{
	fputs("site,tgid,addr,lock,waits,total_wait_ns,frames\n", f);
	for (size_t i = 0; r->sites && i < r->sites->n; i++) {
		const struct tt_site_entry *e = &r->sites->v[i];
		const struct tt_lock *k = locks__find(r->locks, e->tgid, e->addr);

		fprintf(f, "0x%" PRIx64 ",%d,0x%" PRIx64 ",", e->id, (int)e->tgid, e->addr);
		csv__write_field(f, k ? k->name : "");
		fprintf(f, ",%" PRIu64 ",%" PRIu64 ",", e->waits, e->total_ns);
		csv__write_field(f, e->frames ? e->frames : "");
		fputc('\n', f);
	}
}

void summary_csv__write(FILE *const files[TT_SUMMARY_FILES], const struct tt_report *r)
{
	write_locks(files[TT_SUMMARY_LOCKS], r);
	write_threads(files[TT_SUMMARY_THREADS], r);
	write_parallelism(files[TT_SUMMARY_PARALLELISM], r);
	write_deadlocks(files[TT_SUMMARY_DEADLOCKS], r);
	write_sites(files[TT_SUMMARY_SITES], r);
}
