/* Naming user-space addresses: /proc/PID/maps plus the ELF symbol tables of mapped files. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "procfs.h"
#include "syms.h"
#include "demangle.h"

#define SYMS_MAX_PER_FILE  2000000ul
#define SYMS_MAX_STRTAB    (128ul << 20) /* bytes of one string table read */
#define SYMS_MAX_NAMES     (64ul << 20)  /* bytes of names kept per file */
#define SYMS_NAME_MAX      127           /* struct sym_info's name, minus the NUL */
#define SYMS_MAX_LOADS     64
#define SYMS_MAX_MAPS      (1ul << 22)   /* far above vm.max_map_count's default */
/* kept bytes per symbol: its entry and its maxend slot (names are counted as they come) */
#define SYM_COST           (sizeof(struct elf_sym) + sizeof(unsigned long))

enum map_kind { MAP_FILE, MAP_ANON, MAP_HEAP, MAP_STACK };

struct elf_load {
	unsigned long vaddr, offset, filesz;
};

struct elf_sym {
	unsigned long addr, size;
	uint32_t name; /* offset into elf_file.names */
	unsigned char type, bind;
};

struct elf_file {
	char *path;
	unsigned long inode;
	unsigned int dev_major, dev_minor;
	size_t refs;               /* processes (struct syms) using it */
	size_t charged;            /* bytes of the budget its table holds */
	bool over_budget;          /* its table did not fit the budget: named by region */
	bool loaded;               /* load attempted */
	bool ok;                   /* an ELF executable or shared object with PT_LOADs */
	unsigned long first_vaddr; /* p_vaddr of the first PT_LOAD */
	unsigned long image_end;   /* highest p_vaddr + p_memsz */
	struct elf_load loads[SYMS_MAX_LOADS];
	int nloads;
	struct elf_sym *syms;      /* sorted by addr */
	unsigned long *maxend;     /* maxend[i]: highest end among syms[0..i] */
	size_t nsyms, syms_cap;
	char *names;
	size_t names_len, names_cap;
};

struct map_ent {
	unsigned long start, end, pgoff, inode;
	unsigned int dev_major, dev_minor;
	enum map_kind kind;
	bool unnamed;        /* MAP_ANON without a name: plain anonymous memory */
	bool prot_none;      /* ---p: maybe a hole between one file's segments */
	char *path;          /* MAP_FILE only */
	long owner;          /* MAP_ANON: the file mapping it may continue, or -1 */
	struct elf_file *file; /* MAP_FILE: cached once looked up */
	bool bias_done, bias_ok;
	unsigned long bias;
};

struct syms {
	pid_t pid;
	long pagesz;
	struct map_ent *maps;
	size_t nmaps;
	struct elf_file **files;
	size_t nfiles, files_cap;
};

/* ---- one memory budget for the symbol tables of every process ---- */

static size_t budget_bytes; /* 0: not set yet (THREADTRACE_SYMBOL_MB, else the default) */
static size_t used_bytes, tables_loaded, tables_refused;

size_t syms_budget(void)
{
	const char *env;

	if (!budget_bytes) {
		unsigned long mb;
		char *end;

		budget_bytes = SYMS_BUDGET_DEFAULT;
		env = getenv("THREADTRACE_SYMBOL_MB");
		if (env && *env) {
			errno = 0;
			mb = strtoul(env, &end, 10);
			if (!errno && !*end && mb >= 1 && mb <= (1ul << 20))
				budget_bytes = mb << 20;
			else
				fprintf(stderr, "threadtrace: warning: THREADTRACE_SYMBOL_MB=%.32s is no number of MiB "
						"from 1 to 1048576: the symbol tables keep their %zu MiB budget\n",
					env, budget_bytes >> 20);
		}
	}
	return budget_bytes;
}

void syms__set_budget(size_t bytes)
{
	budget_bytes = bytes;
}

void syms__usage(struct syms_usage *u)
{
	u->budget = syms_budget();
	u->used = used_bytes;
	u->tables = tables_loaded;
	u->refused = tables_refused;
}

/* Takes more bytes of the budget for f's table; false (and f is over budget) when they do not fit. */
static bool charge(struct elf_file *f, size_t more)
{
	size_t budget = syms_budget();

	if (f->over_budget || more > budget || used_bytes > budget - more) {
		f->over_budget = true;
		return false;
	}
	used_bytes += more;
	f->charged += more;
	return true;
}

/* ---- ELF symbol tables ---- */

/* Whether [off, off + size) lies inside a file of fsize bytes. */
static bool in_file(unsigned long off, unsigned long size, unsigned long fsize)
{
	return off <= fsize && size <= fsize - off;
}

static unsigned long sym_end(const struct elf_sym *sym)
{
	unsigned long len = sym->size ? sym->size : 1;

	return sym->addr > ULONG_MAX - len ? ULONG_MAX : sym->addr + len;
}

static int bind_rank(unsigned char bind)
{
	switch (bind) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 0;
	case STB_WEAK:
		return 1;
	default:
		return 2;
	}
}

static size_t leading_underscores(const char *s)
{
	return strspn(s, "_");
}

/* <0 when a names an address better than b (both contain it). */
static int sym_pref(const struct elf_file *f, const struct elf_sym *a, const struct elf_sym *b)
{
	const char *na = f->names + a->name, *nb = f->names + b->name;
	unsigned long sa = a->size ? a->size : 1, sb = b->size ? b->size : 1;
	bool va = strchr(na, '@'), vb = strchr(nb, '@');
	size_t ua, ub;

	if (!a->size != !b->size) /* markers like __TMC_END__ (size-0 objects) lose */
		return a->size ? -1 : 1;
	if ((a->type == STT_OBJECT) != (b->type == STT_OBJECT))
		return a->type == STT_OBJECT ? -1 : 1;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (bind_rank(a->bind) != bind_rank(b->bind))
		return bind_rank(a->bind) - bind_rank(b->bind);
	if (va != vb)
		return va ? 1 : -1;
	ua = leading_underscores(na);
	ub = leading_underscores(nb);
	if (ua != ub)
		return ua < ub ? -1 : 1;
	return strcmp(na, nb);
}

/* qsort has no context argument: the file being sorted. Not thread-safe, like the rest. */
static const struct elf_file *sort_file;

static int sym_cmp(const void *pa, const void *pb)
{
	const struct elf_sym *a = pa, *b = pb;
	int c;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	c = strcmp(sort_file->names + a->name, sort_file->names + b->name);
	if (c)
		return c;
	return bind_rank(a->bind) - bind_rank(b->bind);
}

/* Appends a symbol; false once a cap is reached or memory runs out. */
static bool add_sym(struct elf_file *f, unsigned long addr, unsigned long size, unsigned char type,
		    unsigned char bind, const char *name, size_t len)
{
	if (len > SYMS_NAME_MAX)
		len = SYMS_NAME_MAX;
	if (f->nsyms >= SYMS_MAX_PER_FILE || f->names_len + len + 1 > SYMS_MAX_NAMES)
		return false;
	if (f->nsyms == f->syms_cap) {
		size_t cap = f->syms_cap ? f->syms_cap * 2 : 256;
		struct elf_sym *p;

		if (cap > SYMS_MAX_PER_FILE)
			cap = SYMS_MAX_PER_FILE;
		if (!charge(f, (cap - f->syms_cap) * SYM_COST))
			return false;
		p = realloc(f->syms, cap * sizeof(*p));
		if (!p)
			return false;
		f->syms = p;
		f->syms_cap = cap;
	}
	if (f->names_len + len + 1 > f->names_cap) {
		size_t cap = f->names_cap ? f->names_cap : 4096;
		char *p;

		while (cap < f->names_len + len + 1)
			cap *= 2;
		if (cap > SYMS_MAX_NAMES)
			cap = SYMS_MAX_NAMES;
		if (!charge(f, cap - f->names_cap))
			return false;
		p = realloc(f->names, cap);
		if (!p)
			return false;
		f->names = p;
		f->names_cap = cap;
	}
	memcpy(f->names + f->names_len, name, len);
	f->names[f->names_len + len] = '\0';
	f->syms[f->nsyms++] = (struct elf_sym){
		.addr = addr, .size = size, .name = (uint32_t)f->names_len, .type = type, .bind = bind,
	};
	f->names_len += len + 1;
	return true;
}

/* Adds the useful symbols of one SHT_SYMTAB/SHT_DYNSYM section; false when a cap was hit. */
static bool add_table(struct elf_file *f, Elf *elf, const GElf_Shdr *sh, unsigned long fsize)
{
	int cls = gelf_getclass(elf);
	size_t entsz = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	unsigned long count, strsize;
	Elf_Data *data, *str;
	size_t left;
	Elf_Scn *strscn;
	GElf_Shdr ssh;

	if ((cls != ELFCLASS32 && cls != ELFCLASS64) || !entsz || sh->sh_entsize != entsz ||
	    (sh->sh_flags & SHF_COMPRESSED) || !in_file(sh->sh_offset, sh->sh_size, fsize))
		return true;
	strscn = elf_getscn(elf, sh->sh_link);
	if (!sh->sh_link || !strscn || !gelf_getshdr(strscn, &ssh) || ssh.sh_type != SHT_STRTAB ||
	    (ssh.sh_flags & SHF_COMPRESSED) || !in_file(ssh.sh_offset, ssh.sh_size, fsize))
		return true;
	count = sh->sh_size / entsz;
	if (count > SYMS_MAX_PER_FILE)
		count = SYMS_MAX_PER_FILE;
	strsize = ssh.sh_size < SYMS_MAX_STRTAB ? ssh.sh_size : SYMS_MAX_STRTAB;
	if (count < 2 || !strsize)
		return true;
	/* a table that could not fit what is left of the budget is not even read */
	left = used_bytes < syms_budget() ? syms_budget() - used_bytes : 0;
	if (f->over_budget || count > left / SYM_COST) {
		f->over_budget = true;
		return false;
	}
	/* Raw chunks read just these bytes (converted to host order), however big the section says it is. */
	data = elf_getdata_rawchunk(elf, (int64_t)sh->sh_offset, count * entsz, ELF_T_SYM);
	str = elf_getdata_rawchunk(elf, (int64_t)ssh.sh_offset, strsize, ELF_T_BYTE);
	if (!data || !data->d_buf || data->d_size < count * entsz || !str || !str->d_buf ||
	    str->d_size < strsize)
		return true;
	for (unsigned long i = 1; i < count; i++) { /* entry 0 is the null symbol */
		unsigned long value, size, name_off;
		unsigned char type, bind;
		unsigned short shndx;
		const char *name;
		size_t len;

		if (cls == ELFCLASS64) {
			const Elf64_Sym *s = (const Elf64_Sym *)data->d_buf + i;

			value = s->st_value;
			size = s->st_size;
			name_off = s->st_name;
			type = ELF64_ST_TYPE(s->st_info);
			bind = ELF64_ST_BIND(s->st_info);
			shndx = s->st_shndx;
		} else {
			const Elf32_Sym *s = (const Elf32_Sym *)data->d_buf + i;

			value = s->st_value;
			size = s->st_size;
			name_off = s->st_name;
			type = ELF32_ST_TYPE(s->st_info);
			bind = ELF32_ST_BIND(s->st_info);
			shndx = s->st_shndx;
		}
		if (shndx == SHN_UNDEF || shndx == SHN_ABS || type == STT_SECTION || type == STT_FILE ||
		    type == STT_TLS || (type != STT_OBJECT && !size))
			continue;
		if (!name_off || name_off >= strsize)
			continue;
		name = (const char *)str->d_buf + name_off;
		len = strnlen(name, strsize - name_off);
		if (!len || len == strsize - name_off) /* empty, or no NUL inside the table */
			continue;
		if (!add_sym(f, value, size, type, bind, name, len))
			return false;
	}
	return true;
}

/* A table past the budget: none of it is kept, its bytes go back (addresses named by region). */
static void drop_syms(struct elf_file *f)
{
	free(f->syms);
	free(f->names);
	free(f->maxend);
	f->syms = NULL;
	f->names = NULL;
	f->maxend = NULL;
	f->nsyms = f->syms_cap = f->names_len = f->names_cap = 0;
	used_bytes -= f->charged;
	f->charged = 0;
}

/* Sorts, drops exact duplicates (a symbol in both tables), builds maxend. */
static void finish_syms(struct elf_file *f)
{
	size_t n = 0;

	if (!f->nsyms)
		return;
	sort_file = f;
	qsort(f->syms, f->nsyms, sizeof(*f->syms), sym_cmp);
	sort_file = NULL;
	for (size_t i = 0; i < f->nsyms; i++) {
		const struct elf_sym *a = &f->syms[i], *b = n ? &f->syms[n - 1] : NULL;

		if (b && a->addr == b->addr && a->size == b->size &&
		    !strcmp(f->names + a->name, f->names + b->name))
			continue;
		f->syms[n++] = *a;
	}
	f->nsyms = n;
	f->maxend = malloc(n * sizeof(*f->maxend)); /* charged with the entries (SYM_COST) */
	if (!f->maxend) {
		f->nsyms = 0;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned long e = sym_end(&f->syms[i]);

		f->maxend[i] = i && f->maxend[i - 1] > e ? f->maxend[i - 1] : e;
	}
}

static int open_regular(const char *path);

/* /usr/lib/debug/.build-id/XX/YYYY.debug: where Debian's -dbg packages put a file's full symbols. */
static bool debug_file_path(Elf *elf, char *path, size_t len)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Shdr sh;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off, next;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE || !(data = elf_getdata(scn, NULL)))
			continue;
		while ((next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			const unsigned char *d = (const unsigned char *)data->d_buf + desc_off;
			size_t o;

			off = next;
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 || nh.n_descsz < 2 || nh.n_descsz > 64 ||
			    memcmp((const char *)data->d_buf + name_off, "GNU", 4))
				continue;
			o = (size_t)snprintf(path, len, "/usr/lib/debug/.build-id/%02x/", d[0]);
			for (size_t i = 1; i < nh.n_descsz && o + 3 < len; i++)
				o += (size_t)snprintf(path + o, len - o, "%02x", d[i]);
			snprintf(path + o, len - o, ".debug");
			return true;
		}
	}
	return false;
}

/* Adds the full symbol table of the file's separate debug file, when installed. */
static void add_debug_symbols(struct elf_file *f, Elf *elf)
{
	char path[256];
	Elf_Scn *scn = NULL;
	struct stat st;
	Elf *dbg;
	int fd;

	if (!debug_file_path(elf, path, sizeof(path)) || (fd = open_regular(path)) < 0)
		return;
	if (fstat(fd, &st) || st.st_size <= 0 || !(dbg = elf_begin(fd, ELF_C_READ, NULL))) {
		close(fd);
		return;
	}
	while ((scn = elf_nextscn(dbg, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB &&
		    !add_table(f, dbg, &sh, (unsigned long)st.st_size))
			break;
	}
	elf_end(dbg);
	close(fd);
}

static void elf_load_fd(struct elf_file *f, int fd)
{
	bool has_symtab = false;
	Elf_Scn *scn = NULL;
	unsigned long fsize;
	struct stat st;
	GElf_Ehdr eh;
	size_t nph;
	Elf *elf;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return;
	fsize = (unsigned long)st.st_size;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		return;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || elf_getphdrnum(elf, &nph))
		goto out;
	if (nph > 65535)
		nph = 65535;
	for (size_t i = 0; i < nph; i++) {
		unsigned long end;
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		end = ph.p_vaddr > ULONG_MAX - ph.p_memsz ? ULONG_MAX : ph.p_vaddr + ph.p_memsz;
		if (!f->ok) {
			f->first_vaddr = ph.p_vaddr;
			f->image_end = end;
			f->ok = true;
		} else if (end > f->image_end) {
			f->image_end = end;
		}
		if (f->nloads < SYMS_MAX_LOADS)
			f->loads[f->nloads++] = (struct elf_load){
				.vaddr = ph.p_vaddr, .offset = ph.p_offset, .filesz = ph.p_filesz,
			};
	}
	if (!f->ok)
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		has_symtab = has_symtab || sh.sh_type == SHT_SYMTAB;
		if (!add_table(f, elf, &sh, fsize))
			break;
	}
	/* a stripped file (libc) names its internal functions only in its debug file */
	if (!has_symtab && !f->over_budget)
		add_debug_symbols(f, elf);
	if (f->over_budget)
		drop_syms(f);
	else
		finish_syms(f);
	if (f->over_budget)
		tables_refused++;
	else
		tables_loaded++;
out:
	elf_end(elf);
}

/* Opens path only if it is a regular file (never a device a target mapped). */
static int open_regular(const char *path)
{
	struct stat st;
	int fd;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool is_deleted(const char *path)
{
	static const char suffix[] = " (deleted)";
	size_t n = strlen(path);

	return n >= sizeof(suffix) - 1 && !strcmp(path + n - (sizeof(suffix) - 1), suffix);
}

static void elf_load_mapping(struct syms *s, struct elf_file *f, const struct map_ent *m)
{
	char p[PATH_MAX + 64];
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/map_files/%lx-%lx", (int)s->pid, m->start, m->end);
	fd = open_regular(p);
	if (fd < 0 && !is_deleted(m->path)) {
		if ((size_t)snprintf(p, sizeof(p), "/proc/%d/root%s", (int)s->pid, m->path) < sizeof(p))
			fd = open_regular(p);
		if (fd < 0)
			fd = open_regular(m->path);
	}
	if (fd < 0)
		return; /* another process mapping the same file may still open it */
	f->loaded = true;
	elf_load_fd(f, fd);
	close(fd);
}

static void elf_file_free(struct elf_file *f)
{
	if (!f)
		return;
	used_bytes -= f->charged;
	free(f->path);
	free(f->syms);
	free(f->maxend);
	free(f->names);
	free(f);
}

/*
 * The files loaded by any process, by device and inode: a file mapped under several names
 * (hard links) or by several processes (-f) has one table.
 */
static struct elf_file **shared;
static size_t nshared, shared_cap;

static bool is_file_of(const struct elf_file *f, const struct map_ent *m)
{
	return f->inode == m->inode && f->dev_major == m->dev_major && f->dev_minor == m->dev_minor;
}

/* One process less uses f: freed with its last. */
static void file_release(struct elf_file *f)
{
	if (!f || --f->refs)
		return;
	for (size_t i = 0; i < nshared; i++)
		if (shared[i] == f) {
			shared[i] = shared[--nshared];
			break;
		}
	if (!nshared) {
		free(shared);
		shared = NULL;
		shared_cap = 0;
	}
	elf_file_free(f);
}

static bool grow(struct elf_file ***v, size_t n, size_t *cap)
{
	size_t c = *cap ? *cap * 2 : 16;
	struct elf_file **p;

	if (n < *cap)
		return true;
	p = realloc(*v, c * sizeof(*p));
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

/* The cached file of a file mapping, loading it the first time; NULL without memory. */
static struct elf_file *map_file(struct syms *s, struct map_ent *m)
{
	struct elf_file *f = NULL;

	if (m->file)
		return m->file;
	for (size_t i = 0; i < s->nfiles && !f; i++)
		if (is_file_of(s->files[i], m))
			f = s->files[i];
	if (!f) {
		if (!grow(&s->files, s->nfiles, &s->files_cap))
			return NULL;
		for (size_t i = 0; i < nshared && !f; i++)
			if (is_file_of(shared[i], m))
				f = shared[i];
		if (!f) {
			if (!grow(&shared, nshared, &shared_cap))
				return NULL;
			f = calloc(1, sizeof(*f));
			if (!f || !(f->path = strdup(m->path))) {
				free(f);
				return NULL;
			}
			f->inode = m->inode;
			f->dev_major = m->dev_major;
			f->dev_minor = m->dev_minor;
			shared[nshared++] = f;
		}
		f->refs++;
		s->files[s->nfiles++] = f;
	}
	if (!f->loaded)
		elf_load_mapping(s, f, m);
	m->file = f;
	return f;
}

static bool same_file(const struct map_ent *a, const struct map_ent *b)
{
	return a->kind == MAP_FILE && b->kind == MAP_FILE && a->inode == b->inode &&
	       a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && !strcmp(a->path, b->path);
}

/* The load bias of file mapping i (whose file f is an ELF with PT_LOADs). */
static bool map_bias(struct syms *s, size_t i, const struct elf_file *f, unsigned long *bias)
{
	struct map_ent *m = &s->maps[i];
	unsigned long pmask = ~((unsigned long)s->pagesz - 1);

	if (m->bias_done) {
		*bias = m->bias;
		return m->bias_ok;
	}
	m->bias_done = true;
	/*
	 * The mapping of this file at file offset 0 that starts this load: walk
	 * back through mappings of this file (and PROT_NONE anonymous holes)
	 * that touch one another, as the dynamic loader lays them out.
	 */
	for (size_t j = i + 1; j-- > 0;) {
		const struct map_ent *c = &s->maps[j];

		if (j < i && c->end != s->maps[j + 1].start)
			break;
		if (same_file(c, m)) {
			if (c->pgoff == 0) {
				m->bias = c->start - (f->first_vaddr & pmask); /* modular */
				m->bias_ok = true;
				goto done;
			}
		} else if (!(c->unnamed && c->prot_none)) {
			break;
		}
	}
	/* None: place this mapping through the PT_LOAD that holds its file offset. */
	for (int k = 0; k < f->nloads; k++) {
		const struct elf_load *l = &f->loads[k];
		unsigned long seg_off = l->offset & pmask;

		if (m->pgoff >= seg_off && l->offset >= seg_off &&
		    m->pgoff - seg_off < (l->offset - seg_off) + l->filesz) {
			m->bias = m->start - ((l->vaddr & pmask) + (m->pgoff - seg_off));
			m->bias_ok = true;
			goto done;
		}
	}
done:
	*bias = m->bias;
	return m->bias_ok;
}

/* The best symbol containing vaddr, or NULL. */
static const struct elf_sym *lookup(const struct elf_file *f, unsigned long vaddr)
{
	const struct elf_sym *best = NULL;
	size_t lo = 0, hi = f->nsyms;

	while (lo < hi) { /* lo: how many symbols start at or below vaddr */
		size_t mid = lo + (hi - lo) / 2;

		if (f->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t j = lo; j-- > 0 && f->maxend[j] > vaddr;) {
		const struct elf_sym *c = &f->syms[j];

		if (vaddr < sym_end(c) && (!best || sym_pref(f, c, best) < 0))
			best = c;
	}
	return best;
}

/*
 * Names addr through file mapping fi. For an anonymous continuation, only when
 * addr falls inside the file's loaded image; false otherwise.
 */
static bool resolve_in_file(struct syms *s, size_t fi, unsigned long addr, bool continuation,
			    struct sym_info *out)
{
	struct map_ent *fm = &s->maps[fi];
	struct elf_file *f = map_file(s, fm);
	const struct elf_sym *sym = NULL;
	unsigned long bias = 0, vaddr = 0;
	bool have_bias = f && f->ok && map_bias(s, fi, f, &bias);

	if (have_bias)
		vaddr = addr - bias;
	if (continuation && (!have_bias || vaddr < f->first_vaddr || vaddr >= f->image_end))
		return false;
	snprintf(out->file, sizeof(out->file), "%s", fm->path);
	if (have_bias)
		sym = lookup(f, vaddr);
	if (sym) {
		out->region = "sym";
		snprintf(out->name, sizeof(out->name), "%s", f->names + sym->name);
		out->offset = vaddr - sym->addr;
	} else {
		out->region = "file";
		out->offset = fm->pgoff + (addr - fm->start);
	}
	return true;
}

/* ---- mappings ---- */

static void maps_free(struct map_ent *maps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(maps[i].path);
	free(maps);
}

static int map_cmp(const void *pa, const void *pb)
{
	const struct map_ent *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return 0;
}

/* Reads /proc/PID/maps into a fresh array; -1 when unreadable or empty. */
static int read_maps(pid_t pid, struct map_ent **out, size_t *nout)
{
	struct map_ent *maps = NULL;
	size_t n = 0, cap = 0, linecap = 0;
	char file[64], path[PATH_MAX + 1], *line = NULL;
	FILE *fp;

	snprintf(file, sizeof(file), "/proc/%d/maps", (int)pid);
	fp = fopen(file, "re");
	if (!fp)
		return -1;
	while (getline(&line, &linecap, fp) > 0 && n < SYMS_MAX_MAPS) {
		unsigned long start, end, pgoff, inode;
		unsigned int major, minor;
		struct map_ent *m;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &start, &end, perms, &pgoff, &major, &minor,
			   &inode) != 7 ||
		    start >= end || procfs__parse_maps_line(line, path, sizeof(path)))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct map_ent *p = realloc(maps, ncap * sizeof(*p));

			if (!p)
				goto fail;
			maps = p;
			cap = ncap;
		}
		m = &maps[n];
		memset(m, 0, sizeof(*m));
		m->start = start;
		m->end = end;
		m->pgoff = pgoff;
		m->inode = inode;
		m->dev_major = major;
		m->dev_minor = minor;
		m->owner = -1;
		m->prot_none = !strncmp(perms, "---", 3);
		if (!strcmp(path, "[heap]")) {
			m->kind = MAP_HEAP;
		} else if (!strcmp(path, "[stack]") || !strncmp(path, "[stack:", 7)) {
			m->kind = MAP_STACK;
		} else if (path[0] == '/' && strcmp(path, "/dev/zero (deleted)")) {
			m->kind = MAP_FILE;
			m->path = strdup(path);
			if (!m->path)
				goto fail;
		} else {
			m->kind = MAP_ANON; /* "", [vdso], [anon:NAME], shared anonymous, anon_inode:... */
			m->unnamed = !path[0] && !inode;
		}
		n++;
	}
	free(line);
	line = NULL;
	fclose(fp);
	fp = NULL;
	if (!n)
		goto fail;
	/* The kernel lists them in order; sort anyway, a read racing changes may not be. */
	qsort(maps, n, sizeof(*maps), map_cmp);
	for (size_t i = 1; i < n; i++) {
		struct map_ent *m = &maps[i], *prev = &maps[i - 1];

		/* The page(s) of .bss past a file's last page: anonymous, right behind it. */
		if (!m->unnamed || prev->end != m->start)
			continue;
		if (prev->kind == MAP_FILE)
			m->owner = (long)(i - 1);
		else if (prev->unnamed)
			m->owner = prev->owner;
	}
	*out = maps;
	*nout = n;
	return 0;
fail:
	free(line);
	if (fp)
		fclose(fp);
	maps_free(maps, n);
	return -1;
}

/* The mapping containing addr, or -1. */
static long find_map(const struct syms *s, unsigned long addr)
{
	size_t lo = 0, hi = s->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr < s->maps[lo - 1].end)
		return (long)(lo - 1);
	return -1;
}

/* ---- API ---- */

struct syms *syms__new(pid_t pid)
{
	struct syms *s;

	if (pid <= 0) {
		errno = EINVAL;
		return NULL;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->pid = pid;
	s->pagesz = sysconf(_SC_PAGESIZE);
	if (s->pagesz <= 0 || (s->pagesz & (s->pagesz - 1)))
		s->pagesz = 4096;
	if (read_maps(pid, &s->maps, &s->nmaps)) {
		free(s);
		errno = ESRCH;
		return NULL;
	}
	return s;
}

void syms__free(struct syms *s)
{
	if (!s)
		return;
	maps_free(s->maps, s->nmaps);
	for (size_t i = 0; i < s->nfiles; i++)
		file_release(s->files[i]);
	free(s->files);
	free(s);
}

int syms__refresh(struct syms *s)
{
	struct map_ent *maps;
	size_t n;

	if (!s || read_maps(s->pid, &maps, &n))
		return -1;
	maps_free(s->maps, s->nmaps);
	s->maps = maps;
	s->nmaps = n;
	return 0;
}

int syms__resolve(struct syms *s, unsigned long addr, struct sym_info *out)
{
	struct map_ent *m;
	long i;

	if (out) {
		memset(out, 0, sizeof(*out));
		out->region = "unknown";
	}
	if (!s || !out)
		return -1;
	i = find_map(s, addr);
	if (i < 0)
		return 0;
	m = &s->maps[i];
	switch (m->kind) {
	case MAP_HEAP:
		out->region = "heap";
		break;
	case MAP_STACK:
		out->region = "stack";
		break;
	case MAP_FILE:
		resolve_in_file(s, (size_t)i, addr, false, out);
		break;
	case MAP_ANON:
		if (m->owner < 0 || !resolve_in_file(s, (size_t)m->owner, addr, true, out))
			out->region = "anon";
		break;
	}
	return 0;
}

int syms__resolve_return(struct syms *s, unsigned long ret, struct sym_info *out)
{
	int err;

	if (!ret) {
		if (out) {
			memset(out, 0, sizeof(*out));
			out->region = "unknown";
		}
		return s && out ? 0 : -1;
	}
	err = syms__resolve(s, ret - 1, out);
	if (!err && (!strcmp(out->region, "sym") || !strcmp(out->region, "file")))
		out->offset++;
	return err;
}

void syms__format_info(const struct sym_info *si, char *buf, size_t len)
{
	const char *base;

	if (!buf || !len)
		return;
	if (!si || !si->region) {
		snprintf(buf, len, "[unknown]");
	} else if (!strcmp(si->region, "sym")) {
		char name[512];

		/* C++ and Rust by the names their programmers wrote */
		snprintf(buf, len, "%s+0x%lx", demangle__name(si->name, name, sizeof(name)), si->offset);
	} else if (!strcmp(si->region, "file")) {
		base = strrchr(si->file, '/');
		base = base ? base + 1 : si->file;
		snprintf(buf, len, "[%s+0x%lx]", *base ? base : "file", si->offset);
	} else {
		snprintf(buf, len, "[%s]", si->region);
	}
}
