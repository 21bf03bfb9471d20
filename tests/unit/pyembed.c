/*
 * A process with pyenv's layout on any Debian machine: CPython embedded from the shared
 * libpython3.11.so.1.0 (PIE; _PyRuntime lives in the .so, whose rw mapping's file offset is
 * 0x1000 below its address offset). Runs argv[1] like `python3.11 -c`. Used by test_syms.c.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

int main(int argc, char **argv)
{
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PYTHON-CODE\n", argv[0]);
		return 2;
	}
	Py_Initialize();
	rc = PyRun_SimpleString(argv[1]);
	if (Py_FinalizeEx() < 0)
		rc = 1;
	return rc ? 1 : 0;
}
