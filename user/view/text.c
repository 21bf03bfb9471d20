/* Text view: a live line per lifecycle record and a per-thread table at the end. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "model/drops.h"
#include "sanitize.h"
#include "view/view.h"

static void fmt_secs(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, ns / 1000000000, ns % 1000000000 / 1000);
}

/* CPython: a thread's Python frames on a line of their own under its record. */
static void text_py_stack(FILE *o, const char *py_stack)
{
	char stack[4 * 1024];

	sanitize__for_terminal(stack, sizeof(stack), py_stack);
	fprintf(o, "\n%12s python: %s", "", stack);
}

/* A thread's name for a person: its Python name when the interpreter gave one, else its comm. */
static void thread_name(char *buf, size_t len, const struct tt_thread *th)
{
	sanitize__quote_name(buf, len, th->py_name[0] ? th->py_name : th->name);
}

/* printf's width for name in a column of w characters: UTF-8 continuation bytes take no column. */
static int pad_for(const char *name, int w)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		w += (*p & 0xc0) == 0x80;
	return w;
}

/* The NAME column's width: 16 (a comm), wider for Python names, up to 40. */
static int name_width(const struct tt_threads *t)
{
	char name[4 * TT_PY_NAME_LEN];
	size_t w = 16, cols;

	for (size_t i = 0; i < t->n; i++) {
		if (!t->v[i].py_name[0])
			continue;
		thread_name(name, sizeof(name), &t->v[i]);
		cols = strlen(name) - (size_t)pad_for(name, 0);
		w = cols > w ? cols : w;
	}
	return w > 40 ? 40 : (int)w;
}

static void text_record(struct tt_view *v, const struct tt_record *r)
{
	char name[4 * TT_NAME_LEN], detail[4 * TT_DETAIL_LEN], ts[32], dur[32];

	/* a deadlock is news even without live lines */
	if (!v->live && r->kind != TT_REC_DEADLOCK)
		return;
	/* waits and holds come by the thousand: the summary has their figures */
	if (r->kind == TT_REC_WAIT || r->kind == TT_REC_HOLD)
		return;
	/* a thread's name is the target's: quoted when it could pass for columns (docs/security.md) */
	if (r->kind == TT_REC_TRACE)
		name[0] = '\0';
	else
		sanitize__quote_name(name, sizeof(name), r->name);
	sanitize__for_terminal(detail, sizeof(detail), r->detail);
	fmt_secs(ts, sizeof(ts), r->ts_ns);
	fprintf(v->out, "%12s %7d %-16s %-7s", ts, (int)r->tid, name, record__kind_name(r->kind));
	switch (r->kind) {
	case TT_REC_START:
		fprintf(v->out, " created by %d", (int)r->peer_tid);
		break;
	case TT_REC_FORK:
		fprintf(v->out, " new process %d, forked by %d", (int)r->tgid, (int)r->peer_tid);
		break;
	case TT_REC_RENAME:
		if (r->peer_tid)
			fprintf(v->out, " by %d", (int)r->peer_tid);
		break;
	case TT_REC_JOIN:
		fmt_secs(dur, sizeof(dur), r->dur_ns);
		if (r->peer_tid)
			fprintf(v->out, " joined %d after %ss (%s)", (int)r->peer_tid, dur, detail);
		else
			fprintf(v->out, " joined an unknown thread after %ss (%s)", dur, detail);
		break;
	case TT_REC_DEADLOCK:
		fprintf(v->out, " DEADLOCK: waits for a lock held by %d (%s)", (int)r->peer_tid, detail);
		if (r->stack) {
			char stack[4 * 1024];

			sanitize__for_terminal(stack, sizeof(stack), r->stack);
			fprintf(v->out, "\n%12s blocked at: %s", "", stack);
		}
		if (r->py_stack)
			text_py_stack(v->out, r->py_stack);
		break;
	case TT_REC_END:
		fprintf(v->out, " %s", detail);
		if (r->py_stack)
			text_py_stack(v->out, r->py_stack);
		break;
	case TT_REC_EXIT:
		fprintf(v->out, " %s", detail);
		if (r->signal && strcmp(r->detail, "daemon-killed"))
			fprintf(v->out, " (signal %d)", r->signal);
		else if (!strcmp(r->detail, "process-exit"))
			fprintf(v->out, " (status %d)", r->exit_code);
		break;
	default:
		if (detail[0])
			fprintf(v->out, " %s", detail);
		break;
	}
	fputc('\n', v->out);
	fflush(v->out);
}

static void fmt_opt_secs(char *buf, size_t len, bool known, uint64_t ns)
{
	if (known)
		fmt_secs(buf, len, ns);
	else
		snprintf(buf, len, "?");
}

/*
 * Which threads the text tables list: all of them up to TOP_THREADS (or with
 * --all), else those that blocked in futex waits and ran the most (and the
 * process's main thread), like top; the CSV and JSON summaries keep every one.
 * NULL: all (also when out of memory).
 */
#define TOP_THREADS 40

static uint64_t thread_weight(const struct tt_thread *th)
{
	return th->lock_ns + th->oncpu_ns;
}

static int by_weight(const void *a, const void *b)
{
	const struct tt_thread *x = *(const struct tt_thread *const *)a, *y = *(const struct tt_thread *const *)b;
	uint64_t wx = thread_weight(x), wy = thread_weight(y);

	return wx != wy ? (wx < wy ? 1 : -1) : (x->tid > y->tid) - (x->tid < y->tid);
}

static bool *threads_shown(const struct tt_thread *v, size_t n, bool all)
{
	const struct tt_thread **order;
	bool *shown;

	if (all || n <= TOP_THREADS)
		return NULL;
	order = malloc(n * sizeof(*order));
	shown = calloc(n, sizeof(*shown));
	if (!order || !shown) {
		free(order);
		free(shown);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = &v[i];
	qsort(order, n, sizeof(*order), by_weight);
	for (size_t i = 0; i < TOP_THREADS; i++)
		shown[order[i] - v] = true;
	/* and the main thread of each process, wherever it ranks */
	for (size_t i = 0; i < n; i++)
		if (v[i].tid == v[i].tgid)
			shown[i] = true;
	free(order);
	return shown;
}

static void more_threads(FILE *o, size_t nthreads, const bool *shown)
{
	size_t n = 0;

	for (size_t i = 0; shown && i < nthreads; i++)
		n += !shown[i];
	if (n)
		fprintf(o, "  ... and %zu more threads (listed: those that blocked on futex words and ran the most, "
			   "and each main thread; all of them: --all, or --summary-csv's threads.csv)\n", n);
}

/* -f: how many processes besides the target have threads in the table (0: one process, no PID column). */
static size_t other_processes(const struct tt_threads *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += t->v[i].tid == t->v[i].tgid && t->v[i].tgid != t->tgid;
	return n;
}

/* -f: the PID column, before TID, when the table holds several processes' threads. */
static void pid_cell(FILE *o, bool several, const char *title, pid_t pid)
{
	if (!several)
		return;
	if (title)
		fprintf(o, "%7s ", title);
	else
		fprintf(o, "%7d ", (int)pid);
}

static bool several_processes(const struct tt_threads *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].tgid != t->tgid)
			return true;
	return false;
}

static void summary_threads(FILE *o, const struct tt_threads *t, const bool *shown)
{
	int nw = name_width(t);
	bool several = several_processes(t);
	size_t others = other_processes(t), not_seen = 0;

	if (several)
		fprintf(o, "\nThreads of process %d and of %zu process%s it started (-f; PID: the thread's process; "
			   "times in seconds since the trace started; ? = before attach)\n",
			(int)t->tgid, others, others == 1 ? "" : "es");
	else
		fprintf(o, "\nThreads of process %d (times in seconds since the trace started; ? = before attach)\n",
			(int)t->tgid);
	pid_cell(o, several, "PID", 0);
	fprintf(o, "%7s %-*s %7s %10s %10s %10s  %-13s %s\n", "TID", nw, "NAME", "CREATOR", "START", "END",
		"LIFETIME", "HOW IT ENDED", "JOINED BY (WAIT)");
	for (size_t i = 0; i < t->n; i++) {
		const struct tt_thread *th = &t->v[i];
		char name[4 * TT_PY_NAME_LEN], creator[16], start[32], end[32], life[32], how[32], join[64];

		if (shown && !shown[i])
			continue;
		thread_name(name, sizeof(name), th);
		if (th->creator)
			snprintf(creator, sizeof(creator), "%d", (int)th->creator);
		else
			snprintf(creator, sizeof(creator), "?");
		fmt_opt_secs(start, sizeof(start), th->start_known, th->start_ns);
		fmt_opt_secs(end, sizeof(end), th->ended, th->end_ns);
		if (th->ended && th->start_known)
			fmt_secs(life, sizeof(life), th->end_ns - th->start_ns);
		else
			snprintf(life, sizeof(life), th->start_known ? "running" : "?");
		if (th->how == TT_END_PROCESS_EXIT)
			snprintf(how, sizeof(how), "process-exit %d", th->signal ? -th->signal : th->exit_code);
		else
			snprintf(how, sizeof(how), "%s", th->ended ? thread__end_name(th->how) : "still alive");
		if (th->joined) {
			char wait[32];

			fmt_secs(wait, sizeof(wait), th->join_wait_ns);
			snprintf(join, sizeof(join), "%d (%ss%s)", (int)th->joined_by, wait,
				 th->join_inferred ? ", inferred" : "");
		} else if (threads__join_seen(t, th) == TT_JOIN_NOT_SEEN) {
			snprintf(join, sizeof(join), "not seen*");
			not_seen++;
		} else {
			snprintf(join, sizeof(join), "-");
		}
		pid_cell(o, several, NULL, th->tgid);
		fprintf(o, "%7d %-*s %7s %10s %10s %10s  %-13s %s\n", (int)th->tid, pad_for(name, nw), name, creator, start,
			end, life, how, join);
	}
	more_threads(o, t->n, shown);
	/* after a blank line: the table's rows end at the first one */
	if (not_seen)
		fprintf(o, "\n  * not seen: CPython's Thread.join of a thread that has already ended returns without "
			   "waiting, so threadtrace sees no join: joined after its end, or never (docs/python.md)\n");
}


/* Nanoseconds as a short human figure: 870ns, 12.3us, 4.56ms, 1.234s. */
static void fmt_dur(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.3fs", (double)ns / 1e9);
}

/* Whether any of n threads spun in a lock's slow path: the SPIN column is shown then only. */
static bool any_spin(const struct tt_thread *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].spin_ns)
			return true;
	return false;
}

/* FUTEX, then SPIN when shown (spin: a column of its own), then SLEEP and WAITS. */
static void states_tail(FILE *o, const struct tt_thread *th, bool spin)
{
	fprintf(o, " %9.3f", th->lock_ns / 1e9);
	if (spin)
		fprintf(o, " %9.3f", th->spin_ns / 1e9);
	fprintf(o, " %9.3f %7" PRIu64 "\n", th->sleep_ns / 1e9, th->waits);
}

static void states_head_tail(FILE *o, bool spin)
{
	fprintf(o, " %9s", "FUTEX");
	if (spin)
		fprintf(o, " %9s", "SPIN");
	fprintf(o, " %9s %7s\n", "SLEEP", "WAITS");
}

static void summary_states(FILE *o, const struct tt_threads *t, const bool *shown)
{
	int nw = name_width(t);
	bool several = several_processes(t), spin = any_spin(t->v, t->n);

	fprintf(o, "\nWhere the threads' time went (seconds)\n");
	pid_cell(o, several, "PID", 0);
	fprintf(o, "%7s %-*s %9s %9s", "TID", nw, "NAME", "ON-CPU", "RUNQUEUE");
	states_head_tail(o, spin);
	for (size_t i = 0; i < t->n; i++) {
		const struct tt_thread *th = &t->v[i];
		char name[4 * TT_PY_NAME_LEN];

		if (shown && !shown[i])
			continue;
		thread_name(name, sizeof(name), th);
		pid_cell(o, several, NULL, th->tgid);
		fprintf(o, "%7d %-*s %9.3f %9.3f", (int)th->tid, pad_for(name, nw), name, th->oncpu_ns / 1e9,
			th->runq_ns / 1e9);
		states_tail(o, th, spin);
	}
	more_threads(o, t->n, shown);
	if (spin)
		fprintf(o, "  SPIN: on a CPU in a spinning lock's slow path, waiting for it (not in ON-CPU, not useful work)\n");
}

/* --stacks, CPython: where the threads not running at the end wait, in Python's words. */
static void summary_py_stacks(FILE *o, const struct tt_threads *t)
{
	bool title = false;

	for (size_t i = 0; i < t->n; i++) {
		const struct tt_thread *th = &t->v[i];
		char name[4 * TT_PY_NAME_LEN], stack[4 * 1024];

		if (th->ended || !th->py_stack)
			continue;
		if (!title)
			fprintf(o, "\nPython stacks of the threads blocked or asleep at the end (innermost first)\n");
		title = true;
		thread_name(name, sizeof(name), th);
		sanitize__for_terminal(stack, sizeof(stack), th->py_stack);
		fprintf(o, "%7d %s: %s\n", (int)th->tid, name, stack);
	}
}

#define TOP_LOCKS 10

/* A lock's contended hold percentiles, "-" without holds. */
static void fmt_holds(const struct tt_hold_stat *h, char *p50, char *p99, size_t len)
{
	if (!h->count) {
		snprintf(p50, len, "-");
		snprintf(p99, len, "-");
		return;
	}
	fmt_dur(p50, len, hold__percentile(h, 50));
	fmt_dur(p99, len, hold__percentile(h, 99));
}

#define LOCK_COL_MIN 34
#define LOCK_COL_MAX 64

/* Locks whose waiters spin before they sleep (Rust's Mutex, glibc's adaptive mutexes): what the table's columns hide. */
static void summary_spinning(FILE *o, const struct tt_locks *l, size_t top)
{
	char name[4 * TT_LOCK_NAME_LEN], spin[16], slow[16];
	bool first = true;

	for (size_t i = 0, shown = 0; i < l->n && shown < top; i++) {
		const struct tt_lock *k = &l->v[i];

		if (!lock__seen(k))
			continue;
		shown++;
		if (!k->spin_acquires)
			continue;
		if (first)
			fprintf(o, "  Spinning locks (a waiter spins on its CPU before it sleeps; TOTAL includes the spin, "
				   "HANDOFFS the acquisitions without a sleep):\n");
		first = false;
		sanitize__for_terminal(name, sizeof(name), k->name);
		fmt_dur(spin, sizeof(spin), k->spin_ns);
		fmt_dur(slow, sizeof(slow), k->slow_ns);
		fprintf(o, "    %s: %" PRIu64 " contended acquisitions (%" PRIu64 " without sleeping), %s spinning on "
			   "CPUs, %s in the slow path\n", name, k->spin_acquires, k->spun_only, spin, slow);
	}
}

static void summary_locks(FILE *o, const struct tt_locks *l, size_t top)
{
	char name[4 * TT_LOCK_NAME_LEN];
	int width = LOCK_COL_MIN;
	size_t shown = 0;
	bool several = false, go = false;

	fprintf(o, "\nLocks (futex words) by total wait; contention = a holder made others wait, idle = waiting for work or a join\n");
	if (!l->n) {
		fprintf(o, "  no thread blocked on a futex\n");
		return;
	}
	/* as wide as the longest name shown (Python's "Lock in f (file.py:12)"), within bounds */
	for (size_t i = 0, n = 0; i < l->n && n < top; i++) {
		if (!lock__seen(&l->v[i]))
			continue;
		n++;
		sanitize__for_terminal(name, sizeof(name), l->v[i].name);
		if ((int)strlen(name) > width)
			width = strlen(name) < LOCK_COL_MAX ? (int)strlen(name) : LOCK_COL_MAX;
	}
	/* -f: words of several processes (the same address in two is two words): say whose */
	for (size_t i = 1; i < l->n && !several; i++)
		several = l->v[i].tgid != l->v[0].tgid;
	if (several)
		fprintf(o, "%7s ", "PID");
	fprintf(o, "%-*s %-12s %-10s %7s %6s %10s %10s %9s %9s %4s %8s\n", width, "LOCK", "KIND", "ROLE", "WAITS",
		"TMOUT", "TOTAL", "MAX", "HOLD-P50", "HOLD-P99", "THR", "HANDOFFS");
	for (size_t i = 0; i < l->n && shown < top; i++) {
		const struct tt_lock *k = &l->v[i];
		char tot[16], max[16], p50[16], p99[16];

		if (!lock__seen(k))
			continue;
		shown++;
		sanitize__for_terminal(name, sizeof(name), k->name);
		fmt_dur(tot, sizeof(tot), k->total_ns);
		fmt_dur(max, sizeof(max), k->max_ns);
		if (k->go_kind) /* contended acquisitions: their goroutines park in Go's scheduler, untimed */
			snprintf(tot, sizeof(tot), "-"), snprintf(max, sizeof(max), "-");
		go = go || k->go_kind;
		fmt_holds(&k->hold, p50, p99, sizeof(p50));
		if (several)
			fprintf(o, "%7d ", (int)k->tgid);
		fprintf(o, "%-*.*s %-12s %-10s %7" PRIu64 " %6" PRIu64 " %10s %10s %9s %9s %4u %8" PRIu64 "\n",
			width, width, name, lock__kind_name(k), lock__role(k) == TT_ROLE_CONTENTION ? "contention" : "idle",
			k->waits, k->timeouts, tot, max, p50, p99, k->threads, k->handoffs);
	}
	if (go)
		fprintf(o, "  go-mutex, go-rwmutex: WAITS = contended acquisitions (the slow path's entries); the goroutines "
			   "wait parked in Go's scheduler, not timed (-)\n");
	summary_spinning(o, l, top);
}

/* A call site's Python frames (CPython), or NULL. */
static const char *site_python(const struct tt_site *s, const struct tt_pystacks *ps)
{
	const struct tt_pystack *p = pystacks__find(ps, s->py_stack);

	return p ? p->text : NULL;
}

/* Whether a site has something to show: native frames (--stacks) or Python frames. */
static bool site_known(const struct tt_site *s, const struct tt_pystacks *ps)
{
	return s->count && (s->stack_id >= 0 || s->scan[0] || site_python(s, ps));
}

static void summary_sites(FILE *o, const struct tt_locks *l, const struct tt_pystacks *ps)
{
	for (size_t i = 0; i < l->n && i < TOP_LOCKS; i++) {
		const struct tt_lock *k = &l->v[i];
		char name[4 * TT_LOCK_NAME_LEN], frames[4 * 1024], tot[16];
		bool any = false;

		for (int s = 0; s < TT_TOP_SITES; s++)
			any |= site_known(&k->sites[s], ps);
		if (!any || !lock__seen(k))
			continue;
		sanitize__for_terminal(name, sizeof(name), k->name);
		fprintf(o, "\nWhere threads blocked on %s\n", name);
		for (int s = 0; s < TT_TOP_SITES; s++) {
			const struct tt_site *site = &k->sites[s];
			const char *py = site_python(site, ps);

			if (!site_known(site, ps))
				continue;
			fmt_dur(tot, sizeof(tot), site->total_ns);
			fprintf(o, "  %6" PRIu64 " waits, %9s:", site->count, tot);
			if (site->stack_id >= 0 || site->scan[0]) {
				sanitize__for_terminal(frames, sizeof(frames), site->frames ? site->frames : "?");
				fprintf(o, " %s\n", frames);
				if (py)
					fprintf(o, "  %24s", "");
			}
			if (py) {
				sanitize__for_terminal(frames, sizeof(frames), py);
				fprintf(o, " python: %s\n", frames);
			}
		}
	}
}

static void summary_histograms(FILE *o, const struct tt_locks *l)
{
	size_t shown = 0;

	for (size_t i = 0; i < l->n && shown < 3; i++) {
		const struct tt_lock *k = &l->v[i];
		char name[4 * TT_LOCK_NAME_LEN];
		uint64_t top = 0;
		int lo = -1, hi = 0;

		if (!k->waits) /* blocking waits only: a spin is not timed one by one */
			continue;
		shown++;
		for (int s = 0; s < TT_LOG2_SLOTS; s++) {
			if (!k->hist[s])
				continue;
			lo = lo < 0 ? s : lo;
			hi = s;
			top = k->hist[s] > top ? k->hist[s] : top;
		}
		sanitize__for_terminal(name, sizeof(name), k->name);
		fprintf(o, "\nWait times on %s\n", name);
		for (int s = lo; s >= 0 && s <= hi; s++) {
			char from[16], to[16], bar[41];
			int n = top ? (int)(k->hist[s] * 40 / top) : 0;

			fmt_dur(from, sizeof(from), 1ULL << s);
			fmt_dur(to, sizeof(to), 1ULL << (s + 1));
			memset(bar, '*', (size_t)n);
			bar[n] = '\0';
			fprintf(o, "  %9s .. %-9s %8" PRIu64 " |%-40s|\n", from, to, k->hist[s], bar);
		}
	}
}

static void summary_pairs(FILE *o, const char *title, const struct tt_locks *l, const struct tt_pair *v,
			  size_t n)
{
	if (!n)
		return;
	fprintf(o, "\n%s\n", title);
	for (size_t i = 0; i < n && i < 20; i++) {
		const struct tt_lock *k = locks__find(l, v[i].tgid, v[i].addr);
		char name[4 * TT_LOCK_NAME_LEN];

		sanitize__for_terminal(name, sizeof(name), k ? k->name : "?");
		fprintf(o, "  %7d -> %-7d %8" PRIu64 " times on %s\n", (int)v[i].a, (int)v[i].b, v[i].count, name);
	}
	if (n > 20)
		fprintf(o, "  ... %zu more\n", n - 20);
}

static void summary_parallelism(FILE *o, const struct tt_parallelism *p)
{
	uint64_t total = parallelism__total_ns(p);

	fprintf(o, "\nThreads running at once (time-weighted), mean %.2f\n", parallelism__mean(p));
	for (unsigned i = 0; i <= parallelism__max(p) && total; i++) {
		char bar[41];
		int n = (int)(p->ns[i] * 40 / total);

		memset(bar, '*', (size_t)n);
		bar[n] = '\0';
		fprintf(o, "  %2u: %9.3fs %5.1f%% |%-40s|\n", i, p->ns[i] / 1e9, 100.0 * (double)p->ns[i] / (double)total,
			bar);
	}
}

/* The busiest contended lock held while its holder did not run: what to fix, in a line. */
static void summary_held_blocking(FILE *o, const struct tt_verdict *v)
{
	char name[4 * TT_LOCK_NAME_LEN], tot[16], p50[16], p99[16];

	if (!v->has_candidate || !v->held_blocking)
		return;
	sanitize__for_terminal(name, sizeof(name), v->lock_name);
	fmt_dur(tot, sizeof(tot), v->wait_ns);
	fmt_dur(p50, sizeof(p50), hold__percentile(&v->hold, 50));
	fmt_dur(p99, sizeof(p99), hold__percentile(&v->hold, 99));
	fprintf(o, "  %s is held across a blocking call: its holders ran on a CPU for %.0f%% of the time they "
		   "held it (the rest asleep or waiting); %u threads waited %s for it in %" PRIu64 " waits; "
		   "held %s at the median, p99 %s.\n",
		name, v->hold_oncpu * 100, v->threads, tot, v->waits, p50, p99);
}

/* The deadlocks found during the trace, thread by thread, with where each blocked (--stacks). */
static void summary_deadlocks(FILE *o, const struct tt_report *r)
{
	size_t n;
	const struct tt_deadlock_member *m = deadlocks__members(r->deadlocks, &n);

	if (!n)
		return;
	fprintf(o, "\nDeadlocks (each thread waits for a lock the next one holds; seconds since the trace started)\n");
	for (size_t i = 0; i < n; i++) {
		const struct tt_thread *th = threads__find(r->threads, m[i].tid);
		char name[4 * TT_PY_NAME_LEN], lock[4 * TT_LOCK_NAME_LEN], found[32], blocked[48], text[4 * 1024];

		if (!i || m[i].cycle != m[i - 1].cycle) {
			fmt_secs(found, sizeof(found), m[i].found_ns);
			fprintf(o, "  deadlock %u, found at %s:\n", m[i].cycle, found);
		}
		if (th)
			thread_name(name, sizeof(name), th);
		else
			snprintf(name, sizeof(name), "?");
		sanitize__for_terminal(lock, sizeof(lock), m[i].lock);
		/* a wait in progress at the attach is dated from the attach */
		if (m[i].blocked_ns >= m[i].found_ns)
			snprintf(blocked, sizeof(blocked), "since the trace started or before");
		else
			fmt_dur(blocked, sizeof(blocked), m[i].blocked_ns);
		fprintf(o, "  %7d %s waits for %s held by %d (blocked %s when found)\n", (int)m[i].tid, name, lock,
			(int)m[i].owner, blocked);
		if (m[i].stack) {
			sanitize__for_terminal(text, sizeof(text), m[i].stack);
			fprintf(o, "%12s blocked at: %s\n", "", text);
		}
		if (m[i].py_stack) {
			sanitize__for_terminal(text, sizeof(text), m[i].py_stack);
			fprintf(o, "%12s python: %s\n", "", text);
		}
	}
}

/* A deadlock leads the verdict; what the locks say follows it. */
static void verdict_deadlock(FILE *o, const struct tt_verdict *v)
{
	char reason[4 * sizeof(v->deadlock_reason)];

	if (!v->deadlocks) {
		fprintf(o, "Verdict: ");
		return;
	}
	sanitize__for_terminal(reason, sizeof(reason), v->deadlock_reason);
	fprintf(o, "Verdict: DEADLOCK: %u threads wait for each other forever", v->deadlocked);
	if (v->deadlocks > 1)
		fprintf(o, " in %u deadlocks; the first: %s (confidence high).\n", v->deadlocks, reason);
	else
		fprintf(o, ": %s (confidence high).\n", reason);
	fprintf(o, "  Besides the deadlock: ");
}

static void summary_verdict_line(FILE *o, const struct tt_verdict *v)
{
	char name[4 * TT_LOCK_NAME_LEN], p50[16], p90[16], p99[16], max[16];

	verdict_deadlock(o, v);
	if (!v->has_candidate) {
		fprintf(o, "no lock serializes this process: %s (confidence %s).\n", v->reason, v->confidence);
		return;
	}

	sanitize__for_terminal(name, sizeof(name), v->lock_name);
	if (!v->gil_like) {
		if (v->is_gil)
			fprintf(o, "CPython's GIL does not serialize this process: %s (confidence %s).\n", v->reason,
				v->confidence);
		else
			fprintf(o, "no lock serializes this process; the busiest, %s, is not GIL-like: %s (confidence %s).\n",
				name, v->reason, v->confidence);
		return;
	}
	if (v->go_mutex) {
		fprintf(o, "%s likely serializes this process (a Go sync mutex): %s (confidence %s).\n", name, v->reason,
			v->confidence);
		return;
	}
	fmt_dur(p50, sizeof(p50), hold__percentile(&v->hold, 50));
	fmt_dur(p90, sizeof(p90), hold__percentile(&v->hold, 90));
	fmt_dur(p99, sizeof(p99), hold__percentile(&v->hold, 99));
	fmt_dur(max, sizeof(max), v->hold.max_ns);
	fprintf(o, "%s serializes this process%s: %s.\n", name, v->is_gil ? " (CPython's GIL)" : " (GIL-like)",
		v->reason);
	fprintf(o, "  It is held %s at the median (p90 %s, p99 %s, max %s) and costs about %.2f threads of "
		   "parallelism (confidence %s).\n", p50, p90, p99, max, v->par_without - v->par_mean, v->confidence);
}

static void summary_verdict(FILE *o, const struct tt_verdict *v)
{
	summary_verdict_line(o, v);
	summary_held_blocking(o, v);
}

/* -f: one line per process, so processes and threads can be compared side by side. */
static void summary_processes(FILE *o, const struct tt_threads *t)
{
	pid_t seen[256];
	size_t n = 0;

	for (size_t i = 0; i < t->n && n < 256; i++) {
		bool dup = false;

		for (size_t j = 0; j < n; j++)
			dup = dup || seen[j] == t->v[i].tgid;
		if (!dup)
			seen[n++] = t->v[i].tgid;
	}
	if (n < 2)
		return;
	fprintf(o, "\nProcesses\n%7s %7s %9s %9s %9s\n", "PID", "THREADS", "ON-CPU", "RUNQUEUE", "FUTEX");
	for (size_t j = 0; j < n; j++) {
		uint64_t oncpu = 0, runq = 0, lock = 0;
		unsigned threads = 0;

		for (size_t i = 0; i < t->n; i++) {
			if (t->v[i].tgid != seen[j])
				continue;
			threads++;
			oncpu += t->v[i].oncpu_ns;
			runq += t->v[i].runq_ns;
			lock += t->v[i].lock_ns;
		}
		fprintf(o, "%7d %7u %9.3f %9.3f %9.3f\n", (int)seen[j], threads, oncpu / 1e9, runq / 1e9, lock / 1e9);
	}
}

static void text_summary(struct tt_view *v, const struct tt_report *r)
{
	FILE *o = v->out;
	bool *shown;

	shown = threads_shown(r->threads->v, r->threads->n, r->all_threads);
	summary_threads(o, r->threads, shown);
	summary_processes(o, r->threads);
	summary_states(o, r->threads, shown);
	free(shown);
	summary_py_stacks(o, r->threads);
	summary_locks(o, r->locks, TOP_LOCKS);
	summary_sites(o, r->locks, r->pystacks);
	summary_histograms(o, r->locks);
	summary_pairs(o, "Who blocked whom (owner -> waiter, from the mutex's __owner)", r->locks, r->locks->owners,
		      r->locks->nowners);
	summary_pairs(o, "Who woke whom (waker -> wakee)", r->locks, r->locks->wakes, r->locks->nwakes);
	summary_parallelism(o, r->par);
	summary_deadlocks(o, r);
	fputc('\n', o);
	summary_verdict(o, r->verdict);
	for (int k = 0; k < TT_DROP_MAX; k++)
		if (r->lost[k])
			fprintf(o, "LOST: %" PRIu64 " %s (%s was full: raise %s)\n", r->lost[k], drops__info(k)->what,
				drops__info(k)->full, drops__info(k)->option);
	fflush(o);
}

/* -i: the locks waited on in the interval (no MAX or THR: a difference of totals cannot give them). */
static void interval_locks(FILE *o, const struct tt_interval *iv, size_t top)
{
	fprintf(o, "\nLocks waited on in this interval\n");
	if (!iv->nlocks) {
		fprintf(o, "  no thread blocked on a futex\n");
		return;
	}
	fprintf(o, "%-34s %-12s %-10s %7s %6s %10s %7s %9s %9s %8s\n", "LOCK", "KIND", "ROLE", "WAITS", "TMOUT", "TOTAL",
		"HOLDS", "HOLD-P50", "HOLD-P99", "HANDOFFS");
	for (size_t i = 0; i < iv->nlocks && i < top; i++) {
		const struct tt_lock *k = &iv->locks[i];
		char name[4 * TT_LOCK_NAME_LEN], tot[16], p50[16], p99[16];

		sanitize__for_terminal(name, sizeof(name), k->name);
		fmt_dur(tot, sizeof(tot), k->total_ns);
		if (k->go_kind) /* contended acquisitions, untimed */
			snprintf(tot, sizeof(tot), "-");
		fmt_holds(&k->hold, p50, p99, sizeof(p50));
		fprintf(o, "%-34.34s %-12s %-10s %7" PRIu64 " %6" PRIu64 " %10s %7" PRIu64 " %9s %9s %8" PRIu64 "\n", name,
			lock__kind_name(k), lock__role(k) == TT_ROLE_CONTENTION ? "contention" : "idle", k->waits,
			k->timeouts, tot, (uint64_t)k->hold.count, p50, p99, k->handoffs);
	}
	if (iv->nlocks > top)
		fprintf(o, "  ... %zu more\n", iv->nlocks - top);
}

/* -i: this interval's own figures (bcc's way); the verdict is the trace's so far. */
static void text_interval(struct tt_view *v, const struct tt_report *r, uint64_t now_ns)
{
	const struct tt_interval *iv = r->interval;
	int nw = name_width(r->threads);
	char from[32], to[32];
	bool *shown, spin;

	(void)now_ns;
	if (!iv)
		return; /* no interval's figures were made (out of memory): nothing to show */
	fmt_secs(from, sizeof(from), iv->from_ns);
	fmt_secs(to, sizeof(to), iv->to_ns);
	fprintf(v->out, "-- interval %u%s, %s .. %s s: threads alive now and those that ended in it, "
			"this interval's figures (seconds) --\n", iv->n, iv->last ? " (the last: the trace ended)" : "",
		from, to);
	spin = any_spin(iv->threads, iv->nthreads);
	fprintf(v->out, "%7s %-*s %5s %9s %9s", "TID", nw, "NAME", "STATE", "ON-CPU", "RUNQUEUE");
	states_head_tail(v->out, spin);
	shown = threads_shown(iv->threads, iv->nthreads, r->all_threads);
	for (size_t i = 0; i < iv->nthreads; i++) {
		const struct tt_thread *th = &iv->threads[i];
		char name[4 * TT_PY_NAME_LEN];

		if (shown && !shown[i])
			continue;
		thread_name(name, sizeof(name), th);
		fprintf(v->out, "%7d %-*s %5c %9.3f %9.3f", (int)th->tid, pad_for(name, nw), name,
			th->ended ? '-' : th->state ? th->state : '?', th->oncpu_ns / 1e9, th->runq_ns / 1e9);
		states_tail(v->out, th, spin);
	}
	more_threads(v->out, iv->nthreads, shown);
	free(shown);
	interval_locks(v->out, iv, 5);
	fprintf(v->out, "Threads running at once in this interval, mean %.2f.\nSince the start: ", parallelism__mean(&iv->par));
	summary_verdict(v->out, r->verdict);
	fputc('\n', v->out);
	fflush(v->out);
}

static const struct tt_view_ops text_ops = {
	.record = text_record,
	.interval = text_interval,
	.summary = text_summary,
};

void view__text_init(struct tt_view *v, FILE *out, bool live)
{
	v->ops = &text_ops;
	v->out = out;
	v->live = live;
}
