/* statedir.c: the state directory's layout and lock (see statedir.h). */
#include "statedir.h"
#include "log.h"
#include "../config/plan.h"
#include "../util/buf.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>

struct statedir_lock {
	char *dir;
	char *path;
	int fd;
	bool created_dir;
};

/* For the signal handler: the path to remove (async-signal-safe unlink). */
static char *volatile held_path;

static void on_signal(int sig)
{
	char *p = held_path;

	if (p)
		unlink(p);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const char *who(void)
{
	const char *u = getenv("USER");

	if (!u || !*u)
		u = getenv("LOGNAME");
	return u && *u ? u : NULL;
}

/* Turns the record "key=value" lines into one readable sentence. */
static char *describe_record(const char *rec)
{
	const char *keys[] = { "pid", "host", "user", "started", "command" };
	char *vals[ARRAY_SIZE(keys)] = { 0 };
	char *copy = xstrdup(rec), *line, *save = NULL, *s;
	size_t i;

	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (!strcmp(line, keys[i]) && !vals[i])
				vals[i] = eq + 1;
	}
	s = xasprintf("'%s' (pid %s on host %s, user %s, since %s)",
		      vals[4] ? vals[4] : "?", vals[0] ? vals[0] : "?",
		      vals[1] ? vals[1] : "?", vals[2] ? vals[2] : "?",
		      vals[3] ? vals[3] : "?");
	free(copy);
	return s;
}

static char *read_record(const char *path)
{
	struct buf b;

	buf_init(&b, 4096);
	if (fs_read_file(path, &b)) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}

static int write_record(int fd, const char *command)
{
	struct utsname un;
	char when[32];
	struct tm tm;
	time_t now = time(NULL);
	char *rec;
	int ret = -1;

	if (uname(&un))
		strlcpy_icm(un.nodename, "unknown", sizeof(un.nodename));
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rec = xasprintf("pid=%ld\nhost=%s\nuser=%s\nstarted=%s\ncommand=%s\n",
			(long)getpid(), un.nodename,
			who() ? who() : "?", when, command);
	if (ftruncate(fd, 0) == 0 && pwrite(fd, rec, strlen(rec), 0) ==
	    (ssize_t)strlen(rec) && fsync(fd) == 0)
		ret = 0;
	free(rec);
	return ret;
}

int statedir_lock(const char *dir, const char *command,
		  struct statedir_lock **out)
{
	struct statedir_lock *lk = xcalloc(1, sizeof(*lk));
	struct stat a, b;
	char *rec = NULL, *desc = NULL;
	int ret = -1, tries;

	lk->fd = -1;
	lk->dir = xstrdup(dir);
	lk->path = xasprintf("%s/lock", dir);
	if (!fs_is_dir(dir)) {
		if (fs_mkdirs(dir, 0700)) {
			error("cannot create state directory '%s': %s", dir,
			      fs_strerror(errno));
			goto out;
		}
		lk->created_dir = true;
	}
	for (tries = 0; tries < 10; tries++) {
		lk->fd = fs_open_append(lk->path);
		if (lk->fd < 0) {
			error("cannot write '%s': %s", lk->path,
			      fs_strerror(errno));
			goto out;
		}
		if (flock(lk->fd, LOCK_EX | LOCK_NB)) {
			rec = read_record(lk->path);
			desc = describe_record(rec ? rec : "");
			error("state directory '%s' is locked by %s; "
			      "wait for it to finish (a lock whose process has "
			      "ended is taken over automatically)", dir, desc);
			goto out;
		}
		/* The file we locked must still be the one at the path. */
		if (fstat(lk->fd, &a) == 0 && stat(lk->path, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			break;
		close(lk->fd);
		lk->fd = -1;
	}
	if (lk->fd < 0) {
		error("cannot take lock '%s': it keeps changing", lk->path);
		goto out;
	}
	rec = read_record(lk->path);
	if (rec && *rec) {
		desc = describe_record(rec);
		warning("taking over a stale lock on '%s' left by %s", dir,
			desc);
	}
	if (write_record(lk->fd, command)) {
		error("cannot write lock '%s': %s", lk->path, strerror(errno));
		goto out;
	}
	held_path = lk->path;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	*out = lk;
	lk = NULL;
	ret = 0;
out:
	free(rec);
	free(desc);
	if (lk) {
		if (lk->fd >= 0)
			close(lk->fd);
		if (lk->created_dir)
			rmdir(lk->dir);
		free(lk->path);
		free(lk->dir);
		free(lk);
	}
	return ret;
}

bool statedir_lock_busy(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	bool busy = false;

	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB))
		busy = errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

void statedir_unlock(struct statedir_lock *lk)
{
	if (!lk)
		return;
	held_path = NULL;
	unlink(lk->path);
	close(lk->fd);
	if (lk->created_dir)
		rmdir(lk->dir);	/* only succeeds when empty */
	free(lk->path);
	free(lk->dir);
	free(lk);
}

static const char *field_or(const struct node *n, const char *f,
			    const char *dflt)
{
	const char *v = node_get(n, f);

	return v && *v ? v : dflt;
}

/*
 * The one place a name becomes a component of a state path: never empty,
 * ".", "..", nor with '/' or a control character, whatever the checks
 * where the name entered (config/, instances.json) let through.
 */
static bool component_ok(const char *s)
{
	size_t i;

	if (!s || !*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; s[i]; i++)
		if (s[i] == '/' || str_is_control((unsigned char)s[i]))
			return false;
	return true;
}

/* "<dir>/<name>", or NULL reported when name cannot be a component. */
static char *join(const char *dir, const char *name)
{
	if (!component_ok(name)) {
		error("'%s' cannot name a directory in the state directory",
		      name ? name : "");
		return NULL;
	}
	return xasprintf("%s/%s", dir, name);
}

char *statedir_def_dir(const char *dir, const struct node *n)
{
	char *name = xasprintf("%s-%s-%s", field_or(n, "Label", "?"),
			       n->role, field_or(n, "Tag", "?"));
	char *s = join(dir, name);

	free(name);
	return s;
}

char *statedir_node_dir(const char *dir, const struct node *n)
{
	char *d = statedir_def_dir(dir, n), *s;

	if (!d)
		return NULL;
	s = join(d, n->name);
	free(d);
	return s;
}

/* mkdir, then what is there must be a directory, not a symbolic link. */
static int own_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) && errno != EEXIST)
		return error("cannot create '%s': %s", path, strerror(errno));
	if (lstat(path, &st))
		return error("cannot read '%s': %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return error("'%s' is a symbolic link: icm writes only into "
			     "the state directory's own directories", path);
	if (!S_ISDIR(st.st_mode))
		return error("'%s' is not a directory", path);
	return 0;
}

int statedir_mkdir(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	char *p, *c;
	int ret = -1;

	if (strncmp(path, dir, n) || path[n] != '/' || !path[n + 1])
		return error("'%s' is not in the state directory '%s'", path,
			     dir);
	if (fs_mkdirs(dir, 0700))
		return error("cannot create state directory '%s': %s", dir,
			     fs_strerror(errno));
	p = xstrdup(path);
	for (c = p + n + 1;; c++) {
		char keep = *c;

		if (keep && keep != '/')
			continue;
		*c = '\0';
		if (!component_ok(strrchr(p, '/') + 1)) {
			error("'%s' cannot name a directory in the state "
			      "directory", strrchr(p, '/') + 1);
			goto out;
		}
		if (own_dir(p))
			goto out;
		*c = keep;
		if (!keep)
			break;
	}
	ret = 0;
out:
	free(p);
	return ret;
}
