/* threadtrace: command line and the tool's lifecycle (open -> attach -> poll -> report). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include "app.h"
#include "args.h"
#include "launch.h"
#include "loader.h"
#include "outfile.h"
#include "attachwait.h"
#include "events.h"
#include "perfmap.h"
#include "procfs.h"
#include "pythreads.h"
#include "pywaits.h"
#include "syms.h"
#include "model/deadlock.h"
#include "model/threads.h"
#include "view/view.h"

static volatile sig_atomic_t stop_signal;
/* signals received: a long read of a target's file (a perf map) gives up when it changes */
static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	stop_signal = sig;
	signals_seen++;
}

/* exec: the new program's path (see events.h) */
static void exec_path(pid_t tgid, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)tgid);
	n = readlink(link, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* A ring-buffer record: into the models (events.c), then what the app does about its kind. */
static int on_event(void *ctx, const void *data, size_t len)
{
	struct app *a = ctx;
	const struct tt_event_head *uh;
	const struct tt_ev_ustack *us;
	struct tt_event e;
	uint32_t kind;

	if (!events__ustack(data, len, &uh, &us)) {
		a->events++;
		/* a process gone before its stack could be unwound: the site keeps its other frames */
		return a->ustacks && ustacks__add(a->ustacks, uh, us) == -ENOMEM ? -ENOMEM : 0;
	}
	if (events__decode(data, len, &e)) {
		a->bad_events++;
		return 0;
	}
	a->events++;
	if (events__apply(&a->sink, &e))
		return -ENOMEM;
	kind = e.h.kind;
	if (kind == TT_EV_EXEC) {
		/* a new program: look again, at once (Python frames at waits need the interpreter found) */
		a->python_probed = false;
		a->python_scan_ns = 0;
		a->python_probe_gap_ns = 0;
		/* the exec wakes us at once, before ld.so maps the libraries: read the maps again later */
		a->maps_since_exec = false;
		targets__exec(a, (pid_t)e.h.tgid);
	}
	if (kind == TT_EV_FORK)
		targets__add_process(a, (pid_t)e.h.tgid);
	/* libpython is mapped after exec, before the first thread starts. */
	if ((kind == TT_EV_START || kind == TT_EV_EXEC) && !a->python_probed &&
	    app__now_ns(CLOCK_MONOTONIC) - a->python_scan_ns > a->python_probe_gap_ns)
		targets__probe_python(a);
	pythreads__on_event(a, kind);
	/* a new thread: libraries may have come (the first since an exec: surely); fresh maps name locks */
	if (kind == TT_EV_START &&
	    (!a->maps_since_exec || app__now_ns(CLOCK_MONOTONIC) - a->maps_read_ns > RESCAN_NS)) {
		targets__refresh_maps(a);
		a->maps_since_exec = true;
	}
	return 0;
}

static void add_alive(pid_t tid, const char *comm, void *ctx)
{
	struct app *a = ctx;
	struct tt_record rec;

	if (threads__add_alive(a->threads, tid, comm, app__now_ns(CLOCK_MONOTONIC), &rec) == 1)
		app__emit(&rec, a);
}

/*
 * The threads found at attach that are asleep (all threads known by now):
 * account their sleep from the attach, and see a wait (a deadlock) in progress.
 */
static void seed_asleep(struct app *a)
{
	unsigned long text[TT_TEXT_RANGES][2];
	int ntext = a->cfg.stacks ? procfs__exec_ranges(a->tgid, text, TT_TEXT_RANGES) : 0;

	for (size_t i = 0; i < a->threads->n; i++) {
		pid_t tid = a->threads->v[i].tid, joinee;
		struct tt_sched s;

		if (a->threads->v[i].ended || attachwait__state(a->tgid, tid, a->threads->t0_ns, &s, &joinee))
			continue;
		/* --stacks: where it waits (a deadlock formed before the attach shows it) */
		if (s.in_wait && ntext > 0)
			attachwait__scan(a->tgid, tid, (const unsigned long (*)[2])text, (size_t)ntext, s.wait.scan);
		loader__seed_sched(a->loader, tid, &s);
		/* a join in progress names its joinee's tid word: the word is then named as a join */
		if (joinee && joinee != tid)
			threads__learn_tid_word(a->threads, joinee, s.wait.addr);
	}
}

/* -p PID: resolve it to a process we can trace. */
static int resolve_pid(struct app *a)
{
	bool kthread;
	pid_t tgid;

	if (procfs__check_process(a->cfg.pid, &tgid, &kthread)) {
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
	return !procfs__process_running(a->tgid);
}

/* Polls until the target ends, a signal, or -d; then drains what is left. */
/* How long to wait for events: less while CPython is looked for or opened after an exec. */
static int poll_ms(struct app *a)
{
	uint64_t now = app__now_ns(CLOCK_MONOTONIC), due;
	int ms = POLL_MS;

	if (!a->python_probed) {
		due = a->python_scan_ns + a->python_probe_gap_ns;
		ms = due <= now ? 0 : (due - now) / 1000000 < POLL_MS ? (int)((due - now) / 1000000) + 1 : POLL_MS;
	}
	return pythreads__poll_ms(a, now, ms);
}

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

		err = loader__poll(a->loader, poll_ms(a));
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "threadtrace: reading events: %s\n", strerror(-err));
			return TT_EXIT_RUNTIME;
		}
		now = app__now_ns(CLOCK_MONOTONIC);
		if (target_ended(a))
			break;
		if (deadline && now >= deadline)
			break;
		if (a->cfg.interval_s && now >= next_interval) {
			report__interval(a, now);
			next_interval += (uint64_t)(a->cfg.interval_s * 1e9);
		}
		if (!a->python_probed && now - a->python_scan_ns > a->python_probe_gap_ns)
			targets__probe_python(a);
		pythreads__tick(a, now);
		report__retire_ended(a, now);
		if (now - a->maps_read_ns > MAPS_REFRESH_NS)
			targets__refresh_maps(a);
		if (now >= next_scan) {
			deadwatch__scan(a);
			next_scan = now + DEADLOCK_SCAN_NS;
		}
		if (status && now >= next_status) {
			report__status_line(a, now, false);
			next_status = now + STATUS_NS;
		}
	}
	if (status && next_status > t0 + STATUS_NS)
		report__status_line(a, app__now_ns(CLOCK_MONOTONIC), true);
	/* Everything the kernel side wrote before the end. */
	while ((err = loader__poll(a->loader, 0)) > 0)
		;
	if (err < 0 && err != -EINTR) {
		fprintf(stderr, "threadtrace: reading events: %s\n", strerror(-err));
		return TT_EXIT_RUNTIME;
	}
	return TT_EXIT_OK;
}

/* Tell the libc of the target (and ours: the command will most likely use it) to report joins. */
static void attach_joins(struct app *a)
{
	static const char *const libc[] = { "libc.so", "libc-", NULL };
	char path[4096];
	int err = -ENOENT;

	/* and its adaptive mutexes' spin (bpf/spin.bpf.c): a libc whose code differs has none, not an error */
	if (!procfs__find_mapping(getpid(), libc, path, sizeof(path))) {
		err = loader__attach_libc(a->loader, path);
		loader__attach_spin(a->loader, path);
	}
	if (!a->child && !procfs__find_mapping(a->tgid, libc, path, sizeof(path))) {
		err = loader__attach_libc(a->loader, path) ? err : 0;
		loader__attach_spin(a->loader, path);
	}
	if (err)
		fprintf(stderr, "threadtrace: warning: cannot probe libc's join functions (%s): joins of "
				"already-ended threads will be missed\n", strerror(-err));
}

/*
 * The program's spinning locks (Rust links its std into the executable): probed before it runs
 * (a command is still held before its exec), so that no contended acquisition is missed.
 */
static void attach_spins(struct app *a)
{
	char path[PATH_MAX];

	if (a->child ? launch__find(a->cfg.cmd[0], path, sizeof(path)) != 0
		     : snprintf(path, sizeof(path), "/proc/%d/exe", (int)a->tgid) >= (int)sizeof(path))
		return;
	loader__attach_spin(a->loader, path);
}

/* THREADTRACE_BTF names a file: one that is not there is named before anything starts. */
static int check_btf(void)
{
	const char *btf = getenv("THREADTRACE_BTF");

	if (!btf || !access(btf, R_OK))
		return TT_EXIT_OK;
	fprintf(stderr, "threadtrace: cannot load the BPF programs: cannot read the BTF file %s (THREADTRACE_BTF): %s\n",
		btf, strerror(errno));
	return TT_EXIT_NOBPF;
}

/* -- COMMAND: one that cannot be run fails now, before anything is loaded (sh's 127 or 126). */
static int check_command(struct app *a)
{
	int err = launch__check(a->cfg.cmd[0]);

	if (!err)
		return TT_EXIT_OK;
	fprintf(stderr, "threadtrace: cannot run %s: %s\n", a->cfg.cmd[0], strerror(err));
	return launch__cannot_run_status(err);
}

/* A command still running when tracing stopped gets this long after its signal, then SIGKILL. */
#define KILL_AFTER_NS (5 * 1000 * 1000 * 1000ULL)

/*
 * Tracing stopped (-d, a signal, an error) before the command ended: it gets
 * the signal threadtrace got, else SIGTERM (as timeout does), then SIGKILL
 * after KILL_AFTER_NS or at a second signal. Its own end is then reported.
 */
static void end_child(struct app *a)
{
	int first = stop_signal ? stop_signal : SIGTERM;
	sig_atomic_t seen = signals_seen;
	uint64_t kill_at = app__now_ns(CLOCK_MONOTONIC) + KILL_AFTER_NS;
	const struct timespec step = { 0, POLL_MS * 1000 * 1000 };
	bool killed = false;
	pid_t r;

	kill(a->child, first);
	while ((r = waitpid(a->child, &a->child_status, WNOHANG)) == 0) {
		if (!killed && (signals_seen != seen || app__now_ns(CLOCK_MONOTONIC) >= kill_at)) {
			kill(a->child, SIGKILL);
			killed = true;
		}
		nanosleep(&step, NULL);
	}
	a->child_done = r == a->child;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct app a = { 0 };
	uint64_t realtime0;
	int exit_code, err;

	a.launch.go_fd = a.launch.err_fd = -1;
	err = args__parse(argc, argv, &a.cfg);
	if (err) {
		fprintf(stderr, "threadtrace: cannot read the command line: %s\n", strerror(-err));
		return TT_EXIT_RUNTIME;
	}
	perfmap__set_stop(&signals_seen);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Nothing is loaded, run or written until the command line is known to work. */
	if ((exit_code = check_btf()))
		return exit_code;
	if (a.cfg.pid && (exit_code = resolve_pid(&a)))
		return exit_code;
	if (a.cfg.cmd && (exit_code = check_command(&a)))
		return exit_code;
	if (outputs__open(&a))
		return TT_EXIT_USAGE;
	if (!a.cfg.pid) {
		if (launch__held(&a.launch, a.cfg.cmd)) {
			fprintf(stderr, "threadtrace: cannot start %s: %s\n", a.cfg.cmd[0], strerror(errno));
			exit_code = TT_EXIT_RUNTIME;
			goto out;
		}
		a.child = a.tgid = a.launch.pid;
	}

	realtime0 = app__now_ns(CLOCK_REALTIME);
	a.threads = threads__new(a.tgid, app__now_ns(CLOCK_MONOTONIC));
	a.locks = locks__new();
	a.deadlocks = deadlocks__new();
	a.history = a.cfg.timeline ? history__new() : NULL;
	a.pystacks = pystacks__new();
	a.ustacks = ustacks__new();
	a.interval = a.cfg.interval_s ? interval__new() : NULL;
	if (!a.threads || !a.locks || !a.deadlocks || !a.pystacks || (a.cfg.timeline && !a.history) ||
	    (a.cfg.interval_s && !a.interval) || !a.ustacks) {
		fprintf(stderr, "threadtrace: out of memory for the thread and lock tables\n");
		exit_code = TT_EXIT_RUNTIME;
		goto out;
	}
	a.sink = (struct tt_event_sink){ .threads = a.threads, .history = a.history, .emit = app__emit,
					 .exec_path = exec_path, .pystack = pywaits__on_pystack,
					 .pystacks = a.pystacks, .ctx = &a };
	a.loader = loader__new(a.tgid, &a.cfg, on_event, &a, &exit_code);
	if (!a.loader)
		goto out;
	attach_joins(&a);
	attach_spins(&a);
	/* from here on the trace is written: files kept until now (--force) are emptied */
	if (outputs__begin(&a)) {
		exit_code = TT_EXIT_RUNTIME;
		goto out;
	}

	if (a.child && (err = launch__release(&a.launch))) {
		/* not run after all (it changed since the check): one line, no report of a held child */
		fprintf(stderr, "threadtrace: cannot run %s: %s\n", a.cfg.cmd[0],
			err > 0 ? strerror(err) : "cannot release it");
		exit_code = err > 0 ? launch__cannot_run_status(err) : TT_EXIT_RUNTIME;
		while (waitpid(a.child, NULL, 0) < 0 && errno == EINTR)
			;
		a.child = 0;
		goto out;
	}
	/* the kernel's records are read from here on: the start comes first */
	report__emit_trace_start(&a, realtime0);
	if (!a.child) {
		if (procfs__threads(a.tgid, add_alive, &a) < 0) {
			fprintf(stderr, "threadtrace: process %d ended before tracing began\n", (int)a.tgid);
			exit_code = TT_EXIT_NOTARGET;
			goto out;
		}
		seed_asleep(&a);
		targets__probe_python(&a);
		targets__refresh_maps(&a);
	}

	exit_code = trace_loop(&a);
	/* a process that ran to its end left no kernel event at all: the filter missed it; never silently */
	if (!a.events && (a.child ? a.child_done : !procfs__process_running(a.tgid))) {
		fprintf(stderr, "threadtrace: the kernel side saw nothing of process %d, which ran: its report is "
				"empty (a PID namespace threadtrace cannot number? docs/platform.md)\n", (int)a.tgid);
		exit_code = TT_EXIT_RUNTIME;
	}
	if (a.bad_events)
		fprintf(stderr, "threadtrace: warning: %llu kernel records could not be decoded (ignored): "
				"a BPF object from another build?\n", (unsigned long long)a.bad_events);
	if (report__print(&a))
		exit_code = TT_EXIT_RUNTIME;
	if (outputs__finish(&a))
		exit_code = TT_EXIT_RUNTIME;

out:
	/* the files of a trace that never started are removed; those of one that did were closed */
	outputs__discard(&a);
	/* detach before waiting for the command: the machine stops paying */
	loader__free(a.loader);
	a.loader = NULL;
	if (a.launch.go_fd >= 0)
		launch__abort(&a.launch);
	else if (a.child && !a.child_done && waitpid(a.child, &a.child_status, WNOHANG) == a.child)
		a.child_done = true;
	else if (a.child && !a.child_done)
		end_child(&a);
	if (a.child_done) {
		int status = launch__exit_code(a.child_status);

		/* threadtrace's own failure wins, but the command's status is never lost silently */
		if (exit_code == TT_EXIT_OK)
			exit_code = status;
		else if (status)
			fprintf(stderr, "threadtrace: %s exited with status %d (threadtrace exits with %d: see above)\n",
				a.cfg.cmd[0], status, exit_code);
	}
	pythreads__free(a.py);
	for (size_t i = 0; i < a.nprocs; i++)
		syms__free(a.procs[i].syms);
	perfmap__cache_free();
	deadlocks__free(a.deadlocks);
	history__free(a.history);
	pystacks__free(a.pystacks);
	ustacks__free(a.ustacks);
	interval__free(a.interval);
	locks__free(a.locks);
	threads__free(a.threads);
	return exit_code;
}
