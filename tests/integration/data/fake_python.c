/*
 * Not CPython, but looks like one to a symbol lookup: it exports _PyRuntime
 * (full of pointers that lead nowhere) and, unless NO_PY_VERSION, a Py_Version
 * of FAKE_VERSION. The reader must refuse it by version, never read frames.
 * Built by test_pystack.py with -rdynamic (so .dynsym holds both).
 */
#include <stdio.h>
#include <unistd.h>

#ifndef NO_PY_VERSION
const unsigned long Py_Version = FAKE_VERSION;
#endif
unsigned long _PyRuntime[1024];

int main(void)
{
	for (int i = 0; i < 1024; i++)
		_PyRuntime[i] = 0x4141414141410000ul + (unsigned long)i;
	printf("READY\n");
	fflush(stdout);
	pause();
	return 0;
}
