/* Loads and attaches the BPF side through its skeleton. */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "args.h"
#include "elfsym.h"
#include "joincore.h"
#include "mapretire.h"
#include "pidns.h"
#include "spinprobes.h"
#include "platcheck.h"
#include "uprobe_multi.h"
#include "loader.h"
#include "unwind.h"
#include "threadtrace.skel.h"

#define MAX_UPROBE_LINKS 64

struct tt_loader {
	struct threadtrace_bpf *skel;
	struct ring_buffer *rb;
	tt_event_fn fn;
	void *ctx;
	/* uprobes: libbpf links (one per probe) or uprobe_multi link fds (-1: none) */
	struct uprobe_link {
		struct bpf_link *link;
		int fd;
	} links[MAX_UPROBE_LINKS];
	size_t nlinks;
	bool multi;     /* the kernel has uprobe_multi links */
	/* files already probed (device, inode), and for what (enum probe_kind bits): each once;
	 * -f looks at every traced process's executable */
	struct { dev_t dev; ino_t ino; unsigned kinds; } probed[64];
	size_t nprobed;
	struct mapretire *retired; /* entries of ended threads, out of the kernel's maps */
};

/* libc's join functions: every way a thread can be joined. */
static const char *const join_funcs[] = {
	"pthread_join", "pthread_timedjoin_np", "pthread_tryjoin_np", "pthread_clockjoin_np", "thrd_join",
};

static bool verbose;
/* What the last refused program was and the verifier's verdict, for the one-line message. */
static char refused_prog[64], verdict[160];
/* the map libbpf last failed to create ("" if none), to name the option that sized it */
static char failed_map[64];

/* Keeps the verifier's last line that is no statistics line ("processed N insns ...") from a log. */
static void keep_verdict(const char *log)
{
	const char *end = strstr(log, "-- END PROG LOAD LOG --"), *line, *eol;

	if (!end)
		end = log + strlen(log);
	for (eol = end; eol > log;) {
		size_t len;

		while (eol > log && (eol[-1] == '\n' || eol[-1] == ' '))
			eol--;
		line = eol;
		while (line > log && line[-1] != '\n')
			line--;
		len = (size_t)(eol - line);
		if (len && strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17) &&
		    strncmp(line, "stack depth", 11) && strncmp(line, "-- BEGIN", 8) && !strstr(line, "libbpf: prog '")) {
			snprintf(verdict, sizeof(verdict), "%.*s", (int)(len < sizeof(verdict) ? len : sizeof(verdict) - 1),
				 line);
			return;
		}
		eol = line;
	}
}

/* libbpf's lines: shown with -v; a failed load's verifier log is read for its verdict. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	const char *p, *q;
	char *msg = NULL, *end;
	va_list copy;
	int n;

	va_copy(copy, args);
	n = vasprintf(&msg, fmt, copy);
	va_end(copy);
	if (n >= 0 && msg) {
		if ((p = strstr(msg, "prog '")) && (q = strchr(p + 6, '\'')) &&
		    (strstr(q, "BPF program load failed") || strstr(q, "-- BEGIN PROG LOAD LOG --"))) {
			snprintf(refused_prog, sizeof(refused_prog), "%.*s", (int)(q - p - 6), p + 6);
			if (strstr(q, "-- BEGIN PROG LOAD LOG --"))
				keep_verdict(strstr(q, "-- BEGIN PROG LOAD LOG --"));
		}
		/* "libbpf: map 'NAME': failed to create: ..." */
		if (level == LIBBPF_WARN && !failed_map[0] && (p = strstr(msg, "map '")) &&
		    (end = strstr(p, "': failed to create")))
			snprintf(failed_map, sizeof(failed_map), "%.*s", (int)(end - p - 5), p + 5);
		free(msg);
	}
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	if (level == LIBBPF_WARN && !verbose)
		return 0; /* failures are reported by us, in one line */
	return vfprintf(stderr, fmt, args);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct tt_loader *l = ctx;

	return l->fn(l->ctx, data, size);
}

static int fail(int *exit_code, int err, const char *what)
{
	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr, "threadtrace: %s: permission denied (run as root, or with CAP_BPF and CAP_PERFMON)\n",
			what);
		*exit_code = TT_EXIT_NOPERM;
	} else if (refused_prog[0]) {
		/* the verifier said no: say which program and what it said, not a guess */
		fprintf(stderr, "threadtrace: %s: the kernel's verifier refused program %s: %s%s%s (-v shows its log)\n",
			what, refused_prog,
			err == -E2BIG ? "program too complex for the verifier" : strerror(-err),
			verdict[0] ? ": " : "", verdict);
		*exit_code = TT_EXIT_NOBPF;
	} else {
		fprintf(stderr, "threadtrace: %s: %s (does this kernel have BPF and BTF? -v shows more)\n", what,
			strerror(-err));
		*exit_code = TT_EXIT_NOBPF;
	}
	return err;
}

/* A map sized at run time (0 entries: as declared), and the option that gave the size (NULL: none). */
struct sized_map {
	struct bpf_map *map;
	unsigned entries;
	const char *option;
	unsigned value;
};

static int size_maps(const struct sized_map *v, size_t n, int *exit_code)
{
	for (size_t i = 0; i < n; i++) {
		int err = v[i].entries ? bpf_map__set_max_entries(v[i].map, v[i].entries) : 0;

		if (!err)
			continue;
		if (v[i].option)
			fprintf(stderr, "threadtrace: %s %u: cannot size map %s: %s\n", v[i].option, v[i].value,
				bpf_map__name(v[i].map), strerror(-err));
		else
			fprintf(stderr, "threadtrace: cannot size map %s: %s\n", bpf_map__name(v[i].map), strerror(-err));
		*exit_code = TT_EXIT_NOBPF;
		return err;
	}
	return 0;
}

/* The kernel refused to make a map: the option that sized it was too large for this machine. */
static bool too_large(const struct sized_map *v, size_t n, int err, int *exit_code)
{
	if (err != -ENOMEM && err != -E2BIG)
		return false; /* not a matter of size: permissions, no BTF, ... */
	for (size_t i = 0; i < n && failed_map[0]; i++) {
		if (!v[i].option || strcmp(bpf_map__name(v[i].map), failed_map))
			continue;
		fprintf(stderr, "threadtrace: %s %u: too large: the kernel refused map %s (%s)\n", v[i].option,
			v[i].value, failed_map, strerror(-err));
		*exit_code = TT_EXIT_NOBPF;
		return true;
	}
	return false;
}

/*
 * The load's big buffers on huge pages. libbpf parses the kernel's BTF (5.5 MB) into two
 * buffers of its size and more: about 2,900 page faults, each a trap to the hypervisor on a
 * VM, 8-13 ms of every start-up. Here the heap grows once by HEAP_FOR_LOAD, the whole
 * 2 MiB pages inside it asked for transparent huge pages (MADV_HUGEPAGE: where the system
 * allows them, else a no-op), and the load's large blocks come from there rather than from
 * mmap: ~100-500 faults (docs/performance.md, start-up). Undone right after the load: the
 * usual mmap threshold, and the freed heap handed back.
 */
#define HEAP_FOR_LOAD (24u << 20) /* the load peaks at ~14 MB */
#define MMAP_THRESHOLD_MAX (32u << 20) /* glibc's cap on 64-bit: blocks below it come from the heap */
#define HUGE_PAGE (2ul << 20)
#define GLIBC_DEFAULT_THRESHOLD (128 * 1024) /* M_MMAP_THRESHOLD's and M_TRIM_THRESHOLD's */

static void heap_for_load__begin(void)
{
	unsigned long start, end;
	char *p;

	if (!mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX) || !mallopt(M_TRIM_THRESHOLD, HEAP_FOR_LOAD * 4))
		return;
	p = malloc(HEAP_FOR_LOAD);
	if (!p)
		return;
	start = ((unsigned long)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	end = ((unsigned long)p + HEAP_FOR_LOAD) & ~(HUGE_PAGE - 1);
	if (end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE); /* best effort */
	free(p); /* stays the heap's top (the trim threshold above), for libbpf's buffers */
}

static void heap_for_load__end(void)
{
	mallopt(M_MMAP_THRESHOLD, GLIBC_DEFAULT_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, GLIBC_DEFAULT_THRESHOLD);
	malloc_trim(0);
}

struct tt_loader *loader__new(pid_t tgid, const struct tt_config *cfg, tt_event_fn fn, void *ctx,
			      int *exit_code)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = getenv("THREADTRACE_BTF"));
	struct tt_loader *l = calloc(1, sizeof(*l));
	struct threadtrace_bpf *skel;
	struct sized_map sized[16];
	struct tt_pidns ns;
	size_t nsized = 0;
	char why[160];
	int err;

	*exit_code = TT_EXIT_RUNTIME;
	if (!l) {
		fprintf(stderr, "threadtrace: out of memory\n");
		return NULL;
	}
	verbose = cfg->verbose;
	libbpf_set_print(print_libbpf);
	/* the BPF side's system call numbers and registers are x86-64's (bpf/platform.h) */
	if (platcheck__machine(NULL, why, sizeof(why))) {
		fprintf(stderr, "threadtrace: %s\n", why);
		*exit_code = TT_EXIT_NOBPF;
		goto err;
	}
	/* a libc laid out otherwise still traces, with wrong lock kinds and owners */
	if (platcheck__libc(why, sizeof(why)))
		fprintf(stderr, "threadtrace: warning: %s\n", why);
	/* in a container the kernel's filter wants the target's host tgid (bpf/pidns.bpf.h) */
	err = pidns__resolve(tgid, &ns, why, sizeof(why));
	if (err) {
		fprintf(stderr, "threadtrace: %s\n", why);
		*exit_code = err == -EPERM || err == -EACCES ? TT_EXIT_NOPERM
			     : err == -ESRCH			  ? TT_EXIT_NOTARGET
								  : TT_EXIT_NOBPF;
		goto err;
	}
	l->fn = fn;
	l->ctx = ctx;
	skel = l->skel = threadtrace_bpf__open_opts(&opts);
	if (!skel) {
		fail(exit_code, -errno, "cannot open the BPF programs");
		goto err;
	}
	skel->rodata->targ_tgid = ns.host_tgid;
	skel->rodata->targ_ns_tgid = tgid;
	skel->rodata->pidns_level = ns.level;
	skel->rodata->pidns_inum = ns.inum;
	skel->rodata->wakeup_bytes = cfg->buffer_kb * 1024ull / 4;
	{
		unsigned thr = cfg->max_threads, locks = cfg->max_locks, kb = cfg->buffer_kb;
		const struct sized_map v[] = {
			{ skel->maps.events, kb * 1024u, "--buffer", kb },
			{ skel->maps.join_calls, thr, "--max-threads", thr },
			{ skel->maps.join_pending, thr, "--max-threads", thr },
			{ skel->maps.py_exiting, thr, "--max-threads", thr },
			{ skel->maps.last_wake, thr, "--max-threads", thr },
			{ skel->maps.sched_stats, thr, "--max-threads", thr },
			{ skel->maps.lock_stats, locks, "--max-locks", locks },
			{ skel->maps.hold_stats, locks, "--max-locks", locks },
			/* a slot per hold_stats entry, slot 0 unused, and room for slots lost when two
			 * CPUs give a new word one at once (bpf/futex.bpf.h, word_slot) */
			{ skel->maps.word_busy, locks + locks / 4 + 64, "--max-locks", locks },
			{ skel->maps.wake_pairs, locks, "--max-locks", locks },
			{ skel->maps.owner_pairs, locks, "--max-locks", locks },
			{ skel->maps.sites, locks, "--max-locks", locks },
			{ skel->maps.go_mutexes, locks, "--max-locks", locks },
			{ skel->maps.spin_stats, locks, "--max-locks", locks },
			{ skel->maps.stacks, cfg->stacks ? 0 : 1, NULL, 0 }, /* unused without --stacks: keep it small */
		};

		_Static_assert(sizeof(v) <= sizeof(sized), "sized[] holds every sized map");
		memcpy(sized, v, sizeof(v));
		nsized = sizeof(v) / sizeof(v[0]);
	}
	if (size_maps(sized, nsized, exit_code))
		goto err;
	skel->rodata->stream_locks = cfg->lock_events;
	skel->rodata->follow_forks = cfg->follow;
	skel->rodata->want_stacks = cfg->stacks;
	/* DWARF unwinding of new call sites and words (docs/unwinding.md); THREADTRACE_DWARF=0: none */
	skel->rodata->want_ustacks = unwind__enabled();
	skel->rodata->stream_states = cfg->timeline != NULL;
	/* uprobes are attached by path, once the binaries are known */
	l->multi = uprobe_multi__supported();
	/* the fork and free programs serve -f only: without it every process would pay for them */
	if (!cfg->follow) {
		bpf_program__set_autoload(skel->progs.on_fork, false);
		bpf_program__set_autoload(skel->progs.on_free, false);
	}
	{
		/* attached by path (loader__attach_*), once the binaries are known */
		struct bpf_program *const uprobes[] = { skel->progs.join_core, skel->progs.join_enter,
							skel->progs.join_return, skel->progs.py_thread_exit,
							skel->progs.go_lock_slow, skel->progs.go_sema_acquire,
							skel->progs.spin_enter_fn, skel->progs.spin_enter_at,
							skel->progs.spin_exit };

		for (size_t i = 0; i < sizeof(uprobes) / sizeof(uprobes[0]); i++) {
			bpf_program__set_autoattach(uprobes[i], false);
			if (l->multi)
				bpf_program__set_expected_attach_type(uprobes[i], TT_ATTACH_UPROBE_MULTI);
		}
	}
	failed_map[0] = '\0';
	heap_for_load__begin();
	err = threadtrace_bpf__load(skel);
	heap_for_load__end();
	if (err) {
		if (!too_large(sized, nsized, err, exit_code))
			fail(exit_code, err, "cannot load the BPF programs");
		goto err;
	}
	err = threadtrace_bpf__attach(skel);
	if (err) {
		fail(exit_code, err, "cannot attach the BPF programs");
		goto err;
	}
	l->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_sample, l, NULL);
	if (!l->rb) {
		fail(exit_code, -errno, "cannot open the ring buffer");
		goto err;
	}
	return l;
err:
	loader__free(l);
	return NULL;
}

struct destroy_job {
	struct uprobe_link *link;
	sem_t *done;
};

static void destroy_one(struct uprobe_link *u)
{
	if (u->link)
		bpf_link__destroy(u->link);
	else
		close(u->fd);
}

static void *destroy_link(void *arg)
{
	struct destroy_job *job = arg;

	destroy_one(job->link);
	sem_post(job->done);
	return NULL;
}

/*
 * Each uprobe detach waits for an RCU grace period (about 100 ms here):
 * detached one by one, ten of them made Ctrl-C take a second. In parallel
 * the waits overlap.
 */
static void destroy_links(struct uprobe_link *links, size_t n)
{
	struct destroy_job jobs[MAX_UPROBE_LINKS];
	pthread_attr_t attr;
	size_t started = 0;
	sem_t done;

	/* detached threads and a semaphore: pthread_join would hit our own join uprobes */
	if (sem_init(&done, 0, 0) || pthread_attr_init(&attr)) {
		for (size_t i = 0; i < n; i++)
			destroy_one(&links[i]);
		return;
	}
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (size_t i = 0; i < n; i++) {
		pthread_t th;

		jobs[i] = (struct destroy_job){ .link = &links[i], .done = &done };
		if (pthread_create(&th, &attr, destroy_link, &jobs[i]))
			destroy_one(&links[i]);
		else
			started++;
	}
	while (started) {
		if (!sem_wait(&done))
			started--;
	}
	pthread_attr_destroy(&attr);
	sem_destroy(&done);
}

void loader__free(struct tt_loader *l)
{
	if (!l)
		return;
	ring_buffer__free(l->rb);
	destroy_links(l->links, l->nlinks);
	threadtrace_bpf__destroy(l->skel);
	mapretire__free(l->retired);
	free(l);
}

/* What a file is probed for: a libc gets the join probes and the adaptive mutexes' spin probes. */
enum probe_kind { PROBE_JOIN = 1, PROBE_PYTHON = 2, PROBE_GO = 4, PROBE_SPIN = 8 };

/* True the first time a file is seen for kind: probes go on each file once. */
static bool first_probe_of(struct tt_loader *l, const char *path, enum probe_kind kind)
{
	struct stat st;
	size_t i;

	if (stat(path, &st))
		return false;
	for (i = 0; i < l->nprobed; i++)
		if (l->probed[i].dev == st.st_dev && l->probed[i].ino == st.st_ino)
			break;
	if (i == l->nprobed) {
		if (l->nprobed == sizeof(l->probed) / sizeof(l->probed[0]))
			return false;
		l->probed[l->nprobed++] = (typeof(l->probed[0])){ .dev = st.st_dev, .ino = st.st_ino };
	}
	if (l->probed[i].kinds & kind)
		return false;
	l->probed[i].kinds |= kind;
	return true;
}

/*
 * prog at the given file offsets of the file at path, in every process mapping
 * it (the programs filter by tgid first): one uprobe_multi link, or one libbpf
 * link per offset on older kernels. Returns n, or -errno.
 */
static int attach_offsets(struct tt_loader *l, struct bpf_program *prog, const char *path,
			  const unsigned long *offsets, size_t n, bool ret)
{
	if (l->multi) {
		int fd;

		if (l->nlinks == MAX_UPROBE_LINKS)
			return -ENOSPC;
		fd = uprobe_multi__attach(bpf_program__fd(prog), path, offsets, n, ret);
		if (fd < 0)
			return fd;
		l->links[l->nlinks++] = (struct uprobe_link){ .fd = fd };
		return (int)n;
	}
	for (size_t i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = ret);
		struct bpf_link *link;

		if (l->nlinks == MAX_UPROBE_LINKS)
			return -ENOSPC;
		link = bpf_program__attach_uprobe_opts(prog, -1, path, offsets[i], &opts);
		if (!link)
			return -errno;
		l->links[l->nlinks++] = (struct uprobe_link){ .link = link, .fd = -1 };
	}
	return (int)n;
}

/* prog at the given functions of the file at path; functions it lacks are skipped. */
static int attach_uprobes(struct tt_loader *l, struct bpf_program *prog, const char *path,
			  const char *const *funcs, size_t nfuncs, bool ret)
{
	unsigned long offsets[16];
	size_t n = 0;
	int err = -ENOENT;

	for (size_t i = 0; i < nfuncs && n < 16; i++) {
		size_t off;

		/* our own lookup: libbpf 1.1 rejects glibc's versioned duplicates as ambiguous */
		err = elfsym__func_offset(path, funcs[i], &off);
		if (!err)
			offsets[n++] = off;
	}
	if (!n)
		return err;
	return attach_offsets(l, prog, path, offsets, n, ret);
}

int loader__attach_libc(struct tt_loader *l, const char *path)
{
	size_t n = sizeof(join_funcs) / sizeof(join_funcs[0]), core;
	int err;

	if (!first_probe_of(l, path, PROBE_JOIN))
		return 0;
	if (!joincore__offset(path, &core)) {
		unsigned long off = core;

		err = attach_offsets(l, l->skel->progs.join_core, path, &off, 1, false);
		return err < 0 ? err : 0;
	}
	err = attach_uprobes(l, l->skel->progs.join_enter, path, join_funcs, n, false);
	if (err > 0)
		err = attach_uprobes(l, l->skel->progs.join_return, path, join_funcs, n, true);
	return err < 0 ? err : 0;
}

int loader__attach_python(struct tt_loader *l, const char *path)
{
	static const char *const funcs[] = { "PyThread_exit_thread" };
	int err;

	if (!first_probe_of(l, path, PROBE_PYTHON))
		return 0;
	err = attach_uprobes(l, l->skel->progs.py_thread_exit, path, funcs, 1, false);
	return err < 0 ? err : 0;
}

int loader__attach_go(struct tt_loader *l, const char *path)
{
	static const char *const lock_slow[] = { "sync.(*Mutex).lockSlow" };
	/* Go 1.19 has the first; 1.20+ the RWMutex ones */
	static const char *const sema[] = { "sync.runtime_SemacquireMutex", "sync.runtime_SemacquireRWMutexR",
					    "sync.runtime_SemacquireRWMutex" };
	int err;

	if (!first_probe_of(l, path, PROBE_GO))
		return 0;
	err = attach_uprobes(l, l->skel->progs.go_lock_slow, path, lock_slow, 1, false);
	if (err > 0) /* a program without RWMutex waits links no semacquire: not an error */
		attach_uprobes(l, l->skel->progs.go_sema_acquire, path, sema, 3, false);
	return err < 0 ? err : 0;
}

int loader__attach_spin(struct tt_loader *l, const char *path)
{
	struct spin_points p;
	int found, err = 0;

	if (!first_probe_of(l, path, PROBE_SPIN))
		return 0;
	found = spinprobes__find(path, &p);
	if (found <= 0)
		return found;
	/* the ends first: an end without its start does nothing, a start without its end would spin forever */
	if (p.nfuncs && (err = attach_offsets(l, l->skel->progs.spin_exit, path, p.funcs, p.nfuncs, true)) > 0)
		err = attach_offsets(l, l->skel->progs.spin_enter_fn, path, p.funcs, p.nfuncs, false);
	if (err >= 0 && p.has_steps &&
	    (err = attach_offsets(l, l->skel->progs.spin_exit, path, &p.step_exit, 1, false)) > 0)
		err = attach_offsets(l, l->skel->progs.spin_enter_at, path, &p.step_enter, 1, false);
	if (verbose)
		fprintf(stderr, "threadtrace: %s: %zu spinning slow paths%s%s\n", path, p.nfuncs,
			p.has_steps ? ", adaptive mutexes' spin" : "", err < 0 ? " (not attached)" : "");
	return err < 0 ? err : found;
}

int loader__poll(struct tt_loader *l, int timeout_ms)
{
	int n = ring_buffer__poll(l->rb, timeout_ms), more;

	if (n < 0)
		return n;
	/* the kernel side wakes us only when the buffer fills up: read what waits anyway */
	more = ring_buffer__consume(l->rb);
	return more < 0 ? more : n + more;
}

static struct bpf_map *map_of(struct tt_loader *l, enum tt_map which)
{
	switch (which) {
	case TT_MAP_LOCK_STATS: return l->skel->maps.lock_stats;
	case TT_MAP_HOLD_STATS: return l->skel->maps.hold_stats;
	case TT_MAP_WAKE_PAIRS: return l->skel->maps.wake_pairs;
	case TT_MAP_OWNER_PAIRS: return l->skel->maps.owner_pairs;
	case TT_MAP_SCHED: return l->skel->maps.sched_stats;
	case TT_MAP_SITES: return l->skel->maps.sites;
	case TT_MAP_GO_MUTEXES: return l->skel->maps.go_mutexes;
	case TT_MAP_SPINS: return l->skel->maps.spin_stats;
	}
	return NULL;
}

int loader__seed_sched(struct tt_loader *l, pid_t tid, const struct tt_sched *s)
{
	__u32 key = (__u32)tid;
	int err = bpf_map_update_elem(bpf_map__fd(l->skel->maps.sched_stats), &key, s, BPF_NOEXIST);

	/* a wait with a timeout: the kernel side counts them (futex_timer_fires), and uncounts it at its end */
	if (!err && s->in_wait && s->wait.timed)
		__atomic_fetch_add(&l->skel->bss->timed_waits, 1, __ATOMIC_SEQ_CST);
	return err;
}

/*
 * A map's entries, by the batch: one system call per DUMP_BATCH of them (the
 * deadlock watch reads every thread's entry 4 times a second: a get-next-key
 * and a lookup per entry cost 10,000 threads 15 % of a CPU). Hash maps have
 * had batch lookups since Linux 5.6. A hash bucket larger than the batch
 * grows it.
 */
#define DUMP_BATCH 256

int loader__dump_kernel(struct tt_loader *l, enum tt_map which, tt_entry_fn fn, void *ctx)
{
	struct bpf_map *map = map_of(l, which);
	size_t ksz = bpf_map__key_size(map), vsz = bpf_map__value_size(map);
	int fd = bpf_map__fd(map);
	__u64 token[8]; /* a hash map's batch position: a bucket number */
	size_t cap = DUMP_BATCH;
	char *keys = NULL, *vals = NULL;
	void *in = NULL;
	int n = 0, err;

	for (;;) {
		__u32 count = (__u32)cap;

		if (!keys) {
			/* zeroed: valgrind does not know that the batch call writes them */
			keys = calloc(cap, ksz);
			vals = calloc(cap, vsz);
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		err = bpf_map_lookup_batch(fd, in, token, keys, vals, &count, NULL);
		if (err == -ENOSPC && cap < (1u << 20)) {
			/* one bucket holds more than cap entries: nothing delivered, try bigger */
			free(keys);
			free(vals);
			keys = vals = NULL;
			cap *= 2;
			continue;
		}
		if (err && err != -ENOENT)
			break;
		for (__u32 i = 0; i < count; i++, n++)
			fn(keys + i * ksz, vals + i * vsz, ctx);
		if (err) /* -ENOENT: that was the last batch */
			break;
		in = token;
	}
	free(keys);
	free(vals);
	return err == -ENOENT ? n : err;
}

int loader__dump(struct tt_loader *l, enum tt_map which, tt_entry_fn fn, void *ctx)
{
	int n = loader__dump_kernel(l, which, fn, ctx);

	return n < 0 ? n : n + (int)mapretire__replay(l->retired, which, fn, ctx);
}

int loader__delete(struct tt_loader *l, enum tt_map which, const void *keys, size_t n, size_t *deleted)
{
	__u32 count = (__u32)n;
	int err = bpf_map_delete_batch(bpf_map__fd(map_of(l, which)), keys, &count, NULL);

	*deleted = count <= n ? count : 0;
	return err;
}

int loader__retire_ended(struct tt_loader *l, tt_ended_fn ended, void *ctx)
{
	return mapretire__sweep(&l->retired, l, ended, ctx);
}


void loader__set_text_ranges(struct tt_loader *l, unsigned long (*ranges)[2], size_t n)
{
	struct tt_range *r = l->skel->bss->text_ranges;

	for (size_t i = 0; i < TT_TEXT_RANGES; i++) {
		/* the end first: the kernel side stops at the first end of 0 */
		r[i].end = 0;
		if (i < n) {
			r[i].start = ranges[i][0];
			r[i].end = ranges[i][1];
		}
	}
}

void loader__set_py_conf(struct tt_loader *l, const struct tt_py_conf *conf)
{
	struct tt_py_conf *c = &l->skel->bss->py_conf, next = *conf;

	/* the tgid last, once the rest is in place: the kernel side reads nothing while it is 0 */
	__atomic_store_n(&c->tgid, 0, __ATOMIC_SEQ_CST);
	next.tgid = 0;
	*c = next;
	__atomic_store_n(&c->tgid, conf->tgid, __ATOMIC_SEQ_CST);
}

int loader__stack(struct tt_loader *l, __s32 id, __u64 ips[TT_STACK_DEPTH])
{
	__u32 key = (__u32)id;

	if (id < 0)
		return -ENOENT;
	return bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.stacks), &key, ips) ? -errno : 0;
}

int loader__parallelism(struct tt_loader *l, struct tt_par *out)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.parallelism), &zero, out) ? -errno : 0;
}

void loader__drops(struct tt_loader *l, uint64_t out[TT_DROP_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(l->skel->maps.drops);

	for (__u32 k = 0; k < TT_DROP_MAX; k++) {
		uint64_t vals[ncpu > 0 ? ncpu : 1];

		out[k] = 0;
		/* zeroed: valgrind marks only the first CPU's value as written by the lookup */
		memset(vals, 0, sizeof(vals));
		if (ncpu <= 0 || bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
}
