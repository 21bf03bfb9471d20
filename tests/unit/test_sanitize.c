/* Unit tests for user/sanitize.c: sanitize__for_terminal. */
#include "check.h"
#include "sanitize.h"

/* sanitize__for_terminal into a buffer of size len (at most 256) poisoned with 'Z'. */
static const char *san(size_t len, const char *src)
{
	static char dst[257];

	memset(dst, 'Z', sizeof(dst));
	dst[256] = '\0';
	return sanitize__for_terminal(dst, len, src);
}

TEST(printable_ascii_kept)
{
	char all[96];

	for (int c = 0x20; c < 0x7f; c++)
		all[c - 0x20] = (char)c;
	all[0x7f - 0x20] = '\0';
	CHECK_STR(san(256, all), all);
	CHECK_STR(san(256, "hello, world!"), "hello, world!");
	CHECK_STR(san(256, ""), "");
}

TEST(returns_dst)
{
	char dst[8];

	CHECK(sanitize__for_terminal(dst, sizeof(dst), "abc") == dst);
	CHECK_STR(dst, "abc");
}

TEST(control_bytes_replaced)
{
	CHECK_STR(san(256, "\x1b[31mred"), "?[31mred");
	CHECK_STR(san(256, "a\tb"), "a?b");
	CHECK_STR(san(256, "a\nb"), "a?b");
	CHECK_STR(san(256, "a\rb"), "a?b");
	CHECK_STR(san(256, "\x01\x07\x08\x1f"), "????");
	CHECK_STR(san(256, "a\x7f" "b"), "a?b");
	CHECK_STR(san(256, "a\x9b" "b"), "a?b");     /* C1 CSI as a raw byte */
	CHECK_STR(san(256, "\x9b" "31m"), "?31m");
	CHECK_STR(san(256, "\x80\xbf\xff\xfe"), "????"); /* stray continuation, never-valid bytes */
}

TEST(valid_utf8_kept)
{
	CHECK_STR(san(256, "h\xc3\xa9llo"), "h\xc3\xa9llo");                       /* héllo */
	CHECK_STR(san(256, "x\xf0\x9f\x98\x80y"), "x\xf0\x9f\x98\x80y");           /* U+1F600 */
	CHECK_STR(san(256, "\xe2\x82\xac"), "\xe2\x82\xac");                       /* U+20AC € */
	CHECK_STR(san(256, "\xc2\xa0"), "\xc2\xa0");                               /* U+00A0, just past C1 */
	CHECK_STR(san(256, "\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");               /* U+10FFFF */
	CHECK_STR(san(256, "\xe6\x97\xa5\xe6\x9c\xac"), "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
}

TEST(utf8_c1_controls_replaced)
{
	/*
	 * U+0085 (NEL) and U+009B (CSI) encoded as UTF-8 are C1 controls. The
	 * function replaces the rejected sequence byte by byte, so each becomes
	 * "??"; what matters is that no byte of it survives.
	 */
	CHECK_STR(san(256, "\xc2\x85"), "??");
	CHECK_STR(san(256, "a\xc2\x9b" "31mb"), "a??31mb");
	CHECK_STR(san(256, "\xc2\x80"), "??");
	CHECK_STR(san(256, "\xc2\x9f"), "??");
}

TEST(invalid_utf8_replaced)
{
	CHECK_STR(san(256, "\xc0\xaf"), "??");             /* overlong '/' */
	CHECK_STR(san(256, "\xc1\xbf"), "??");             /* overlong */
	CHECK_STR(san(256, "\xe0\x80\xaf"), "???");        /* overlong 3-byte */
	CHECK_STR(san(256, "\xf0\x80\x80\xaf"), "????");   /* overlong 4-byte */
	CHECK_STR(san(256, "\xed\xa0\x80"), "???");        /* surrogate U+D800 */
	CHECK_STR(san(256, "\xf4\x90\x80\x80"), "????");   /* U+110000 */
	CHECK_STR(san(256, "\xf5\x80\x80\x80"), "????");
	CHECK_STR(san(256, "\xc3(x"), "?(x");              /* lead byte then no continuation */
}

TEST(truncated_sequence_at_end)
{
	CHECK_STR(san(256, "ab\xc3"), "ab?");
	CHECK_STR(san(256, "ab\xe2\x82"), "ab??");
	CHECK_STR(san(256, "ab\xf0\x9f\x98"), "ab???");
}

TEST(small_dst_truncates_on_sequence_boundary)
{
	const char *s = "h\xc3\xa9llo"; /* h é l l o: 6 bytes */

	CHECK_STR(san(7, s), "h\xc3\xa9llo");
	CHECK_STR(san(6, s), "h\xc3\xa9ll");
	CHECK_STR(san(4, s), "h\xc3\xa9");
	CHECK_STR(san(3, s), "h");          /* é does not fit whole: not split */
	CHECK_STR(san(2, s), "h");
	CHECK_STR(san(1, s), "");
	CHECK_STR(san(4, "\xf0\x9f\x98\x80"), ""); /* 4-byte emoji needs 5 bytes */
	CHECK_STR(san(5, "\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
	CHECK_STR(san(4, "abcdef"), "abc");
	CHECK_STR(san(4, "\x1b\x1b\x1b\x1b\x1b"), "???");
}

TEST(small_dst_writes_nothing_past_len)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	sanitize__for_terminal(buf, 4, "abcdefgh");
	CHECK_STR(buf, "abc");
	CHECK_EQ_INT(buf[4], 'Z');

	memset(buf, 'Z', sizeof(buf));
	sanitize__for_terminal(buf, 1, "abc");
	CHECK_EQ_INT(buf[0], '\0');
	CHECK_EQ_INT(buf[1], 'Z');

	memset(buf, 'Z', sizeof(buf));
	sanitize__for_terminal(buf, 0, "abc"); /* no room even for the NUL: untouched */
	CHECK_EQ_INT(buf[0], 'Z');
}

TEST(output_never_longer_than_input)
{
	/* every input byte gives at most one output byte */
	const char *s = "\x1b]0;title\x07\xc2\x85\xe2\x82\xac\xff ok";

	CHECK_STR(san(256, s), "?]0;title???\xe2\x82\xac? ok");
}

/* Thread names: bare when they are one plain token, quoted otherwise (a line can't be faked). */
TEST(names_quoted_when_not_one_token)
{
	char buf[64];

	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), "mtsleep3"), "mtsleep3");
	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), "loop-1.x_y"), "loop-1.x_y");
	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), "    4242 bash"), "\"    4242 bash\"");
	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), "a b"), "\"a b\"");
	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), ""), "\"\"");
	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), "\"x\""), "\"\\\"x\\\"\"");
	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), "a\\b"), "\"a\\\\b\"");
	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), "a\nb"), "\"a?b\"");
	/* non-ASCII (a no-break space looks like a space): quoted, kept as UTF-8 */
	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), "x\xc2\xa0y"), "\"x\xc2\xa0y\"");
	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), "caf\xc3\xa9"), "\"caf\xc3\xa9\"");
}

TEST(quoted_names_truncate_whole_and_closed)
{
	char buf[8];

	CHECK_STR(sanitize__quote_name(buf, sizeof(buf), "a b c d e f"), "\"a b c\"");
	CHECK_STR(sanitize__quote_name(buf, 6, "ab\xc3\xa9xyz"), "\"ab\"");
	CHECK_STR(sanitize__quote_name(buf, 4, "x y"), "\"x\"");
	CHECK_STR(sanitize__quote_name(buf, 3, "x y"), "\"\"");
	CHECK_STR(sanitize__quote_name(buf, 2, "x y"), "");
	CHECK_STR(sanitize__quote_name(buf, 3, "abcdef"), "ab");
	buf[0] = 'z';
	sanitize__quote_name(buf, 0, "x");
	CHECK(buf[0] == 'z');
}

int main(void)
{
	RUN(printable_ascii_kept);
	RUN(returns_dst);
	RUN(control_bytes_replaced);
	RUN(valid_utf8_kept);
	RUN(utf8_c1_controls_replaced);
	RUN(invalid_utf8_replaced);
	RUN(truncated_sequence_at_end);
	RUN(small_dst_truncates_on_sequence_boundary);
	RUN(small_dst_writes_nothing_past_len);
	RUN(output_never_longer_than_input);
	RUN(names_quoted_when_not_one_token);
	RUN(quoted_names_truncate_whole_and_closed);
	return check_summary();
}
