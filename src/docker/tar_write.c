/*
 * tar_write.c: the ustar writer behind `icm cp` and the test images (see
 * tar.h).
 */
#include "tar_int.h"
#include "../state/log.h"
#include "../util/str.h"
#include <dirent.h>

/* ------------------------------------------------------------------ */
/* Writer */

/* width - 1 octal digits and a NUL (callers keep v in range). */
void tar_octal(char *field, size_t width, unsigned long long v)
{
	size_t i = width - 1;

	field[i] = '\0';
	while (i-- > 0) {
		field[i] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

unsigned tar_checksum(const struct header *h)
{
	const unsigned char *p = (const unsigned char *)h;
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < BLOCK; i++)
		sum += i >= offsetof(struct header, chksum) &&
		       i < offsetof(struct header, chksum) + 8 ? ' ' : p[i];
	return sum;
}

/* Zeros after size bytes of data, to the block's end. */
int tar_pad(struct buf *out, size_t size)
{
	static const char zero[BLOCK];

	return size % BLOCK ? buf_add(out, zero, BLOCK - size % BLOCK) : 0;
}

/* Appends a header block; size bytes of data must follow (then tar_pad()). */
static int put_header(struct buf *out, char type, const char *name,
		      const char *link, mode_t mode, time_t mtime,
		      size_t size, unsigned owner)
{
	struct header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.name, name, strnlen(name, sizeof(h.name)));
	tar_octal(h.mode, sizeof(h.mode), mode & 07777);
	tar_octal(h.uid, sizeof(h.uid), owner);
	tar_octal(h.gid, sizeof(h.gid), owner);
	tar_octal(h.size, sizeof(h.size), size);
	tar_octal(h.mtime, sizeof(h.mtime), mtime > 0 ? (unsigned long long)mtime
						  : 0);
	h.typeflag = type;
	if (link)
		memcpy(h.linkname, link, strnlen(link, sizeof(h.linkname)));
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	if (!owner) {
		memcpy(h.uname, "root", 4);
		memcpy(h.gname, "root", 4);
	}
	snprintf(h.chksum, sizeof(h.chksum), "%06o", tar_checksum(&h));
	h.chksum[7] = ' ';
	return buf_add(out, &h, sizeof(h));
}

/* A header and its data (in memory). */
static int put_entry(struct buf *out, char type, const char *name,
		     const char *link, mode_t mode, time_t mtime,
		     const void *data, size_t size)
{
	if (put_header(out, type, name, link, mode, mtime, size, 0) ||
	    (size && buf_add(out, data, size)))
		return -1;
	return tar_pad(out, size);
}

/* A GNU long name ('L') or long link ('K') entry when s does not fit. */
int tar_put_long(struct buf *out, char type, const char *s)
{
	size_t n = strlen(s);

	if (n < 100)
		return 0;
	return put_entry(out, type, "././@LongLink", NULL, 0644, 0, s, n + 1);
}

static int pack_one(const char *path, const char *name, struct buf *out,
		    unsigned depth, char **why);

static int pack_dir(const char *path, const char *name, struct buf *out,
		    unsigned depth, char **why)
{
	struct dirent **ents = NULL;
	char *sub = NULL, *subname = NULL;
	int i, n, ret = -1;

	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0)
		return error_why(why, "cannot read '%s': %s", path, strerror(errno));
	for (i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;

		if (!strcmp(e, ".") || !strcmp(e, ".."))
			continue;
		free(sub);
		free(subname);
		sub = xasprintf("%s/%s", path, e);
		subname = xasprintf("%s/%s", name, e);
		if (pack_one(sub, subname, out, depth + 1, why))
			goto out;
	}
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	free(sub);
	free(subname);
	return ret;
}

/*
 * Appends the file's size bytes to out (no copy in between); -1 with
 * errno (EFBIG: over out's cap; EAGAIN: the size changed meanwhile).
 */
static int read_into(const char *path, size_t size, struct buf *out)
{
	char chunk[65536];
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), err = 0;

	if (fd < 0)
		return -1;
	while (!err && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0)
			err = errno == EINTR ? 0 : errno;
		else if (got + (size_t)n > size)
			err = EAGAIN;
		else if (buf_add(out, chunk, (size_t)n))
			err = EFBIG;
		else
			got += (size_t)n;
	}
	close(fd);
	if (!err && got != size)
		err = EAGAIN;
	errno = err;
	return err ? -1 : 0;
}

static int pack_one(const char *path, const char *name, struct buf *out,
		    unsigned depth, char **why)
{
	char link[TAR_NAME_MAX + 1], *dname = NULL;
	struct stat st;
	ssize_t n;
	int ret = -1;

	if (depth > 256)
		return error_why(why, "'%s': directories nested too deep", path);
	if (strlen(name) >= TAR_NAME_MAX)
		return error_why(why, "'%s': name too long", path);
	if (lstat(path, &st))
		return error_why(why, "cannot read '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		dname = xasprintf("%s/", name);
		if (tar_put_long(out, 'L', dname) ||
		    put_entry(out, '5', dname, NULL, st.st_mode, st.st_mtime,
			      NULL, 0))
			goto full;
		ret = pack_dir(path, name, out, depth, why);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0) {
			error_why(why, "cannot read link '%s': %s", path,
				  strerror(errno));
			goto out;
		}
		link[n] = '\0';
		if (tar_put_long(out, 'L', name) || tar_put_long(out, 'K', link) ||
		    put_entry(out, '2', name, link, st.st_mode, st.st_mtime,
			      NULL, 0))
			goto full;
		ret = 0;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		warning("'%s' is not a file, a directory or a link: skipped",
			path);
		ret = 0;
		goto out;
	}
	if (tar_put_long(out, 'L', name) ||
	    put_header(out, '0', name, NULL, st.st_mode, st.st_mtime,
		       (size_t)st.st_size, 0))
		goto full;
	if (read_into(path, (size_t)st.st_size, out)) {
		if (errno == EFBIG)
			goto full;
		error_why(why, "cannot read '%s': %s", path, errno == EAGAIN ?
			  "it changed while being read" : strerror(errno));
		goto out;
	}
	if (tar_pad(out, (size_t)st.st_size))
		goto full;
	ret = 0;
	goto out;
full:
	error_why(why, "'%s': the archive would be larger than %zu bytes", path,
		  out->cap);
out:
	free(dname);
	return ret;
}

int tar_mem_entry(struct buf *out, const char *name, const void *data,
		  size_t len, unsigned mode, unsigned owner, char **why)
{
	bool dir = !data;

	if (strlen(name) >= 100)
		return error_why(why, "'%s': the name is too long for a tar entry",
				 name);
	if (put_header(out, dir ? '5' : '0', name, NULL, mode,
		       time(NULL), dir ? 0 : len, owner) ||
	    (!dir && len && buf_add(out, data, len)) ||
	    tar_pad(out, dir ? 0 : len))
		return error_why(why, "'%s': the archive would be larger than %zu "
				 "bytes", name, out->cap);
	return 0;
}

int tar_mem_end(struct buf *out, char **why)
{
	static const char zero[2 * BLOCK];

	return buf_add(out, zero, sizeof(zero)) ?
		error_why(why, "the archive would be larger than %zu bytes",
			  out->cap) : 0;
}

int tar_pack(const char *local_path, struct buf *out, char **why)
{
	static const char zero[2 * BLOCK];
	char *copy = xstrdup(local_path), *base;
	size_t n = strlen(copy);
	int ret = -1;

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	base = strrchr(copy, '/');
	base = base ? base + 1 : copy;
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		error_why(why, "'%s': name the file or directory to copy", local_path);
		goto out;
	}
	if (pack_one(copy, base, out, 0, why))
		goto out;
	if (buf_add(out, zero, sizeof(zero))) {
		error_why(why, "'%s': the archive would be larger than %zu bytes",
			  local_path, out->cap);
		goto out;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

