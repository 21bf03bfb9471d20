/*
 * Unit tests for user/joincore.c: joincore__offset, checked against the debug symbols of the
 * system's libc (libc6-dbg, installed by scripts/install-deps.sh): the function glibc's join
 * wrappers jump to is __pthread_clockjoin_ex.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "nm.h"
#include "joincore.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

/* The oracle: `nm` of libc's build-id debug file for name (in libc, vaddr = file offset). */
static int debug_symbol(const char *name, unsigned long long *value)
{
	char cmd[512], debug[256];

	if (debug_file_of(LIBC, debug, sizeof(debug)))
		return -1;
	snprintf(cmd, sizeof(cmd), "nm %s 2>/dev/null", debug);
	return nm_value_of(cmd, name, value);
}

TEST(libc_join_core_is_pthread_clockjoin_ex)
{
	unsigned long long want = 0;
	size_t off = 0;

	CHECK_EQ_INT(debug_symbol("__pthread_clockjoin_ex", &want), 0);
	CHECK_EQ_INT(joincore__offset(LIBC, &off), 0);
	CHECK(want != 0);
	CHECK_EQ_U64(off, want);
}

TEST(a_file_without_join_functions_has_no_core)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t off = 0;

	CHECK(n > 0);
	self[n > 0 ? n : 0] = '\0';
	/* this test binary calls no join function: its symbols do not include them */
	CHECK_EQ_INT(joincore__offset(self, &off), -ENOENT);
	CHECK_EQ_INT(joincore__offset("/nonexistent/libc.so.6", &off), -ENOENT);
}

int main(void)
{
	RUN(libc_join_core_is_pthread_clockjoin_ex);
	RUN(a_file_without_join_functions_has_no_core);
	return check_summary();
}
