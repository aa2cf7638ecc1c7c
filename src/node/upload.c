/*
 * upload.c: copying files and directory trees to a host (see ssh.h,
 * ssh_upload()), over SFTP, or over SCP (one "scp -p -t" channel a file,
 * directories by mkdir/chmod commands) when the server has no SFTP
 * subsystem.
 */
#include "ssh.h"
#include "ssh_int.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <dirent.h>
#include <libssh2_sftp.h>
#include <sys/stat.h>

#define UP_CHUNK 32768
#define UP_MAX_DEPTH 64

struct up {
	struct ssh_conn *c;
	LIBSSH2_SFTP *sftp;     /* NULL: SCP */
	const char *top;        /* the local path, for messages */
	long files;
	char chunk[UP_CHUNK];
};

static const char *base_name(const char *path, char *tmp, size_t n)
{
	size_t len = strlen(path), start;

	while (len > 1 && path[len - 1] == '/')
		len--;
	start = len;
	while (start > 0 && path[start - 1] != '/')
		start--;
	snprintf(tmp, n, "%.*s", (int)(len - start), path + start);
	return tmp;
}

/* dir + "/" + name, without doubled slashes; dir "" is ".". */
static char *join(const char *dir, const char *name)
{
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (!len)
		return xasprintf("./%s", name);
	return xasprintf("%.*s%s%s", (int)len, dir,
			 dir[len - 1] == '/' ? "" : "/", name);
}

static char *strip_slashes(const char *path)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	return xstrndup(path, len);
}

char *ssh_upload_dest(const char *local, bool local_is_dir,
		      const char *remote, enum ssh_remote_kind kind,
		      bool *contents)
{
	char name[NAME_MAX + 1];
	bool remote_dir = str_ends(remote, "/") || kind == SSH_REMOTE_DIR;

	*contents = local_is_dir;
	if (!*remote)
		remote = "./";
	base_name(local, name, sizeof(name));
	if (!local_is_dir)
		return remote_dir ? join(remote, name) : xstrdup(remote);
	if (kind == SSH_REMOTE_FILE)
		return NULL;
	if (!str_ends(local, "/") && strcmp(name, ".") &&
	    strcmp(name, "..") && strcmp(name, "/") && remote_dir)
		return join(remote, name);
	/* dir/, or scp -r dir new: new gets dir's contents */
	return strip_slashes(remote);
}

static char *shell_quote(const char *s)
{
	struct buf b;

	buf_init(&b, 4 * PATH_MAX + 16);
	return buf_add_shell_word(&b, s) ? NULL : buf_take(&b);
}

/* Runs a short command; -1 with the command's stderr in the message. */
static int run(struct up *u, const char *what, const char *cmd)
{
	struct buf err;
	int status, ret = -1;

	buf_init(&err, 4096);
	if (ssh_exec(u->c, cmd, NULL, NULL, &err, &status))
		goto out;
	if (status) {
		while (err.len && err.data[err.len - 1] == '\n')
			err.data[--err.len] = '\0';
		ssh_fail(u->c, "%s: cannot %s: %s", ssh_peer(u->c), what,
			 err.len ? err.data : "the command failed");
		goto out;
	}
	ret = 0;
out:
	buf_release(&err);
	return ret;
}

static const char *sftp_error(struct up *u)
{
	static const char *const msgs[] = {
		"ok", "end of file", "no such file or directory",
		"permission denied", "failure", "bad message",
		"no connection", "connection lost", "operation unsupported",
		"invalid handle", "no such path", "file already exists",
		"write protected", "no media", "no space on the file system",
		"quota exceeded", "unknown principal", "lock conflict",
		"directory not empty", "not a directory", "invalid file name",
		"link loop",
	};
	unsigned long e;

	if (libssh2_session_last_errno(u->c->s) != LIBSSH2_ERROR_SFTP_PROTOCOL)
		return ssh_last_error(u->c);
	e = libssh2_sftp_last_error(u->sftp);
	return e < ARRAY_SIZE(msgs) ? msgs[e] : "SFTP error";
}

static int64_t io_deadline(struct up *u)
{
	return ssh_now_ms() + u->c->io_timeout_ms;
}

/* Runs "prefix 'path'"; what says what failed. */
static int run_on(struct up *u, const char *what, const char *prefix,
		  const char *path)
{
	char *q = shell_quote(path), *cmd = xasprintf("%s %s", prefix, q);
	char *msg = xasprintf("%s '%s'", what, path);
	int rc = run(u, msg, cmd);

	free(msg);
	free(cmd);
	free(q);
	return rc;
}

/* What is at path on the host. */
static int remote_kind(struct up *u, const char *path,
		       enum ssh_remote_kind *kind)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	int64_t dl = io_deadline(u);
	char *q, *cmd;
	struct buf out;
	int rc, status;

	*kind = SSH_REMOTE_MISSING;
	if (u->sftp) {
		SSH_RETRY(u->c, dl, rc, libssh2_sftp_stat_ex(
			      u->sftp, path, (unsigned)strlen(path),
			      LIBSSH2_SFTP_STAT, &a));
		if (rc == 0)
			*kind = LIBSSH2_SFTP_S_ISDIR(a.permissions) ?
				SSH_REMOTE_DIR : SSH_REMOTE_FILE;
		else if (rc != LIBSSH2_ERROR_SFTP_PROTOCOL)
			return ssh_fail(u->c, "%s: cannot look at '%s': %s",
					ssh_peer(u->c), path, ssh_last_error(u->c));
		return 0;
	}
	q = shell_quote(path);
	cmd = xasprintf("if [ -d %s ]; then echo d; elif [ -e %s ]; then echo f; fi",
			q, q);
	buf_init(&out, 64);
	rc = ssh_exec(u->c, cmd, NULL, &out, NULL, &status);
	if (!rc && out.len)
		*kind = out.data[0] == 'd' ? SSH_REMOTE_DIR : SSH_REMOTE_FILE;
	buf_release(&out);
	free(cmd);
	free(q);
	return rc;
}

static int make_dir(struct up *u, const char *path, bool parents)
{
	enum ssh_remote_kind k;
	int64_t dl = io_deadline(u);
	int rc;

	if (!u->sftp)   /* an existing directory is fine */
		return run_on(u, "create directory", "mkdir -p --", path);
	if (parents && strchr(path + 1, '/')) {
		char *up_dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));

		rc = remote_kind(u, up_dir, &k) ? -1 : k == SSH_REMOTE_DIR ? 0 :
		     make_dir(u, up_dir, true);
		free(up_dir);
		if (rc)
			return -1;
	}
	SSH_RETRY(u->c, dl, rc, libssh2_sftp_mkdir_ex(
		      u->sftp, path, (unsigned)strlen(path), 0700));
	if (rc == 0)
		return 0;
	if (remote_kind(u, path, &k) == 0 && k == SSH_REMOTE_DIR)
		return 0;
	return ssh_fail(u->c, "%s: cannot create directory '%s': %s", ssh_peer(u->c),
			path, sftp_error(u));
}

/* Permission bits (and, with SFTP, times) as the local file has them. */
static int set_attrs(struct up *u, const char *path, const struct stat *st)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	int64_t dl = io_deadline(u);
	char prefix[32];
	int rc;

	if (!u->sftp) {
		snprintf(prefix, sizeof(prefix), "chmod %o --",
			 (unsigned)(st->st_mode & 07777));
		return run_on(u, "set the mode of", prefix, path);
	}
	memset(&a, 0, sizeof(a));
	a.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS | LIBSSH2_SFTP_ATTR_ACMODTIME;
	a.permissions = st->st_mode & 07777;
	a.atime = (unsigned long)st->st_atime;
	a.mtime = (unsigned long)st->st_mtime;
	SSH_RETRY(u->c, dl, rc, libssh2_sftp_stat_ex(
		      u->sftp, path, (unsigned)strlen(path),
		      LIBSSH2_SFTP_SETSTAT, &a));
	if (rc)
		return ssh_fail(u->c, "%s: cannot set the mode of '%s': %s",
				ssh_peer(u->c), path, sftp_error(u));
	return 0;
}

/* Writes all of p[0..n) to a channel or an SFTP handle. */
static int write_all(struct up *u, LIBSSH2_CHANNEL *ch,
		     LIBSSH2_SFTP_HANDLE *h, const char *p, size_t n)
{
	int64_t dl = io_deadline(u);
	ssize_t w;

	while (n) {
		SSH_RETRY(u->c, dl, w, ch ? libssh2_channel_write(ch, p, n) :
					    libssh2_sftp_write(h, p, n));
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
		dl = io_deadline(u);
	}
	return 0;
}

static int put_file(struct up *u, const char *local, const char *remote,
		    const struct stat *st)
{
	LIBSSH2_SFTP_HANDLE *h = NULL;
	LIBSSH2_CHANNEL *ch = NULL;
	int64_t dl = io_deadline(u);
	int fd, rc, ret = -1;
	ssize_t n;

	if (++u->files > SSH_UPLOAD_MAX_FILES)
		return ssh_fail(u->c, "%s: '%s' has more than %d files; copy fewer at a time",
				ssh_peer(u->c), u->top, SSH_UPLOAD_MAX_FILES);
	/* SCP names the file in a line of its protocol ("C0644 <size>
	 * <name>\n", libssh2 sends the name as it is): a newline would end
	 * that line and the rest be read as more of the protocol */
	if (!u->sftp && strchr(remote, '\n'))
		return ssh_fail(u->c, "%s: cannot copy '%s' with SCP (the host has no "
				"SFTP): its name has a newline", ssh_peer(u->c),
				local);
	fd = fs_open_regular(local);	/* still regular since the stat */
	if (fd < 0)
		return ssh_fail(u->c, "cannot read '%s': %s", local, fs_strerror(errno));
	if (u->sftp) {
		do
			h = libssh2_sftp_open_ex(u->sftp, remote,
				(unsigned)strlen(remote),
				LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT |
				LIBSSH2_FXF_TRUNC, 0600, LIBSSH2_SFTP_OPENFILE);
		while (!h && libssh2_session_last_errno(u->c->s) ==
			     LIBSSH2_ERROR_EAGAIN && ssh_wait_io(u->c, dl) == 0);
	} else {
		do
			ch = libssh2_scp_send64(u->c->s, remote,
				(int)(st->st_mode & 0777), st->st_size,
				st->st_mtime, st->st_atime);
		while (!ch && libssh2_session_last_errno(u->c->s) ==
			      LIBSSH2_ERROR_EAGAIN && ssh_wait_io(u->c, dl) == 0);
	}
	if (!h && !ch) {
		ssh_fail(u->c, "%s: cannot create '%s' (from '%s'): %s", ssh_peer(u->c),
			 remote, local, u->sftp ? sftp_error(u) :
			 ssh_last_error(u->c));
		goto out;
	}
	for (;;) {
		n = read(fd, u->chunk, sizeof(u->chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ssh_fail(u->c, "cannot read '%s': %s", local, strerror(errno));
			goto out;
		}
		/* SCP: the sender ends a file with a 0 byte (libssh2 does not
		 * send it; without it scp -t fails at the end). */
		if (!n && ch && write_all(u, ch, NULL, "", 1)) {
			ssh_fail(u->c, "%s: cannot write '%s' (from '%s'): %s",
				 ssh_peer(u->c), remote, local,
				 ssh_last_error(u->c));
			goto out;
		}
		if (!n)
			break;
		if (write_all(u, ch, h, u->chunk, (size_t)n)) {
			ssh_fail(u->c, "%s: cannot write '%s' (from '%s'): %s",
				 ssh_peer(u->c), remote, local, u->sftp ?
				 sftp_error(u) : ssh_last_error(u->c));
			goto out;
		}
	}
	ret = 0;
out:
	dl = io_deadline(u);
	if (h) {
		SSH_RETRY(u->c, dl, rc, libssh2_sftp_close_handle(h));
		if (rc && !ret)
			ret = ssh_fail(u->c, "%s: cannot write '%s': %s", ssh_peer(u->c),
				       remote, sftp_error(u));
		if (!ret)
			ret = set_attrs(u, remote, st);
	}
	if (ch) {
		/* scp -t answers each file; its error ends the channel. */
		SSH_RETRY(u->c, dl, rc, libssh2_channel_send_eof(ch));
		if (!rc)
			SSH_RETRY(u->c, dl, rc, libssh2_channel_wait_eof(ch));
		if (!rc)
			SSH_RETRY(u->c, dl, rc, libssh2_channel_close(ch));
		if (!rc)
			SSH_RETRY(u->c, dl, rc, libssh2_channel_wait_closed(ch));
		if (!ret && (rc || libssh2_channel_get_exit_status(ch)))
			ret = ssh_fail(u->c, "%s: scp could not write '%s' (from '%s')",
				       ssh_peer(u->c), remote, local);
		SSH_RETRY(u->c, dl, rc, libssh2_channel_free(ch));
	}
	close(fd);
	return ret;
}

static int put_tree(struct up *u, const char *local, const char *remote,
		    const struct stat *st, int depth)
{
	struct dirent *de;
	struct stat est;
	char *l = NULL, *r = NULL;
	DIR *d;
	int ret = -1;

	if (depth > UP_MAX_DEPTH)
		return ssh_fail(u->c, "'%s' is nested more than %d directories deep (a symbolic link loop?)",
				local, UP_MAX_DEPTH);
	if (make_dir(u, remote, false))
		return -1;
	d = opendir(local);
	if (!d)
		return ssh_fail(u->c, "cannot read directory '%s': %s", local,
				strerror(errno));
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		free(l);
		free(r);
		l = join(local, de->d_name);
		r = join(remote, de->d_name);
		if (strlen(l) >= PATH_MAX || strlen(r) >= PATH_MAX) {
			ssh_fail(u->c, "path '%s' is too long", l);
			goto out;
		}
		if (stat(l, &est)) {
			ssh_fail(u->c, "cannot read '%s': %s", l, strerror(errno));
			goto out;
		}
		if (S_ISDIR(est.st_mode)) {
			if (put_tree(u, l, r, &est, depth + 1))
				goto out;
		} else if (S_ISREG(est.st_mode)) {
			if (put_file(u, l, r, &est))
				goto out;
		} else {
			warning("'%s' is not a regular file or a directory: not copied",
				l);
		}
	}
	/* The mode last: a read-only directory must first be filled. */
	ret = set_attrs(u, remote, st);
out:
	free(l);
	free(r);
	closedir(d);
	return ret;
}

static int open_sftp(struct up *u)
{
	int64_t dl = io_deadline(u);

	do
		u->sftp = libssh2_sftp_init(u->c->s);
	while (!u->sftp && libssh2_session_last_errno(u->c->s) ==
		     LIBSSH2_ERROR_EAGAIN && ssh_wait_io(u->c, dl) == 0);
	if (u->sftp)
		return 0;
	if (libssh2_session_last_errno(u->c->s) == LIBSSH2_ERROR_EAGAIN)
		return ssh_fail(u->c, "%s: no answer to the SFTP request within %d ms",
				ssh_peer(u->c), u->c->io_timeout_ms);
	debug("%s: no SFTP (%s): copying with scp", ssh_peer(u->c),
	      ssh_last_error(u->c));
	return 0;
}

int ssh_upload(struct ssh_conn *c, const char *local, const char *remote,
	       unsigned flags)
{
	struct up *u = xcalloc(1, sizeof(*u));
	enum ssh_remote_kind kind;
	char *dest = NULL, *rdir = NULL;
	bool contents;
	struct stat st;
	int ret = -1, rc;

	u->c = c;
	u->top = local;
	if (!remote || !*remote)
		remote = "./";
	if (strlen(local) >= PATH_MAX || strlen(remote) >= PATH_MAX) {
		ssh_fail(u->c, "%s: path too long", c->peer);
		goto out;
	}
	if (stat(local, &st)) {
		ssh_fail(u->c, "cannot read '%s': %s", local, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		ssh_fail(u->c, "'%s' is not a regular file or a directory", local);
		goto out;
	}
	if (!(flags & SSH_UPLOAD_SCP) && open_sftp(u))
		goto out;
	rdir = strip_slashes(remote);
	if (remote_kind(u, rdir, &kind))
		goto out;
	dest = ssh_upload_dest(local, S_ISDIR(st.st_mode), remote, kind,
			       &contents);
	if (!dest) {
		ssh_fail(u->c, "%s: cannot copy directory '%s' onto file '%s'", c->peer,
			 local, rdir);
		goto out;
	}
	/* "dir/" names a directory: it is created with its parents. */
	if (str_ends(remote, "/") && kind == SSH_REMOTE_MISSING &&
	    make_dir(u, rdir, true))
		goto out;
	if (S_ISDIR(st.st_mode))
		ret = put_tree(u, local, dest, &st, 0);
	else
		ret = put_file(u, local, dest, &st);
out:
	if (u->sftp) {
		int64_t dl = io_deadline(u);

		SSH_RETRY(c, dl, rc, libssh2_sftp_shutdown(u->sftp));
	}
	free(dest);
	free(rdir);
	free(u);
	return ret;
}
