/* The state of one threadtrace run, shared by main.c and the parts it drives while tracing. */
#ifndef TT_APP_H
#define TT_APP_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "args.h"
#include "events.h"
#include "launch.h"
#include "loader.h"
#include "model/deadlock.h"
#include "model/history.h"
#include "model/locks.h"
#include "model/pystacks.h"
#include "ustacks.h"
#include "model/report.h"
#include "model/threads.h"
#include "model/verdict.h"
#include "outfile.h"
#include "view/view.h"

struct syms;
struct pythreads;

#define POLL_MS 50
/* a new thread or program makes /proc/PID/maps worth reading again, at most this often */
#define RESCAN_NS (100 * 1000 * 1000ULL)
#define MAPS_REFRESH_NS (250 * 1000 * 1000ULL)
#define DEADLOCK_SCAN_NS (250 * 1000 * 1000ULL)
/* looks for CPython in the maps: 2 ms after an exec, then twice as far apart each time, to 1 s */
#define TT_PYTHON_PROBE_FIRST_NS (2 * 1000 * 1000ULL)
#define TT_PYTHON_PROBE_MAX_NS (1000 * 1000 * 1000ULL)
#define STATUS_NS (1000 * 1000 * 1000ULL)
#define TT_TOP_LOCKS 10 /* locks whose call sites are named (--stacks) */

struct app {
	struct tt_config cfg;
	pid_t tgid;
	pid_t child;           /* the command we started, or 0 */
	struct tt_launch launch;
	bool child_done;
	int child_status;
	struct tt_loader *loader;
	struct tt_threads *threads;
	struct tt_locks *locks;
	struct tt_deadlocks *deadlocks;
	struct tt_history *history;  /* --timeline */
	struct tt_pystacks *pystacks; /* CPython: the Python stacks of waits (pywaits.c) */
	struct ustacks *ustacks;     /* sites (--stacks) and words unwound with DWARF (ustacks.c) */
	struct tt_interval *interval; /* -i: the totals at the last interval */
	struct tt_event_sink sink;   /* where kernel events go (events.c) */
	struct proc_maps {
		pid_t tgid;
		struct syms *syms;  /* its mappings, refreshed while it lives */
		bool spin_probed;   /* its files looked at for spinning locks' slow paths, since its last exec */
	} procs[64];                /* the target, and with -f its descendants */
	size_t nprocs;
	uint64_t maps_read_ns;
	uint64_t retire_ns;          /* the last move of ended threads' entries out of the kernel (mapretire.h) */
	size_t retire_nended;        /* ... and how many threads had ended then */
	bool maps_since_exec;        /* read since the last exec's libraries were mapped (a thread started) */
	struct tt_view view;         /* the -o format, into out */
	/*
	 * With CSV or JSON: the text report (summary, -i, deadlocks) on the report
	 * stream, when that is not where the events go (report_view.ops NULL then).
	 */
	struct tt_view report_view;
	FILE *out;                   /* the -w file, or stdout/stderr */
	/* every file named on the command line, opened before the trace starts */
	struct tt_outfile wfile, timeline_file, folded_file, summary_json_file, summary_csv_files[TT_SUMMARY_FILES];
	bool summary_dir_made;       /* --summary-csv's folder was made by this run */
	struct { dev_t dev; ino_t ino; } go_checked; /* the executable last looked at for Go (golang.c) */
	bool python_probed;
	uint64_t python_scan_ns;     /* the last look for CPython in the maps */
	uint64_t python_probe_gap_ns; /* until the next (2 ms after an exec, doubling to 1 s) */
	struct pythreads *py;        /* CPython: names and frames read from it (pythreads.c) */
	struct tt_py_conf py_conf;   /* CPython: what the kernel side reads frames with (pywaits.c) */
	bool py_cfuncs_known;        /* ... the C functions it looks for found */
	uint64_t events;
	uint64_t bad_events;         /* records that decode as no event */
};

uint64_t app__now_ns(clockid_t clk);
/* A record to the views (and the timeline). */
void app__emit(const struct tt_record *rec, void *ctx);

/* outputs.c: every file opened before the trace starts, and the report's stream */
/* Opens every output and sets up the views: 0, or -1 after one line on stderr (nothing left behind). */
int outputs__open(struct app *a);
/* The trace starts: files kept until now (--force) are emptied. 0 or -1 after a message. */
int outputs__begin(struct app *a);
/* The trace never started: files and the folder this run made are removed again. */
void outputs__discard(struct app *a);
/* Closes every file and flushes stdout, naming each failure: 0 or -1. */
int outputs__finish(struct app *a);

/* targets.c: the traced processes' mappings, and CPython's probe */
struct syms *targets__syms_of(pid_t tgid, void *ctx);
void targets__add_process(struct app *a, pid_t tgid);
void targets__refresh_maps(struct app *a);
/* Process tgid runs a new program: its files are looked at again (spinning locks' slow paths). */
void targets__exec(struct app *a, pid_t tgid);
void targets__probe_python(struct app *a);
/* golang.c: a Go executable gets its mutex probes (docs/locks.md, "Go") */
void golang__probe(struct app *a);

/* deadwatch.c: deadlocks as they form */
void deadwatch__scan(struct app *a);

/* report.c: the trace's first and last records, the summary, the status line */
void report__emit_trace(struct app *a, const char *detail, bool has_dur, uint64_t dur);
void report__emit_trace_start(struct app *a, uint64_t realtime_ns);
int report__build(struct app *a, uint64_t now, struct tt_report *r, struct tt_parallelism *par,
		 struct tt_verdict *verdict);
/* The summary and the files it goes to: 0, or -1 after a message on stderr for each failure. */
int report__print(struct app *a);
void report__status_line(struct app *a, uint64_t now, bool last);
/* Now and then, when threads ended since the last time: their entries out of the kernel's maps (mapretire.h). */
void report__retire_ended(struct app *a, uint64_t now);
/* -i: the interval ending now, to the interval view. */
void report__interval(struct app *a, uint64_t now);

#endif
