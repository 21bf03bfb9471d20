/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every assumption threadtrace makes about the machine, the kernel's build,
 * glibc and CPython that BTF cannot check for it: one place, included by both
 * sides. docs/platform.md lists each one, how it is checked and what happens
 * when it is wrong; change both together.
 */
#ifndef PLATFORM_H
#define PLATFORM_H

/* Built for x86-64 only: the numbers and registers below are x86-64's (docs/platform.md). */
#if defined(__bpf__)
#ifndef __TARGET_ARCH_x86
#error "threadtrace supports x86-64 only (docs/platform.md)"
#endif
#elif !defined(__x86_64__)
#error "threadtrace supports x86-64 only (docs/platform.md)"
#endif

/* The machine uname(2) must report: the loader refuses another (docs/platform.md). */
#define TT_MACHINE "x86_64"

/* x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
#define TT_NR_FUTEX 202
#define TT_NR_FUTEX_WAITV 449

/*
 * A thread's registers saved at its system call (bpf_task_pt_regs), x86-64:
 * the call's number and its first four arguments (rdi, rsi, rdx, r10, the
 * syscall convention, not the function-call one, whose fourth is rcx).
 */
#define TT_REG_NR(regs) ((regs)->orig_ax)
#define TT_REG_ARG1(regs) ((regs)->di)
#define TT_REG_ARG2(regs) ((regs)->si)
#define TT_REG_ARG3(regs) ((regs)->dx)
#define TT_REG_ARG4(regs) ((regs)->r10)
#define TT_REG_SP(regs) ((regs)->sp) /* the user stack pointer */
/* A task's thread pointer (x86-64: the fs base), where glibc keeps its struct pthread. */
#define TT_TASK_TP(task) ((task)->thread.fsbase)

/* x86-64 kernel stacks: 16 KiB (32 KiB with KASAN, which this assumes off). */
#define TT_THREAD_SIZE (16 * 1024)

/* Signals 1-64 fit one word of a sigset_t (x86-64: _NSIG_WORDS = 1). */
#define TT_SIGSET_WORDS 1

/*
 * glibc 2.36 x86-64 layouts, as offsets from the futex word a thread waits on
 * (struct __pthread_mutex_s, struct new_sem, struct __pthread_cond_s).
 */
#define TT_PID_MAX_LIMIT 4194304      /* the kernel's bound on pid_max: a larger value is no tid */
#define TT_GLIBC_MUTEX_OWNER 8       /* __owner: the holder's tid, after __lock and __count */
#define TT_GLIBC_SEM_NWAITERS 4      /* a sem_t's waiter count, after its value */
#define TT_GLIBC_COND_SIGNALS 0x28   /* __g_signals[0] (and [1] at +0x2c) in a pthread_cond_t */
#define TT_GLIBC_COND_WREFS 0x24     /* __wrefs: waiters << 3 */

/*
 * glibc 2.36's join functions jump (0xe9 rel32) within their first 48 bytes
 * to one internal function, __pthread_clockjoin_ex(pthread, result, clockid,
 * abstime, block), whose first instruction is a push (user/joincore.c).
 */
#define TT_JMP_REL32 0xe9
#define TT_JOIN_SCAN_BYTES 48

/*
 * CPython 3.11: _PyRuntime.ceval.gil spans +0x168 .. +0x238; its futex words
 * are gil.cond's __g_signals[0..1] (+0x1b0, +0x1b4) and gil.mutex (+0x1b8).
 * 3.12 moved the GIL into the interpreter state.
 */
#define TT_PY311_GIL_FIRST 0x168
#define TT_PY311_GIL_END 0x238
#define TT_PY311_GIL_COND_FIRST 0x1b0
#define TT_PY311_GIL_COND_END 0x1b8

#endif /* PLATFORM_H */
