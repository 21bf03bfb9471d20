/*
 * Go programs: recognised by their executable (its .go.buildinfo section, or
 * runtime.main without section names), then given entry probes on sync.Mutex's slow path
 * (bpf/gomutex.bpf.c). Goroutines park in Go's scheduler, not in futex waits:
 * without these probes a Go program's shared mutex is invisible.
 */
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "app.h"
#include "elfsym.h"
#include "golang.h"
#include "loader.h"

bool golang__is_go_elf(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstr;
	uint64_t value;

	/* Go has written .go.buildinfo since 1.13: reading section headers costs little (every exec) */
	if (!elf_getshdrstrndx(elf, &shstr)) {
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (gelf_getshdr(scn, &sh) && (name = elf_strptr(elf, shstr, sh.sh_name)) &&
			    !strcmp(name, ".go.buildinfo"))
				return true;
		}
		return false;
	}
	/* no section names: the symbols, if any are left */
	return !elfsym__find(elf, "runtime.main", STT_FUNC, &value);
}

void golang__probe(struct app *a)
{
	char path[64];
	struct stat st;
	Elf *elf;
	int fd;
	bool go;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)a->tgid);
	/* once per executable: an exec (-- COMMAND: threadtrace's fork, then the program) makes a new one */
	if (stat(path, &st) || (st.st_dev == a->go_checked.dev && st.st_ino == a->go_checked.ino))
		return;
	a->go_checked.dev = st.st_dev;
	a->go_checked.ino = st.st_ino;
	elf = elfsym__open(path, &fd);
	if (!elf)
		return;
	go = golang__is_go_elf(elf);
	elfsym__close(elf, fd);
	if (!go)
		return;
	a->locks->go = true;
	if (loader__attach_go(a->loader, path))
		fprintf(stderr, "threadtrace: a Go program, but its sync.Mutex probe could not be attached: "
				"its contended mutexes are not counted\n");
}
