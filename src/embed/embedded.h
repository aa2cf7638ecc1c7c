/*
 * embedded.h: files compiled into the binary.
 *
 * tools/embed.sh turns everything under embedded/ and samples/ (plus a CA
 * bundle) into build/.../gen/embedded.c, which defines the table below.
 * Paths are relative to the repository ("samples/AWS/defaults.json",
 * "embedded/README"); the CA bundle is "ca-bundle.pem".  The table is
 * sorted by path in byte order (strcmp), so every prefix's entries are
 * contiguous.  All data is static and read-only: nothing here allocates
 * and nothing is freed.
 */
#ifndef ICM_EMBEDDED_H
#define ICM_EMBEDDED_H

#include "../icm.h"

#define EMBEDDED_CA_BUNDLE "ca-bundle.pem"

struct embedded_file {
	const char *path;
	const unsigned char *data;	/* len bytes, then a NUL not counted */
	size_t len;
	unsigned mode;			/* 0644, or 0755 for executables */
};

/* The generated table: embedded_files_count entries, then a NULL path. */
extern const struct embedded_file embedded_files[];
extern const size_t embedded_files_count;

/* The file stored under exactly path, or NULL. */
const struct embedded_file *embedded_find(const char *path);

/*
 * Iterates over the files whose path starts with prefix, in path order:
 *
 *	size_t it = 0;
 *	const struct embedded_file *f;
 *	while ((f = embedded_next("samples/", &it)))
 *		...
 *
 * *it starts at 0 and is advanced past each file returned; returns NULL
 * when there are no more.  "" matches everything.
 */
const struct embedded_file *embedded_next(const char *prefix, size_t *it);

/* How many files start with prefix. */
size_t embedded_count(const char *prefix);

#endif
