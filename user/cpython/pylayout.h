/*
 * Where CPython keeps what the reader needs: one table of byte offsets per
 * interpreter version (x86_64/arm64, release builds). No debug symbols are
 * needed at run time; the numbers were taken from CPython's own headers
 * (offsetof with Py_BUILD_CORE) and are re-checked by the integration tests.
 */
#ifndef TT_PYLAYOUT_H
#define TT_PYLAYOUT_H

#include <stdint.h>

/* _PyInterpreterFrame.owner values (3.11: Include/internal/pycore_frame.h) */
#define PY_FRAME_OWNED_BY_THREAD    0
#define PY_FRAME_OWNED_BY_GENERATOR 1

struct py_layout {
	unsigned major, minor;   /* the version this table is for */

	/* _PyRuntimeState */
	uint32_t runtime_interpreters_head;
	/* PyInterpreterState */
	uint32_t interp_next, interp_threads_head, interp_modules, interp_sysdict;
	/* PyThreadState */
	uint32_t tstate_next, tstate_cframe, tstate_thread_id, tstate_native_thread_id;
	/* _PyCFrame */
	uint32_t cframe_current_frame;
	/* _PyInterpreterFrame */
	uint32_t iframe_code, iframe_previous, iframe_prev_instr, iframe_owner, iframe_size;
	/* PyCodeObject */
	uint32_t code_firstlineno, code_filename, code_name, code_qualname, code_linetable,
		code_firsttraceable, code_adaptive;
	/* PyObject, PyVarObject, PyTypeObject, PyHeapTypeObject */
	uint32_t ob_type, ob_size, type_name, type_flags, type_dictoffset, heaptype_cached_keys;
	/* PyTypeObject.tp_methods: an array of PyMethodDef, ended by one whose ml_name is NULL */
	uint32_t type_methods, methoddef_size, methoddef_name, methoddef_meth;
	/* PyBytesObject, PyUnicodeObject (PEP 393 compact forms) */
	uint32_t bytes_data, unicode_length, unicode_state, unicode_ascii_data, unicode_compact_data;
	/* PyDictObject, PyDictKeysObject and its entries */
	uint32_t dict_keys, dict_values;
	uint32_t keys_log2_size, keys_log2_index_bytes, keys_kind, keys_nentries, keys_indices;
	uint32_t entry_size, entry_key, entry_value;     /* DICT_KEYS_GENERAL */
	uint32_t uentry_size, uentry_key, uentry_value;  /* DICT_KEYS_UNICODE / SPLIT */
	/* PyModuleObject, PyLongObject */
	uint32_t module_dict, long_digits, long_shift;
	/* Py_TPFLAGS_MANAGED_DICT and where such objects keep values/dict (negative, before the object) */
	uint64_t tpflags_managed_dict;
	int32_t managed_values, managed_dict;
	uint32_t codeunit_size;
};

/*
 * The table for a PY_VERSION_HEX (the Py_Version word), or NULL for a version
 * without one: never a guess from a neighbouring version.
 */
const struct py_layout *pylayout__for(uint32_t version_hex);

/* The table for "MAJOR.MINOR" (for tests and `pystack --layout`), or NULL. */
const struct py_layout *pylayout__named(unsigned major, unsigned minor);

/* Calls fn for each named field of a table (the names tests/integration/data/py_offsets.c prints). */
void pylayout__foreach(const struct py_layout *l, void (*fn)(const char *name, long long value, void *ctx),
		       void *ctx);

#endif
