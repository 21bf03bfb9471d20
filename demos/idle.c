/* idle: named threads that sleep until SIGTERM/SIGINT, for attaching the tracer with -p (prints READY). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

static double tt_scale = 1.0;

static void read_scale(void)
{
	const char *s = getenv("TT_SCALE");
	char *end;

	if (!s)
		return;
	errno = 0;
	tt_scale = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(tt_scale) || tt_scale < 0) {
		fprintf(stderr, "invalid TT_SCALE '%s' (want a float >= 0)\n", s);
		exit(2);
	}
}

static sem_t started;

static void *idler(void *arg)
{
	long i = (long)(intptr_t)arg;
	char name[16];
	int err;

	snprintf(name, sizeof(name), "idle-%ld", i);
	if ((err = pthread_setname_np(pthread_self(), name))) {
		fprintf(stderr, "pthread_setname_np: %s\n", strerror(err));
		exit(1);
	}
	printf("TID %s %d\n", name, (int)gettid());
	sem_post(&started);
	for (;;)		/* SIGTERM/SIGINT are blocked here; main takes them */
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	sigset_t set;
	pthread_t th;
	long n = 3, i;
	char *end;
	int err, sig;

	/* Block the stop signals first; the threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	setvbuf(stdout, NULL, _IOLBF, 0);
	read_scale();
	if (argc > 2) {
		fprintf(stderr, "usage: %s [N]   (1..1000, default 3)\n", argv[0]);
		return 2;
	}
	if (argc == 2) {
		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (end == argv[1] || *end || errno || n < 1 || n > 1000) {
			fprintf(stderr, "bad thread count '%s' (want 1..1000)\n", argv[1]);
			return 2;
		}
	}
	if (prctl(PR_SET_NAME, "idle-main", 0, 0, 0) != 0) {
		perror("prctl(PR_SET_NAME)");
		return 1;
	}
	printf("TID main %d\n", (int)gettid());
	sem_init(&started, 0, 0);
	for (i = 0; i < n; i++) {
		if ((err = pthread_create(&th, NULL, idler, (void *)(intptr_t)i))) {
			fprintf(stderr, "pthread_create: %s\n", strerror(err));
			return 1;
		}
		pthread_detach(th);
	}
	for (i = 0; i < n; i++)
		while (sem_wait(&started) != 0 && errno == EINTR)
			;
	printf("READY\n");
	if ((err = sigwait(&set, &sig))) {
		fprintf(stderr, "sigwait: %s\n", strerror(err));
		return 1;
	}
	printf("stopping\n");
	return 0;		/* exit() kills the idle threads */
}
