/* t-buf.c: the capped buffer and string helpers (util/buf, util/str). */
#include "icm.h"
#include "util/buf.h"
#include "util/str.h"
#include "tap.h"

int main(void)
{
	struct buf b;
	long v;
	char small[4];

	buf_init(&b, 16);
	ok(buf_adds(&b, "hello") == 0, "add within the cap");
	ok(buf_addf(&b, " %d", 42) == 0, "formatted add");
	is_str(b.data, "hello 42", "contents");
	ok(buf_adds(&b, "0123456789") == -1, "add past the cap fails");
	ok(b.data == NULL && b.len == 0, "a failed add frees the buffer");
	buf_init(&b, 16);
	ok(buf_add(&b, "x", 1) == 0, "usable again after init");
	{
		char *s = buf_take(&b);

		is_str(s, "x", "take hands over the contents");
		ok(b.data == NULL, "take empties the buffer");
		free(s);
	}
	buf_init(&b, 1 << 20);
	for (v = 0; v < 10000; v++)
		if (buf_adds(&b, "abcdefgh"))
			break;
	is_int(b.len, 80000, "grows to 80000 bytes");
	buf_wipe(&b);
	buf_init(&b, 4096);
	{
		char *p0;

		ok(buf_reserve(&b, 1000) == 0 && b.alloc > 1000 && b.len == 0,
		   "reserve: room for 1000 bytes, none added");
		p0 = b.data;
		for (v = 0; v < 100; v++)
			if (buf_adds(&b, "0123456789"))
				break;
		ok(b.len == 1000 && b.data == p0,
		   "  1000 bytes added in place (no growth)");
	}
	ok(buf_reserve(&b, 4096) == -1 && !b.data, "reserve the cap: -1, "
	   "emptied");

	ok(str_to_long("123", &v) == 0 && v == 123, "str_to_long 123");
	ok(str_to_long("-5", &v) == 0 && v == -5, "str_to_long -5");
	ok(str_to_long("12a", &v) == -1, "trailing junk refused");
	ok(str_to_long("", &v) == -1, "empty refused");
	ok(str_to_long(" 1", &v) == -1, "leading space refused");
	ok(str_to_long("99999999999999999999999", &v) == -1,
	   "overflow refused");
	ok(str_starts("ECP-DM", "ECP"), "str_starts");
	ok(str_ends("lic.key", ".key") && !str_ends("y", ".key"), "str_ends");
	is_int(strlcpy_icm(small, "abcdef", sizeof(small)), 6,
	       "strlcpy returns the source length");
	is_str(small, "abc", "strlcpy truncates and terminates");
	{
		char *s = xasprintf("%s-%04d", "ECP-DM-TEST", 7);

		is_str(s, "ECP-DM-TEST-0007", "xasprintf");
		free(s);
	}
	buf_init(&b, 64);
	ok(buf_add_shell_word(&b, "it's $HOME") == 0 &&
	   buf_adds(&b, " ") == 0 && buf_add_shell_word(&b, "") == 0,
	   "shell words");
	is_str(b.data, "'it'\\''s $HOME' ''",
	       "  single-quoted, a quote as '\\'', empty as ''");
	buf_release(&b);
	buf_init(&b, 4);
	ok(buf_add_shell_word(&b, "abcd") == -1 && !b.data,
	   "  over the cap: -1, emptied");
	return done_testing();
}
