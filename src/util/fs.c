/* fs.c: file-system helpers (see fs.h). */
#include "fs.h"
#include "str.h"
#include <dirent.h>

/* The errno for a path that open() refused with ENXIO (a socket, or a FIFO
 * with no reader under O_NONBLOCK), EISDIR (a directory opened to write) or
 * ELOOP (O_NOFOLLOW on a symlink): its file type, so the message says what
 * is there.  follow: stat, not lstat. */
static int not_regular(const char *path, int err, bool follow)
{
	struct stat st;

	if ((err == ENXIO || err == EISDIR || err == ELOOP) &&
	    !(follow ? stat(path, &st) : lstat(path, &st)) &&
	    !S_ISREG(st.st_mode) && (err != ELOOP || S_ISLNK(st.st_mode)))
		return FS_ENOTREG(st.st_mode);
	return err;
}

/* Keeps fd if it is a regular file, made blocking again; else closes it.
 * Returns fd or -1 with errno set. */
static int keep_regular(int fd)
{
	struct stat st;
	int fl, err, ret = -1;

	if (fstat(fd, &st))
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = FS_ENOTREG(st.st_mode);
		goto out;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK))
		goto out;
	ret = fd;
	fd = -1;
out:
	if (fd >= 0) {
		err = errno;
		close(fd);
		errno = err;
	}
	return ret;
}

int fs_open_regular(const char *path)
{
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		errno = not_regular(path, errno, true);
		return -1;
	}
	return keep_regular(fd);
}

int fs_open_append(const char *path)
{
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
		  O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0) {
		errno = not_regular(path, errno, false);
		return -1;
	}
	return keep_regular(fd);
}

const char *fs_strerror(int err)
{
	static const struct { int type; const char *text; } types[] = {
		{ S_IFIFO, "not a regular file (a FIFO)" },
		{ S_IFDIR, "not a regular file (a directory)" },
		{ S_IFCHR, "not a regular file (a character device)" },
		{ S_IFBLK, "not a regular file (a block device)" },
		{ S_IFSOCK, "not a regular file (a socket)" },
		{ S_IFLNK, "not a regular file (a symbolic link)" },
	};
	size_t i;

	if (err == ELOOP)
		return "too many levels of symbolic links (a symlink loop)";
	if (err == EFBIG)
		return "file too large";
	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (err == FS_ENOTREG(types[i].type))
			return types[i].text;
	if ((err & ~0xf) == FS_ENOTREG_BASE)
		return "not a regular file";
	return strerror(err);
}

int fs_read_file(const char *path, struct buf *out)
{
	char chunk[8192];
	int fd, ret = -1;
	ssize_t n;

	fd = fs_open_regular(path);
	if (fd < 0)
		return -1;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (n == 0)
			break;
		if (buf_add(out, chunk, (size_t)n)) {
			errno = EFBIG;
			goto out;
		}
	}
	if (!out->data && buf_add(out, "", 0) < 0) {
		errno = ENOMEM;
		goto out;
	}
	ret = 0;
out:
	explicit_bzero(chunk, sizeof(chunk));
	close(fd);
	return ret;
}

int fs_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	const char *p = data;
	int fd, ret = -1, saved;
	ssize_t n;

	/* The name is guessable: whatever is there (a stale temporary, or a
	 * symlink or FIFO planted to make this write go elsewhere or block)
	 * is removed, not followed, and the file must be a new one. */
	if (unlink(tmp) && errno != ENOENT)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  mode);
	if (fd < 0)
		goto out;
	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) || fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	ret = 0;
	goto out;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
out:
	free(tmp);
	return ret;
}

int fs_mkdirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	struct stat st;
	int ret = -1;

	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) && errno != EEXIST)
				goto out;
			if (stat(p, &st))
				goto out;	/* ELOOP: a symlink loop */
			if (!S_ISDIR(st.st_mode)) {
				errno = ENOTDIR;
				goto out;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	ret = 0;
out:
	free(p);
	return ret;
}

bool fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *fs_absolute(const char *path)
{
	char cwd[PATH_MAX], *joined, *out, *seg, *save = NULL;
	size_t len = 0;

	if (path[0] == '/') {
		joined = xstrdup(path);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return NULL;
		joined = xasprintf("%s/%s", cwd, path);
	}
	out = xmalloc(strlen(joined) + 2);
	for (seg = strtok_r(joined, "/", &save); seg;
	     seg = strtok_r(NULL, "/", &save)) {
		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;	/* the '/' before it */
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, seg, strlen(seg));
		len += strlen(seg);
	}
	if (!len)
		out[len++] = '/';
	out[len] = 0;
	free(joined);
	return out;
}

int fs_remove_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int ret = 0;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = xasprintf("%s/%s", path, e->d_name);
		if (fs_remove_tree(sub))
			ret = -1;
		free(sub);
	}
	closedir(d);
	if (rmdir(path))
		ret = -1;
	return ret;
}
