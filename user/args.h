/* The command line: options into a tt_config, with every number range-checked. */
#ifndef TT_ARGS_H
#define TT_ARGS_H

#include <stdbool.h>
#include <sys/types.h>

/* Exit codes, documented in README.md and --help. */
enum tt_exit {
	TT_EXIT_OK = 0,
	TT_EXIT_RUNTIME = 1,   /* failure while tracing */
	TT_EXIT_USAGE = 2,     /* bad command line */
	TT_EXIT_NOPERM = 3,    /* not root / missing CAP_BPF, CAP_PERFMON */
	TT_EXIT_NOBPF = 4,     /* BPF programs could not be loaded or attached (no BTF, ...) */
	TT_EXIT_NOTARGET = 5,  /* no such process, or it cannot be traced */
};

enum tt_format { TT_FORMAT_TEXT, TT_FORMAT_CSV, TT_FORMAT_JSON };

struct tt_config {
	pid_t pid;           /* -p; 0 when a command is given */
	char **cmd;          /* after --: NULL-terminated argv */
	double duration_s;   /* -d; 0: until the target ends or Ctrl-C */
	double interval_s;   /* -i; 0: off */
	enum tt_format format; /* -o or --csv: the last one given */
	/* derived from format, once the command line is read */
	bool csv;            /* --csv or -o csv */
	bool json;           /* -o json: the events as JSON lines */
	const char *summary_json; /* --summary-json FILE */
	const char *timeline;     /* --timeline FILE */
	const char *folded;       /* --folded FILE (sets stacks) */
	const char *out_path; /* -w */
	bool force;          /* --force: -w may overwrite */
	bool all;            /* --all: every thread in the summary's tables */
	bool quiet;          /* -q: no live lines */
	bool verbose;        /* -v: libbpf debug output */
	bool follow;         /* -f: child processes too */
	bool stacks;         /* --stacks: where threads blocked */
	bool lock_events;    /* derived: stream a wait/hold event each (csv, json, --timeline) */
	const char *summary_dir; /* --summary-csv DIR */
	unsigned max_threads;
	unsigned max_locks;
	unsigned buffer_kb;
};

/*
 * Parses argv into cfg and returns 0. A usage error prints a message and
 * exits with TT_EXIT_USAGE; --help and --version print and exit with 0.
 * -errno when argp itself failed (out of memory), without a message.
 */
int args__parse(int argc, char **argv, struct tt_config *cfg);

/* strtol-style parsing of a whole string into [min, max]; 0 or -1. */
int args__parse_long(const char *s, long min, long max, long *out);
int args__parse_seconds(const char *s, double min, double max, double *out);

#endif
