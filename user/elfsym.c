/* Function offsets from ELF symbol tables, for uprobes. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>
#include "elfsym.h"
#include "safeopen.h"

/* Virtual address -> file offset, through the PT_LOAD segment that maps it. */
static int vaddr_to_offset(Elf *elf, GElf_Addr addr, size_t *offset)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		if (addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_memsz) {
			*offset = addr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

/* Symbol name of ELF type `type` (STT_FUNC, STT_OBJECT) defined in one symbol table. */
static int find_in_table(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *name, int type, GElf_Addr *addr)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count;

	if (!data || !sh->sh_entsize)
		return -ENOENT;
	count = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < count; i++) {
		const char *sym_name;
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != type ||
		    sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		sym_name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (sym_name && !strcmp(sym_name, name)) {
			*addr = sym.st_value;
			return 0;
		}
	}
	return -ENOENT;
}

Elf *elfsym__open(const char *path, int *fd)
{
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		*fd = -EINVAL;
		return NULL;
	}
	/* a path from a target's maps: never block on a FIFO put there, read only a regular file */
	*fd = safeopen__regular(path, 0, NULL);
	if (*fd < 0)
		return NULL;
	elf = elf_begin(*fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		close(*fd);
		*fd = -ENOEXEC;
		return NULL;
	}
	return elf;
}

void elfsym__close(Elf *elf, int fd)
{
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
}

int elfsym__find(Elf *elf, const char *name, int type, uint64_t *value)
{
	int err = -ENOENT;

	/* .dynsym first (survives stripping), then .symtab */
	for (int pass = 0; pass < 2 && err; pass++) {
		Elf32_Word want = pass ? SHT_SYMTAB : SHT_DYNSYM;
		Elf_Scn *scn = NULL;

		while (err && (scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			GElf_Addr addr;

			if (gelf_getshdr(scn, &sh) && sh.sh_type == want &&
			    !(err = find_in_table(elf, scn, &sh, name, type, &addr)))
				*value = addr;
		}
	}
	return err;
}

int elfsym__func_offset(const char *path, const char *name, size_t *offset)
{
	uint64_t addr = 0;
	int fd, err;
	Elf *elf = elfsym__open(path, &fd);

	if (!elf)
		return fd == -ENOEXEC ? -EINVAL : fd;
	err = elfsym__find(elf, name, STT_FUNC, &addr);
	if (!err)
		err = vaddr_to_offset(elf, addr, offset);
	elfsym__close(elf, fd);
	return err;
}

int elfsym__each_func(Elf *elf, int (*fn)(const char *name, uint64_t value, void *ctx), void *ctx)
{
	for (int pass = 0; pass < 2; pass++) {
		Elf32_Word want = pass ? SHT_SYMTAB : SHT_DYNSYM;
		Elf_Scn *scn = NULL;

		while ((scn = elf_nextscn(elf, scn))) {
			Elf_Data *data;
			GElf_Shdr sh;
			size_t count;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != want || !sh.sh_entsize ||
			    !(data = elf_getdata(scn, NULL)))
				continue;
			count = sh.sh_size / sh.sh_entsize;
			for (size_t i = 0; i < count; i++) {
				const char *name;
				GElf_Sym sym;
				int ret;

				if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
				    sym.st_shndx == SHN_UNDEF || !sym.st_value ||
				    !(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
					continue;
				if ((ret = fn(name, sym.st_value, ctx)))
					return ret;
			}
		}
	}
	return 0;
}

int elfsym__offset(Elf *elf, uint64_t vaddr, size_t *offset)
{
	return vaddr_to_offset(elf, vaddr, offset);
}
