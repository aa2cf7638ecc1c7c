/* t-image.c: what the ICM image's entrypoint does with its arguments
 * (cmd/image: image_form(), image_entry() outside the image). */
#include "icm.h"
#include "cmd/image.h"
#include "util/str.h"
#include "tap.h"
#include <sys/stat.h>

static const struct command fake = { "ps", NULL, 0, 0, NULL, 0, "" };

/* The command table of the test: provision, ps and docker. */
static const struct command *find(const char *name)
{
	return !strcmp(name, "provision") || !strcmp(name, "ps") ||
	       !strcmp(name, "docker") ? &fake : NULL;
}

static void touch(const char *path, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f)
		fclose(f);
	chmod(path, mode);
}

/* The form for argv {"icm", a1, a2} (argc from a1/a2) along path; *prog
 * checked against want_prog. */
static void form(const char *name, const char *a1, const char *path,
		 enum image_form want, const char *want_prog)
{
	char *argv[] = { "icm", (char *)a1, "x", NULL };
	char *prog = NULL;
	enum image_form got = image_form(a1 ? 3 : 1, argv, path, find, &prog);

	is_int(got, want, name);
	is_str(prog, want_prog, name);
	free(prog);
}

int main(void)
{
	char dir[] = "/tmp/t-image.XXXXXX";
	char *bin1, *bin2, *path, *tool, *tool2, *sub, *ps;
	char *argv[] = { "icm", "version", NULL };

	if (!mkdtemp(dir))
		return 1;
	bin1 = xasprintf("%s/bin1", dir);
	bin2 = xasprintf("%s/bin2", dir);
	mkdir(bin1, 0755);
	mkdir(bin2, 0755);
	tool = xasprintf("%s/tool", bin2);
	touch(tool, 0755);
	tool2 = xasprintf("%s/tool", bin1);	/* not executable: skipped */
	touch(tool2, 0644);
	sub = xasprintf("%s/sub", bin1);	/* a directory: skipped */
	mkdir(sub, 0755);
	ps = xasprintf("%s/ps", bin2);
	touch(ps, 0755);
	path = xasprintf("%s:%s", bin1, bin2);

	form("no arguments: the shell", NULL, path, IMAGE_SHELL, NULL);
	form("an icm command: icm", "provision", path, IMAGE_ICM, NULL);
	form("an icm command wins over a program on PATH", "ps", path,
	     IMAGE_ICM, NULL);
	form("an option: icm", "-version", path, IMAGE_ICM, NULL);
	form("a program on PATH: exec it (first executable one)", "tool",
	     path, IMAGE_EXEC, tool);
	form("a directory on PATH is not a program", "sub", path, IMAGE_ICM,
	     NULL);
	form("neither: icm (which names the unknown goal)", "nosuch", path,
	     IMAGE_ICM, NULL);
	form("a path with '/': exec it", tool, path, IMAGE_EXEC, tool);
	form("a path that is not executable: icm", tool2, path, IMAGE_ICM,
	     NULL);
	form("no PATH: only icm", "tool", NULL, IMAGE_ICM, NULL);
	form("an empty argument: icm", "", path, IMAGE_ICM, NULL);

	/* in a directory of our own: root there switches to no one */
	if (chdir(dir))
		return 1;
	unsetenv(IMAGE_ENV);
	is_int(image_entry(2, argv, find), 0, "outside the image: nothing");
	setenv(IMAGE_ENV, "0", 1);
	is_int(image_entry(2, argv, find), 0, "ICM_IMAGE=0: nothing");
	ok(getenv(IMAGE_ENV) != NULL, "ICM_IMAGE=0 is left alone");
	setenv(IMAGE_ENV, "1", 1);
	is_int(image_entry(2, argv, find), 0, "in the image, an icm command "
	       "goes on as icm");
	is_str(getenv(IMAGE_ENV), "2", "ICM_IMAGE=2 for what it starts");
	{
		char *none[] = { "icm", NULL };

		is_int(image_entry(1, none, find), 0, "ICM_IMAGE=2 without "
		       "arguments: plain icm (no shell)");
	}
	is_int(geteuid(), getuid(), "and the user is who it was");
	if (chdir("/"))
		return 1;

	unlink(tool);
	unlink(tool2);
	unlink(ps);
	rmdir(sub);
	rmdir(bin1);
	rmdir(bin2);
	rmdir(dir);
	free(bin1);
	free(bin2);
	free(tool);
	free(tool2);
	free(sub);
	free(ps);
	free(path);
	return done_testing();
}
