/*
 * Interpreter layouts, one table per CPython version.
 *
 * 3.11: offsetof() against the headers of Debian's 3.11.2 (python3.11-dev) and
 * pyenv's 3.11.7 with Py_BUILD_CORE: identical (tests/integration/test_pystack.py
 * compares this table with both on every run).
 *
 * 3.12 (slot, not filled): the GIL moved into the interpreter state; tstate
 * still has cframe; _PyInterpreterFrame starts with f_code and gains shim frames
 * (owner FRAME_OWNED_BY_CSTACK, to be skipped); PyASCIIObject loses wstr (ASCII
 * data at 40); managed dicts become one tagged pointer at obj-3*8. Fill a table
 * from 3.12's headers, add it to `tables`, and teach the frame walker the
 * cstack owner before accepting 3.12.
 *
 * 3.13+: _PyRuntime starts with _Py_DebugOffsets (a "xdebugpy" cookie, the
 * version, then the offsets of exactly these fields), published for tools
 * like this one; a 3.13 entry should read its offsets from there instead of a
 * table (tstate->cframe is gone: tstate->current_frame).
 */
#include <stddef.h>
#include "pylayout.h"

static const struct py_layout py311 = {
	.major = 3, .minor = 11,
	.runtime_interpreters_head = 40,
	.interp_next = 0, .interp_threads_head = 16, .interp_modules = 888, .interp_sysdict = 904,
	.tstate_next = 8, .tstate_cframe = 56, .tstate_thread_id = 152, .tstate_native_thread_id = 160,
	.cframe_current_frame = 8,
	.iframe_code = 32, .iframe_previous = 48, .iframe_prev_instr = 56, .iframe_owner = 69,
	.iframe_size = 72,
	.code_firstlineno = 72, .code_filename = 112, .code_name = 120, .code_qualname = 128,
	.code_linetable = 136, .code_firsttraceable = 168, .code_adaptive = 184,
	.ob_type = 8, .ob_size = 16, .type_name = 24, .type_flags = 168, .type_dictoffset = 288,
	.heaptype_cached_keys = 872,
	.type_methods = 232, .methoddef_size = 32, .methoddef_name = 0, .methoddef_meth = 8,
	.bytes_data = 32, .unicode_length = 16, .unicode_state = 32, .unicode_ascii_data = 48,
	.unicode_compact_data = 72,
	.dict_keys = 32, .dict_values = 40,
	.keys_log2_size = 8, .keys_log2_index_bytes = 9, .keys_kind = 10, .keys_nentries = 24,
	.keys_indices = 32,
	.entry_size = 24, .entry_key = 8, .entry_value = 16,
	.uentry_size = 16, .uentry_key = 0, .uentry_value = 8,
	.module_dict = 16, .long_digits = 24, .long_shift = 30,
	.tpflags_managed_dict = 1u << 4, .managed_values = -4 * 8, .managed_dict = -3 * 8,
	.codeunit_size = 2,
};

static const struct py_layout *const tables[] = {
	&py311,
	/* &py312: see above */
};

const struct py_layout *pylayout__named(unsigned major, unsigned minor)
{
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (tables[i]->major == major && tables[i]->minor == minor)
			return tables[i];
	return NULL;
}

const struct py_layout *pylayout__for(uint32_t version_hex)
{
	unsigned major = version_hex >> 24, minor = (version_hex >> 16) & 0xff;
	unsigned level = (version_hex >> 4) & 0xf;

	/* Alphas and betas (level 0xA/0xB) moved fields around: only candidates and finals. */
	if (level != 0xC && level != 0xF)
		return NULL;
	return pylayout__named(major, minor);
}

void pylayout__foreach(const struct py_layout *l, void (*fn)(const char *name, long long value, void *ctx),
		       void *ctx)
{
#define F(name, field) fn(name, (long long)l->field, ctx)
	F("runtime.interpreters_head", runtime_interpreters_head);
	F("interp.next", interp_next);
	F("interp.threads_head", interp_threads_head);
	F("interp.modules", interp_modules);
	F("interp.sysdict", interp_sysdict);
	F("tstate.next", tstate_next);
	F("tstate.cframe", tstate_cframe);
	F("tstate.thread_id", tstate_thread_id);
	F("tstate.native_thread_id", tstate_native_thread_id);
	F("cframe.current_frame", cframe_current_frame);
	F("iframe.f_code", iframe_code);
	F("iframe.previous", iframe_previous);
	F("iframe.prev_instr", iframe_prev_instr);
	F("iframe.owner", iframe_owner);
	F("iframe.localsplus", iframe_size);
	F("code.co_firstlineno", code_firstlineno);
	F("code.co_filename", code_filename);
	F("code.co_name", code_name);
	F("code.co_qualname", code_qualname);
	F("code.co_linetable", code_linetable);
	F("code.co_firsttraceable", code_firsttraceable);
	F("code.co_code_adaptive", code_adaptive);
	F("object.ob_type", ob_type);
	F("varobject.ob_size", ob_size);
	F("type.tp_name", type_name);
	F("type.tp_flags", type_flags);
	F("type.tp_dictoffset", type_dictoffset);
	F("heaptype.ht_cached_keys", heaptype_cached_keys);
	F("type.tp_methods", type_methods);
	F("methoddef.size", methoddef_size);
	F("methoddef.ml_name", methoddef_name);
	F("methoddef.ml_meth", methoddef_meth);
	F("bytes.ob_sval", bytes_data);
	F("unicode.length", unicode_length);
	F("unicode.state", unicode_state);
	F("unicode.ascii_data", unicode_ascii_data);
	F("unicode.compact_data", unicode_compact_data);
	F("dict.ma_keys", dict_keys);
	F("dict.ma_values", dict_values);
	F("keys.dk_log2_size", keys_log2_size);
	F("keys.dk_log2_index_bytes", keys_log2_index_bytes);
	F("keys.dk_kind", keys_kind);
	F("keys.dk_nentries", keys_nentries);
	F("keys.dk_indices", keys_indices);
	F("entry.size", entry_size);
	F("entry.me_key", entry_key);
	F("entry.me_value", entry_value);
	F("uentry.size", uentry_size);
	F("uentry.me_key", uentry_key);
	F("uentry.me_value", uentry_value);
	F("module.md_dict", module_dict);
	F("long.ob_digit", long_digits);
	F("PyLong_SHIFT", long_shift);
	F("Py_TPFLAGS_MANAGED_DICT", tpflags_managed_dict);
	F("managed.values", managed_values);
	F("managed.dict", managed_dict);
	F("sizeof_codeunit", codeunit_size);
#undef F
}
