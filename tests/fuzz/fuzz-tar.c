/*
 * fuzz-tar: archives from the Docker daemon as `icm cp` reads them
 * (src/docker/tar.c): extracted with tar_unpack() into a directory four
 * levels down the scratch directory, and renamed with tar_rebase() as cp
 * does, the copy extracted the same way.  Anything that appears beside
 * that directory at any level means an entry escaped it: the target
 * aborts then.
 */
#include "fuzz.h"
#include "../../src/docker/tar.h"
#include "../../src/util/buf.h"
#include "../../src/util/str.h"
#include <dirent.h>

/* Whether dir holds exactly one entry, named name. */
static bool only(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	bool ok = true;

	if (!d)
		return false;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		ok = ok && !strcmp(e->d_name, name);
	}
	closedir(d);
	return ok && n == 1;
}

static void unpack(const uint8_t *data, size_t size)
{
	const char *top = fuzz_dir();
	char *a = xasprintf("%s/a", top), *b = xasprintf("%s/b", a);
	char *c = xasprintf("%s/c", b), *dest = xasprintf("%s/d", c);

	if (mkdir(a, 0700) || mkdir(b, 0700) || mkdir(c, 0700) ||
	    mkdir(dest, 0700)) {
		perror("fuzz-tar: mkdir");
		abort();
	}
	(void)tar_unpack(data, size, dest, NULL);
	if (!only(top, "a") || !only(a, "b") || !only(b, "c") ||
	    !only(c, "d")) {
		fprintf(stderr, "fuzz-tar: an entry was written outside the "
			"destination\n");
		abort();
	}
	fuzz_empty_dir(top);
	free(a);
	free(b);
	free(c);
	free(dest);
}

static void rebase(const uint8_t *data, size_t size, const char *from,
		   const char *to, bool contents)
{
	struct buf out;

	buf_init(&out, 4 * size + 4096);
	if (tar_rebase(data, size, from, to, contents, &out, NULL) == 0)
		unpack((const uint8_t *)out.data, out.len);
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unpack(data, size);
	rebase(data, size, "dir", "new/name", false);
	rebase(data, size, "dir", "", true);
	fuzz_reset();
	return 0;
}
