/* The frames of a recorded user stack, and their names (frames.h). */
#include <stdio.h>
#include <string.h>
#include "demangle.h"
#include "frames.h"
#include "perfmap.h"
#include "syms.h"

size_t frames__gather(const __u64 *ips, size_t nips, const __u64 scan[TT_SCAN_HITS], struct tt_frame *out,
		      size_t max)
{
	size_t n = 0;

	/* the walk's first (the pc), the scan's hits, then the rest of the walk */
	for (size_t i = 0; i < (nips ? nips : 1) + TT_SCAN_HITS && n < max; i++) {
		bool from_scan = i >= 1 && i <= TT_SCAN_HITS;
		__u64 ip = i == 0 ? (nips ? ips[0] : 0) : from_scan ? scan[i - 1] : ips[i - TT_SCAN_HITS];
		bool dup = !ip;

		for (size_t j = 0; j < n && !dup; j++)
			dup = out[j].addr == ip;
		if (dup)
			continue;
		out[n].addr = ip;
		out[n].how = i == 0 ? TT_FRAME_PC : from_scan ? TT_FRAME_SCAN : TT_FRAME_FP;
		/* a scanned word the walk found too is a frame for sure */
		for (size_t j = 1; j < nips && out[n].how == TT_FRAME_SCAN; j++)
			if (ips[j] == ip)
				out[n].how = TT_FRAME_FP;
		n++;
	}
	return n;
}

size_t frames__unwound(const uint64_t *pcs, size_t n, struct tt_frame *out, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++)
		out[i] = (struct tt_frame){ .addr = pcs[i], .how = i ? TT_FRAME_DWARF : TT_FRAME_PC };
	return i;
}

bool frames__not_a_return(struct syms *syms, const struct tt_frame *f)
{
	struct sym_info at, before;

	if (f->how != TT_FRAME_SCAN || !syms || syms__resolve(syms, f->addr, &at) ||
	    syms__resolve_return(syms, f->addr, &before))
		return false;
	return !strcmp(at.region, "sym") && at.offset == 0 && !strcmp(before.region, "file");
}

void frames__name(struct syms *syms, const struct perfmap *pm, const struct tt_frame *f, bool offset, char *buf,
		  size_t len)
{
	/* a return address: the call before it is what the frame was doing */
	bool ret = f->how != TT_FRAME_PC && f->addr;
	unsigned long off;
	const char *jit = perfmap__resolve(pm, (unsigned long)(f->addr - ret), &off);
	struct sym_info si;
	const char *base;

	if (!len)
		return;
	if (jit) {
		if (offset)
			snprintf(buf, len, "%s+0x%lx", jit, off + ret);
		else
			snprintf(buf, len, "%s", jit);
		return;
	}
	if (!syms || (ret ? syms__resolve_return(syms, f->addr, &si) : syms__resolve(syms, f->addr, &si))) {
		if (offset)
			snprintf(buf, len, "0x%llx", (unsigned long long)f->addr);
		else
			snprintf(buf, len, "[unknown]");
		return;
	}
	if (offset) {
		syms__format_info(&si, buf, len);
	} else if (!strcmp(si.region, "sym")) {
		char name[512];

		snprintf(buf, len, "%s", demangle__name(si.name, name, sizeof(name)));
	} else if (!strcmp(si.region, "file")) {
		base = strrchr(si.file, '/');
		base = base ? base + 1 : si.file;
		snprintf(buf, len, "[%s]", *base ? base : "file");
	} else {
		snprintf(buf, len, "[%s]", si.region);
	}
}
