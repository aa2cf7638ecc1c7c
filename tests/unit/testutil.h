/*
 * testutil.h: small helpers shared by the C unit tests (include after
 * icm.h and tap.h).
 */
#ifndef ICM_TESTUTIL_H
#define ICM_TESTUTIL_H

#include "util/buf.h"
#include "util/fs.h"

/* The whole file (at most 1 MiB) as a new string, or NULL. */
__attribute__((unused))
static char *slurp(const char *path)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	if (fs_read_file(path, &b))
		return NULL;
	return buf_take(&b);
}

#endif
