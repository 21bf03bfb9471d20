/* threadtrace: command line and the tool's lifecycle (open -> attach -> poll -> report). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "args.h"
#include "launch.h"
#include "loader.h"
#include "collect.h"
#include "perfmap.h"
#include "procfs.h"
#include "syms.h"
#include "model/deadlock.h"
#include "model/locks.h"
#include "model/report.h"
#include "model/threads.h"
#include "model/verdict.h"
#include "view/view.h"

#define POLL_MS 50
#define PY_RESCAN_NS (100 * 1000 * 1000ULL)
#define MAPS_REFRESH_NS (250 * 1000 * 1000ULL)
#define DEADLOCK_SCAN_NS (250 * 1000 * 1000ULL)
#define STATUS_NS (1000 * 1000 * 1000ULL)
#define TT_TOP_LOCKS 10 /* locks whose call sites are named (--stacks) */

struct app {
	struct tt_config cfg;
	pid_t tgid;
	pid_t child;           /* the command we started, or 0 */
	bool child_done;
	int child_status;
	struct tt_loader *loader;
	struct tt_threads *threads;
	struct tt_locks *locks;
	struct tt_deadlocks *deadlocks;
	struct tt_history *history;  /* --timeline */
	struct proc_maps {
		pid_t tgid;
		struct syms *syms;  /* its mappings, refreshed while it lives */
	} procs[64];                /* the target, and with -f its descendants */
	size_t nprocs;
	uint64_t maps_read_ns;
	struct tt_view view;
	struct tt_view interval_view; /* text on stderr when the main view is CSV */
	FILE *out;
	bool python_probed;
	uint64_t python_scan_ns;
	uint64_t events;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void emit(const struct tt_record *rec, void *ctx)
{
	struct app *a = ctx;

	/* only the stream formats carry wait and hold events: the summary has their figures */
	if ((rec->kind != TT_REC_WAIT && rec->kind != TT_REC_HOLD) || a->cfg.csv || a->cfg.json)
		a->view.ops->record(&a->view, rec);
	if (a->history && history__record(a->history, rec))
		fprintf(stderr, "threadtrace: out of memory for the timeline\n");
}

/* CPython: its shutdown probe, and the permission to trust inferred joins. */
static void probe_python(struct app *a)
{
	static const char *const libs[] = { "libpython3", NULL };
	static const char *const exes[] = { "python3", NULL };
	const char *const *tries[] = { libs, exes };
	char path[4096];

	if (a->python_probed)
		return;
	a->python_scan_ns = now_ns(CLOCK_MONOTONIC);
	for (size_t i = 0; i < 2; i++) {
		if (procfs_find_mapping(a->tgid, tries[i], path, sizeof(path)))
			continue;
		if (!loader__attach_python(a->loader, path)) {
			a->python_probed = true;
			a->threads->accept_inferred = true;
			return;
		}
	}
}

static struct syms *syms_of(pid_t tgid, void *ctx)
{
	struct app *a = ctx;

	for (size_t i = 0; i < a->nprocs; i++)
		if (a->procs[i].tgid == tgid)
			return a->procs[i].syms;
	return NULL;
}

static void add_process(struct app *a, pid_t tgid)
{
	struct syms *s;

	if (syms_of(tgid, a) || a->nprocs == sizeof(a->procs) / sizeof(a->procs[0]))
		return;
	s = syms__new(tgid);
	if (s)
		a->procs[a->nprocs++] = (struct proc_maps){ .tgid = tgid, .syms = s };
}

/* Mappings are read while the processes live: at the end they may be gone. */
static void refresh_maps(struct app *a)
{
	a->maps_read_ns = now_ns(CLOCK_MONOTONIC);
	unsigned long ranges[TT_TEXT_RANGES][2];
	size_t n = 0;

	if (!a->nprocs)
		add_process(a, a->tgid);
	for (size_t i = 0; i < a->nprocs; i++) {
		int got;

		syms__refresh(a->procs[i].syms);
		if (a->cfg.stacks && (got = procfs_exec_ranges(a->procs[i].tgid, ranges + n, TT_TEXT_RANGES - n)) > 0)
			n += (size_t)got;
	}
	if (a->cfg.stacks && n)
		loader__set_text_ranges(a->loader, ranges, n);
}

struct edges {
	const struct tt_threads *threads;
	struct tt_wait_edge v[256];
	struct tt_wait waits[256]; /* the waits behind the edges: their stacks */
	size_t n;
};

static void on_waiting(const void *key, const void *val, void *ctx)
{
	const struct tt_wait *w = val;
	struct edges *e = ctx;
	pid_t tid = (pid_t)*(const __u32 *)key;

	/* only a held lock has an owner to wait for */
	if ((w->kind != TT_LOCK_MUTEX && w->kind != TT_LOCK_PI) || !w->owner || (pid_t)w->owner == tid ||
	    !threads__find(e->threads, (pid_t)w->owner) || e->n == sizeof(e->v) / sizeof(e->v[0]))
		return;
	e->waits[e->n] = *w;
	e->v[e->n++] = (struct tt_wait_edge){ .tid = tid, .owner = (pid_t)w->owner, .addr = w->addr,
					      .start_ns = w->start_ns };
}

struct cycle_ctx {
	struct app *a;
	const struct edges *edges;
};

/* --stacks: where a deadlocked thread blocked. */
static void deadlock_stack(struct app *a, const struct edges *e, pid_t tid, pid_t tgid, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < e->n; i++) {
		struct perfmap *pm;

		if (e->v[i].tid != tid)
			continue;
		pm = perfmap__load(tgid);
		if (collect_format_stack(a->loader, e->waits[i].stack_id, e->waits[i].scan, syms_of(tgid, a), pm,
					 buf, len))
			buf[0] = '\0';
		perfmap__free(pm);
		return;
	}
}

static void on_cycle(const struct tt_wait_edge *cycle, size_t n, void *ctx)
{
	struct cycle_ctx *cc = ctx;
	struct app *a = cc->a;
	char path[TT_DETAIL_LEN] = "", *p = path;
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	for (size_t i = 0; i < n && p < path + sizeof(path) - 16; i++)
		p += snprintf(p, (size_t)(path + sizeof(path) - p), "%d->", (int)cycle[i].tid);
	snprintf(p, (size_t)(path + sizeof(path) - p), "%d", (int)cycle[0].tid);
	for (size_t i = 0; i < n; i++) {
		struct tt_thread *th = threads__find(a->threads, cycle[i].tid);
		struct tt_record rec = { .kind = TT_REC_DEADLOCK, .tgid = a->tgid, .tid = cycle[i].tid };
		char lock[TT_LOCK_NAME_LEN], stack[1024];
		bool gil;

		collect_lock_name(syms_of(th ? th->tgid : a->tgid, a), cycle[i].addr, lock, sizeof(lock), &gil);
		rec.ts_ns = now - a->threads->t0_ns;
		rec.peer_tid = cycle[i].owner;
		rec.blocked_by = cycle[i].owner;
		rec.addr = cycle[i].addr;
		rec.has_dur = true;
		rec.dur_ns = now > cycle[i].start_ns ? now - cycle[i].start_ns : 0;
		snprintf(rec.name, sizeof(rec.name), "%s", th ? th->name : "");
		snprintf(rec.detail, sizeof(rec.detail), "cycle %.60s: waits for %.60s", path, lock);
		if (a->cfg.stacks) {
			deadlock_stack(a, cc->edges, cycle[i].tid, th ? th->tgid : a->tgid, stack, sizeof(stack));
			rec.stack = stack[0] ? stack : NULL;
		}
		emit(&rec, a);
	}
}

/* A deadlock stays put: look for cycles among the waits in progress. */
static void scan_deadlocks(struct app *a)
{
	static struct edges e; /* large: not on the stack */
	struct cycle_ctx cc = { .a = a, .edges = &e };

	e.threads = a->threads;
	e.n = 0;

	if (loader__dump(a->loader, TT_MAP_WAITING, on_waiting, &e) < 0)
		return;
	if (e.n && !a->nprocs)
		refresh_maps(a);
	deadlocks__scan(a->deadlocks, e.v, e.n, on_cycle, &cc);
}

static int on_event(void *ctx, const struct tt_event *e)
{
	struct app *a = ctx;
	struct tt_record rec;
	int n;

	a->events++;
	if (e->kind == TT_EV_STATE) {
		if (a->history && history__state(a->history, (pid_t)e->tgid, (pid_t)e->tid, e->flags,
						 e->ts_ns > a->threads->t0_ns ? e->ts_ns - a->threads->t0_ns : 0, e->addr))
			return -ENOMEM;
		return 0;
	}
	if (e->kind == TT_EV_WAIT || e->kind == TT_EV_HOLD) {
		struct tt_thread *th = threads__find(a->threads, (pid_t)e->tid);

		if (lock_event_record(e, a->threads->t0_ns, th ? th->name : NULL, &rec))
			emit(&rec, a);
		return 0;
	}
	n = threads__apply(a->threads, e, &rec);
	if (n < 0)
		return -ENOMEM;
	if (e->kind == TT_EV_EXEC) {
		char link[64];
		ssize_t len;

		a->python_probed = false; /* a new program: look again */
		snprintf(link, sizeof(link), "/proc/%d/exe", (int)a->tgid);
		len = readlink(link, rec.detail, sizeof(rec.detail) - 1);
		rec.detail[len > 0 ? len : 0] = '\0';
	}
	if (e->kind == TT_EV_FORK)
		add_process(a, (pid_t)e->tgid);
	if (n)
		emit(&rec, a);
	/* libpython is mapped after exec, before the first thread starts. */
	if (e->kind == TT_EV_START && !a->python_probed &&
	    now_ns(CLOCK_MONOTONIC) - a->python_scan_ns > PY_RESCAN_NS)
		probe_python(a);
	/* a new program or thread: libraries may have come; name locks with fresh maps */
	if ((e->kind == TT_EV_EXEC || e->kind == TT_EV_START) &&
	    now_ns(CLOCK_MONOTONIC) - a->maps_read_ns > PY_RESCAN_NS)
		refresh_maps(a);
	return 0;
}

static void add_alive(pid_t tid, const char *comm, void *ctx)
{
	struct app *a = ctx;
	struct tt_record rec;

	if (threads__add_alive(a->threads, tid, comm, now_ns(CLOCK_MONOTONIC), &rec) == 1)
		emit(&rec, a);
}

static void emit_trace(struct app *a, const char *detail, bool has_dur, uint64_t dur)
{
	struct tt_record rec = { .kind = TT_REC_TRACE, .tgid = a->tgid, .tid = a->tgid };
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	rec.ts_ns = now > a->threads->t0_ns ? now - a->threads->t0_ns : 0;
	rec.has_dur = has_dur;
	rec.dur_ns = dur;
	snprintf(rec.detail, sizeof(rec.detail), "%s", detail);
	emit(&rec, a);
}

/* The trace's first record: when it started, as an absolute UTC time. */
static void emit_trace_start(struct app *a, uint64_t realtime_ns)
{
	time_t secs = (time_t)(realtime_ns / 1000000000ULL);
	char detail[TT_DETAIL_LEN], stamp[32];
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(detail, sizeof(detail), "start %s.%09" PRIu64 "Z", stamp, (uint64_t)(realtime_ns % 1000000000ULL));
	emit_trace(a, detail, false, 0);
}

static FILE *open_output(const struct tt_config *cfg)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
	int fd;
	FILE *f;

	if (!cfg->out_path)
		return stdout;
	flags |= cfg->force ? O_TRUNC : O_EXCL;
	fd = open(cfg->out_path, flags, 0644);
	if (fd < 0) {
		fprintf(stderr, "threadtrace: cannot write %s: %s%s\n", cfg->out_path, strerror(errno),
			errno == EEXIST ? " (--force overwrites it)" : "");
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

/* -p PID: resolve it to a process we can trace. */
static int resolve_pid(struct app *a)
{
	bool kthread;
	pid_t tgid;

	if (procfs_check_process(a->cfg.pid, &tgid, &kthread)) {
		fprintf(stderr, "threadtrace: no such process: %d\n", (int)a->cfg.pid);
		return TT_EXIT_NOTARGET;
	}
	if (kthread) {
		fprintf(stderr, "threadtrace: %d is a kernel thread: nothing to trace in user space\n",
			(int)a->cfg.pid);
		return TT_EXIT_NOTARGET;
	}
	if (tgid != a->cfg.pid)
		fprintf(stderr, "threadtrace: %d is a thread of process %d: tracing the whole process\n",
			(int)a->cfg.pid, (int)tgid);
	a->tgid = tgid;
	return TT_EXIT_OK;
}

static bool target_ended(struct app *a)
{
	if (a->child) {
		if (!a->child_done && waitpid(a->child, &a->child_status, WNOHANG) == a->child)
			a->child_done = true;
		return a->child_done;
	}
	return !procfs_process_running(a->tgid);
}

static void report_drops(struct app *a)
{
	/* indexed by enum tt_drop_kind */
	static const char *const kinds[TT_DROP_MAX] = { "ringbuf", "map", "locks" };
	static const char *const fix[TT_DROP_MAX] = { "--buffer", "--max-threads", "--max-locks" };
	uint64_t drops[TT_DROP_MAX];

	loader__drops(a->loader, drops);
	for (int k = 0; k < TT_DROP_MAX; k++) {
		struct tt_record rec = { .kind = TT_REC_LOST, .tgid = a->tgid, .tid = a->tgid };

		if (!drops[k])
			continue;
		fprintf(stderr, "threadtrace: lost %" PRIu64 " %s (%s map full: raise %s)\n", drops[k],
			k == TT_DROP_RINGBUF ? "events" : "records", kinds[k], fix[k]);
		rec.ts_ns = now_ns(CLOCK_MONOTONIC) - a->threads->t0_ns;
		snprintf(rec.detail, sizeof(rec.detail), "%s:%" PRIu64, kinds[k], drops[k]);
		emit(&rec, a);
	}
}

static void name_lock(pid_t tgid, uint64_t addr, char *buf, size_t len, void *ctx)
{
	struct app *a = ctx;
	const struct tt_lock *k = locks__find(a->locks, tgid, addr);
	bool gil;

	if (k && k->name[0])
		snprintf(buf, len, "%s", k->name);
	else
		collect_lock_name(syms_of(tgid, a), addr, buf, len, &gil);
}

/* Every model's figures as of now, for the summary and the -i reports. 0 or -1. */
static int build_report(struct app *a, uint64_t now, struct tt_report *r, struct tt_parallelism *par,
			struct tt_verdict *verdict)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int err = 0;

	memset(r, 0, sizeof(*r));
	memset(par, 0, sizeof(*par));
	if (collect_figures(a->loader, a->threads, a->locks, par, now)) {
		fprintf(stderr, "threadtrace: cannot read the kernel's figures\n");
		err = -1;
	}
	collect_name_locks(a->locks, a->threads, syms_of, a);
	locks__sort(a->locks);
	if (a->cfg.stacks)
		collect_stacks(a->loader, a->locks, TT_TOP_LOCKS, syms_of, a);
	r->threads = a->threads;
	r->locks = a->locks;
	r->par = par;
	r->wall_s = (double)(now - a->threads->t0_ns) / 1e9;
	r->ncpu = ncpu > 0 ? (unsigned)ncpu : 1;
	verdict_compute(verdict, a->locks, a->threads, par, r->wall_s, r->ncpu);
	r->verdict = verdict;
	loader__drops(a->loader, r->lost);
	return err;
}

static int report(struct app *a, int *exit_code)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	struct tt_parallelism par;
	struct tt_verdict verdict;
	struct tt_report r;

	threads__finish(a->threads, now, emit, a);
	report_drops(a);
	emit_trace(a, "stop", true, now - a->threads->t0_ns);
	if (build_report(a, now, &r, &par, &verdict))
		*exit_code = TT_EXIT_RUNTIME;
	a->view.ops->summary(&a->view, &r);
	if (a->cfg.summary_dir && summary_csv_write(a->cfg.summary_dir, &r))
		*exit_code = TT_EXIT_RUNTIME;
	if (a->cfg.summary_json && summary_json_write(a->cfg.summary_json, a->cfg.force, &r))
		*exit_code = TT_EXIT_RUNTIME;
	if (a->history) {
		history__finish(a->history, now - a->threads->t0_ns);
		if (timeline_write(a->cfg.timeline, a->cfg.force, a->history, a->threads, name_lock, a))
			*exit_code = TT_EXIT_RUNTIME;
	}
	return 0;
}

/* Tracing into a file with a person watching stderr: a one-line status, rewritten in place. */
static void status_line(struct app *a, uint64_t now, bool last)
{
	uint64_t drops[TT_DROP_MAX], lost = 0;

	loader__drops(a->loader, drops);
	for (int k = 0; k < TT_DROP_MAX; k++)
		lost += drops[k];
	fprintf(stderr, "\rthreadtrace: %.1f s, %" PRIu64 " events, %" PRIu64 " lost%s",
		(double)(now - a->threads->t0_ns) / 1e9, a->events, lost, last ? "\n" : "");
}

/* Polls until the target ends, a signal, or -d; then drains what is left. */
static int trace_loop(struct app *a)
{
	uint64_t t0 = a->threads->t0_ns;
	uint64_t next_interval = t0 + (uint64_t)(a->cfg.interval_s * 1e9);
	uint64_t deadline = a->cfg.duration_s ? t0 + (uint64_t)(a->cfg.duration_s * 1e9) : 0;
	uint64_t next_scan = t0 + DEADLOCK_SCAN_NS;
	bool status = a->cfg.out_path && isatty(STDERR_FILENO);
	uint64_t next_status = t0 + STATUS_NS;
	int err;

	while (!stop_signal) {
		uint64_t now;

		err = loader__poll(a->loader, POLL_MS);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "threadtrace: reading events: %s\n", strerror(-err));
			return TT_EXIT_RUNTIME;
		}
		now = now_ns(CLOCK_MONOTONIC);
		if (target_ended(a))
			break;
		if (deadline && now >= deadline)
			break;
		if (a->cfg.interval_s && now >= next_interval) {
			struct tt_view *iv = a->view.ops->interval ? &a->view : &a->interval_view;
			struct tt_parallelism par;
			struct tt_verdict verdict;
			struct tt_report r;

			threads__sample(a->threads, procfs_thread_stat);
			build_report(a, now, &r, &par, &verdict);
			iv->ops->interval(iv, &r, now);
			next_interval += (uint64_t)(a->cfg.interval_s * 1e9);
		}
		if (!a->python_probed && now - a->python_scan_ns > PY_RESCAN_NS * 10)
			probe_python(a);
		if (now - a->maps_read_ns > MAPS_REFRESH_NS)
			refresh_maps(a);
		if (now >= next_scan) {
			scan_deadlocks(a);
			next_scan = now + DEADLOCK_SCAN_NS;
		}
		if (status && now >= next_status) {
			status_line(a, now, false);
			next_status = now + STATUS_NS;
		}
	}
	if (status && next_status > t0 + STATUS_NS)
		status_line(a, now_ns(CLOCK_MONOTONIC), true);
	/* Everything the kernel side wrote before the end. */
	while ((err = loader__poll(a->loader, 0)) > 0)
		;
	return err < 0 && err != -EINTR ? TT_EXIT_RUNTIME : TT_EXIT_OK;
}

/* The end of the trace: last records, then the summary from every model. */
/* Tell the libc of the target (and ours: the command will most likely use it) to report joins. */
static void attach_joins(struct app *a)
{
	static const char *const libc[] = { "libc.so", "libc-", NULL };
	char path[4096];
	int err = -ENOENT;

	if (!procfs_find_mapping(getpid(), libc, path, sizeof(path)))
		err = loader__attach_libc(a->loader, path);
	if (!a->child && !procfs_find_mapping(a->tgid, libc, path, sizeof(path)))
		err = loader__attach_libc(a->loader, path) ? err : 0;
	if (err)
		fprintf(stderr, "threadtrace: warning: cannot probe libc's join functions (%s): joins of "
				"already-ended threads will be missed\n", strerror(-err));
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct app a = { 0 };
	uint64_t realtime0;
	int go_fd = -1, exit_code, err;

	args_parse(argc, argv, &a.cfg);
	a.out = open_output(&a.cfg);
	if (!a.out)
		return TT_EXIT_USAGE;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (a.cfg.pid) {
		exit_code = resolve_pid(&a);
		if (exit_code)
			goto out;
	} else {
		a.child = launch_held(a.cfg.cmd, &go_fd);
		if (a.child < 0) {
			fprintf(stderr, "threadtrace: cannot start %s: %s\n", a.cfg.cmd[0], strerror(errno));
			exit_code = TT_EXIT_RUNTIME;
			goto out;
		}
		a.tgid = a.child;
	}

	realtime0 = now_ns(CLOCK_REALTIME);
	a.threads = threads__new(a.tgid, now_ns(CLOCK_MONOTONIC));
	a.locks = locks__new();
	a.deadlocks = deadlocks__new();
	a.history = a.cfg.timeline ? history__new() : NULL;
	if (!a.threads || !a.locks || !a.deadlocks || (a.cfg.timeline && !a.history)) {
		exit_code = TT_EXIT_RUNTIME;
		goto out;
	}
	a.loader = loader__new(a.tgid, &a.cfg, on_event, &a, &exit_code);
	if (!a.loader)
		goto out;
	attach_joins(&a);

	if (a.cfg.json) {
		view_json_init(&a.view, a.out);
		view_text_init(&a.interval_view, stderr, false);
	} else if (a.cfg.csv) {
		view_csv_init(&a.view, a.out);
		view_text_init(&a.interval_view, stderr, false);
	} else {
		view_text_init(&a.view, a.out, !a.cfg.quiet);
	}
	emit_trace_start(&a, realtime0);
	if (a.child) {
		if (launch_release(go_fd)) {
			fprintf(stderr, "threadtrace: cannot start %s\n", a.cfg.cmd[0]);
			exit_code = TT_EXIT_RUNTIME;
			goto out;
		}
		go_fd = -1;
	} else {
		if (procfs_threads(a.tgid, add_alive, &a) < 0) {
			fprintf(stderr, "threadtrace: process %d ended before tracing began\n", (int)a.tgid);
			exit_code = TT_EXIT_NOTARGET;
			goto out;
		}
		probe_python(&a);
		refresh_maps(&a);
	}

	exit_code = trace_loop(&a);
	if (report(&a, &exit_code))
		exit_code = TT_EXIT_RUNTIME;
	if (fflush(a.out) || ferror(a.out)) {
		fprintf(stderr, "threadtrace: writing the output failed\n");
		exit_code = TT_EXIT_RUNTIME;
	}

out:
	if (go_fd >= 0)
		launch_abort(a.child, go_fd);
	else if (a.child && !a.child_done) {
		/* Stopped early: pass the signal on, then report the command's own end. */
		if (stop_signal)
			kill(a.child, stop_signal);
		while ((err = waitpid(a.child, &a.child_status, 0)) < 0 && errno == EINTR)
			;
		a.child_done = err == a.child;
	}
	if (a.child_done && exit_code == TT_EXIT_OK)
		exit_code = launch_exit_code(a.child_status);
	loader__free(a.loader);
	for (size_t i = 0; i < a.nprocs; i++)
		syms__free(a.procs[i].syms);
	deadlocks__free(a.deadlocks);
	history__free(a.history);
	locks__free(a.locks);
	threads__free(a.threads);
	if (a.out && a.out != stdout)
		fclose(a.out);
	return exit_code;
}
