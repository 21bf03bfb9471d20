/* Unit tests for user/platcheck.c: the start-up checks of bpf/platform.h's assumptions. */
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "check.h"
#include "platcheck.h"
#include "platform.h"

TEST(this_machine_passes)
{
	struct utsname u;
	char why[160] = "";

	CHECK_EQ_INT(uname(&u), 0);
	CHECK_STR(u.machine, "x86_64");
	CHECK_EQ_INT(platcheck__machine(NULL, why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK_EQ_INT(platcheck__machine("x86_64", why, sizeof(why)), 0);
}

TEST(another_machine_fails_with_one_line)
{
	char why[160] = "";

	CHECK_EQ_INT(platcheck__machine("aarch64", why, sizeof(why)), -1);
	CHECK_STR(why, "this machine is aarch64; threadtrace supports x86_64 only (docs/platform.md)");
	CHECK_EQ_INT(platcheck__machine("i686", why, sizeof(why)), -1);
	CHECK(strstr(why, "i686") != NULL);
	/* a near miss is still another machine */
	CHECK_EQ_INT(platcheck__machine("x86_6", why, sizeof(why)), -1);
}

TEST(this_libc_matches_the_kernel_sides_offsets)
{
	char why[160] = "";

	CHECK_EQ_INT(platcheck__libc(why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK_EQ_INT(TT_GLIBC_MUTEX_OWNER, 8);
	CHECK_EQ_INT(TT_GLIBC_COND_SIGNALS - TT_GLIBC_COND_WREFS, 4);
}

/* The kernel side's numbers are this machine's (its headers say so too). */
TEST(syscall_numbers_are_x86_64s)
{
	CHECK_EQ_INT(TT_NR_FUTEX, 202);
	CHECK_EQ_INT(TT_NR_FUTEX, SYS_futex);
	CHECK_EQ_INT(TT_NR_FUTEX_WAITV, 449);
#ifdef SYS_futex_waitv
	CHECK_EQ_INT(TT_NR_FUTEX_WAITV, SYS_futex_waitv);
#endif
}

int main(void)
{
	RUN(this_machine_passes);
	RUN(another_machine_fails_with_one_line);
	RUN(this_libc_matches_the_kernel_sides_offsets);
	RUN(syscall_numbers_are_x86_64s);
	return check_summary();
}
