/* Unit tests for user/args.c: args__parse, args__parse_long, args__parse_seconds. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "args.h"
#include "check.h"

/* args__parse returned normally in a child (it exits on errors, --help, --version). */
#define RETURNED 77
#define MAXARGS 16

/* A mutable argv: "threadtrace" then the given arguments, NULL-terminated. */
struct argvec {
	int argc;
	char *argv[MAXARGS + 2];
	char buf[1024];
};

static void argvec_add(struct argvec *a, size_t *used, const char *s)
{
	size_t n = strlen(s) + 1;

	if (a->argc == MAXARGS + 1 || *used + n > sizeof(a->buf))
		abort();
	memcpy(a->buf + *used, s, n);
	a->argv[a->argc++] = a->buf + *used;
	*used += n;
}

static void argvec_set(struct argvec *a, const char *const *args)
{
	size_t used = 0;

	a->argc = 0;
	argvec_add(a, &used, "threadtrace");
	for (; *args; args++)
		argvec_add(a, &used, *args);
	a->argv[a->argc] = NULL;
}

/* "-p 0 --bogus": the arguments, for failure messages. */
static const char *argvec_str(const struct argvec *a)
{
	static char s[1024];
	size_t o = 0;

	s[0] = '\0';
	for (int i = 1; i < a->argc && o < sizeof(s); i++)
		o += snprintf(s + o, sizeof(s) - o, "%s'%s'", i > 1 ? " " : "", a->argv[i]);
	return s;
}

/*
 * Runs args__parse in a child; returns its exit status (RETURNED if it
 * returned 0, 128+N if signal N killed it). The child's stdout and stderr go
 * to out (when given, NUL-terminated) or to /dev/null.
 */
static int run_child(struct argvec *a, char *out, size_t outlen)
{
	int pfd[2], status;
	pid_t pid;

	if (pipe(pfd))
		abort();
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		struct tt_config cfg;
		int fd = out ? pfd[1] : open("/dev/null", O_WRONLY);

		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(pfd[0]);
		_exit(args__parse(a->argc, a->argv, &cfg) == 0 ? RETURNED : 99);
	}
	close(pfd[1]);
	if (out) {
		size_t o = 0;
		ssize_t r;

		while ((r = read(pfd[0], out + o, outlen - 1 - o)) > 0)
			o += (size_t)r;
		out[o] = '\0';
	}
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid)
		abort();
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The command line must make args__parse exit with status want. */
#define EXPECT_EXIT(want, ...) expect_exit(__FILE__, __LINE__, want, ARGS(__VA_ARGS__))
static void expect_exit(const char *file, int line, int want, const char *const *args)
{
	struct argvec a;
	int got;

	argvec_set(&a, args);
	got = run_child(&a, NULL, 0);
	if (got != want)
		check_fail(file, line, "threadtrace %s: exit status %d, expected %d%s", argvec_str(&a), got,
			   want, got == RETURNED ? " (args__parse returned)" : "");
}

/*
 * Parses a valid command line into *cfg. It is tried in a child first so
 * that a wrong exit fails the test instead of ending the test program.
 */
#define PARSE_OK(a, cfg, ...) parse_ok(__FILE__, __LINE__, a, cfg, ARGS(__VA_ARGS__))
static int parse_ok(const char *file, int line, struct argvec *a, struct tt_config *cfg,
		    const char *const *args)
{
	int got;

	argvec_set(a, args);
	got = run_child(a, NULL, 0);
	if (got != RETURNED) {
		check_fail(file, line, "threadtrace %s: exit status %d, expected args__parse to return",
			   argvec_str(a), got);
		return -1;
	}
	if (args__parse(a->argc, a->argv, cfg) != 0) {
		check_fail(file, line, "threadtrace %s: args__parse != 0", argvec_str(a));
		return -1;
	}
	return 0;
}

TEST(pid_and_defaults)
{
	struct tt_config cfg;
	struct argvec a;

	if (PARSE_OK(&a, &cfg, "-p", "1234"))
		return;
	CHECK_EQ_INT(cfg.pid, 1234);
	CHECK(cfg.cmd == NULL);
	CHECK_EQ_INT(cfg.max_threads, 16384);
	CHECK_EQ_INT(cfg.buffer_kb, 4096);
	CHECK(cfg.duration_s == 0.0);
	CHECK(cfg.interval_s == 0.0);
	CHECK(!cfg.csv);
	CHECK(cfg.out_path == NULL);
	CHECK(!cfg.force);
	CHECK(!cfg.quiet);
	CHECK(!cfg.verbose);

	if (PARSE_OK(&a, &cfg, "--pid=4194304"))
		return;
	CHECK_EQ_INT(cfg.pid, 4194304);
}

TEST(bad_pids)
{
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "0");
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "-5");
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "10abc");
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "abc");
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "");
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "99999999");
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "4194305");
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "99999999999999999999999");
	EXPECT_EXIT(TT_EXIT_USAGE, "-p"); /* missing argument */
}

TEST(target_required_exactly_once)
{
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "1234", "--", "ls");
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "1234", "ls");
	EXPECT_EXIT(TT_EXIT_USAGE, "-q");
	EXPECT_EXIT(TT_EXIT_USAGE, "--");
	{
		struct argvec a;
		const char *const none[] = { NULL };

		argvec_set(&a, none);
		CHECK_EQ_INT(run_child(&a, NULL, 0), TT_EXIT_USAGE);
	}
}

TEST(unknown_option)
{
	EXPECT_EXIT(TT_EXIT_USAGE, "--bogus", "-p", "1");
	EXPECT_EXIT(TT_EXIT_USAGE, "-p", "1", "--bogus");
	EXPECT_EXIT(TT_EXIT_USAGE, "-Z", "-p", "1");
}

TEST(duration_and_interval)
{
	struct tt_config cfg;
	struct argvec a;

	if (!PARSE_OK(&a, &cfg, "-d", "1.5", "-p", "7")) {
		CHECK(cfg.duration_s == 1.5);
		CHECK(cfg.interval_s == 0.0);
		CHECK_EQ_INT(cfg.pid, 7);
	}
	if (!PARSE_OK(&a, &cfg, "-i", "0.5", "-p", "7"))
		CHECK(cfg.interval_s == 0.5);
	if (!PARSE_OK(&a, &cfg, "-d", "0.001", "-i", "0.01", "-p", "7")) {
		CHECK(cfg.duration_s == 0.001);
		CHECK(cfg.interval_s == 0.01);
	}
	EXPECT_EXIT(TT_EXIT_USAGE, "-d", "0", "-p", "7");
	EXPECT_EXIT(TT_EXIT_USAGE, "-d", "2x", "-p", "7");
	EXPECT_EXIT(TT_EXIT_USAGE, "-d", "-1", "-p", "7");
	EXPECT_EXIT(TT_EXIT_USAGE, "-d", "nan", "-p", "7");
	EXPECT_EXIT(TT_EXIT_USAGE, "-d", "inf", "-p", "7");
	EXPECT_EXIT(TT_EXIT_USAGE, "-i", "0", "-p", "7");
	EXPECT_EXIT(TT_EXIT_USAGE, "-i", "0.001", "-p", "7");
	EXPECT_EXIT(TT_EXIT_USAGE, "-i", "", "-p", "7");
}

TEST(output_flags)
{
	struct tt_config cfg;
	struct argvec a;

	if (!PARSE_OK(&a, &cfg, "--csv", "-w", "out.csv", "--force", "-q", "-p", "42")) {
		CHECK(cfg.csv);
		CHECK_STR(cfg.out_path, "out.csv");
		CHECK(cfg.force);
		CHECK(cfg.quiet);
		CHECK(!cfg.verbose);
		CHECK_EQ_INT(cfg.pid, 42);
	}
	if (!PARSE_OK(&a, &cfg, "-v", "-p", "42"))
		CHECK(cfg.verbose);
	EXPECT_EXIT(TT_EXIT_USAGE, "-w", "", "-p", "42");
}

TEST(buffer_and_max_threads)
{
	struct tt_config cfg;
	struct argvec a;

	if (!PARSE_OK(&a, &cfg, "--buffer", "1024", "-p", "1"))
		CHECK_EQ_INT(cfg.buffer_kb, 1024);
	if (!PARSE_OK(&a, &cfg, "--buffer", "4", "-p", "1"))
		CHECK_EQ_INT(cfg.buffer_kb, 4);
	if (!PARSE_OK(&a, &cfg, "--max-threads", "16", "-p", "1"))
		CHECK_EQ_INT(cfg.max_threads, 16);
	EXPECT_EXIT(TT_EXIT_USAGE, "--buffer", "1000", "-p", "1");
	EXPECT_EXIT(TT_EXIT_USAGE, "--buffer", "0", "-p", "1");
	EXPECT_EXIT(TT_EXIT_USAGE, "--buffer", "2", "-p", "1");
	EXPECT_EXIT(TT_EXIT_USAGE, "--buffer", "2097152", "-p", "1");
	EXPECT_EXIT(TT_EXIT_USAGE, "--max-threads", "10", "-p", "1");
	EXPECT_EXIT(TT_EXIT_USAGE, "--max-threads", "4194305", "-p", "1");
}

TEST(command_after_double_dash)
{
	struct tt_config cfg;
	struct argvec a;

	if (!PARSE_OK(&a, &cfg, "--", "cmd", "-x", "--y")) {
		CHECK_EQ_INT(cfg.pid, 0);
		if (cfg.cmd) {
			CHECK_STR(cfg.cmd[0], "cmd");
			CHECK_STR(cfg.cmd[1], "-x");
			CHECK_STR(cfg.cmd[2], "--y");
			CHECK(cfg.cmd[3] == NULL);
		} else {
			CHECK(cfg.cmd != NULL);
		}
		CHECK(!cfg.quiet && !cfg.csv && !cfg.verbose);
	}
	if (!PARSE_OK(&a, &cfg, "-q", "--", "ls", "-l")) {
		CHECK(cfg.quiet);
		if (cfg.cmd) {
			CHECK_STR(cfg.cmd[0], "ls");
			CHECK_STR(cfg.cmd[1], "-l");
			CHECK(cfg.cmd[2] == NULL);
		} else {
			CHECK(cfg.cmd != NULL);
		}
	}
	/* threadtrace's own options in the command's arguments stay the command's */
	if (!PARSE_OK(&a, &cfg, "--", "sh", "-p", "1", "-q", "--csv")) {
		CHECK_EQ_INT(cfg.pid, 0);
		CHECK(!cfg.quiet);
		CHECK(!cfg.csv);
		if (cfg.cmd) {
			CHECK_STR(cfg.cmd[0], "sh");
			CHECK_STR(cfg.cmd[1], "-p");
			CHECK_STR(cfg.cmd[4], "--csv");
			CHECK(cfg.cmd[5] == NULL);
		} else {
			CHECK(cfg.cmd != NULL);
		}
	}
	/* without "--", options after the command's name are the command's too */
	if (!PARSE_OK(&a, &cfg, "-d", "2", "sleep", "-q", "1")) {
		CHECK(cfg.duration_s == 2.0);
		CHECK(!cfg.quiet);
		if (cfg.cmd) {
			CHECK_STR(cfg.cmd[0], "sleep");
			CHECK_STR(cfg.cmd[1], "-q");
			CHECK_STR(cfg.cmd[2], "1");
			CHECK(cfg.cmd[3] == NULL);
		} else {
			CHECK(cfg.cmd != NULL);
		}
	}
}

TEST(help_and_version_exit_0)
{
	char out[65536];
	struct argvec a;

	argvec_set(&a, ARGS("--help"));
	CHECK_EQ_INT(run_child(&a, out, sizeof(out)), 0);
	CHECK(strstr(out, "--pid") != NULL);
	CHECK(strstr(out, "--max-threads") != NULL);

	argvec_set(&a, ARGS("--version"));
	CHECK_EQ_INT(run_child(&a, out, sizeof(out)), 0);
	CHECK(strstr(out, "threadtrace") != NULL);

	/* --help wins over an otherwise incomplete command line */
	argvec_set(&a, ARGS("-q", "--help"));
	CHECK_EQ_INT(run_child(&a, out, sizeof(out)), 0);
}

TEST(usage_error_message)
{
	char out[65536];
	struct argvec a;

	argvec_set(&a, ARGS("-p", "abc"));
	CHECK_EQ_INT(run_child(&a, out, sizeof(out)), TT_EXIT_USAGE);
	CHECK(strstr(out, "invalid PID 'abc'") != NULL);
}

TEST(parse_long_ranges)
{
	long v = -77;

	CHECK_EQ_INT(args__parse_long("0", 0, 10, &v), 0);
	CHECK_EQ_INT(v, 0);
	CHECK_EQ_INT(args__parse_long("10", 0, 10, &v), 0);
	CHECK_EQ_INT(v, 10);
	CHECK_EQ_INT(args__parse_long("-3", -5, 5, &v), 0);
	CHECK_EQ_INT(v, -3);
	CHECK_EQ_INT(args__parse_long("9223372036854775807", 0, LONG_MAX, &v), 0);
	CHECK_EQ_INT(v, LONG_MAX);

	v = -77;
	CHECK_EQ_INT(args__parse_long("11", 0, 10, &v), -1);
	CHECK_EQ_INT(args__parse_long("-1", 0, 10, &v), -1);
	CHECK_EQ_INT(args__parse_long("", 0, 10, &v), -1);
	CHECK_EQ_INT(args__parse_long("5x", 0, 10, &v), -1);
	CHECK_EQ_INT(args__parse_long("5 ", 0, 10, &v), -1);
	CHECK_EQ_INT(args__parse_long("x5", 0, 10, &v), -1);
	CHECK_EQ_INT(args__parse_long("-", 0, 10, &v), -1);
	CHECK_EQ_INT(args__parse_long("1.0", 0, 10, &v), -1);
	CHECK_EQ_INT(args__parse_long("0x5", 0, 10, &v), -1);
	CHECK_EQ_INT(args__parse_long("nan", 0, 10, &v), -1);
	CHECK_EQ_INT(args__parse_long("9223372036854775808", 0, LONG_MAX, &v), -1); /* ERANGE */
	CHECK_EQ_INT(args__parse_long("-9223372036854775809", LONG_MIN, 0, &v), -1);
	CHECK_EQ_INT(v, -77); /* untouched on failure */
}

TEST(parse_seconds_ranges)
{
	double v = -77;

	CHECK_EQ_INT(args__parse_seconds("1.5", 0.001, 10, &v), 0);
	CHECK(v == 1.5);
	CHECK_EQ_INT(args__parse_seconds("10", 0.001, 10, &v), 0);
	CHECK(v == 10.0);
	CHECK_EQ_INT(args__parse_seconds("0.001", 0.001, 10, &v), 0);
	CHECK(v == 0.001);
	CHECK_EQ_INT(args__parse_seconds("2e1", 0, 100, &v), 0);
	CHECK(v == 20.0);

	v = -77;
	CHECK_EQ_INT(args__parse_seconds("0", 0.001, 10, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("10.0001", 0.001, 10, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("-1", 0.001, 10, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("", 0.001, 10, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("2x", 0.001, 10, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("1.5s", 0.001, 10, &v), -1);
	CHECK_EQ_INT(args__parse_seconds(".", 0.001, 10, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("nan", -1e308, 1e308, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("NAN", -1e308, 1e308, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("inf", -1e308, INFINITY, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("-inf", -INFINITY, 1e308, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("infinity", 0, INFINITY, &v), -1);
	CHECK_EQ_INT(args__parse_seconds("1e999", 0, INFINITY, &v), -1); /* ERANGE */
	CHECK(v == -77); /* untouched on failure */
}

/* Settings that follow from several options do not depend on the options' order. */
TEST(derived_options_any_order)
{
	struct tt_config cfg;
	struct argvec a;

	/* the timeline's hand-off arrows need the lock events, whatever -o says, before or after */
	if (!PARSE_OK(&a, &cfg, "--timeline", "t.json", "-o", "text", "-p", "1")) {
		CHECK(cfg.lock_events);
		CHECK(!cfg.csv && !cfg.json);
		CHECK_STR(cfg.timeline, "t.json");
	}
	if (!PARSE_OK(&a, &cfg, "-o", "text", "--timeline", "t.json", "-p", "1")) {
		CHECK(cfg.lock_events);
		CHECK(!cfg.csv && !cfg.json);
	}
	if (!PARSE_OK(&a, &cfg, "--timeline", "t.json", "-o", "json", "-o", "text", "-p", "1"))
		CHECK(cfg.lock_events);
	/* text alone streams no lock events */
	if (!PARSE_OK(&a, &cfg, "-o", "text", "-p", "1"))
		CHECK(!cfg.lock_events);
	if (!PARSE_OK(&a, &cfg, "-p", "1"))
		CHECK(!cfg.lock_events && !cfg.csv && !cfg.json && cfg.format == TT_FORMAT_TEXT);
	/* the output format: the last -o or --csv wins, and exactly one format is on */
	if (!PARSE_OK(&a, &cfg, "-o", "csv", "-o", "json", "-p", "1")) {
		CHECK(cfg.json && !cfg.csv);
		CHECK(cfg.lock_events);
	}
	if (!PARSE_OK(&a, &cfg, "-o", "json", "-o", "csv", "-p", "1")) {
		CHECK(cfg.csv && !cfg.json);
		CHECK(cfg.lock_events);
	}
	if (!PARSE_OK(&a, &cfg, "--csv", "-o", "text", "-p", "1")) {
		CHECK(!cfg.csv && !cfg.json);
		CHECK(!cfg.lock_events);
	}
	if (!PARSE_OK(&a, &cfg, "-o", "text", "--csv", "-p", "1")) {
		CHECK(cfg.csv && !cfg.json);
		CHECK(cfg.lock_events);
	}
	if (!PARSE_OK(&a, &cfg, "-o", "json", "--csv", "-p", "1"))
		CHECK(cfg.csv && !cfg.json);
	EXPECT_EXIT(TT_EXIT_USAGE, "-o", "xml", "-p", "1");
}

int main(void)
{
	RUN(pid_and_defaults);
	RUN(bad_pids);
	RUN(target_required_exactly_once);
	RUN(unknown_option);
	RUN(duration_and_interval);
	RUN(output_flags);
	RUN(buffer_and_max_threads);
	RUN(command_after_double_dash);
	RUN(help_and_version_exit_0);
	RUN(usage_error_message);
	RUN(parse_long_ranges);
	RUN(parse_seconds_ranges);
	RUN(derived_options_any_order);
	return check_summary();
}
