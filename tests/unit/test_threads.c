/* Unit tests for user/model/threads.c: the thread table built from kernel events. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "threadtrace.h"
#include "model/threads.h"

/*
 * ASan does not check the string of a "%.*s" conversion, which is how the
 * model copies names: make it fill freed memory so that a read of a freed
 * thread entry shows as a wrong name instead of passing silently.
 */
__attribute__((used)) const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "max_free_fill_size=1048576:free_fill_byte=190";
}

#define TGID 100
#define T0 1000000000ull /* CLOCK_MONOTONIC at trace start */

/* An event of kind: peer is the creator, renamer, old tid or guessed joinee; addr the tid word. */
static struct tt_event ev(__u32 kind, uint64_t rel_ts, __u32 tid, __u32 peer, __u64 addr,
			  const char *comm)
{
	struct tt_event e;
	char *name = NULL;

	memset(&e, 0, sizeof(e));
	e.h.kind = kind;
	e.h.ts_ns = T0 + rel_ts;
	e.h.tgid = TGID;
	e.h.tid = tid;
	switch (kind) {
	case TT_EV_START:
	case TT_EV_FORK:
		e.start.creator = peer;
		e.start.tid_word = addr;
		name = e.start.comm;
		break;
	case TT_EV_EXIT:
		e.exit.tid_word = addr;
		name = e.exit.comm;
		break;
	case TT_EV_RENAME:
		e.rename.by = peer;
		name = e.rename.comm;
		break;
	case TT_EV_EXEC:
		e.exec.old_tid = peer;
		name = e.exec.comm;
		break;
	case TT_EV_JOIN:
		e.join.tid_word = addr;
		break;
	case TT_EV_JOIN_GUESS:
		e.join_guess.joinee = peer;
		e.join_guess.word = addr;
		break;
	}
	if (name)
		snprintf(name, TT_COMM_LEN, "%s", comm ? comm : "");
	return e;
}

static struct tt_event ev_start(uint64_t rel_ts, __u32 tid, __u32 creator, __u64 word, const char *comm)
{
	return ev(TT_EV_START, rel_ts, tid, creator, word, comm);
}

static struct tt_event ev_exit(uint64_t rel_ts, __u32 tid, __u64 word, __u64 arg, __u32 flags,
			       const char *comm)
{
	struct tt_event e = ev(TT_EV_EXIT, rel_ts, tid, 0, word, comm);

	e.exit.exit_code = (__u32)arg;
	e.exit.flags = flags;
	return e;
}

static struct tt_event ev_join(uint64_t rel_ts, __u32 joiner, __u64 word, uint64_t wait_ns)
{
	struct tt_event e = ev(TT_EV_JOIN, rel_ts, joiner, 0, word, "main");

	e.join.wait_ns = wait_ns;
	return e;
}

static struct tt_event ev_guess(uint64_t rel_ts, __u32 joiner, __u32 joinee, uint64_t wait_ns)
{
	struct tt_event e = ev(TT_EV_JOIN_GUESS, rel_ts, joiner, joinee, 0, "main");

	e.join_guess.wait_ns = wait_ns;
	return e;
}

/* Applies e, which must make a record, into *rec. */
#define APPLY(t, e, rec)                                                      \
	do {                                                                  \
		struct tt_event e_ = (e);                                     \
		memset((rec), 0x5a, sizeof(*(rec)));                          \
		CHECK_EQ_INT(threads__apply((t), &e_, (rec)), 1);             \
	} while (0)

TEST(start_record)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_thread *th;
	struct tt_record rec;

	APPLY(t, ev_start(500, 101, 100, 0x7f0000a910, "worker-1"), &rec);
	CHECK_EQ_INT(rec.kind, TT_REC_START);
	CHECK_EQ_U64(rec.ts_ns, 500);
	CHECK_EQ_INT(rec.tgid, TGID);
	CHECK_EQ_INT(rec.tid, 101);
	CHECK_EQ_INT(rec.peer_tid, 100);
	CHECK_STR(rec.name, "worker-1");
	CHECK(!rec.has_dur);
	CHECK(!rec.has_status);

	th = threads__find(t, 101);
	CHECK(th != NULL);
	if (th) {
		CHECK_EQ_INT(th->tid, 101);
		CHECK_EQ_INT(th->creator, 100);
		CHECK(th->start_known);
		CHECK_EQ_U64(th->start_ns, 500);
		CHECK_EQ_U64(th->tid_word, 0x7f0000a910);
		CHECK(!th->ended);
		CHECK_EQ_INT(th->how, TT_END_ALIVE);
		CHECK_STR(th->name, "worker-1");
	}
	CHECK(threads__find(t, 102) == NULL);
	CHECK_EQ_INT(t->n, 1);
	threads__free(t);
}

TEST(timestamps_relative_to_t0)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;
	struct tt_event e = ev_start(0, 101, 100, 0x1000, "a");

	e.h.ts_ns = T0 - 5; /* an event stamped before the trace started */
	APPLY(t, e, &rec);
	CHECK_EQ_U64(rec.ts_ns, 0);
	APPLY(t, ev_start(123456789012ull, 102, 100, 0x2000, "b"), &rec);
	CHECK_EQ_U64(rec.ts_ns, 123456789012ull);
	threads__free(t);
}

TEST(exit_plain)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_thread *th;
	struct tt_record rec;

	APPLY(t, ev_start(1000, 101, 100, 0x1000, "w"), &rec);
	APPLY(t, ev_exit(5000, 101, 0x1000, 0, 0, "w"), &rec);
	CHECK_EQ_INT(rec.kind, TT_REC_EXIT);
	CHECK_EQ_U64(rec.ts_ns, 5000);
	CHECK_EQ_INT(rec.tid, 101);
	CHECK_STR(rec.detail, "exited");
	CHECK(rec.has_dur);
	CHECK_EQ_U64(rec.dur_ns, 4000);
	CHECK(rec.has_status);
	CHECK_EQ_INT(rec.exit_code, 0);
	CHECK_EQ_INT(rec.signal, 0);

	th = threads__find(t, 101);
	CHECK(th && th->ended);
	if (th) {
		CHECK_EQ_INT(th->how, TT_END_EXITED);
		CHECK_EQ_U64(th->end_ns, 5000);
		CHECK(!th->python_shutdown);
	}
	CHECK_EQ_INT(t->n, 1);
	threads__free(t);
}

TEST(exit_flags_classified)
{
	static const struct {
		__u32 flags;
		__u64 arg;
		const char *detail;
		enum tt_end how;
		int exit_code, signal;
	} cases[] = {
		{ 0, 0, "exited", TT_END_EXITED, 0, 0 },
		{ TT_EXIT_GROUP, 3 << 8, "process-exit", TT_END_PROCESS_EXIT, 3, 0 },
		{ TT_EXIT_GROUP, 255 << 8, "process-exit", TT_END_PROCESS_EXIT, 255, 0 },
		{ TT_EXIT_SIGNALED | TT_EXIT_GROUP, 9, "daemon-killed", TT_END_DAEMON_KILLED, 0, 9 },
		{ TT_EXIT_SIGNALED, 9, "daemon-killed", TT_END_DAEMON_KILLED, 0, 9 },
		{ TT_EXIT_SIGNALED | TT_EXIT_GROUP, 3 << 8, "daemon-killed", TT_END_DAEMON_KILLED, 3, 0 },
		{ TT_EXIT_SHUTDOWN, 0, "daemon-killed", TT_END_DAEMON_KILLED, 0, 0 },
		{ TT_EXIT_GROUP, SIGSEGV | 0x80, "process-exit", TT_END_PROCESS_EXIT, 0, SIGSEGV }, /* core */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tt_threads *t = threads__new(TGID, T0);
		struct tt_thread *th;
		struct tt_record rec;

		APPLY(t, ev_start(10, 101, 100, 0x1000, "w"), &rec);
		APPLY(t, ev_exit(30, 101, 0x1000, cases[i].arg, cases[i].flags, "w"), &rec);
		if (strcmp(rec.detail, cases[i].detail) || rec.exit_code != cases[i].exit_code ||
		    rec.signal != cases[i].signal)
			printf("    case %zu: flags 0x%x arg 0x%llx\n", i, cases[i].flags,
			       (unsigned long long)cases[i].arg);
		CHECK_EQ_INT(rec.kind, TT_REC_EXIT);
		CHECK_STR(rec.detail, cases[i].detail);
		CHECK(rec.has_status);
		CHECK_EQ_INT(rec.exit_code, cases[i].exit_code);
		CHECK_EQ_INT(rec.signal, cases[i].signal);
		CHECK_EQ_U64(rec.dur_ns, 20);
		th = threads__find(t, 101);
		if (th) {
			CHECK_EQ_INT(th->how, cases[i].how);
			CHECK_EQ_INT(th->exit_code, cases[i].exit_code);
			CHECK_EQ_INT(th->signal, cases[i].signal);
			CHECK_EQ_INT(th->python_shutdown, (cases[i].flags & TT_EXIT_SHUTDOWN) != 0);
		} else {
			CHECK(th != NULL);
		}
		CHECK_STR(thread__end_name(cases[i].how), cases[i].detail);
		threads__free(t);
	}
	CHECK_STR(thread__end_name(TT_END_ALIVE), "alive");
}

TEST(exit_of_thread_alive_before_attach)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_thread *th;
	struct tt_record rec;

	APPLY(t, ev_exit(700, 150, 0x5000, 0, 0, "old"), &rec);
	CHECK_EQ_INT(rec.kind, TT_REC_EXIT);
	CHECK_EQ_INT(rec.tid, 150);
	CHECK_STR(rec.name, "old");
	CHECK(!rec.has_dur); /* its start is unknown */
	th = threads__find(t, 150);
	CHECK(th && th->ended && !th->start_known);
	if (th)
		CHECK_EQ_U64(th->tid_word, 0x5000);
	threads__free(t);
}

TEST(join_resolves_tid_word)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_thread *a, *b;
	struct tt_record rec;

	CHECK_EQ_INT(threads__add_alive(t, 100, "main", T0, &rec), 1);
	APPLY(t, ev_start(100, 101, 100, 0x7f0000001910, "a"), &rec);
	APPLY(t, ev_start(200, 102, 100, 0x7f0000002910, "b"), &rec);
	APPLY(t, ev_exit(300, 101, 0x7f0000001910, 0, 0, "a"), &rec);
	APPLY(t, ev_exit(400, 102, 0x7f0000002910, 0, 0, "b"), &rec);

	APPLY(t, ev_join(450, 100, 0x7f0000002910, 777), &rec);
	CHECK_EQ_INT(rec.kind, TT_REC_JOIN);
	CHECK_EQ_U64(rec.ts_ns, 450);
	CHECK_EQ_INT(rec.tid, 100);
	CHECK_EQ_INT(rec.peer_tid, 102);
	CHECK_STR(rec.detail, "pthread");
	CHECK_STR(rec.name, "main");
	CHECK(rec.has_dur);
	CHECK_EQ_U64(rec.dur_ns, 777);
	CHECK_EQ_U64(rec.addr, 0x7f0000002910);

	a = threads__find(t, 101);
	b = threads__find(t, 102);
	CHECK(a && !a->joined);
	CHECK(b && b->joined);
	if (b) {
		CHECK_EQ_INT(b->joined_by, 100);
		CHECK(!b->join_inferred);
		CHECK_EQ_U64(b->join_wait_ns, 777);
	}

	APPLY(t, ev_join(460, 100, 0x7f0000001910, 5), &rec);
	CHECK_EQ_INT(rec.peer_tid, 101);
	a = threads__find(t, 101);
	CHECK(a && a->joined && a->joined_by == 100);
	threads__free(t);
}

TEST(join_word_from_exit_event)
{
	/* A thread alive at attach is known only by its exit: its tid word comes from there. */
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;

	CHECK_EQ_INT(threads__add_alive(t, 100, "main", T0, &rec), 1);
	CHECK_EQ_INT(threads__add_alive(t, 120, "old", T0, &rec), 1);
	APPLY(t, ev_exit(50, 120, 0xabc0, 0, 0, "old"), &rec);
	APPLY(t, ev_join(60, 100, 0xabc0, 1), &rec);
	CHECK_EQ_INT(rec.peer_tid, 120);
	threads__free(t);
}

TEST(join_unknown_word)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;

	APPLY(t, ev_start(100, 101, 100, 0x1000, "a"), &rec);
	APPLY(t, ev_join(200, 100, 0x9999, 42), &rec);
	CHECK_EQ_INT(rec.kind, TT_REC_JOIN);
	CHECK_EQ_INT(rec.tid, 100);
	CHECK_EQ_INT(rec.peer_tid, 0);
	CHECK_STR(rec.detail, "pthread");
	CHECK_EQ_U64(rec.dur_ns, 42);
	/* the joiner, unknown so far, is now in the table */
	CHECK(threads__find(t, 100) != NULL);
	CHECK(!threads__find(t, 101)->joined);
	threads__free(t);
}

TEST(join_reused_tid_word_picks_last_ended)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;
	struct tt_thread *th;

	/* 101 ends, then 102 gets the same stack (same tid word) and ends later */
	APPLY(t, ev_start(100, 101, 100, 0x7000, "a"), &rec);
	APPLY(t, ev_exit(200, 101, 0x7000, 0, 0, "a"), &rec);
	APPLY(t, ev_start(300, 102, 100, 0x7000, "b"), &rec);
	APPLY(t, ev_exit(400, 102, 0x7000, 0, 0, "b"), &rec);
	APPLY(t, ev_join(500, 100, 0x7000, 1), &rec);
	CHECK_EQ_INT(rec.peer_tid, 102);
	th = threads__find(t, 101);
	CHECK(th && !th->joined);
	threads__free(t);

	/* the last to end wins even when it is earlier in the table */
	t = threads__new(TGID, T0);
	APPLY(t, ev_start(100, 201, 100, 0x7000, "a"), &rec);
	APPLY(t, ev_start(110, 202, 100, 0x7000, "b"), &rec);
	APPLY(t, ev_exit(200, 202, 0x7000, 0, 0, "b"), &rec);
	APPLY(t, ev_exit(400, 201, 0x7000, 0, 0, "a"), &rec);
	APPLY(t, ev_join(500, 100, 0x7000, 1), &rec);
	CHECK_EQ_INT(rec.peer_tid, 201);
	threads__free(t);

	/* an ended thread beats a live one with the word: pthread_join returns after the end */
	t = threads__new(TGID, T0);
	APPLY(t, ev_start(100, 301, 100, 0x7000, "a"), &rec);
	APPLY(t, ev_exit(200, 301, 0x7000, 0, 0, "a"), &rec);
	APPLY(t, ev_start(300, 302, 100, 0x7000, "b"), &rec);
	APPLY(t, ev_join(350, 100, 0x7000, 1), &rec);
	CHECK_EQ_INT(rec.peer_tid, 301);
	threads__free(t);
}

TEST(join_guess_only_when_accepted)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_thread *th;
	struct tt_record rec;
	struct tt_event e;

	APPLY(t, ev_start(100, 101, 100, 0x1000, "Thread-1"), &rec);
	APPLY(t, ev_exit(200, 101, 0x1000, 0, 0, "Thread-1"), &rec);

	e = ev_guess(300, 100, 101, 250);
	CHECK(!t->accept_inferred); /* off by default */
	CHECK_EQ_INT(threads__apply(t, &e, &rec), 0);
	th = threads__find(t, 101);
	CHECK(th && !th->joined);

	t->accept_inferred = true;
	APPLY(t, e, &rec);
	CHECK_EQ_INT(rec.kind, TT_REC_JOIN);
	CHECK_EQ_INT(rec.tid, 100);
	CHECK_EQ_INT(rec.peer_tid, 101);
	CHECK_STR(rec.detail, "inferred");
	CHECK(rec.has_dur);
	CHECK_EQ_U64(rec.dur_ns, 250);
	th = threads__find(t, 101);
	CHECK(th && th->joined && th->join_inferred);
	if (th)
		CHECK_EQ_INT(th->joined_by, 100);

	/* a second wake for an already joined thread is not another join */
	e = ev_guess(400, 100, 101, 1);
	CHECK_EQ_INT(threads__apply(t, &e, &rec), 0);
	threads__free(t);
}

/*
 * A dead thread joins nothing (issue 12: inferred joins by a joiner whose exit came first, then a
 * ghost "still alive" copy of it): the guess is dropped and no thread is added.
 */
TEST(join_guess_by_exited_thread_dropped)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;
	struct tt_event e;

	t->accept_inferred = true;
	APPLY(t, ev_start(100, 101, 100, 0x1000, "w1"), &rec);
	APPLY(t, ev_start(110, 102, 100, 0x2000, "w2"), &rec);
	APPLY(t, ev_exit(200, 101, 0x1000, 0, 0, "w1"), &rec);
	APPLY(t, ev_exit(210, 102, 0x2000, 0, 0, "w2"), &rec);
	e = ev_guess(300, 101, 102, 50); /* 101 "joins" 102, but 101 had ended */
	CHECK_EQ_INT(threads__apply(t, &e, &rec), 0);
	e.join_guess.woken_ns = T0 + 250; /* ... woken after it ended */
	CHECK_EQ_INT(threads__apply(t, &e, &rec), 0);
	CHECK_EQ_INT(t->n, 2);
	CHECK(!threads__find(t, 102)->joined);
	CHECK(threads__find(t, 101)->ended);
	threads__free(t);
}

/*
 * A joiner woken by the joinee, that then ended (the main thread's join returned and it ended
 * the process) before the joinee's OS thread reached its exit: it did join (pyjoinended's
 * "running" was shown unjoined about 1 run in 5).
 */
TEST(join_guess_by_thread_that_ended_after_the_wake_kept)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;
	struct tt_event e;

	t->accept_inferred = true;
	APPLY(t, ev_start(100, 102, 100, 0x2000, "running"), &rec);
	APPLY(t, ev_exit(220, 100, 0, 0, TT_EXIT_GROUP, "main"), &rec);
	APPLY(t, ev_exit(230, 102, 0x2000, 0, TT_EXIT_SIGNALED | TT_EXIT_GROUP, "running"), &rec);
	e = ev_guess(230, 100, 102, 50);
	e.join_guess.woken_ns = T0 + 200; /* main was woken at 200, ended at 220 */
	CHECK_EQ_INT(threads__apply(t, &e, &rec), 1);
	CHECK(threads__find(t, 102)->joined && threads__find(t, 102)->joined_by == 100);
	/* no ghost: the joiner keeps its one row, ended */
	CHECK_EQ_INT(t->n, 2);
	CHECK(threads__find(t, 100)->ended);
	threads__free(t);
}

/*
 * A dead thread's final figures that come after a new thread took its tid (the kernel side
 * sends them when the new thread starts, if the ring buffer was full at the dead one's last
 * switch): they are the dead thread's, and the new one keeps its own.
 */
TEST(final_sched_after_tid_reuse_goes_to_the_ended_thread)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_sched old = { .oncpu_ns = 11, .runq_ns = 22, .lock_ns = 33, .sleep_ns = 44 };
	struct tt_sched fresh = { .oncpu_ns = 5, .state = TT_ST_ONCPU, .since_ns = T0 + 1000 };
	struct tt_thread *first, *second;
	struct tt_record rec;

	APPLY(t, ev_start(100, 101, 100, 0x1000, "first"), &rec);
	APPLY(t, ev_exit(200, 101, 0x1000, 0, 0, "first"), &rec);
	APPLY(t, ev_start(300, 101, 100, 0x2000, "second"), &rec);
	threads__set_final_sched(t, 101, &old);
	threads__set_sched(t, 101, &fresh, T0 + 1500);
	first = &t->v[0];
	second = threads__find(t, 101);
	CHECK(first != second && first->ended && !second->ended);
	CHECK_EQ_U64(first->oncpu_ns, 11);
	CHECK_EQ_U64(first->sleep_ns, 44);
	CHECK_EQ_U64(second->oncpu_ns, 5 + 500); /* its own, with its open interval */
	CHECK_EQ_U64(second->sleep_ns, 0);
	threads__free(t);
}

TEST(join_guess_unknown_joinee)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;

	t->accept_inferred = true;
	CHECK_EQ_INT(threads__add_alive(t, 100, "python3", T0, &rec), 1);
	APPLY(t, ev_guess(300, 100, 555, 9), &rec);
	CHECK_EQ_INT(rec.peer_tid, 555);
	CHECK_STR(rec.name, "python3");
	CHECK(threads__find(t, 555) && threads__find(t, 555)->joined);
	threads__free(t);
}

/*
 * The same with the table full (64 threads, its first capacity): adding the
 * joinee grows (reallocs) the table, which must not leave the joiner's
 * pointer dangling. Run in a child, as an AddressSanitizer report aborts the
 * process; the child's stderr goes to a temp file. Exit status: 0 good,
 * 3/4 an apply failed, 5 the record is wrong (e.g. the joiner's name was read
 * from freed memory).
 */
static int guess_grows_table_child(pid_t joiner_known)
{
	struct tt_threads *t = threads__new(TGID, T0);
	int filled = joiner_known ? 64 : 63;
	struct tt_record rec;
	struct tt_event e;

	t->accept_inferred = true;
	for (int i = 0; i < filled; i++) {
		e = ev_start((uint64_t)i, 1000 + i, 100, 0x1000 + 0x100 * i, i ? "w" : "pymain");
		if (threads__apply(t, &e, &rec) != 1)
			return 3;
	}
	/* joiner: tid 1000 (known, the table then is full) or 5000 (added, filling it) */
	e = ev_guess(1000, joiner_known ? 1000 : 5000, 6000, 77);
	if (threads__apply(t, &e, &rec) != 1)
		return 4;
	if (rec.tid != (joiner_known ? 1000 : 5000) || rec.peer_tid != 6000 ||
	    strcmp(rec.detail, "inferred") || strcmp(rec.name, joiner_known ? "pymain" : "")) {
		fprintf(stderr, "record: tid %d peer %d detail \"%s\" name \"", (int)rec.tid,
			(int)rec.peer_tid, rec.detail);
		for (const unsigned char *c = (const unsigned char *)rec.name; *c; c++)
			fprintf(stderr, *c >= 0x20 && *c < 0x7f ? "%c" : "\\x%02x", *c);
		fprintf(stderr, "\", expected name \"%s\"\n", joiner_known ? "pymain" : "");
		return 5;
	}
	threads__free(t);
	return 0;
}

static void check_guess_grows_table(const char *file, int line, pid_t joiner_known)
{
	char path[] = "/tmp/tt-test-threads-XXXXXX", report[4096] = "", *p;
	int fd = mkstemp(path), status;
	pid_t pid;
	ssize_t n;

	if (fd < 0)
		abort();
	unlink(path);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		dup2(fd, STDERR_FILENO);
		_exit(guess_grows_table_child(joiner_known));
	}
	waitpid(pid, &status, 0);
	n = pread(fd, report, sizeof(report) - 1, 0);
	close(fd);
	report[n > 0 ? n : 0] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	/* the report's first "ERROR:" line, or the child's own line, says what went wrong */
	p = strstr(report, "ERROR: ");
	if (!p && report[0])
		p = report;
	if (p)
		p[strcspn(p, "\n")] = '\0';
	check_fail(file, line, "JOIN_GUESS growing the table (joiner %s): child %s %d%s%s",
		   joiner_known ? "known" : "new", WIFEXITED(status) ? "exit status" : "signal",
		   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), p ? ": " : "",
		   p ? p : "");
}

TEST(join_guess_when_table_grows)
{
	check_guess_grows_table(__FILE__, __LINE__, 1);
	check_guess_grows_table(__FILE__, __LINE__, 0);
}

TEST(rename_and_exec)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_thread *th;
	struct tt_record rec;

	APPLY(t, ev_start(100, 101, 100, 0x1000, "python3"), &rec);
	APPLY(t, ev(TT_EV_RENAME, 200, 101, 101, 0, "worker"), &rec);
	CHECK_EQ_INT(rec.kind, TT_REC_RENAME);
	CHECK_EQ_U64(rec.ts_ns, 200);
	CHECK_EQ_INT(rec.tid, 101);
	CHECK_STR(rec.name, "worker");
	CHECK_EQ_INT(rec.peer_tid, 0); /* renamed itself */
	APPLY(t, ev(TT_EV_RENAME, 300, 101, 100, 0, "renamed-by-main"), &rec);
	CHECK_EQ_INT(rec.peer_tid, 100);
	CHECK_STR(rec.name, "renamed-by-main");
	th = threads__find(t, 101);
	CHECK(th != NULL);
	if (th) {
		CHECK_STR(th->name, "renamed-by-main");
		CHECK_EQ_INT(th->renames, 2);
		CHECK_EQ_U64(th->start_ns, 100); /* a rename is not a start */
	}

	/* the command we launched is first seen at its exec */
	APPLY(t, ev(TT_EV_EXEC, 50, 200, 200, 0, "mtsleep3"), &rec);
	CHECK_EQ_INT(rec.kind, TT_REC_EXEC);
	CHECK_EQ_INT(rec.tid, 200);
	CHECK_STR(rec.name, "mtsleep3");
	CHECK_EQ_INT(rec.peer_tid, 0);
	th = threads__find(t, 200);
	CHECK(th && th->start_known);
	if (th) {
		CHECK_EQ_U64(th->start_ns, 50);
		CHECK_STR(th->name, "mtsleep3");
		CHECK_EQ_INT(th->renames, 0);
	}

	/* exec from a non-leader thread: peer = the old tid; a known thread keeps its start */
	APPLY(t, ev(TT_EV_EXEC, 400, 101, 105, 0, "newprog"), &rec);
	CHECK_EQ_INT(rec.peer_tid, 105);
	th = threads__find(t, 101);
	if (th) {
		CHECK_EQ_U64(th->start_ns, 100);
		CHECK_STR(th->name, "newprog");
	}

	/* a thread alive at attach (name known) does not start at its exec */
	CHECK_EQ_INT(threads__add_alive(t, 300, "sh", T0 + 10, &rec), 1);
	APPLY(t, ev(TT_EV_EXEC, 500, 300, 300, 0, "ls"), &rec);
	th = threads__find(t, 300);
	CHECK(th && !th->start_known);
	threads__free(t);
}

TEST(comm_truncated_and_unknown_kind)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;
	struct tt_event e = ev_start(1, 101, 100, 0x1000, NULL);

	memcpy(e.start.comm, "0123456789abcdef", TT_COMM_LEN); /* not NUL-terminated */
	APPLY(t, e, &rec);
	CHECK_STR(rec.name, "0123456789abcde");
	CHECK_STR(threads__find(t, 101)->name, "0123456789abcde");

	e = ev(0, 1, 101, 0, 0, "x");
	CHECK_EQ_INT(threads__apply(t, &e, &rec), 0);
	e = ev(TT_EV_KIND_MAX, 1, 101, 0, 0, "x");
	CHECK_EQ_INT(threads__apply(t, &e, &rec), 0);
	CHECK_EQ_INT(t->n, 1);
	threads__free(t);
}

TEST(add_alive)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;
	struct tt_thread *th;

	memset(&rec, 0x5a, sizeof(rec));
	CHECK_EQ_INT(threads__add_alive(t, 100, "main", T0 + 25, &rec), 1);
	CHECK_EQ_INT(rec.kind, TT_REC_ALIVE);
	CHECK_STR(rec.detail, "attach");
	CHECK_EQ_INT(rec.tid, 100);
	CHECK_EQ_INT(rec.tgid, TGID);
	CHECK_EQ_U64(rec.ts_ns, 25);
	CHECK_STR(rec.name, "main");
	CHECK_EQ_INT(rec.peer_tid, 0);
	CHECK(!rec.has_dur && !rec.has_status);
	th = threads__find(t, 100);
	CHECK(th && !th->start_known && th->creator == 0);

	/* a second look at /proc finds it again: not new */
	CHECK_EQ_INT(threads__add_alive(t, 100, "main", T0 + 30, &rec), 0);

	/* its start event came before the /proc scan */
	APPLY(t, ev_start(10, 101, 100, 0x1000, "w"), &rec);
	CHECK_EQ_INT(threads__add_alive(t, 101, "w", T0 + 30, &rec), 0);
	CHECK_EQ_INT(t->n, 2);

	/* an ended tid seen again is a new thread (tid reuse) */
	APPLY(t, ev_exit(40, 101, 0x1000, 0, 0, "w"), &rec);
	CHECK_EQ_INT(threads__add_alive(t, 101, "reused-name-that-is-long", T0 + 50, &rec), 1);
	CHECK_STR(rec.name, "reused-name-tha");
	CHECK_EQ_INT(t->n, 3);
	th = threads__find(t, 101);
	CHECK(th && !th->ended);
	threads__free(t);
}

struct collected {
	int n;
	struct tt_record recs[8];
};

static void collect(const struct tt_record *rec, void *ctx)
{
	struct collected *c = ctx;

	if (c->n < 8)
		c->recs[c->n] = *rec;
	c->n++;
}

TEST(finish_emits_end_for_live_threads)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct collected c = { 0 };
	struct tt_record rec;

	CHECK_EQ_INT(threads__add_alive(t, 100, "main", T0, &rec), 1);
	APPLY(t, ev_start(100, 101, 100, 0x1000, "live"), &rec);
	APPLY(t, ev_start(200, 102, 100, 0x2000, "gone"), &rec);
	APPLY(t, ev_exit(300, 102, 0x2000, 0, 0, "gone"), &rec);

	threads__finish(t, T0 + 1000, NULL, collect, &c);
	CHECK_EQ_INT(c.n, 2);
	if (c.n == 2) {
		CHECK_EQ_INT(c.recs[0].kind, TT_REC_END);
		CHECK_EQ_INT(c.recs[0].tid, 100);
		CHECK_STR(c.recs[0].detail, "alive");
		CHECK_STR(c.recs[0].name, "main");
		CHECK_EQ_U64(c.recs[0].ts_ns, 1000);
		CHECK(!c.recs[0].has_dur); /* alive since before attach */

		CHECK_EQ_INT(c.recs[1].kind, TT_REC_END);
		CHECK_EQ_INT(c.recs[1].tid, 101);
		CHECK_STR(c.recs[1].detail, "alive");
		CHECK_STR(c.recs[1].name, "live");
		CHECK(c.recs[1].has_dur);
		CHECK_EQ_U64(c.recs[1].dur_ns, 900);
	}

	/* nothing alive: nothing emitted */
	threads__free(t);
	t = threads__new(TGID, T0);
	c.n = 0;
	threads__finish(t, T0 + 1000, NULL, collect, &c);
	CHECK_EQ_INT(c.n, 0);
	threads__free(t);
}

TEST(python_names_and_stacks)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct collected c = { 0 };
	struct tt_thread *th;
	struct tt_record rec;
	char longname[300];

	APPLY(t, ev_start(100, 101, 100, 0x1000, "python3"), &rec);
	CHECK(rec.py_name == NULL); /* no name read yet */
	APPLY(t, ev_start(110, 102, 100, 0x2000, "python3"), &rec);
	CHECK_EQ_INT(threads__set_py_name(t, 999, "nobody"), -1);
	CHECK_EQ_INT(threads__set_py_name(t, 101, "worker-0"), 1);
	CHECK_EQ_INT(threads__set_py_name(t, 101, "worker-0"), 0); /* read again: no change */
	th = threads__find(t, 101);
	CHECK(th && th->renames == 0); /* the first name read is no rename */
	CHECK_EQ_INT(threads__set_py_name(t, 101, "renamed"), 1);
	th = threads__find(t, 101);
	if (th) {
		CHECK_STR(th->py_name, "renamed");
		CHECK_STR(th->name, "python3"); /* the OS name stays */
		CHECK_EQ_INT(th->renames, 1);
	}
	/* a long name is cut to the table's room, whole bytes, NUL-terminated */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_EQ_INT(threads__set_py_name(t, 102, longname), 1);
	th = threads__find(t, 102);
	CHECK(th && strlen(th->py_name) == TT_PY_NAME_LEN - 1);

	/* the thread's records carry its Python name from now on; its exit keeps the last one */
	APPLY(t, ev_exit(500, 101, 0x1000, 0, 0, "python3"), &rec);
	CHECK(rec.py_name != NULL);
	if (rec.py_name)
		CHECK_STR(rec.py_name, "renamed");
	CHECK(rec.py_stack == NULL);

	/* frames: stored as a copy, replaced, forgotten; on the live thread's end record */
	CHECK_EQ_INT(threads__set_py_stack(t, 999, "a.py:f:1"), -1);
	snprintf(longname, sizeof(longname), "a.py:f:1 < a.py:<module>:9");
	CHECK_EQ_INT(threads__set_py_stack(t, 102, longname), 0);
	longname[0] = 'b';
	CHECK_EQ_INT(threads__set_py_stack(t, 102, "a.py:g:2"), 0);
	threads__finish(t, T0 + 1000, NULL, collect, &c);
	CHECK_EQ_INT(c.n, 1);
	if (c.n == 1) {
		CHECK_EQ_INT(c.recs[0].tid, 102);
		CHECK(c.recs[0].py_stack && !strcmp(c.recs[0].py_stack, "a.py:g:2"));
		CHECK(c.recs[0].py_name && strlen(c.recs[0].py_name) == TT_PY_NAME_LEN - 1);
	}
	CHECK_EQ_INT(threads__set_py_stack(t, 102, NULL), 0);
	th = threads__find(t, 102);
	CHECK(th && th->py_stack == NULL);
	CHECK_EQ_INT(threads__set_py_stack(t, 102, "left for threads__free"), 0);

	/* a new program: what Python called the thread is gone */
	CHECK_EQ_INT(threads__set_py_name(t, 102, "old"), 1);
	APPLY(t, ev(TT_EV_EXEC, 600, 102, 102, 0, "sh"), &rec);
	CHECK(rec.py_name == NULL);
	th = threads__find(t, 102);
	CHECK(th && th->py_name[0] == '\0' && th->py_stack == NULL);
	threads__free(t);
}

static int fake_sample(pid_t tgid, pid_t tid, char *state, unsigned long long *ticks)
{
	if (tgid != TGID || tid == 102)
		return -1;
	*state = tid == 100 ? 'R' : 'S';
	*ticks = (unsigned long long)tid * 10;
	return 0;
}

TEST(sample_updates_live_threads)
{
	struct tt_threads *t = threads__new(TGID, T0);
	struct tt_record rec;
	struct tt_thread *th;

	CHECK_EQ_INT(threads__add_alive(t, 100, "main", T0, &rec), 1);
	APPLY(t, ev_start(1, 101, 100, 0x1000, "w"), &rec);
	threads__sample(t, fake_sample);
	th = threads__find(t, 100);
	CHECK(th && th->state == 'R' && th->cpu_ticks == 1000 && th->cpu_ticks_delta == 1000);
	threads__sample(t, fake_sample);
	th = threads__find(t, 101);
	CHECK(th && th->state == 'S' && th->cpu_ticks == 1010 && th->cpu_ticks_delta == 0);
	threads__free(t);
}

TEST(free_null_is_safe)
{
	CHECK_RUNS_CLEANLY(threads__free(NULL));
}

TEST(stress_10000_threads)
{
	enum { N = 10000, FIRST = 1000 };
	struct tt_threads *t = threads__new(TGID, T0);
	int bad_start = 0, bad_exit = 0, bad_join = 0, not_joined = 0;
	struct tt_record rec;
	struct tt_event e;

	CHECK_EQ_INT(threads__add_alive(t, 100, "main", T0, &rec), 1);
	for (int i = 0; i < N; i++) {
		e = ev_start(10 + (uint64_t)i, FIRST + i, 100, 0x7f0000000000ull + 0x10000ull * i, "w");
		if (threads__apply(t, &e, &rec) != 1 || rec.tid != FIRST + i || rec.peer_tid != 100)
			bad_start++;
	}
	for (int i = N; i-- > 0;) { /* end in reverse order */
		e = ev_exit(100000 + (uint64_t)(N - i), FIRST + i, 0x7f0000000000ull + 0x10000ull * i,
			    0, 0, "w");
		if (threads__apply(t, &e, &rec) != 1 || rec.tid != FIRST + i || !rec.has_dur ||
		    rec.dur_ns != 100000 + (uint64_t)(N - i) - (10 + (uint64_t)i))
			bad_exit++;
	}
	for (int k = 0; k < N; k++) { /* joined in a scrambled order */
		int i = (int)((k * 7919L) % N);

		e = ev_join(200000 + (uint64_t)k, 100, 0x7f0000000000ull + 0x10000ull * i, (uint64_t)i);
		if (threads__apply(t, &e, &rec) != 1 || rec.peer_tid != FIRST + i || rec.dur_ns != (uint64_t)i ||
		    strcmp(rec.detail, "pthread"))
			bad_join++;
	}
	CHECK_EQ_INT(bad_start, 0);
	CHECK_EQ_INT(bad_exit, 0);
	CHECK_EQ_INT(bad_join, 0);
	CHECK_EQ_INT(t->n, N + 1);
	for (int i = 0; i < N; i++) {
		struct tt_thread *th = threads__find(t, FIRST + i);

		if (!th || !th->joined || th->joined_by != 100 || th->join_wait_ns != (uint64_t)i ||
		    !th->ended || th->how != TT_END_EXITED)
			not_joined++;
	}
	CHECK_EQ_INT(not_joined, 0);
	threads__free(t);
}

int main(void)
{
	RUN(start_record);
	RUN(timestamps_relative_to_t0);
	RUN(exit_plain);
	RUN(exit_flags_classified);
	RUN(exit_of_thread_alive_before_attach);
	RUN(join_resolves_tid_word);
	RUN(join_word_from_exit_event);
	RUN(join_unknown_word);
	RUN(join_reused_tid_word_picks_last_ended);
	RUN(join_guess_only_when_accepted);
	RUN(join_guess_by_exited_thread_dropped);
	RUN(join_guess_by_thread_that_ended_after_the_wake_kept);
	RUN(final_sched_after_tid_reuse_goes_to_the_ended_thread);
	RUN(join_guess_unknown_joinee);
	RUN(join_guess_when_table_grows);
	RUN(rename_and_exec);
	RUN(comm_truncated_and_unknown_kind);
	RUN(add_alive);
	RUN(finish_emits_end_for_live_threads);
	RUN(python_names_and_stacks);
	RUN(sample_updates_live_threads);
	RUN(free_null_is_safe);
	RUN(stress_10000_threads);
	return check_summary();
}
