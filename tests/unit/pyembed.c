/*
 * A program that is not python but runs CPython from Debian's shared libpython3.11.so.1.0, with
 * python3.11's own command line (pyembed -c CODE, pyembed SCRIPT): pyenv's layout on any Debian
 * machine (PIE; _PyRuntime lives in the .so, whose rw mapping's file offset is 0x1000 below its
 * address offset). test_syms.c names _PyRuntime in it; test_pystack.py reads its threads.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

int main(int argc, char **argv)
{
	return Py_BytesMain(argc, argv);
}
