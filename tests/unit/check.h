/*
 * A tiny unit-test harness shared by tests/unit/test_*.c.
 *
 *   TEST(parses_pid) { CHECK_EQ_INT(f(1), 2); CHECK_STR(g(), "x"); }
 *   int main(void) { RUN(parses_pid); return check_summary(); }
 *   CHECK_RUNS_CLEANLY(thing__free(NULL));   (a forked child must end with status 0)
 *
 * A failed check prints file:line and the values, and the test goes on; a
 * test fails when any of its checks failed. check_summary() prints exactly
 * "N passed, N failed" (counting test functions) and returns the exit
 * status: 1 if any test failed, else 0.
 */
#ifndef TT_CHECK_H
#define TT_CHECK_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int check_tests_passed, check_tests_failed;
static int check_current_failures;
static const char *check_current_test = "?";

__attribute__((format(printf, 3, 4), unused))
static void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	check_current_failures++;
	fprintf(stdout, "  %s:%d: %s: ", file, line, check_current_test);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Prints s (or NULL) with C escapes, so control bytes in a failure show. */
__attribute__((unused))
static void check_print_escaped(const char *s)
{
	if (!s) {
		fputs("NULL", stdout);
		return;
	}
	fputc('"', stdout);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p >= 0x20 && *p < 0x7f)
			fputc(*p, stdout);
		else
			printf("\\x%02x", *p);
	}
	fputc('"', stdout);
}

__attribute__((unused))
static void check_str_fail(const char *file, int line, const char *ea, const char *eb,
			   const char *a, const char *b)
{
	check_fail(file, line, "CHECK_STR(%s, %s)", ea, eb);
	fputs("      got:      ", stdout);
	check_print_escaped(a);
	fputs("\n      expected: ", stdout);
	check_print_escaped(b);
	fputc('\n', stdout);
	fflush(stdout);
}

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond))                                                 \
			check_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);  \
	} while (0)

/* Integers of any signedness up to 64 bits, compared as long long. */
#define CHECK_EQ_INT(a, b)                                                             \
	do {                                                                           \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);        \
		if (check_a_ != check_b_)                                              \
			check_fail(__FILE__, __LINE__, "CHECK_EQ_INT(%s, %s): %lld != %lld", \
				   #a, #b, check_a_, check_b_);                        \
	} while (0)

/* Unsigned 64-bit values (timestamps, addresses), shown in decimal and hex. */
#define CHECK_EQ_U64(a, b)                                                              \
	do {                                                                            \
		uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);            \
		if (check_a_ != check_b_)                                               \
			check_fail(__FILE__, __LINE__,                                  \
				   "CHECK_EQ_U64(%s, %s): %llu (0x%llx) != %llu (0x%llx)", \
				   #a, #b, (unsigned long long)check_a_,                \
				   (unsigned long long)check_a_, (unsigned long long)check_b_, \
				   (unsigned long long)check_b_);                       \
	} while (0)

/* NUL-terminated strings; either may be NULL (equal only if both are). */
#define CHECK_STR(a, b)                                                              \
	do {                                                                         \
		const char *check_sa_ = (a), *check_sb_ = (b);                       \
		if ((check_sa_ == NULL) != (check_sb_ == NULL) ||                    \
		    (check_sa_ && strcmp(check_sa_, check_sb_)))                      \
			check_str_fail(__FILE__, __LINE__, #a, #b, check_sa_, check_sb_); \
	} while (0)

/*
 * Runs stmt in a forked child and checks that the child ends with status 0: a crash, an abort or
 * a sanitizer report there fails the check, and the tests go on. For "does not crash" cases
 * (free(NULL) and the like), which otherwise could only CHECK(1).
 */
#define CHECK_RUNS_CLEANLY(stmt)                                                       \
	do {                                                                           \
		int check_st_ = -1;                                                    \
		pid_t check_pid_;                                                      \
		fflush(stdout);                                                        \
		fflush(stderr);                                                        \
		check_pid_ = fork();                                                   \
		if (check_pid_ == 0) {                                                 \
			stmt;                                                          \
			_exit(0);                                                      \
		}                                                                      \
		if (check_pid_ < 0 || waitpid(check_pid_, &check_st_, 0) != check_pid_ || \
		    !WIFEXITED(check_st_) || WEXITSTATUS(check_st_) != 0)              \
			check_fail(__FILE__, __LINE__,                                 \
				   "CHECK_RUNS_CLEANLY(%s): child status 0x%x", #stmt, check_st_); \
	} while (0)

#define TEST(name) static void name(void)

__attribute__((unused))
static void check_run(const char *name, void (*fn)(void))
{
	check_current_test = name;
	check_current_failures = 0;
	fflush(stdout); /* nothing buffered may be duplicated by a test's fork() */
	fflush(stderr);
	fn();
	if (check_current_failures) {
		check_tests_failed++;
		printf("FAIL %s\n", name);
	} else {
		check_tests_passed++;
		printf("ok   %s\n", name);
	}
	fflush(stdout);
}

#define RUN(name) check_run(#name, name)

__attribute__((unused))
static int check_summary(void)
{
	printf("%d passed, %d failed\n", check_tests_passed, check_tests_failed);
	fflush(stdout);
	return check_tests_failed ? 1 : 0;
}

#endif
