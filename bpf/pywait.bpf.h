/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPython part: at a blocking wait of a CPython target's thread, its
 * Python frames, read from the interpreter's own structures while the thread
 * sleeps (it holds still). Defined in pywait.bpf.c; futex_sleeps calls it.
 *
 * The thread's PyThreadState is found by its OS tid in the interpreter's list
 * of thread states (tstate->native_thread_id, 3.11+) and kept in the
 * thread's scheduling entry: later waits check it with one read. From it:
 * tstate->cframe->current_frame, then each _PyInterpreterFrame's f_code,
 * prev_instr and previous. The same chain py-spy and the reader in
 * user/cpython/ walk; user space resolves the pairs (docs/python.md).
 */
#ifndef PYWAIT_BPF_H
#define PYWAIT_BPF_H

#include "common.bpf.h"

/* Set by user space once it found the interpreter (all zero: no CPython target). */
extern struct tt_py_conf py_conf;

/*
 * The Python stack of tid (process tgid, its scheduling entry s) sleeping in
 * a wait, its user stack pointer sp: its id (TT_EV_PYSTACK, sent the first
 * time), or 0 when it has none (not CPython, no Python frame, or not readable).
 */
__u64 py_capture(struct tt_sched *s, __u32 tgid, __u32 tid, __u64 sp);

#endif /* PYWAIT_BPF_H */
