/*
 * Function extents from .eh_frame_hdr and .eh_frame (the LSB's exception-frame
 * format: DWARF call-frame information with GNU pointer encodings). Bytes are
 * read with pread at offsets checked against the segment that holds them; the
 * binary search takes log2(count) reads and never trusts the order it is given
 * (the FDE it lands on must itself cover the address).
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ehframe.h"
#include "elfsym.h"

/* DW_EH_PE_* pointer encodings: format in the low nibble, application in the high */
#define PE_OMIT    0xff
#define PE_ABSPTR  0x00
#define PE_ULEB128 0x01
#define PE_UDATA2  0x02
#define PE_UDATA4  0x03
#define PE_UDATA8  0x04
#define PE_SLEB128 0x09
#define PE_SDATA2  0x0a
#define PE_SDATA4  0x0b
#define PE_SDATA8  0x0c
#define PE_PCREL   0x10
#define PE_DATAREL 0x30

#define MAX_LOADS  64
#define CIE_READ   256  /* bytes of a CIE looked at: the augmentation data comes early */
#define FDE_READ   32   /* length, CIE pointer, pc_begin and pc_range at 8 bytes each at most */

struct ehfile {
	int fd;
	uint64_t size;
	int nloads;
	struct { uint64_t vaddr, offset, filesz; int exec; } loads[MAX_LOADS];
};

/*
 * Up to want bytes at link-time address vaddr, from the file part of the PT_LOAD that holds
 * it (never past it). The count read, or -EINVAL when vaddr is not in the file.
 */
static int read_at(const struct ehfile *f, uint64_t vaddr, void *buf, size_t want)
{
	for (int i = 0; i < f->nloads; i++) {
		uint64_t rel = vaddr - f->loads[i].vaddr, left;
		ssize_t n;

		if (vaddr < f->loads[i].vaddr || rel >= f->loads[i].filesz)
			continue;
		left = f->loads[i].filesz - rel;
		if (want > left)
			want = (size_t)left;
		n = pread(f->fd, buf, want, (off_t)(f->loads[i].offset + rel));
		if (n < 0)
			return -errno;
		return (int)n;
	}
	return -EINVAL;
}

static int in_exec(const struct ehfile *f, uint64_t vaddr)
{
	for (int i = 0; i < f->nloads; i++)
		if (f->loads[i].exec && vaddr >= f->loads[i].vaddr && vaddr - f->loads[i].vaddr < f->loads[i].filesz)
			return 1;
	return 0;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* A LEB128 number at b[*pos..len): 0, or -EINVAL when it runs off the end or past 64 bits. */
static int leb(const uint8_t *b, size_t len, size_t *pos, int is_signed, int64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t byte;

	do {
		if (*pos >= len || shift >= 64)
			return -EINVAL;
		byte = b[(*pos)++];
		v |= (uint64_t)(byte & 0x7f) << shift;
		shift += 7;
	} while (byte & 0x80);
	if (is_signed && shift < 64 && (byte & 0x40))
		v |= ~0ull << shift;
	*out = (int64_t)v;
	return 0;
}

/*
 * A pointer in encoding enc at b[*pos..len), whose first byte is at link-time address at.
 * Only absolute and pc-relative fixed-size forms (and LEB128 for skipping). 0, -ENOTSUP, -EINVAL.
 */
static int read_encoded(const uint8_t *b, size_t len, size_t *pos, uint8_t enc, uint64_t at, uint64_t *out)
{
	static const unsigned sizes[16] = { [PE_ABSPTR] = 8, [PE_UDATA2] = 2, [PE_UDATA4] = 4, [PE_UDATA8] = 8,
					    [PE_SDATA2] = 2, [PE_SDATA4] = 4, [PE_SDATA8] = 8 };
	unsigned fmt = enc & 0x0f, size = sizes[fmt];
	uint64_t v;

	if ((enc & 0x70) != 0 && (enc & 0x70) != PE_PCREL)
		return -ENOTSUP; /* datarel, textrel, funcrel, aligned: not for FDEs on x86-64 */
	if (enc & 0x80)
		return -ENOTSUP; /* indirect */
	if (fmt == PE_ULEB128 || fmt == PE_SLEB128) {
		int64_t s;
		int err = leb(b, len, pos, fmt == PE_SLEB128, &s);

		if (err)
			return err;
		v = (uint64_t)s;
	} else {
		if (!size)
			return -ENOTSUP;
		if (*pos > len || len - *pos < size)
			return -EINVAL;
		v = le(b + *pos, size);
		if (fmt == PE_SDATA2)
			v = (uint64_t)(int64_t)(int16_t)v;
		else if (fmt == PE_SDATA4)
			v = (uint64_t)(int64_t)(int32_t)v;
		*pos += size;
	}
	if ((enc & 0x70) == PE_PCREL)
		v += at;
	*out = v;
	return 0;
}

/* The FDE pointer encoding ('R' of a "z" augmentation) of the CIE at link-time address cie. */
static int cie_encoding(const struct ehfile *f, uint64_t cie, uint8_t *enc)
{
	uint8_t b[CIE_READ];
	size_t pos = 9, len, aug_end, aug_data;
	const char *aug;
	int64_t skip;
	uint32_t length;
	int n, err;

	n = read_at(f, cie, b, sizeof(b));
	if (n < 0)
		return n;
	if (n < 9)
		return -EINVAL;
	length = (uint32_t)le(b, 4);
	if (length == 0xffffffffu)
		return -ENOTSUP; /* 64-bit DWARF */
	if (length < 5 || le(b + 4, 4) != 0 || (b[8] != 1 && b[8] != 3))
		return -EINVAL; /* not a CIE, or a version .eh_frame does not use */
	len = (size_t)n < (size_t)length + 4 ? (size_t)n : (size_t)length + 4;
	aug = (const char *)b + pos;
	aug_end = pos;
	while (aug_end < len && b[aug_end])
		aug_end++;
	if (aug_end >= len)
		return -EINVAL;
	pos = aug_end + 1;
	if (!aug[0]) {
		*enc = PE_ABSPTR; /* no augmentation: native-size absolute addresses */
		return 0;
	}
	if (aug[0] != 'z')
		return -ENOTSUP; /* "eh" and other pre-'z' forms */
	/* code alignment, data alignment, return address register (a byte in version 1) */
	if ((err = leb(b, len, &pos, 0, &skip)) || (err = leb(b, len, &pos, 1, &skip)))
		return err;
	if (b[8] == 1)
		pos++;
	else if ((err = leb(b, len, &pos, 0, &skip)))
		return err;
	if ((err = leb(b, len, &pos, 0, &skip)))
		return err;
	aug_data = pos;
	*enc = PE_ABSPTR;
	for (const char *a = aug + 1; *a; a++) {
		uint64_t ignored;

		if (pos >= len)
			return -EINVAL;
		switch (*a) {
		case 'R':
			*enc = b[pos];
			return 0;
		case 'L':
			pos++;
			break;
		case 'P':
			pos++;
			err = read_encoded(b, len, &pos, b[pos - 1] & 0x7f, cie + pos, &ignored);
			if (err)
				return err;
			break;
		case 'S': case 'B': case 'G':
			break;
		default:
			return -ENOTSUP;
		}
		if ((uint64_t)(pos - aug_data) > (uint64_t)skip)
			return -EINVAL; /* ran past the augmentation data's own length */
	}
	return 0;
}

/* pc_begin and pc_range of the FDE at link-time address fde. */
static int fde_range(const struct ehfile *f, uint64_t fde, uint64_t *begin, uint64_t *range)
{
	uint8_t b[FDE_READ];
	uint32_t length, cie_ptr;
	size_t pos = 8, len;
	uint8_t enc;
	int n, err;

	n = read_at(f, fde, b, sizeof(b));
	if (n < 0)
		return n;
	if (n < 8)
		return -EINVAL;
	length = (uint32_t)le(b, 4);
	cie_ptr = (uint32_t)le(b + 4, 4);
	if (length == 0xffffffffu)
		return -ENOTSUP;
	if (length < 8 || !cie_ptr || cie_ptr > fde + 4)
		return -EINVAL; /* the terminator, a CIE, or a CIE before address 0 */
	len = (size_t)n < (size_t)length + 4 ? (size_t)n : (size_t)length + 4;
	err = cie_encoding(f, fde + 4 - cie_ptr, &enc);
	if (!err)
		err = read_encoded(b, len, &pos, enc, fde + pos, begin);
	if (!err)
		err = read_encoded(b, len, &pos, enc & 0x0f, 0, range); /* a length: never relative */
	return err;
}

/* The search table: entries of {initial location, FDE address}, both datarel|sdata4. */
struct table {
	uint64_t hdr, first;   /* link-time addresses of the header and of entry 0 */
	uint64_t count;
};

static int entry(const struct ehfile *f, const struct table *t, uint64_t i, uint64_t *loc, uint64_t *fde)
{
	uint8_t b[8];
	int n = read_at(f, t->first + i * 8, b, sizeof(b));

	if (n < 0)
		return n;
	if (n != 8)
		return -EINVAL;
	*loc = t->hdr + (uint64_t)(int64_t)(int32_t)le(b, 4);
	*fde = t->hdr + (uint64_t)(int64_t)(int32_t)le(b + 4, 4);
	return 0;
}

static int open_table(const struct ehfile *f, uint64_t hdr, uint64_t hdr_size, struct table *t)
{
	uint8_t b[12];
	int n = read_at(f, hdr, b, sizeof(b));

	if (n < 0)
		return n;
	if (n != 12 || hdr_size < 12)
		return -EINVAL;
	/* version 1; eh_frame_ptr pcrel|sdata4, fde_count udata4, table datarel|sdata4 */
	if (b[0] != 1 || b[1] != (PE_PCREL | PE_SDATA4) || b[2] != PE_UDATA4 || b[3] != (PE_DATAREL | PE_SDATA4))
		return -ENOTSUP;
	t->hdr = hdr;
	t->first = hdr + 12;
	t->count = le(b + 8, 4);
	if (t->count > (hdr_size - 12) / 8)
		return -EINVAL; /* more entries than the segment holds */
	return 0;
}

static int lookup(const struct ehfile *f, const struct table *t, uint64_t vaddr, uint64_t *start, uint64_t *end)
{
	uint64_t lo = 0, hi = t->count, loc, fde, begin, range;
	int err;

	/* the last entry whose initial location is <= vaddr */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		err = entry(f, t, mid, &loc, &fde);
		if (err)
			return err;
		if (loc <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	err = entry(f, t, lo - 1, &loc, &fde);
	if (!err)
		err = fde_range(f, fde, &begin, &range);
	if (err)
		return err;
	if (begin != loc)
		return -EINVAL; /* the table and the FDE disagree */
	if (!range || begin + range < begin || vaddr >= begin + range)
		return -ENOENT; /* in a gap between functions (or past the last) */
	*start = begin;
	*end = begin + range;
	return 0;
}

int ehframe__func_range(const char *path, uint64_t vaddr, uint64_t *start, uint64_t *end)
{
	struct ehfile f = { .fd = -1 };
	uint64_t hdr = 0, hdr_size = 0;
	struct table t;
	struct stat st;
	GElf_Ehdr eh;
	size_t nph;
	int found = 0, err;
	Elf *elf;

	elf = elfsym__open(path, &f.fd);
	if (!elf)
		return f.fd;
	if (!gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &nph) || fstat(f.fd, &st)) {
		err = -EINVAL;
		goto out;
	}
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		err = -ENOTSUP;
		goto out;
	}
	f.size = (uint64_t)st.st_size;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_GNU_EH_FRAME && !found) {
			hdr = ph.p_vaddr;
			hdr_size = ph.p_filesz;
			found = 1;
		}
		/* only the part of a segment the file really has */
		if (ph.p_type != PT_LOAD || f.nloads == MAX_LOADS || ph.p_offset >= f.size)
			continue;
		f.loads[f.nloads].vaddr = ph.p_vaddr;
		f.loads[f.nloads].offset = ph.p_offset;
		f.loads[f.nloads].filesz = ph.p_filesz < f.size - ph.p_offset ? ph.p_filesz : f.size - ph.p_offset;
		f.loads[f.nloads].exec = !!(ph.p_flags & PF_X);
		f.nloads++;
	}
	if (!found) {
		err = -ENOENT;
		goto out;
	}
	if (!in_exec(&f, vaddr)) {
		err = -ENOENT; /* not code of this file */
		goto out;
	}
	err = open_table(&f, hdr, hdr_size, &t);
	if (!err)
		err = lookup(&f, &t, vaddr, start, end);
out:
	elfsym__close(elf, f.fd);
	return err;
}
