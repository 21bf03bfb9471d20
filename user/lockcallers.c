/* Names for words no symbol covers, after the code that waits on them (lockcallers.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "demangle.h"
#include "lockcallers.h"

/* The runtime's libraries: a wait passes through them on its way to the caller we name. */
static const char *const runtime_files[] = { "libc.so", "ld-linux", "libpthread.so", "libstdc++.so",
					     "libgcc_s.so",
					     /* CPython's own code: its locks are named by their Python frames (pylocks.c) */
					     "libpython", "python" };
/* The runtime's functions linked into a program (C++ templates, Rust's std): mangled and demangled */
static const char *const runtime_syms[] = { "_ZNSt", "_ZNKSt", "_ZSt", "_ZN9__gnu_cxx", "__gthread",
					    "_ZN3std", "_ZN4core", "_ZN5alloc", "std::", "core::",
					    "alloc::", "<std::", "<core::", "<alloc::", "__pthread", "pthread_" };

int lockcallers__is_runtime(const char *file, const char *sym)
{
	const char *base = strrchr(file, '/');

	base = base ? base + 1 : file;
	for (size_t i = 0; i < sizeof(runtime_files) / sizeof(runtime_files[0]); i++)
		if (!strncmp(base, runtime_files[i], strlen(runtime_files[i])))
			return 1;
	for (size_t i = 0; i < sizeof(runtime_syms) / sizeof(runtime_syms[0]); i++)
		if (!strncmp(sym, runtime_syms[i], strlen(runtime_syms[i])))
			return 1;
	return 0;
}

/* The length of name without a suffix GCC gives a function's clones (.constprop.0, .isra.0, .part.0, .cold). */
static size_t clone_suffix(const char *name)
{
	static const char *const suffixes[] = { ".constprop.", ".isra.", ".part.", ".cold" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		const char *p = strstr(name, suffixes[i]);

		if (p && (size_t)(p - name) < n)
			n = (size_t)(p - name);
	}
	return n;
}

/* The frames that name k: its busiest site's (sites are sorted by count), else its first wait's. */
static const uint64_t *frames_of(const struct tt_lock *k, const struct ustacks *us, int *n)
{
	const __u64 none[TT_SCAN_HITS] = { 0 };
	const uint64_t *pcs;

	for (int s = 0; s < TT_TOP_SITES; s++) {
		if (!k->sites[s].count)
			continue;
		pcs = ustacks__find(us, k->tgid, k->addr, k->sites[s].stack_id, k->sites[s].scan, n);
		if (pcs && *n > 1)
			return pcs;
	}
	return ustacks__find(us, k->tgid, k->addr, TT_USTACK_WORD, none, n);
}

int lockcallers__name(const struct tt_lock *k, const struct ustacks *us, struct syms *syms, char *buf,
		      size_t len)
{
	struct sym_info si, where;
	const uint64_t *pcs;
	char caller[160], name[sizeof(si.name)];
	int n = 0;

	if (!syms || !us || !len)
		return -1;
	pcs = frames_of(k, us, &n);
	for (int i = 0; pcs && i < n; i++) {
		/* a return address is past its call: named by the call (syms__resolve_return) */
		if ((i ? syms__resolve_return(syms, pcs[i], &si) : syms__resolve(syms, pcs[i], &si)))
			continue;
		/* by the name its programmer wrote: Account::deposit, not _ZN7Account7depositEl */
		demangle__name(si.name, name, sizeof(name));
		if (lockcallers__is_runtime(si.file, name))
			continue;
		if (!strcmp(si.region, "sym")) {
			/* the function, not the compiler's copy of it: deposit.constprop.0 is deposit */
			snprintf(caller, sizeof(caller), "%.*s()", (int)clone_suffix(name), name);
		} else if (!strcmp(si.region, "file")) {
			/* shown as the stacks show the frame: at its return address */
			syms__resolve(syms, pcs[i], &si);
			syms__format_info(&si, caller, sizeof(caller));
			/* "[libfoo.so+0x1234]" without its brackets: the brackets are the word's place */
			memmove(caller, caller + 1, strlen(caller));
			caller[strcspn(caller, "]")] = '\0';
		} else {
			continue; /* JIT code or unmapped: no name to give */
		}
		if (syms__resolve(syms, k->addr, &where))
			where.region = "unknown";
		if (!strcmp(where.region, "file")) {
			/* a global of a stripped file: its place in the file, the same in every run */
			char place[TT_LOCK_NAME_LEN];

			syms__format_info(&where, place, sizeof(place));
			snprintf(buf, len, "%s in %s %s", lock__kind_name(k), caller, place);
		} else {
			snprintf(buf, len, "%s in %s [%s 0x%" PRIx64 "]", lock__kind_name(k), caller, where.region,
				 k->addr);
		}
		return 0;
	}
	return -1;
}

uint32_t lockcallers__kinds(const struct tt_lock *k, const struct ustacks *us, struct syms *syms, bool *known)
{
	struct sym_info si;
	const uint64_t *pcs;
	char name[sizeof(si.name)];
	int n = 0;

	*known = false;
	if (!syms || !us)
		return 0;
	pcs = frames_of(k, us, &n);
	*known = pcs != NULL;
	for (int i = 0; pcs && i < n; i++) {
		if ((i ? syms__resolve_return(syms, pcs[i], &si) : syms__resolve(syms, pcs[i], &si)) || strcmp(si.region, "sym"))
			continue;
		demangle__name(si.name, name, sizeof(name));
		/* Rust's std Condvar waits on a plain counter word (the futex call cannot tell) */
		/* std::sys::unix::locks::futex::Condvar::wait (1.63), <std::sys::sync::condvar::futex::Condvar>::wait (1.9x) */
		if (strstr(name, "Condvar::wait") || strstr(name, "Condvar>::wait"))
			return 1u << TT_LOCK_COND;
	}
	return 0;
}
