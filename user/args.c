/* Command-line parsing with argp. */
#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

const char *argp_program_version = "threadtrace 0.1";
const char *argp_program_bug_address = "the project's issue tracker";

static const char doc[] =
	"threadtrace: see what the threads of one process are doing (eBPF).\v"
	"EXAMPLES:\n"
	"  threadtrace -p 1234                 trace process 1234 until Ctrl-C\n"
	"  threadtrace -d 5 -q -p 1234         5 seconds, summary only\n"
	"  threadtrace -- ./mtsleep3           run a command, traced from its start\n"
	"  threadtrace --stacks -p 1234        also where threads blocked\n"
	"  threadtrace -f -- python3 mp.py     child processes too\n"
	"  threadtrace --csv -w t.csv -- ./a   events as CSV (docs/csv.md)\n"
	"  threadtrace --timeline t.json -- ./a   open t.json in ui.perfetto.dev\n"
	"  threadtrace --folded w.txt -- ./a   flamegraph.pl w.txt > w.svg\n"
	"\n"
	"Output: with a command, the live lines and the report go to stderr (the "
	"command's stdout stays its own); with -p, to stdout. With --csv or -o json "
	"and -w FILE, the text report still comes there. Every output file is checked "
	"before tracing starts. -d with a command: then SIGTERM to the command, "
	"SIGKILL 5 s later. A command not found: exit 127 (126: not executable).\n"
	"\n"
	"Exit status: with a command, the command's (128+N if signal N killed it), "
	"else 0. Errors: 1 runtime failure, 2 usage, 3 not permitted (needs root, or "
	"CAP_BPF and CAP_PERFMON), 4 BPF programs could not be loaded (no BTF?), "
	"5 no such process.";

static const char args_doc[] = "-p PID | -- COMMAND [ARGS...]";

enum { OPT_CSV = 0x100, OPT_FORCE, OPT_MAX_THREADS, OPT_BUFFER, OPT_MAX_LOCKS, OPT_SUMMARY_CSV, OPT_STACKS,
       OPT_SUMMARY_JSON, OPT_TIMELINE, OPT_ALL, OPT_FOLDED };

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Trace the process PID (all its threads)", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS (a command still running: SIGTERM)", 0 },
	{ "interval", 'i', "SECONDS", 0, "Every SECONDS, report the threads alive now", 0 },
	{ "csv", OPT_CSV, NULL, 0, "Write the events as CSV (see docs/csv.md); same as -o csv", 0 },
	{ "output", 'o', "FORMAT", 0,
	  "text (default), csv, or json (the CSV's events as JSON lines); the last -o or --csv wins", 0 },
	{ "timeline", OPT_TIMELINE, "FILE", 0,
	  "Write a timeline for ui.perfetto.dev / chrome://tracing (Chrome trace JSON)", 0 },
	{ "folded", OPT_FOLDED, "FILE", 0,
	  "Write the wait time as folded stacks for flame graphs (flamegraph.pl, inferno, speedscope); implies --stacks",
	  0 },
	{ "summary-json", OPT_SUMMARY_JSON, "FILE", 0, "Also write the summary tables and the verdict as JSON", 0 },
	{ "write", 'w', "FILE", 0, "Write the output (text, or the CSV/JSON events) into FILE", 0 },
	{ "force", OPT_FORCE, NULL, 0, "Let -w, --timeline, --folded, --summary-json, --summary-csv overwrite files", 0 },
	{ "quiet", 'q', NULL, 0, "No live lines: only the summary at the end", 0 },
	{ "all", OPT_ALL, NULL, 0, "Every thread in the summary's tables (default: the 40 that blocked or ran most)", 0 },
	{ "stacks", OPT_STACKS, NULL, 0, "Record where threads blocked: the top call sites per lock, and deadlocks", 0 },
	{ "follow", 'f', NULL, 0, "Follow child processes (fork, exec) of the target too", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's debug output", 0 },
	{ "max-threads", OPT_MAX_THREADS, "N", 0, "Size per-thread kernel maps for N threads alive at once (16384)", 0 },
	{ "max-locks", OPT_MAX_LOCKS, "N", 0, "Size each futex map for N entries: (futex word, thread) pairs of threads alive at once (16384)", 0 },
	{ "summary-csv", OPT_SUMMARY_CSV, "DIR", 0,
	  "Also write the summary tables as DIR/locks.csv, threads.csv, parallelism.csv (DIR is made)", 0 },
	{ "buffer", OPT_BUFFER, "KB", 0, "Ring buffer size in KiB, a power of 2 (4096)", 0 },
	{ 0 },
};

int args__parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int args__parse_seconds(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A usage error: one line, named threadtrace whatever path ran it, and exit 2 (argp adds a "Try --help" line). */
static void __attribute__((format(printf, 1, 2), noreturn)) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("threadtrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(TT_EXIT_USAGE);
}

static ssize_t discard(void *cookie, const char *buf, size_t len)
{
	(void)cookie;
	(void)buf;
	return (ssize_t)len;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct tt_config *cfg = state->input;
	long n;

	switch (key) {
	case ARGP_KEY_INIT:
		/* getopt's own line ("unrecognized option") stays; argp's "Try --help" line after it goes */
		state->err_stream = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = discard });
		if (!state->err_stream)
			return ENOMEM;
		break;
	case ARGP_KEY_FINI:
		fclose(state->err_stream);
		state->err_stream = stderr;
		break;
	case 'p':
		if (args__parse_long(arg, 1, 4194304, &n))
			usage_error("invalid PID '%s': a number from 1 to 4194304", arg);
		cfg->pid = n;
		break;
	case 'd':
		if (args__parse_seconds(arg, 0.001, 1e7, &cfg->duration_s))
			usage_error("invalid duration '%s': seconds, from 0.001", arg);
		break;
	case 'i':
		if (args__parse_seconds(arg, 0.01, 1e6, &cfg->interval_s))
			usage_error("invalid interval '%s': seconds, from 0.01", arg);
		break;
	case OPT_CSV:
		cfg->format = TT_FORMAT_CSV;
		break;
	case 'o':
		if (!strcmp(arg, "csv"))
			cfg->format = TT_FORMAT_CSV;
		else if (!strcmp(arg, "json"))
			cfg->format = TT_FORMAT_JSON;
		else if (!strcmp(arg, "text"))
			cfg->format = TT_FORMAT_TEXT;
		else
			usage_error("unknown output format '%s': text, csv or json", arg);
		break;
	case OPT_TIMELINE:
		if (!*arg)
			usage_error("--timeline needs a file name");
		cfg->timeline = arg;
		break;
	case OPT_FOLDED:
		if (!*arg)
			usage_error("--folded needs a file name");
		cfg->folded = arg;
		break;
	case OPT_SUMMARY_JSON:
		if (!*arg)
			usage_error("--summary-json needs a file name");
		cfg->summary_json = arg;
		break;
	case 'w':
		if (!*arg)
			usage_error("-w needs a file name");
		cfg->out_path = arg;
		break;
	case OPT_ALL:
		cfg->all = true;
		break;
	case OPT_FORCE:
		cfg->force = true;
		break;
	case 'q':
		cfg->quiet = true;
		break;
	case 'v':
		cfg->verbose = true;
		break;
	case 'f':
		cfg->follow = true;
		break;
	case OPT_STACKS:
		cfg->stacks = true;
		break;
	case OPT_MAX_THREADS:
		if (args__parse_long(arg, 16, 4194304, &n))
			usage_error("invalid --max-threads '%s': from 16 to 4194304", arg);
		cfg->max_threads = n;
		break;
	case OPT_MAX_LOCKS:
		if (args__parse_long(arg, 16, 4194304, &n))
			usage_error("invalid --max-locks '%s': from 16 to 4194304", arg);
		cfg->max_locks = n;
		break;
	case OPT_SUMMARY_CSV:
		if (!*arg)
			usage_error("--summary-csv needs a folder");
		cfg->summary_dir = arg;
		break;
	case OPT_BUFFER:
		if (args__parse_long(arg, 4, 1 << 20, &n) || (n & (n - 1)))
			usage_error("invalid --buffer '%s': a power of 2 from 4 to 1048576", arg);
		cfg->buffer_kb = n;
		break;
	case ARGP_KEY_ARGS:
		cfg->cmd = state->argv + state->next;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (cfg->pid && cfg->cmd)
			usage_error("give either -p PID or a command, not both");
		if (!cfg->pid && !cfg->cmd)
			usage_error("nothing to trace: give -p PID or -- COMMAND");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * The settings that follow from several options, set here once the whole
 * command line is read: set in the options' cases, the last option given
 * decided (--timeline t.json -o text lost the timeline's hand-off arrows).
 */
static void derive(struct tt_config *cfg)
{
	cfg->csv = cfg->format == TT_FORMAT_CSV;
	cfg->json = cfg->format == TT_FORMAT_JSON;
	/* the event formats show every wait and hold; the timeline's hand-off arrows come from the waits */
	cfg->lock_events = cfg->csv || cfg->json || cfg->timeline;
	/* the folded stacks are the call sites' waits: those are recorded with --stacks */
	if (cfg->folded)
		cfg->stacks = true;
}

int args__parse(int argc, char **argv, struct tt_config *cfg)
{
	static const struct argp argp = { options, parse_opt, args_doc, doc, NULL, NULL, NULL };
	int idx = 0, err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_threads = 16384;
	cfg->max_locks = 16384;
	cfg->buffer_kb = 4096;
	/* Usage errors exit here with TT_EXIT_USAGE, --help and --version with 0. */
	argp_err_exit_status = TT_EXIT_USAGE;
	/* getopt names the program by argv[0]: the tool's name, not the path it was run by */
	if (argc > 0)
		argv[0] = (char *)"threadtrace";
	/* ARGP_IN_ORDER: options after the command's name are the command's. */
	err = argp_parse(&argp, argc, argv, ARGP_IN_ORDER, &idx, cfg);
	if (err)
		return -err; /* not a usage error (those exit): out of memory */
	derive(cfg);
	return 0;
}
