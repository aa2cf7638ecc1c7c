/* t-fs.c: fs_absolute(), the paths provision records (util/fs). */
#include "icm.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"

static void abs_is(const char *path, const char *want)
{
	char *got = fs_absolute(path), *name;

	name = xasprintf("fs_absolute(\"%s\")", path);
	is_str(got, want, name);
	free(name);
	free(got);
}

int main(void)
{
	char dir[] = "/tmp/t-fs-XXXXXX", *real;

	if (!mkdtemp(dir) || chdir(dir))
		return 1;
	real = fs_absolute(".");	/* mkdtemp's dir as getcwd() has it */
	ok(real && real[0] == '/', "the working directory is absolute");
	abs_is("/", "/");
	abs_is("/a/b", "/a/b");
	abs_is("//a///b//", "/a/b");
	abs_is("/a/./b/../c", "/a/c");
	abs_is("/..", "/");
	abs_is("/a/../../b", "/b");
	{
		char *want = xasprintf("%s/state", real);

		abs_is("state", want);
		abs_is("./state/", want);
		abs_is("x/../state", want);
		free(want);
	}
	{
		char *up = fs_absolute("..");
		size_t n = strlen(real);

		while (n > 1 && real[n - 1] != '/')
			n--;
		if (n > 1)
			n--;
		ok(up && strlen(up) == n && !strncmp(up, real, n),
		   "\"..\" is the parent (%s)", up ? up : "NULL");
		free(up);
	}
	if (chdir("/") || rmdir(dir))
		return 1;
	free(real);
	return done_testing();
}
