/* The traced processes: their mappings (to name locks and frames), and CPython's probe. */
#include <stdio.h>
#include <string.h>
#include "app.h"
#include "loader.h"
#include "perfmap.h"
#include "procfs.h"
#include "syms.h"
#include "unwind.h"

struct syms *targets__syms_of(pid_t tgid, void *ctx)
{
	struct app *a = ctx;

	for (size_t i = 0; i < a->nprocs; i++)
		if (a->procs[i].tgid == tgid)
			return a->procs[i].syms;
	return NULL;
}

void targets__add_process(struct app *a, pid_t tgid)
{
	struct syms *s;

	if (targets__syms_of(tgid, a) || a->nprocs == sizeof(a->procs) / sizeof(a->procs[0]))
		return;
	perfmap__note_owner(tgid); /* its perf map is checked against its user after it ended too */
	s = syms__new(tgid);
	if (s)
		a->procs[a->nprocs++] = (struct proc_maps){ .tgid = tgid, .syms = s };
}

/* Mappings are read while the processes live: at the end they may be gone. */
/*
 * Rust's std, and so its Mutex's spinning slow path: linked into the executable, or a shared
 * libstd-HASH.so (Debian's rustc and the programs built with -C prefer-dynamic). Once per
 * process and program, with its first maps read after its exec (ld.so has mapped its libraries
 * by then); the loader probes each file once.
 */
static void probe_spin(struct app *a, pid_t pid)
{
	static const char *const libstd[] = { "libstd-", NULL };
	char path[4096];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	loader__attach_spin(a->loader, path);
	if (!procfs__find_mapping(pid, libstd, path, sizeof(path)))
		loader__attach_spin(a->loader, path);
}

void targets__exec(struct app *a, pid_t tgid)
{
	for (size_t i = 0; i < a->nprocs; i++)
		if (a->procs[i].tgid == tgid)
			a->procs[i].spin_probed = false;
}

void targets__refresh_maps(struct app *a)
{
	a->maps_read_ns = app__now_ns(CLOCK_MONOTONIC);
	unsigned long ranges[TT_TEXT_RANGES][2];
	size_t n = 0;

	if (!a->nprocs)
		targets__add_process(a, a->tgid);
	for (size_t i = 0; i < a->nprocs; i++) {
		int got;

		syms__refresh(a->procs[i].syms);
		/* its stacks stay unwindable after it ends (short-lived processes) */
		if (unwind__enabled())
			ustacks__watch(a->ustacks, a->procs[i].tgid);
		perfmap__note_owner(a->procs[i].tgid); /* its user may change (setuid, setpriv) */
		if (!a->procs[i].spin_probed) {
			probe_spin(a, a->procs[i].tgid);
			a->procs[i].spin_probed = true;
		}
		if (a->cfg.stacks && (got = procfs__exec_ranges(a->procs[i].tgid, ranges + n, TT_TEXT_RANGES - n)) > 0)
			n += (size_t)got;
	}
	if (a->cfg.stacks && n)
		loader__set_text_ranges(a->loader, ranges, n);
}


/* CPython: its shutdown probe, and the permission to trust inferred joins. */
void targets__probe_python(struct app *a)
{
	static const char *const libs[] = { "libpython3", NULL };
	static const char *const exes[] = { "python3", NULL };
	const char *const *tries[] = { libs, exes };
	char path[4096];

	golang__probe(a); /* Go, a runtime too: looked for at the same moments (once per executable) */
	if (a->python_probed)
		return;
	a->python_scan_ns = app__now_ns(CLOCK_MONOTONIC);
	/* not (yet): libpython is mapped by ld.so just after the exec, an interpreter may be dlopen'ed later */
	a->python_probe_gap_ns = a->python_probe_gap_ns ? a->python_probe_gap_ns * 2 : TT_PYTHON_PROBE_FIRST_NS;
	if (a->python_probe_gap_ns > TT_PYTHON_PROBE_MAX_NS)
		a->python_probe_gap_ns = TT_PYTHON_PROBE_MAX_NS;
	for (size_t i = 0; i < 2; i++) {
		if (procfs__find_mapping(a->tgid, tries[i], path, sizeof(path)))
			continue;
		if (!loader__attach_python(a->loader, path)) {
			a->python_probed = true;
			a->threads->accept_inferred = true;
			return;
		}
	}
}
