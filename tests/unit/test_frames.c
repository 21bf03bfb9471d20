/* Unit tests for user/frames.c and syms__resolve_return: a stack's frames, named by the call before each. */
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "frames.h"
#include "syms.h"

/*
 * Laid out by hand: tt_ends_in_call's last instruction is a call (a noreturn
 * callee), so its return address is tt_right_after's first byte; tt_after_padding
 * starts behind alignment padding, which no function covers.
 */
__asm__(".text\n"
	".p2align 4\n"
	".globl tt_ends_in_call\n"
	".type tt_ends_in_call, @function\n"
	"tt_ends_in_call:\n"
	"\tcall abort@PLT\n"
	".size tt_ends_in_call, .-tt_ends_in_call\n"
	".globl tt_right_after\n"
	".type tt_right_after, @function\n"
	"tt_right_after:\n"
	"\tret\n"
	".size tt_right_after, .-tt_right_after\n"
	".p2align 4\n"
	".globl tt_after_padding\n"
	".type tt_after_padding, @function\n"
	"tt_after_padding:\n"
	"\tret\n"
	".size tt_after_padding, .-tt_after_padding\n");
/* as bytes: the compiler would take a function's address to be aligned (and fold their difference) */
extern const char tt_ends_in_call[], tt_right_after[], tt_after_padding[];

static const char *name(struct syms *s, uint64_t addr, enum tt_frame_how how, bool offset)
{
	static char buf[256];
	struct tt_frame f = { .addr = addr, .how = how };

	frames__name(s, NULL, &f, offset, buf, sizeof(buf));
	return buf;
}

TEST(return_address_names_the_caller)
{
	unsigned long after = (unsigned long)tt_right_after, call = (unsigned long)tt_ends_in_call;
	struct syms *s = syms__new(getpid());
	int gap = (int)(after - call);
	struct sym_info si;

	CHECK(s != NULL);
	CHECK_EQ_INT(gap, 5); /* call rel32: 5 bytes, then the next function */
	/* as a pc: the next function; as a return address: the call that ends tt_ends_in_call */
	CHECK_STR(name(s, after, TT_FRAME_PC, true), "tt_right_after+0x0");
	CHECK_STR(name(s, after, TT_FRAME_FP, true), "tt_ends_in_call+0x5");
	CHECK_STR(name(s, after, TT_FRAME_SCAN, true), "tt_ends_in_call+0x5");
	CHECK_STR(name(s, after, TT_FRAME_FP, false), "tt_ends_in_call");
	CHECK_STR(name(s, after, TT_FRAME_PC, false), "tt_right_after");
	/* inside a function, either way the same function; the offset counts to the return address */
	CHECK_STR(name(s, call + 3, TT_FRAME_FP, true), "tt_ends_in_call+0x3");
	CHECK_STR(name(s, call + 3, TT_FRAME_PC, true), "tt_ends_in_call+0x3");
	CHECK_EQ_INT(syms__resolve_return(s, after, &si), 0);
	CHECK_STR(si.region, "sym");
	CHECK_STR(si.name, "tt_ends_in_call");
	CHECK(si.offset == 5);
	/* no address, no caller */
	CHECK_EQ_INT(syms__resolve_return(s, 0, &si), 0);
	CHECK_STR(si.region, "unknown");
	CHECK_EQ_INT(syms__resolve_return(NULL, after, &si), -1);
	CHECK_STR(name(NULL, 0x1234, TT_FRAME_FP, true), "0x1234");
	CHECK_STR(name(NULL, 0x1234, TT_FRAME_FP, false), "[unknown]");
	syms__free(s);
}

TEST(scanned_function_pointer_is_no_return_address)
{
	struct syms *s = syms__new(getpid());
	struct tt_frame f = { .addr = (unsigned long)tt_after_padding, .how = TT_FRAME_SCAN };

	CHECK(s != NULL);
	/* padding before it: no call returns there, it is a pointer to the function */
	CHECK(frames__not_a_return(s, &f));
	/* found by the frame-pointer walk, it is kept whatever it looks like */
	f.how = TT_FRAME_FP;
	CHECK(!frames__not_a_return(s, &f));
	/* right after a function's last call: it may well be one */
	f = (struct tt_frame){ .addr = (unsigned long)tt_right_after, .how = TT_FRAME_SCAN };
	CHECK(!frames__not_a_return(s, &f));
	/* mid-function */
	f.addr = (unsigned long)tt_ends_in_call + 3;
	CHECK(!frames__not_a_return(s, &f));
	CHECK(!frames__not_a_return(NULL, &f));
	syms__free(s);
}

TEST(gather_keeps_where_each_frame_came_from)
{
	const __u64 ips[] = { 0x100, 0x200, 0x300, 0x400 };
	const __u64 scan[TT_SCAN_HITS] = { 0x150, 0x300, 0 };
	const __u64 only_scan[TT_SCAN_HITS] = { 0x150, 0x150, 0x250 };
	struct tt_frame f[TT_FRAMES_MAX];
	size_t n;

	/* the pc, the scan's hits, then the rest of the walk; each address once */
	n = frames__gather(ips, 4, scan, f, TT_FRAMES_MAX);
	CHECK_EQ_INT((int)n, 5);
	CHECK(f[0].addr == 0x100 && f[0].how == TT_FRAME_PC);
	CHECK(f[1].addr == 0x150 && f[1].how == TT_FRAME_SCAN);
	CHECK(f[2].addr == 0x300 && f[2].how == TT_FRAME_FP); /* the walk has it too */
	CHECK(f[3].addr == 0x200 && f[3].how == TT_FRAME_FP);
	CHECK(f[4].addr == 0x400 && f[4].how == TT_FRAME_FP);
	/* no walk: the scan's first is the innermost, a return address all the same */
	n = frames__gather(ips, 0, only_scan, f, TT_FRAMES_MAX);
	CHECK_EQ_INT((int)n, 2);
	CHECK(f[0].addr == 0x150 && f[0].how == TT_FRAME_SCAN);
	CHECK(f[1].addr == 0x250 && f[1].how == TT_FRAME_SCAN);
	/* max is kept */
	n = frames__gather(ips, 4, scan, f, 2);
	CHECK_EQ_INT((int)n, 2);
}

int main(void)
{
	RUN(return_address_names_the_caller);
	RUN(scanned_function_pointer_is_no_return_address);
	RUN(gather_keeps_where_each_frame_came_from);
	return check_summary();
}
