/*
 * DWARF unwinding of a copied user stack with libdwfl (elfutils): one Dwfl per process, its
 * modules reported from /proc/PID/maps, its state "attached" once with callbacks that serve
 * the registers and stack bytes of the sample being unwound. libdwfl caches each module's
 * call-frame information, so the files are parsed once per process, not once per stack (perf
 * builds a new Dwfl per sample: docs/unwinding.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>
#include "safeopen.h"
#include "unwind.h"

/* DWARF register numbers of x86-64 (System V psABI, figure 3.36) */
enum { DW_RBX = 3, DW_RBP = 6, DW_RSP = 7, DW_R12 = 12, DW_NREGS_R12_R15 = 4 };

struct unwinder {
	Dwfl *dwfl;
	pid_t pid;
	/* the sample being unwound (valid during unwinder__frames only) */
	const struct unwind_regs *regs;
	const unsigned char *stack;
	size_t len;
	uint64_t *pcs;
	int max, n;
};

static char *debuginfo_path; /* libdwfl's default: .debug files beside the binary and under /usr/lib/debug */

/* The process whose modules are being found (the tool is single-threaded; see find_elf). */
static pid_t finding_pid;

/*
 * A module's file, opened as every file a traced process chose is (safeopen: regular files
 * only, never blocking on a FIFO), in the target's mount namespace first (/proc/PID/root), as
 * syms.c does: one rule for all of them rather than trusting libdwfl's finder with it.
 * Pseudo-files ([vdso]) are libdwfl's: read from memory.
 */
static int find_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base, char **file_name,
		    Elf **elfp)
{
	char path[PATH_MAX + 32];
	int fd;

	if (!modname || modname[0] != '/')
		return dwfl_linux_proc_find_elf(mod, userdata, modname, base, file_name, elfp);
	snprintf(path, sizeof(path), "/proc/%d/root%s", (int)finding_pid, modname);
	fd = safeopen__regular(path, 0, NULL);
	if (fd < 0)
		fd = safeopen__regular(modname, 0, NULL);
	if (fd < 0)
		return -1;
	*file_name = strdup(modname);
	*elfp = NULL;
	return fd;
}

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

/* Threads are not listed: every unwind names its thread (get_thread). */
static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl, (void)arg, (void)thread_argp;
	return 0;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	(void)dwfl, (void)tid;
	*thread_argp = arg;
	return true;
}

/* Stack words come from the copy only: a read outside it ends the walk there. */
static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct unwinder *u = arg;
	uint64_t sp = u->regs->sp;

	(void)dwfl;
	if (addr < sp || addr - sp > u->len || u->len - (addr - sp) < sizeof(*result))
		return false;
	memcpy(result, u->stack + (addr - sp), sizeof(*result));
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct unwinder *u = arg;
	const struct unwind_regs *r = u->regs;
	Dwarf_Word bx = r->bx, bp_sp[2] = { r->bp, r->sp }, r12_15[DW_NREGS_R12_R15] = {
		r->r12, r->r13, r->r14, r->r15
	};

	if (!dwfl_thread_state_registers(thread, DW_RBX, 1, &bx) ||
	    !dwfl_thread_state_registers(thread, DW_RBP, 2, bp_sp) ||
	    !dwfl_thread_state_registers(thread, DW_R12, DW_NREGS_R12_R15, r12_15))
		return false;
	dwfl_thread_state_register_pc(thread, r->ip);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static int report_modules(struct unwinder *u)
{
	int err;

	finding_pid = u->pid;
	dwfl_report_begin(u->dwfl);
	err = dwfl_linux_proc_report(u->dwfl, u->pid);
	if (dwfl_report_end(u->dwfl, NULL, NULL) != 0 && !err)
		err = EINVAL;
	return err;
}

/* Opens a module's file and its call-frame information (libdwfl keeps both). */
static int open_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start, void *arg)
{
	Dwarf_Addr bias;

	(void)userdata, (void)name, (void)start, (void)arg;
	if (dwfl_module_getelf(mod, &bias) && !dwfl_module_eh_cfi(mod, &bias))
		dwfl_module_dwarf_cfi(mod, &bias);
	return DWARF_CB_OK;
}

int unwinder__refresh(struct unwinder *u)
{
	if (!u || report_modules(u))
		return -1;
	finding_pid = u->pid;
	dwfl_getmodules(u->dwfl, open_module, NULL, 0);
	return 0;
}

bool unwind__enabled(void)
{
	static int on = -1;

	if (on < 0) {
		const char *v = getenv("THREADTRACE_DWARF");

		on = !(v && !strcmp(v, "0"));
	}
	return on;
}

struct unwinder *unwinder__new(pid_t pid)
{
	struct unwinder *u = calloc(1, sizeof(*u));
	int err;

	if (!u)
		return NULL;
	u->pid = pid;
	u->dwfl = dwfl_begin(&proc_callbacks);
	if (!u->dwfl) {
		free(u);
		errno = ENOMEM;
		return NULL;
	}
	err = report_modules(u);
	/* the architecture comes from the modules: attach after they are reported */
	if (err || !dwfl_attach_state(u->dwfl, NULL, pid, &thread_callbacks, u)) {
		unwinder__free(u);
		errno = err > 0 ? err : ESRCH;
		return NULL;
	}
	/* files opened now: the process may be gone when its stacks are unwound */
	finding_pid = pid;
	dwfl_getmodules(u->dwfl, open_module, NULL, 0);
	return u;
}

void unwinder__free(struct unwinder *u)
{
	if (!u)
		return;
	dwfl_end(u->dwfl);
	free(u);
}

static int on_frame(Dwfl_Frame *state, void *arg)
{
	struct unwinder *u = arg;
	Dwarf_Addr pc;

	if (!dwfl_frame_pc(state, &pc, NULL) || !pc)
		return DWARF_CB_ABORT;
	u->pcs[u->n++] = pc;
	return u->n < u->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

int unwinder__frames(struct unwinder *u, pid_t tid, const struct unwind_regs *r, const void *stack,
		     size_t len, uint64_t *pcs, int max)
{
	if (!r || !pcs || max < 1)
		return -1;
	pcs[0] = r->ip;
	if (!u || !stack)
		return 1;
	/* a library loaded after the maps were read: read them again, once */
	if (!dwfl_addrmodule(u->dwfl, r->ip))
		report_modules(u);
	finding_pid = u->pid; /* files are opened lazily, during the walk too */
	u->regs = r;
	u->stack = stack;
	u->len = len;
	u->pcs = pcs;
	u->max = max;
	u->n = 0;
	/* its end is an error on some walks (no CFI past the outermost frame): the frames stand */
	dwfl_getthread_frames(u->dwfl, tid, on_frame, u);
	u->regs = NULL;
	u->stack = NULL;
	return u->n ? u->n : 1;
}
