/*
 * pystack: the Python threads of a running CPython process, read from outside
 * (user/cpython/). A tool for people and tests; not installed.
 *
 *   pystack PID             per thread: tid, ident, Thread name, frames file:function:line
 *   pystack --layout 3.11   the offsets table the reader uses for that version
 *   pystack --cfuncs PID    the code ranges of the C functions pyproc__c_func_range finds
 *
 * Exit: 0 read, 1 usage, 2 not CPython / unsupported version / no interpreter,
 * 3 the process or its memory could not be read (--cfuncs: a function was not found).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpython/pyproc.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pystack PID\n"
		   "       pystack --layout MAJOR.MINOR\n"
		   "       pystack --cfuncs PID\n"
		   "Prints each thread of a CPython 3.11 process: its tid, threading ident and name,\n"
		   "then its Python frames (innermost first) as FILE:FUNCTION:LINE.\n"
		   "--cfuncs: NAME 0xSTART 0xEND per C function of the lock acquires (END excluded),\n"
		   "or NAME unknown (REASON).\n");
}

static void print_field(const char *name, long long value, void *ctx)
{
	(void)ctx;
	printf("%s %lld\n", name, value);
}

static int print_layout(const char *arg)
{
	unsigned major, minor;
	char end;
	const struct py_layout *l;

	if (sscanf(arg, "%u.%u%c", &major, &minor, &end) != 2) {
		usage(stderr);
		return 1;
	}
	l = pylayout__named(major, minor);
	if (!l) {
		fprintf(stderr, "pystack: no layout for CPython %u.%u\n", major, minor);
		return 2;
	}
	pylayout__foreach(l, print_field, NULL);
	return 0;
}

static void print_thread(const struct pythread *t)
{
	printf("thread %d ident 0x%llx", (int)t->tid, (unsigned long long)t->ident);
	if (t->has_name)
		printf(" name %s\n", t->name);
	else
		printf(" unnamed\n");
	for (int j = 0; j < t->nframes; j++) {
		const struct pyframe *f = &t->frames[j];

		printf("  %s:%s:%d\n", f->file, f->func, f->line);
	}
	if (t->truncated)
		printf("  [more frames]\n");
	if (t->frames_err)
		printf("  [frames cut: %s]\n", strerror(-t->frames_err));
}

/* Each known C function's range; exit 0 when every one was found, else 3. */
static int print_cfuncs(struct pyproc *p)
{
	int rc = 0;

	for (int which = PYPROC_RLOCK_ACQUIRE; which <= PYPROC_LOCK_ACQUIRE; which++) {
		uint64_t start, end;
		int err = pyproc__c_func_range(p, which, &start, &end);

		if (err) {
			printf("%s unknown (%s)\n", pyproc__cfunc_name(which), strerror(-err));
			rc = 3;
		} else {
			printf("%s 0x%llx 0x%llx\n", pyproc__cfunc_name(which), (unsigned long long)start,
			       (unsigned long long)end);
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct pysnapshot *s = NULL;
	enum pyproc_status st;
	struct pyproc *p;
	char why[512], *end;
	const char *arg;
	bool cfuncs;
	long pid;
	int err;

	if (argc == 3 && !strcmp(argv[1], "--layout"))
		return print_layout(argv[2]);
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	cfuncs = argc == 3 && !strcmp(argv[1], "--cfuncs");
	if (argc != 2 && !cfuncs) {
		usage(stderr);
		return 1;
	}
	arg = argv[argc - 1];
	errno = 0;
	pid = strtol(arg, &end, 10);
	if (errno || end == arg || *end || pid <= 0 || pid > 0x3fffffff) {
		fprintf(stderr, "pystack: not a pid: %s\n", arg);
		return 1;
	}
	st = pyproc__open((pid_t)pid, &p, why, sizeof(why));
	if (st != PYPROC_OK) {
		fprintf(stderr, "pystack: %s\n", why);
		return st == PYPROC_NO_ACCESS ? 3 : 2;
	}
	printf("%s\n", why);
	if (cfuncs) {
		err = print_cfuncs(p);
		pyproc__free(p);
		return err;
	}
	err = pyproc__snapshot(p, &s);
	if (err) {
		fprintf(stderr, "pystack: pid %ld: cannot read its threads: %s\n", pid, strerror(-err));
		pyproc__free(p);
		return 3;
	}
	if (s->names_err)
		printf("names: %s\n", s->names_err == -ENOENT ? "threading not imported" : strerror(-s->names_err));
	for (int i = 0; i < s->nthreads; i++)
		print_thread(&s->threads[i]);
	pysnapshot__free(s);
	pyproc__free(p);
	return 0;
}
