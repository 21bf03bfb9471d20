/*
 * Names for futex words no symbol covers (a heap or anonymous lock): the code that waits on
 * them, from a DWARF-unwound stack (ustacks.c) - the innermost frame outside the C library and
 * the C++ and Rust runtimes - plus where the word lies, e.g. "mutex in deposit() [heap
 * 0x55d4c2a1e2a0]". The address keeps two words of one function apart.
 */
#ifndef TT_LOCKCALLERS_H
#define TT_LOCKCALLERS_H

#include <stddef.h>
#include <stdint.h>
#include "model/locks.h"
#include "syms.h"
#include "ustacks.h"

/*
 * k's name from its waiters' code into buf: the stack of its busiest call site (--stacks),
 * else of its first blocking wait. 0, or -1 when no stack of it was unwound or every frame
 * is the runtime's (buf untouched).
 */
int lockcallers__name(const struct tt_lock *k, const struct ustacks *us, struct syms *syms, char *buf,
		      size_t len);

/*
 * What k's waiters' code says it is, as 1 << TT_LOCK_* bits, when the futex calls cannot tell:
 * a wait inside Rust's std Condvar::wait is a condition variable's (its word is a plain
 * counter). 0: nothing more. *known: whether k's waiters' frames were there to tell (they do
 * not change: the answer can be kept).
 */
uint32_t lockcallers__kinds(const struct tt_lock *k, const struct ustacks *us, struct syms *syms, bool *known);

/* Whether a frame in file (a path) named sym ("" when none) is the runtime's: libc, ld.so, libstdc++, Rust std. */
int lockcallers__is_runtime(const char *file, const char *sym);

#endif
