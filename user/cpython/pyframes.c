/* Python frames: the 3.11 _PyInterpreterFrame chain, code objects, line numbers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linetable.h"
#include "pyproc_int.h"

static void pycode_clear(struct pycode *c)
{
	free(c->table);
	memset(c, 0, sizeof(*c));
}

void pycode__cache_free(struct pyproc *p)
{
	for (int i = 0; i < PYPROC_CODE_CACHE; i++)
		pycode_clear(&p->codes[i]);
}

/* Whether type is PyCode_Type: its tp_name is "code" (checked once, then by address). */
static int is_code_type(struct pyproc *p, uint64_t type)
{
	uint64_t name_ptr;
	char name[8];

	if (p->code_type)
		return type == p->code_type;
	if (pymem__read_u64(&p->obj.mem, type + p->obj.L->type_name, &name_ptr) ||
	    pymem__read(&p->obj.mem, name_ptr, name, 5) || memcmp(name, "code", 5))
		return 0;
	p->code_type = type;
	return 1;
}

int pycode__get(struct pyproc *p, uint64_t addr, struct pycode **out)
{
	const struct py_layout *L = p->obj.L;
	struct pycode *c = &p->codes[(addr >> 4) % PYPROC_CODE_CACHE];
	uint8_t hdr[512];
	uint64_t type, filename, qualname, linetable;
	int32_t firstlineno, firsttraceable;
	int err;

	if (L->code_adaptive > sizeof(hdr))
		return -EINVAL;
	err = pymem__read(&p->obj.mem, addr, hdr, L->code_adaptive);
	if (err)
		return err;
	memcpy(&type, hdr + L->ob_type, 8);
	memcpy(&filename, hdr + L->code_filename, 8);
	memcpy(&qualname, hdr + L->code_qualname, 8);
	memcpy(&linetable, hdr + L->code_linetable, 8);
	memcpy(&firstlineno, hdr + L->code_firstlineno, 4);
	memcpy(&firsttraceable, hdr + L->code_firsttraceable, 4);
	if (!is_code_type(p, type))
		return -EINVAL;
	/* a cached entry is reused only if the object still has the same fields */
	if (c->addr == addr && c->filename == filename && c->qualname == qualname &&
	    c->linetable == linetable && c->firstlineno == firstlineno) {
		*out = c;
		return 0;
	}
	pycode_clear(c);
	err = pyobj__str(&p->obj, filename, c->file, sizeof(c->file));
	if (!err)
		err = pyobj__str(&p->obj, qualname, c->func, sizeof(c->func));
	if (!err)
		err = pyobj__bytes(&p->obj, linetable, PYPROC_MAX_LINETABLE, &c->table, &c->table_len);
	if (err) {
		pycode_clear(c);
		return err;
	}
	c->addr = addr;
	c->filename = filename;
	c->qualname = qualname;
	c->linetable = linetable;
	c->firstlineno = firstlineno;
	c->firsttraceable = firsttraceable;
	*out = c;
	return 0;
}

static void fill_frame(const struct py_layout *L, const struct pycode *c, uint64_t instr, struct pyframe *f)
{
	uint64_t start = c->addr + L->code_adaptive;
	long unit = instr >= start ? (long)((instr - start) / L->codeunit_size) : -1;
	struct py_position pos;

	snprintf(f->file, sizeof(f->file), "%s", c->file);
	snprintf(f->func, sizeof(f->func), "%s", c->func);
	f->code = c->addr;
	f->instr = instr;
	/* an instr far beyond the code (garbage) must not walk a table for long: every entry covers >= 1 unit */
	if (instr >= start && (instr - start) / L->codeunit_size > (uint64_t)c->table_len * 8)
		f->line = -1;
	else
		f->line = linetable__find(c->table, c->table_len, c->firstlineno, unit, &pos) ? -1 : pos.line;
}

int pyproc__resolve(struct pyproc *p, uint64_t code, uint64_t instr, struct pyframe *out)
{
	struct pycode *c;
	int err = pycode__get(p, code, &c);

	if (err)
		return err;
	fill_frame(p->obj.L, c, instr, out);
	return 0;
}

/* Python's recursion limit is 1000 by default; a longer chain than this is not a stack. */
#define MAX_WALK 100000

int pyproc__frames(struct pyproc *p, uint64_t tstate, struct pyframe *frames, int max, bool *truncated)
{
	const struct py_layout *L = p->obj.L;
	uint64_t cframe, frame;
	struct pycycle cyc;
	int n = 0, err;

	*truncated = false;
	err = pymem__read_u64(&p->obj.mem, tstate + L->tstate_cframe, &cframe);
	if (!err)
		err = pymem__read_u64(&p->obj.mem, cframe + L->cframe_current_frame, &frame);
	if (err)
		return err;
	pycycle__init(&cyc);
	for (int steps = 0; frame; steps++) {
		uint8_t buf[128];
		uint64_t code, previous, instr;
		struct pycode *c;
		uint8_t owner;

		if (steps >= MAX_WALK || pycycle__step(&cyc, frame))
			return -ELOOP;
		if (L->iframe_size > sizeof(buf))
			return -EINVAL;
		err = pymem__read(&p->obj.mem, frame, buf, L->iframe_size);
		if (err)
			return err;
		memcpy(&code, buf + L->iframe_code, 8);
		memcpy(&previous, buf + L->iframe_previous, 8);
		memcpy(&instr, buf + L->iframe_prev_instr, 8);
		owner = buf[L->iframe_owner];
		frame = previous;
		if (n >= max) {
			*truncated = true;
			break;
		}
		err = pycode__get(p, code, &c);
		if (err)
			return err;
		/* 3.11 _PyFrame_IsIncomplete: a frame still being set up is not shown */
		if (owner != PY_FRAME_OWNED_BY_GENERATOR &&
		    instr < c->addr + L->code_adaptive + (uint64_t)c->firsttraceable * L->codeunit_size)
			continue;
		fill_frame(L, c, instr, &frames[n++]);
	}
	return n;
}
