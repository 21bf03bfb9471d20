/* Shared by the bench workloads: timing, argument parsing, the report lines. */
#ifndef BENCH_H
#define BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* argv[i] as a positive count, or def when absent; exits 2 on garbage. */
static inline long bench_arg(int argc, char **argv, int i, long def)
{
	char *end;
	long v;

	if (argc <= i)
		return def;
	errno = 0;
	v = strtol(argv[i], &end, 10);
	if (end == argv[i] || *end || errno || v <= 0) {
		fprintf(stderr, "%s: bad count '%s'\n", argv[0], argv[i]);
		exit(2);
	}
	return v;
}

static inline void bench_die(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(err));
	exit(1);
}

/* Voluntary context switches of the calling thread so far (each blocking wait is one). */
static inline long bench_thread_vcsw(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return ru.ru_nvcsw;
}

#endif
