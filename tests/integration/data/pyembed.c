/*
 * A program that is not python but runs CPython from Debian's shared
 * libpython3.11.so.1.0: the reader must find the interpreter in the library.
 * Built by test_pystack.py: gcc pyembed.c -I/usr/include/python3.11 -lpython3.11
 */
#include <Python.h>

int main(int argc, char **argv)
{
	return Py_BytesMain(argc, argv);
}
