/* Go programs: how one is recognised (golang__probe, in app.h, attaches its probes). */
#ifndef TT_GOLANG_H
#define TT_GOLANG_H

#include <stdbool.h>
#include <libelf.h>

/* Whether elf is a Go executable: a .go.buildinfo section, or (no section names) the symbol runtime.main. */
bool golang__is_go_elf(Elf *elf);

#endif
