/*
 * rmanifest.c: what the working copy held of the store when the last
 * command left it (remote.h), so the next command in the same directory
 * fetches only what changed: <workdir>/.icm-manifest, one line per object,
 * "<ETag> <SHA-256 of its plaintext> <name>".  A hint, never trusted: an
 * object is skipped only when the store still has that ETag AND the local
 * file still has that hash (rsync.c checks both); a manifest that is
 * missing, stale or malformed only costs fetches.
 */
#include "remote_int.h"
#include "../util/fs.h"
#include "../util/str.h"
#include "../cloud/sigv4.h"
#include <ctype.h>

#define MANIFEST_CAP (8u << 20)

static char *manifest_path(const struct remote *r)
{
	return xasprintf("%s/" REMOTE_MANIFEST, r->workdir);
}

static bool hex_hash(const char *s, size_t n, uint8_t out[32])
{
	size_t i;

	if (n != 64)
		return false;
	for (i = 0; i < 32; i++) {
		unsigned v;

		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return false;
		out[i] = (uint8_t)v;
	}
	return true;
}

/* One line into an entry; false when it is not one of ours. */
static bool parse_line(struct remote *r, char *line)
{
	char *etag = line, *hash, *name;
	struct rentry *e;
	uint8_t h[32];

	hash = strchr(etag, ' ');
	if (!hash)
		return false;
	*hash++ = '\0';
	name = strchr(hash, ' ');
	if (!name)
		return false;
	*name++ = '\0';
	if (!*etag || strlen(etag) >= S3_ETAG_MAX ||
	    !hex_hash(hash, strlen(hash), h))
		return false;
	if (!strcmp(name, "instances.json")) {
		e = &r->inst;
		if (!e->name)
			e->name = xstrdup(name);
	} else if (str_starts(name, "state/") && remote_rel_ok(name + 6)) {
		e = remote_entry_add(r, name);
	} else {
		return false;
	}
	strlcpy_icm(e->etag, etag, S3_ETAG_MAX);
	memcpy(e->hash, h, 32);
	e->have_hash = true;
	return true;
}

void remote_manifest_load(struct remote *r)
{
	char *path = manifest_path(r), *line, *save = NULL;
	struct buf b;

	buf_init(&b, MANIFEST_CAP);
	if (fs_exists(path) && fs_read_file(path, &b) == 0 && b.data)
		for (line = strtok_r(b.data, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			if (!parse_line(r, line))
				break;	/* the rest is not to be trusted */
	buf_release(&b);
	free(path);
}

static int add_line(struct buf *b, const struct rentry *e)
{
	char hex[65];

	if (!e->name || !*e->etag || !e->have_hash)
		return 0;
	sigv4_hex(e->hash, 32, hex);
	return buf_addf(b, "%s %s %s\n", e->etag, hex, e->name);
}

void remote_manifest_save(struct remote *r, const char *dir)
{
	char *path = xasprintf("%s/" REMOTE_MANIFEST, dir);
	struct buf b;
	size_t i;
	int rc = 0;

	buf_init(&b, MANIFEST_CAP);
	for (i = 0; i < r->n && !rc; i++)
		rc = add_line(&b, &r->e[i]);
	if (!rc)
		rc = add_line(&b, &r->inst);
	/* a hint: not written is only fetches next time */
	if (!rc && fs_is_dir(dir) &&
	    fs_write_atomic(path, b.data ? b.data : "", b.len, 0600))
		debug("cannot write '%s': %s", path, fs_strerror(errno));
	buf_release(&b);
	free(path);
}
