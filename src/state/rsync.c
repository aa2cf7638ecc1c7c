/*
 * rsync.c: the working copy and the store made the same (remote.h): the
 * pull (store -> working copy), the push (working copy -> store), the
 * journal's chunks and icm.log's lines.
 */
#include "remote_int.h"
#include "statedir.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <dirent.h>

#define WALK_DEPTH_MAX 16
#define STATE_PREFIX "state/"
#define JOURNAL_PREFIX "journal/"
#define INSTANCES_NAME "instances.json"
#define LOG_NAME "icm.log"
#define LOG_PATH "icm.log"	/* where log_open() writes (ctx.c) */

static struct rentry *entry_find(struct remote *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->e[i].name, name))
			return &r->e[i];
	return NULL;
}

struct rentry *remote_entry_add(struct remote *r, const char *name)
{
	struct rentry *e;

	if (r->n == r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc : 64;
		r->e = xrealloc(r->e, r->alloc * sizeof(*r->e));
	}
	e = &r->e[r->n++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	return e;
}

static void entry_drop(struct remote *r, struct rentry *e)
{
	free(e->name);
	*e = r->e[--r->n];
}

void remote_entries_release(struct remote *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->e[i].name);
	free(r->e);
	r->e = NULL;
	r->n = r->alloc = 0;
	for (i = 0; i < r->nchunks; i++)
		free(r->chunks[i].name);
	free(r->chunks);
	r->chunks = NULL;
	r->nchunks = r->achunks = 0;
	free(r->inst.name);
	memset(&r->inst, 0, sizeof(r->inst));
}

/* A working-copy file icm keeps to itself: the local lock, the journal
 * (pushed in chunks), fs_write_atomic()'s temporary files. */
bool remote_local_only(const char *rel)
{
	const char *t = strstr(rel, ".tmp.");

	if (!strcmp(rel, "lock") || !strcmp(rel, "journal") ||
	    !strcmp(rel, REMOTE_MANIFEST))
		return true;
	if (t && t[5] && strspn(t + 5, "0123456789") == strlen(t + 5))
		return true;
	return false;
}

/* An object name's path below the working copy is safe to make: the
 * names icm writes, never "..", "." or an empty segment, no control
 * character (the store's names are untrusted). */
bool remote_rel_ok(const char *rel)
{
	const char *s = rel;
	size_t n = strlen(rel);

	if (!n || n >= PATH_MAX / 2 || rel[0] == '/' || rel[n - 1] == '/')
		return false;
	for (; *s; s++)
		if (str_is_control((unsigned char)*s) || *s == '\\')
			return false;
	for (s = rel; s;) {
		const char *end = strchr(s, '/');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		if (!len || (len == 1 && s[0] == '.') ||
		    (len == 2 && !strncmp(s, "..", 2)))
			return false;
		s = end ? end + 1 : NULL;
	}
	return true;
}

/* Calls fn for every regular file below dir (relative names), no
 * symbolic link followed.  -1 when fn fails or a directory cannot be
 * read (reported). */
static int walk(const char *dir, const char *rel, int depth,
		int (*fn)(void *arg, const char *rel, const char *path),
		void *arg)
{
	char *path = *rel ? xasprintf("%s/%s", dir, rel) : xstrdup(dir);
	DIR *d = opendir(path);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		ret = errno == ENOENT ? 0 :
			error("cannot read '%s': %s", path, strerror(errno));
		free(path);
		return ret;
	}
	if (depth > WALK_DEPTH_MAX) {
		closedir(d);
		ret = error("'%s': directories nested too deep", path);
		free(path);
		return ret;
	}
	while (!ret && (de = readdir(d))) {
		char *r2, *p2;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r2 = *rel ? xasprintf("%s/%s", rel, de->d_name) :
			xstrdup(de->d_name);
		p2 = xasprintf("%s/%s", dir, r2);
		if (lstat(p2, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				ret = walk(dir, r2, depth + 1, fn, arg);
			else if (S_ISREG(st.st_mode) &&
				 !remote_local_only(r2))
				ret = fn(arg, r2, p2);
		}
		free(r2);
		free(p2);
	}
	closedir(d);
	free(path);
	return ret;
}

static int read_local(const char *path, struct buf *b)
{
	buf_init(b, REMOTE_OBJECT_CAP);
	if (fs_read_file(path, b))
		return error("cannot read '%s': %s", path,
			     fs_strerror(errno));
	return 0;
}

/* Writes data to dir/rel (directories made as the state directory's
 * own), mode 0600. */
static int write_local(const char *dir, const char *rel, const void *data,
		       size_t len)
{
	char *path = xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(path, '/');
	int ret = -1;

	*slash = '\0';
	if (strcmp(path, dir) && statedir_mkdir(dir, path))
		goto out;
	*slash = '/';
	if (fs_write_atomic(path, data, len, 0600)) {
		error("cannot write '%s': %s", path, fs_strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(path);
	return ret;
}

/* ---- pull ---- */

struct listing {
	struct remote *r;
	struct rentry *state;		/* the store's state/ objects */
	size_t n, alloc;
	struct rentry *chunks;
	size_t nchunks, achunks;
	char inst_etag[S3_ETAG_MAX];
	size_t plen;			/* the prefix's length with its '/' */
};

static void listing_release(struct listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->state[i].name);
	for (i = 0; i < l->nchunks; i++)
		free(l->chunks[i].name);
	free(l->state);
	free(l->chunks);
}

static void push_entry(struct rentry **v, size_t *n, size_t *alloc,
		       const char *name, const char *etag)
{
	if (*n == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 64;
		*v = xrealloc(*v, *alloc * sizeof(**v));
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].name = xstrdup(name);
	strlcpy_icm((*v)[*n].etag, etag, S3_ETAG_MAX);
	(*n)++;
}

static int on_object(void *arg, const char *key, const char *etag,
		     int64_t size)
{
	struct listing *l = arg;
	const char *name = key + l->plen;

	(void)size;
	if (strlen(key) < l->plen)
		return 0;
	if (str_starts(name, STATE_PREFIX)) {
		if (!remote_rel_ok(name + strlen(STATE_PREFIX))) {
			char *w = remote_where(l->r, name);

			error("%s: not a name icm writes in a state "
			      "directory; refusing to use this state", w);
			free(w);
			return -1;
		}
		push_entry(&l->state, &l->n, &l->alloc, name, etag);
	} else if (str_starts(name, JOURNAL_PREFIX)) {
		if (l->nchunks >= REMOTE_CHUNKS_MAX)
			return error("%s: more than %d journal chunks",
				     l->r->url, REMOTE_CHUNKS_MAX);
		push_entry(&l->chunks, &l->nchunks, &l->achunks, name, etag);
	} else if (!strcmp(name, INSTANCES_NAME)) {
		strlcpy_icm(l->inst_etag, etag, S3_ETAG_MAX);
	}
	return 0;
}

static int list_store(struct remote *r, struct listing *l)
{
	char *prefix = remote_key(r, "");
	char *err = NULL;
	int ret;

	memset(l, 0, sizeof(*l));
	l->r = r;
	l->plen = strlen(prefix);
	ret = s3_list(r->s3, prefix, on_object, l, &err);
	if (ret && err)
		error("cannot list %s: %s", r->url, err);
	free(err);
	free(prefix);
	return ret ? -1 : 0;
}

/* The journal's chunks as the store has them, when they differ from what
 * this process knows: fetched, joined, written to dir/journal. */
static int pull_journal(struct remote *r, const char *dir,
			struct listing *l)
{
	struct buf all, one;
	struct s3_info info;
	char *path = xasprintf("%s/journal", dir);
	size_t i;
	bool same = l->nchunks == r->nchunks && fs_exists(path);
	int ret = -1, got;

	for (i = 0; same && i < l->nchunks; i++)
		same = !strcmp(l->chunks[i].name, r->chunks[i].name) &&
			!strcmp(l->chunks[i].etag, r->chunks[i].etag);
	if (same) {
		ret = 0;
		goto done;
	}
	buf_init(&all, (size_t)REMOTE_CHUNKS_MAX * REMOTE_CHUNK);
	for (i = 0; i < l->nchunks; i++) {
		char want[32];

		snprintf(want, sizeof(want), JOURNAL_PREFIX "%08zu", i);
		if (strcmp(l->chunks[i].name, want)) {
			char *w = remote_where(r, l->chunks[i].name);

			error("%s: the journal's chunks are not numbered "
			      "0, 1, 2, ... (expected %s); refusing to use "
			      "this state", w, want);
			free(w);
			goto out;
		}
		got = remote_get(r, NULL, want, &one, &info);
		if (got != S3_OK) {
			if (got == S3_NOT_FOUND)
				error("%s: journal chunk %s went away while it "
				      "was read; try again", r->url, want);
			buf_release(&one);
			goto out;
		}
		strlcpy_icm(l->chunks[i].etag, info.etag, S3_ETAG_MAX);
		if (i + 1 == l->nchunks) {
			r->chunk_start = (int64_t)all.len;
			r->chunk_full = one.len >= REMOTE_CHUNK;
			if (r->chunk_full)
				r->chunk_start += (int64_t)one.len;
		}
		if (one.len && buf_add(&all, one.data, one.len)) {
			buf_release(&one);
			error("%s: the journal is over its cap", r->url);
			goto out;
		}
		buf_release(&one);
	}
	if (l->nchunks) {
		if (fs_write_atomic(path, all.data ? all.data : "", all.len,
				    0600)) {
			error("cannot write '%s': %s", path,
			      fs_strerror(errno));
			goto out;
		}
	} else {
		r->chunk_start = 0;
		r->chunk_full = true;
		if (unlink(path) && errno != ENOENT) {
			error("cannot remove '%s': %s", path, strerror(errno));
			goto out;
		}
	}
	r->journal_pushed = (int64_t)all.len;
	for (i = 0; i < r->nchunks; i++)
		free(r->chunks[i].name);
	free(r->chunks);
	r->chunks = l->chunks;
	r->nchunks = l->nchunks;
	r->achunks = l->achunks;
	l->chunks = NULL;
	l->nchunks = l->achunks = 0;
	ret = 0;
out:
	buf_release(&all);
done:
	free(path);
	return ret;
}

/* One state/ object into dir, unless the local file already is it. */
static int pull_object(struct remote *r, const char *dir,
		       const struct rentry *le)
{
	const char *rel = le->name + strlen(STATE_PREFIX);
	struct rentry *e = entry_find(r, le->name);
	char *path = xasprintf("%s/%s", dir, rel);
	struct s3_info info;
	struct buf b;
	int ret = -1, got;

	buf_init(&b, REMOTE_OBJECT_CAP);
	if (e && !strcmp(e->etag, le->etag) && e->have_hash) {
		uint8_t h[32];

		if (fs_read_file(path, &b) == 0) {
			remote_hash(b.data, b.len, h);
			if (!memcmp(h, e->hash, 32)) {
				ret = 0;
				goto out;
			}
		}
		buf_wipe(&b);
	}
	got = remote_get(r, NULL, le->name, &b, &info);
	if (got == S3_NOT_FOUND) {	/* deleted since the listing */
		ret = 0;
		goto out;
	}
	if (got != S3_OK || write_local(dir, rel, b.data ? b.data : "",
					b.len))
		goto out;
	if (!e)
		e = remote_entry_add(r, le->name);
	strlcpy_icm(e->etag, info.etag, S3_ETAG_MAX);
	remote_hash(b.data, b.len, e->hash);
	e->have_hash = true;
	ret = 0;
out:
	buf_wipe(&b);
	free(path);
	return ret;
}

struct sweep {
	struct remote *r;
	const char *dir;
};

/* A local file the store does not have goes (the store is the truth). */
static int sweep_file(void *arg, const char *rel, const char *path)
{
	struct sweep *s = arg;
	char *name = xasprintf(STATE_PREFIX "%s", rel);
	struct rentry *e = entry_find(s->r, name);
	int ret = 0;

	if ((!e || !*e->etag) && unlink(path) && errno != ENOENT)
		ret = error("cannot remove '%s': %s", path, strerror(errno));
	if (e && !*e->etag)
		entry_drop(s->r, e);
	free(name);
	return ret;
}

static int pull_instances(struct remote *r, const char *etag)
{
	struct s3_info info;
	struct buf b;
	int ret = -1, got;

	if (!r->inst.name)
		r->inst.name = xstrdup(INSTANCES_NAME);
	if (!*etag) {
		/* not in the store: the local file, if any, is a baseline
		 * (pushed only when this command changes it) */
		r->inst.etag[0] = '\0';
		r->inst.have_hash = false;
		if (!fs_exists(r->instances_path))
			return 0;
		if (read_local(r->instances_path, &b)) {
			buf_wipe(&b);
			return -1;
		}
		remote_hash(b.data, b.len, r->inst.hash);
		r->inst.have_hash = true;
		buf_wipe(&b);
		return 0;
	}
	if (!strcmp(r->inst.etag, etag) && r->inst.have_hash &&
	    fs_exists(r->instances_path)) {
		uint8_t h[32];

		if (read_local(r->instances_path, &b))
			return -1;
		remote_hash(b.data, b.len, h);
		buf_wipe(&b);
		if (!memcmp(h, r->inst.hash, 32))
			return 0;
	}
	got = remote_get(r, NULL, INSTANCES_NAME, &b, &info);
	if (got == S3_NOT_FOUND) {
		ret = pull_instances(r, "");
		goto out;
	}
	if (got != S3_OK)
		goto out;
	if (fs_write_atomic(r->instances_path, b.data ? b.data : "", b.len,
			    0600)) {
		error("cannot write '%s': %s", r->instances_path,
		      fs_strerror(errno));
		goto out;
	}
	strlcpy_icm(r->inst.etag, info.etag, S3_ETAG_MAX);
	remote_hash(b.data, b.len, r->inst.hash);
	r->inst.have_hash = true;
	ret = 0;
out:
	buf_wipe(&b);
	return ret;
}

int remote_pull_into(struct remote *r, const char *dir)
{
	struct listing l;
	struct sweep sw = { r, dir };
	size_t i;
	int ret = -1;

	if (list_store(r, &l))
		goto out;
	if (fs_mkdirs(dir, 0700)) {
		error("cannot create '%s': %s", dir, fs_strerror(errno));
		goto out;
	}
	/* what this process knew of and the store no longer has */
	for (i = 0; i < r->n; i++)
		r->e[i].seen = false;
	for (i = 0; i < l.n; i++) {
		struct rentry *e = entry_find(r, l.state[i].name);

		if (e)
			e->seen = true;
	}
	for (i = r->n; i-- > 0;)
		if (!r->e[i].seen)
			r->e[i].etag[0] = '\0';
	for (i = 0; i < l.n; i++)
		if (pull_object(r, dir, &l.state[i]))
			goto out;
	if (walk(dir, "", 0, sweep_file, &sw) ||
	    pull_journal(r, dir, &l) || pull_instances(r, l.inst_etag))
		goto out;
	if (!strcmp(dir, r->workdir))
		remote_manifest_save(r, dir);
	ret = 0;
out:
	/* half a pull is no base for a push: it would delete what it did
	 * not fetch */
	if (!strcmp(dir, r->workdir))
		r->synced = !ret && r->locked;
	listing_release(&l);
	return ret;
}

/* ---- push ---- */

static int push_file(void *arg, const char *rel, const char *path)
{
	struct remote *r = arg;
	char *name = xasprintf(STATE_PREFIX "%s", rel);
	struct rentry *e = entry_find(r, name);
	uint8_t h[32];
	struct buf b;
	int ret = -1;

	if (!e)
		e = remote_entry_add(r, name);
	e->seen = true;
	buf_init(&b, REMOTE_OBJECT_CAP);
	if (fs_read_file(path, &b)) {
		if (errno != EFBIG) {
			error("cannot read '%s': %s", path,
			      fs_strerror(errno));
			goto out;
		}
		/* a command's output too large to keep: the store keeps
		 * what it had (the state icm needs is far smaller) */
		warning("'%s' is over %u MB: not kept in %s", path,
			REMOTE_OBJECT_CAP >> 20, r->url);
		ret = 0;
		goto out;
	}
	remote_hash(b.data, b.len, h);
	if (e->have_hash && *e->etag && !memcmp(h, e->hash, 32)) {
		ret = 0;
		goto out;
	}
	ret = remote_put(r, e, b.data ? b.data : "", b.len);
out:
	buf_wipe(&b);
	free(name);
	return ret;
}

/* The records of the local journal not yet in the store, into its open
 * chunk (a new one once the last holds REMOTE_CHUNK bytes).  r->mu held. */
static int push_journal(struct remote *r)
{
	struct buf b;
	struct rentry *c;
	int64_t end;
	int ret = -1;

	if (read_local(r->journal_path, &b))
		return -1;
	end = (int64_t)b.len;
	if (end < r->journal_pushed) {
		ret = error("'%s' is shorter than the journal in %s; the "
			    "working copy was changed by hand", r->journal_path,
			    r->url);
		goto out;
	}
	if (end == r->journal_pushed) {
		ret = 0;
		goto out;
	}
	if (r->chunk_full) {
		char name[32];

		if (r->nchunks >= REMOTE_CHUNKS_MAX) {
			ret = error("%s: more than %d journal chunks", r->url,
				    REMOTE_CHUNKS_MAX);
			goto out;
		}
		if (r->nchunks == r->achunks) {
			r->achunks = r->achunks ? 2 * r->achunks : 16;
			r->chunks = xrealloc(r->chunks,
					     r->achunks * sizeof(*r->chunks));
		}
		snprintf(name, sizeof(name), JOURNAL_PREFIX "%08zu",
			 r->nchunks);
		c = &r->chunks[r->nchunks++];
		memset(c, 0, sizeof(*c));
		c->name = xstrdup(name);
		r->chunk_full = false;
	}
	c = &r->chunks[r->nchunks - 1];
	if (remote_put(r, c, b.data + r->chunk_start,
		       (size_t)(end - r->chunk_start)))
		goto out;
	r->journal_pushed = end;
	if (end - r->chunk_start >= (int64_t)REMOTE_CHUNK) {
		r->chunk_full = true;
		r->chunk_start = end;
	}
	ret = 0;
out:
	buf_release(&b);
	return ret;
}

static int push_instances(struct remote *r)
{
	struct buf b;
	uint8_t h[32];
	int ret = -1;

	if (!r->inst.name)
		r->inst.name = xstrdup(INSTANCES_NAME);
	if (!fs_exists(r->instances_path)) {
		ret = *r->inst.etag ? remote_delete(r, &r->inst) : 0;
		r->inst.have_hash = false;
		return ret;
	}
	if (read_local(r->instances_path, &b))
		return -1;
	remote_hash(b.data, b.len, h);
	if (r->inst.have_hash && !memcmp(h, r->inst.hash, 32))
		ret = 0;
	else
		ret = remote_put(r, &r->inst, b.data ? b.data : "", b.len);
	buf_wipe(&b);
	return ret;
}

int remote_chunks_delete(struct remote *r)
{
	while (r->nchunks) {
		struct rentry *c = &r->chunks[r->nchunks - 1];

		if (*c->etag && remote_delete(r, c))
			return -1;
		free(c->name);
		r->nchunks--;
	}
	r->chunk_start = r->journal_pushed = 0;
	r->chunk_full = true;
	return 0;
}

int remote_push_from(struct remote *r, const char *dir)
{
	size_t i;
	int ret = -1;

	if (remote_lock_check(r))
		return -1;
	if (!r->synced && !strcmp(dir, r->workdir))
		return error("%s: the working copy %s was not pulled whole; "
			     "nothing pushed", r->url, r->workdir);
	pthread_mutex_lock(&r->mu);
	for (i = 0; i < r->n; i++)
		r->e[i].seen = false;
	if (walk(dir, "", 0, push_file, r))
		goto out;
	for (i = r->n; i-- > 0;) {
		if (r->e[i].seen)
			continue;
		if (*r->e[i].etag && remote_delete(r, &r->e[i]))
			goto out;
		entry_drop(r, &r->e[i]);
	}
	if (fs_exists(r->journal_path)) {
		if (push_journal(r))
			goto out;
	} else if (remote_chunks_delete(r)) {
		goto out;
	}
	if (push_instances(r))
		goto out;
	/* nothing of the state left (unprovision -cleanUp): its key check
	 * goes too, so a new deployment there may use a new key */
	if (!r->n && !r->nchunks && !*r->inst.etag && r->keycheck_exists &&
	    remote_keycheck_delete(r))
		goto out;
	ret = 0;
out:
	pthread_mutex_unlock(&r->mu);
	return ret;
}

int remote_journal_sync(struct remote *r)
{
	int ret;

	if (remote_lock_check(r))
		return -1;
	pthread_mutex_lock(&r->mu);
	ret = push_journal(r);
	pthread_mutex_unlock(&r->mu);
	return ret;
}

/* ---- icm.log ---- */

int remote_log_append(struct remote *r)
{
	struct buf local, store, all;
	struct rentry e = { .name = (char *)LOG_NAME };
	struct s3_info info;
	size_t from, keep;
	int ret = -1, tries, got;

	buf_init(&local, REMOTE_LOG_KEEP * 2);
	if (fs_read_file(LOG_PATH, &local) ||
	    (int64_t)local.len <= r->log_start) {
		buf_release(&local);
		return 0;	/* nothing logged (or the log was replaced) */
	}
	from = (size_t)r->log_start;
	for (tries = 0; tries < 3; tries++) {
		got = remote_get(r, NULL, LOG_NAME, &store, &info);
		if (got < 0)
			goto out;
		strlcpy_icm(e.etag, got == S3_OK ? info.etag : "",
			    S3_ETAG_MAX);
		buf_init(&all, REMOTE_LOG_KEEP * 4);
		keep = store.len > REMOTE_LOG_KEEP ? REMOTE_LOG_KEEP :
			store.len;
		if (keep < store.len) {	/* from a line's start */
			const char *nl = memchr(store.data + store.len - keep,
						'\n', keep);

			keep = nl ? store.len - (size_t)(nl + 1 - store.data) :
				0;
		}
		if ((keep && buf_add(&all, store.data + store.len - keep,
				     keep)) ||
		    buf_add(&all, local.data + from, local.len - from)) {
			buf_release(&store);
			error("%s: icm.log over its cap", r->url);
			goto out;
		}
		buf_release(&store);
		got = remote_put(r, &e, all.data, all.len);
		buf_release(&all);
		if (got == 0) {
			ret = 0;
			goto out;
		}
	}
out:
	buf_release(&local);
	return ret;
}
