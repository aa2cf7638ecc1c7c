/* fuzz.c: the targets' shared helpers (see fuzz.h). */
#include "fuzz.h"
#include "../../src/state/log.h"
#include "../../src/util/str.h"
#include <ftw.h>

static char scratch[PATH_MAX];

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static bool unreadable;	/* fuzz_empty_dir() met a directory it
				   could not read (an archive's mode 0) */

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	if (flag == FTW_DNR) {
		chmod(path, 0700);
		unreadable = true;
	} else if (ftw->level > 0) {
		remove(path);
	}
	return 0;
}

void fuzz_empty_dir(const char *path)
{
	int pass = 0;

	do {
		unreadable = false;
		nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	} while (unreadable && ++pass < 64);
}

static void remove_scratch(void)
{
	fuzz_empty_dir(scratch);
	rmdir(scratch);
}

const char *fuzz_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (*scratch)
		return scratch;
	snprintf(scratch, sizeof(scratch), "%s/icm-fuzz.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(remove_scratch);
	return scratch;
}

char *fuzz_file(const char *name, const void *data, size_t size)
{
	char *path = xasprintf("%s/%s", fuzz_dir(), name);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) ||
	    close(fd)) {
		perror("fuzz: writing the input");
		abort();
	}
	return path;
}

size_t fuzz_split(const uint8_t *data, size_t size, const char *sep,
		  const uint8_t **part, size_t *len, size_t max)
{
	size_t n = 0, seplen = strlen(sep);
	const uint8_t *p = data, *end = data + size, *hit;

	while (n + 1 < max &&
	       (hit = memmem(p, (size_t)(end - p), sep, seplen))) {
		part[n] = p;
		len[n++] = (size_t)(hit - p);
		p = hit + seplen;
	}
	part[n] = p;
	len[n++] = (size_t)(end - p);
	return n;
}

void fuzz_reset(void)
{
	secrets_wipe();
	log_close();
}
