/* threadtrace: command line and the tool's lifecycle (open -> attach -> poll -> report). */
#include <errno.h>
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
	struct tt_event e;
	uint32_t kind;

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
	}
	if (kind == TT_EV_FORK)
		targets__add_process(a, (pid_t)e.h.tgid);
	/* libpython is mapped after exec, before the first thread starts. */
	if ((kind == TT_EV_START || kind == TT_EV_EXEC) && !a->python_probed &&
	    app__now_ns(CLOCK_MONOTONIC) - a->python_scan_ns > RESCAN_NS)
		targets__probe_python(a);
	pythreads__on_event(a, kind);
	/* a new program or thread: libraries may have come; name locks with fresh maps */
	if ((kind == TT_EV_EXEC || kind == TT_EV_START) &&
	    app__now_ns(CLOCK_MONOTONIC) - a->maps_read_ns > RESCAN_NS)
		targets__refresh_maps(a);
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

static FILE *open_output(const struct tt_config *cfg)
{
	return cfg->out_path ? outfile__create(cfg->out_path, cfg->force) : stdout;
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
		now = app__now_ns(CLOCK_MONOTONIC);
		if (target_ended(a))
			break;
		if (deadline && now >= deadline)
			break;
		if (a->cfg.interval_s && now >= next_interval) {
			report__interval(a, now);
			next_interval += (uint64_t)(a->cfg.interval_s * 1e9);
		}
		if (!a->python_probed && now - a->python_scan_ns > RESCAN_NS * 10)
			targets__probe_python(a);
		pythreads__tick(a, now);
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

	if (!procfs__find_mapping(getpid(), libc, path, sizeof(path)))
		err = loader__attach_libc(a->loader, path);
	if (!a->child && !procfs__find_mapping(a->tgid, libc, path, sizeof(path)))
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

	err = args__parse(argc, argv, &a.cfg);
	if (err) {
		fprintf(stderr, "threadtrace: cannot read the command line: %s\n", strerror(-err));
		return TT_EXIT_RUNTIME;
	}
	perfmap__set_stop(&signals_seen);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (a.cfg.pid && (exit_code = resolve_pid(&a)))
		return exit_code;
	/* no file is made for a trace that cannot start */
	a.out = open_output(&a.cfg);
	if (!a.out)
		return TT_EXIT_USAGE;
	if (!a.cfg.pid) {
		a.child = launch__held(a.cfg.cmd, &go_fd);
		if (a.child < 0) {
			fprintf(stderr, "threadtrace: cannot start %s: %s\n", a.cfg.cmd[0], strerror(errno));
			exit_code = TT_EXIT_RUNTIME;
			goto out;
		}
		a.tgid = a.child;
	}

	realtime0 = app__now_ns(CLOCK_REALTIME);
	a.threads = threads__new(a.tgid, app__now_ns(CLOCK_MONOTONIC));
	a.locks = locks__new();
	a.deadlocks = deadlocks__new();
	a.history = a.cfg.timeline ? history__new() : NULL;
	a.pystacks = pystacks__new();
	a.interval = a.cfg.interval_s ? interval__new() : NULL;
	if (!a.threads || !a.locks || !a.deadlocks || !a.pystacks || (a.cfg.timeline && !a.history) ||
	    (a.cfg.interval_s && !a.interval)) {
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

	if (a.cfg.json) {
		view__json_init(&a.view, a.out);
		view__text_init(&a.interval_view, stderr, false);
	} else if (a.cfg.csv) {
		view__csv_init(&a.view, a.out);
		view__text_init(&a.interval_view, stderr, false);
	} else {
		view__text_init(&a.view, a.out, !a.cfg.quiet);
	}
	report__emit_trace_start(&a, realtime0);
	if (a.child) {
		if (launch__release(go_fd)) {
			fprintf(stderr, "threadtrace: cannot start %s\n", a.cfg.cmd[0]);
			exit_code = TT_EXIT_RUNTIME;
			goto out;
		}
		go_fd = -1;
	} else {
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
	errno = 0;
	if (fflush(a.out) || ferror(a.out)) {
		outfile_failed(a.cfg.out_path ? a.cfg.out_path : "the output", errno);
		exit_code = TT_EXIT_RUNTIME;
	}

out:
	/* detach before waiting for a command that runs on (-d): the machine stops paying */
	loader__free(a.loader);
	a.loader = NULL;
	if (go_fd >= 0)
		launch__abort(a.child, go_fd);
	else if (a.child && !a.child_done) {
		/* Stopped early: pass the signal on, then report the command's own end. */
		if (stop_signal)
			kill(a.child, stop_signal);
		while ((err = waitpid(a.child, &a.child_status, 0)) < 0 && errno == EINTR)
			;
		a.child_done = err == a.child;
	}
	if (a.child_done && exit_code == TT_EXIT_OK)
		exit_code = launch__exit_code(a.child_status);
	pythreads__free(a.py);
	for (size_t i = 0; i < a.nprocs; i++)
		syms__free(a.procs[i].syms);
	perfmap__cache_free();
	deadlocks__free(a.deadlocks);
	history__free(a.history);
	pystacks__free(a.pystacks);
	interval__free(a.interval);
	locks__free(a.locks);
	threads__free(a.threads);
	if (a.out && a.out != stdout)
		fclose(a.out);
	return exit_code;
}
