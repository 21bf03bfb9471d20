/*
 * The ground truth for user/cpython/pylayout.c: CPython's own struct layouts,
 * printed with offsetof() from a build's headers (compiled by
 * tests/integration/test_pystack.py with -I<that build's include/python3.X>).
 * Names match `pystack --layout 3.X`.
 */
#define Py_BUILD_CORE 1
#define NDEBUG 1
#include <Python.h>
#include <internal/pycore_runtime.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_dict.h>
#include <internal/pycore_moduleobject.h>
#include <internal/pycore_object.h>
#include <stddef.h>
#include <stdio.h>
#define P(name, expr) printf("%s %lld\n", name, (long long)(expr))
static long long managed(int dict)
{
	static PyObject o[8];
	PyObject *obj = &o[4];

	return dict ? (char *)_PyObject_ManagedDictPointer(obj) - (char *)obj
		    : (char *)_PyObject_ValuesPointer(obj) - (char *)obj;
}

int main(void)
{
P("runtime.interpreters_head", offsetof(_PyRuntimeState, interpreters.head));
P("interp.next", offsetof(PyInterpreterState, next));
P("interp.threads_head", offsetof(PyInterpreterState, threads.head));
P("interp.modules", offsetof(PyInterpreterState, modules));
P("interp.sysdict", offsetof(PyInterpreterState, sysdict));
P("tstate.next", offsetof(PyThreadState, next));
P("tstate.cframe", offsetof(PyThreadState, cframe));
P("tstate.thread_id", offsetof(PyThreadState, thread_id));
P("tstate.native_thread_id", offsetof(PyThreadState, native_thread_id));
P("cframe.current_frame", offsetof(_PyCFrame, current_frame));
P("iframe.f_code", offsetof(_PyInterpreterFrame, f_code));
P("iframe.previous", offsetof(_PyInterpreterFrame, previous));
P("iframe.prev_instr", offsetof(_PyInterpreterFrame, prev_instr));
P("iframe.owner", offsetof(_PyInterpreterFrame, owner));
P("iframe.localsplus", offsetof(_PyInterpreterFrame, localsplus));
P("code.co_filename", offsetof(PyCodeObject, co_filename));
P("code.co_name", offsetof(PyCodeObject, co_name));
P("code.co_qualname", offsetof(PyCodeObject, co_qualname));
P("code.co_linetable", offsetof(PyCodeObject, co_linetable));
P("code.co_firstlineno", offsetof(PyCodeObject, co_firstlineno));
P("code.co_firsttraceable", offsetof(PyCodeObject, _co_firsttraceable));
P("code.co_code_adaptive", offsetof(PyCodeObject, co_code_adaptive));
P("object.ob_type", offsetof(PyObject, ob_type));
P("varobject.ob_size", offsetof(PyVarObject, ob_size));
P("type.tp_name", offsetof(PyTypeObject, tp_name));
P("type.tp_flags", offsetof(PyTypeObject, tp_flags));
P("type.tp_dictoffset", offsetof(PyTypeObject, tp_dictoffset));
P("heaptype.ht_cached_keys", offsetof(PyHeapTypeObject, ht_cached_keys));
P("type.tp_methods", offsetof(PyTypeObject, tp_methods));
P("methoddef.size", sizeof(PyMethodDef));
P("methoddef.ml_name", offsetof(PyMethodDef, ml_name));
P("methoddef.ml_meth", offsetof(PyMethodDef, ml_meth));
P("bytes.ob_sval", offsetof(PyBytesObject, ob_sval));
P("unicode.length", offsetof(PyASCIIObject, length));
P("unicode.state", offsetof(PyASCIIObject, state));
P("unicode.ascii_data", sizeof(PyASCIIObject));
P("unicode.compact_data", sizeof(PyCompactUnicodeObject));
P("dict.ma_keys", offsetof(PyDictObject, ma_keys));
P("dict.ma_values", offsetof(PyDictObject, ma_values));
P("keys.dk_log2_size", offsetof(PyDictKeysObject, dk_log2_size));
P("keys.dk_log2_index_bytes", offsetof(PyDictKeysObject, dk_log2_index_bytes));
P("keys.dk_kind", offsetof(PyDictKeysObject, dk_kind));
P("keys.dk_nentries", offsetof(PyDictKeysObject, dk_nentries));
P("keys.dk_indices", offsetof(PyDictKeysObject, dk_indices));
P("entry.size", sizeof(PyDictKeyEntry));
P("entry.me_key", offsetof(PyDictKeyEntry, me_key));
P("entry.me_value", offsetof(PyDictKeyEntry, me_value));
P("uentry.size", sizeof(PyDictUnicodeEntry));
P("uentry.me_key", offsetof(PyDictUnicodeEntry, me_key));
P("uentry.me_value", offsetof(PyDictUnicodeEntry, me_value));
P("module.md_dict", offsetof(PyModuleObject, md_dict));
P("long.ob_digit", offsetof(PyLongObject, ob_digit));
P("Py_TPFLAGS_MANAGED_DICT", Py_TPFLAGS_MANAGED_DICT);
P("PyLong_SHIFT", PyLong_SHIFT);
printf("managed.values %lld\n", managed(0));
printf("managed.dict %lld\n", managed(1));
P("sizeof_codeunit", sizeof(_Py_CODEUNIT));
return 0;
}
