/*
 * Where a file's spinning locks enter and leave their contended slow paths: the places
 * bpf/spin.bpf.c is attached to (Rust std's Mutex and RwLock, parking_lot's, glibc's
 * adaptive mutexes). A waiter there spins on its CPU before it sleeps.
 */
#ifndef TT_SPINPROBES_H
#define TT_SPINPROBES_H

#include <stdbool.h>
#include <stddef.h>

#define TT_SPIN_MAX_FUNCS 8

struct spin_points {
	/* slow-path functions (their lock is the first argument; the path ends at their return) */
	size_t nfuncs;
	unsigned long funcs[TT_SPIN_MAX_FUNCS];
	/* an instruction where a spin starts (the lock in rdi) and the one where it has taken it */
	bool has_steps;
	unsigned long step_enter, step_exit;
};

/*
 * The slow paths in the ELF file at path, as file offsets: found by their symbols' demangled
 * names (Rust) and, in a glibc libc, by the machine code of pthread_mutex_lock's adaptive
 * spin. Returns how many places were found (0: none), or -errno when the file is unreadable.
 */
int spinprobes__find(const char *path, struct spin_points *p);

/* A demangled function name that is a spinning lock's slow path (a Rust std or parking_lot one). */
bool spinprobes__is_slow_path(const char *demangled);

/*
 * In code (bytes of pthread_mutex_lock, at file offset base), the adaptive spin's start and
 * end, as glibc 2.36's x86-64 build lays them out: 0, or -ENOENT when the code differs.
 */
int spinprobes__adaptive_steps(const unsigned char *code, size_t len, unsigned long base, unsigned long *enter,
			       unsigned long *exit);

#endif
