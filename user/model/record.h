/* One lifecycle fact as the views see it: what the models produce from kernel events. */
#ifndef TT_RECORD_H
#define TT_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define TT_NAME_LEN 16
#define TT_DETAIL_LEN 160
#define TT_PY_NAME_LEN 128 /* a threading.Thread name read from CPython, with its NUL */

enum tt_rec_kind {
	TT_REC_TRACE,  /* trace start / stop */
	TT_REC_ALIVE,  /* thread found at attach */
	TT_REC_START,
	TT_REC_RENAME,
	TT_REC_EXEC,
	TT_REC_JOIN,
	TT_REC_EXIT,
	TT_REC_END,    /* thread still alive when tracing stopped */
	TT_REC_LOST,   /* events or records the kernel side could not keep */
	TT_REC_WAIT,   /* a blocking futex wait ended */
	TT_REC_HOLD,   /* a contended hold ended */
	TT_REC_DEADLOCK, /* the thread is in a cycle of threads each waiting for the next */
	TT_REC_FORK,   /* -f: a new process (tid = tgid = the child) */
};

struct tt_record {
	enum tt_rec_kind kind;
	uint64_t ts_ns;        /* since the trace started */
	pid_t tgid;
	pid_t tid;
	pid_t peer_tid;        /* 0: none */
	bool has_dur;
	uint64_t dur_ns;
	uint64_t addr;         /* 0: none */
	bool has_status;       /* exit: exit_code and signal are set */
	int exit_code;
	int signal;
	pid_t blocked_by;      /* wait, deadlock: the word's owner when known */
	const char *stack;     /* deadlock with --stacks: where it blocked, or NULL */
	/* CPython targets; both valid only while the record is being emitted: */
	const char *py_name;   /* the thread's threading name when known, or NULL; raw, untrusted */
	const char *py_stack;  /* wait, deadlock, end: its Python frames, or NULL; untrusted */
	uint64_t py_stack_id;  /* wait: the id of its Python stack (model/pystacks.h), 0: none */
	uint64_t site;         /* wait, --stacks: its call site's id (tt_site_id; model/sitetable.h), 0: none */
	char name[TT_NAME_LEN]; /* raw, untrusted: views escape it */
	char detail[TT_DETAIL_LEN];
};

/* The CSV/JSON event name of a record kind ("start", "exit", ...). */
const char *record__kind_name(enum tt_rec_kind kind);

#endif
