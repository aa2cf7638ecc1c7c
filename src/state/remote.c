/*
 * remote.c: a command's session with its remote state (remote.h): the
 * settings, the store's client, the state key and its check, objects read
 * and written (sealed where they hold secrets), and the runner's entry
 * points.
 */
#include "remote_int.h"
#include "journal.h"
#include "statedir.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <bearssl.h>

/* The remote being written by this process, for the journal hook. */
static struct remote *active;
static pthread_mutex_t active_mu = PTHREAD_MUTEX_INITIALIZER;

char *remote_key(const struct remote *r, const char *name)
{
	return *r->u.prefix ? xasprintf("%s/%s", r->u.prefix, name) :
		xstrdup(name);
}

char *remote_where(const struct remote *r, const char *name)
{
	return xasprintf("s3://%s/%s%s%s", r->u.bucket, r->u.prefix,
			 *r->u.prefix && *name ? "/" : "", name);
}

void remote_hash(const void *data, size_t len, uint8_t out[32])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, data, len);
	br_sha256_out(&c, out);
}

const char *remote_workdir(const struct remote *r)
{
	return r->workdir;
}

const char *remote_url(const struct remote *r)
{
	return r->url;
}

char *remote_shown(const char *s, size_t max)
{
	size_t n = strnlen(s, max), i;
	char *t = xstrndup(s, n);

	for (i = 0; i < n; i++)
		if (str_is_control((unsigned char)t[i]))
			t[i] = '?';
	return t;
}

/* ---- objects ---- */

static char *aad_of(const char *name)
{
	return xasprintf(REMOTE_AAD "%s", name);
}

/* Holds a private key or a registered secret: sealed in the store. */
static bool holds_secret(const struct buf *b)
{
	return b->len && (memmem(b->data, b->len, "PRIVATE KEY", 11) ||
			  secret_found(b->data));
}

static const char *key_help(void)
{
	return "give the file of the state's key with ICM_STATE_KEY_FILE or "
		"the StateKeyFile field";
}

int remote_get(struct remote *r, struct s3 *s, const char *name,
	       struct buf *out, struct s3_info *info)
{
	char *key = remote_key(r, name), *err = NULL, *w = NULL;
	char *aad = NULL;
	const char *why = NULL;
	struct buf raw;
	int ret, got;

	buf_init(out, REMOTE_OBJECT_CAP);
	buf_init(&raw, REMOTE_OBJECT_CAP + SEAL_OVERHEAD);
	memset(info, 0, sizeof(*info));
	got = s3_get(s ? s : r->s3, key, &raw, info, &err);
	ret = got;
	if (got < 0) {
		w = remote_where(r, name);
		error("cannot read %s: %s", w, err ? err : "failed");
		goto out;
	}
	if (got != S3_OK)
		goto out;
	if (!seal_is_sealed(raw.data, raw.len)) {
		if (raw.len && buf_add(out, raw.data, raw.len))
			ret = error("%s: over the cap", r->url);
		goto out;
	}
	w = remote_where(r, name);
	if (!r->have_key) {
		ret = error("%s is sealed with the state's key: %s", w,
			    key_help());
		goto out;
	}
	aad = aad_of(name);
	if (unseal(&r->key, aad, raw.data, raw.len, out, &why))
		ret = error("%s cannot be opened with the state key in %s: "
			    "%s", w, r->key_file, why ? why : "refused");
out:
	buf_wipe(&raw);
	free(aad);
	free(key);
	free(err);
	free(w);
	return ret;
}

/* After a 412: the store holds exactly what we sent (our own earlier
 * attempt, whose answer was lost)?  Then that is ours. */
static bool store_holds(struct remote *r, const char *key, const void *body,
			size_t len, char *etag)
{
	struct buf b;
	struct s3_info info;
	char *err = NULL;
	bool same;

	buf_init(&b, REMOTE_OBJECT_CAP + SEAL_OVERHEAD);
	same = s3_get(r->s3, key, &b, &info, &err) == S3_OK &&
		b.len == len && (!len || !memcmp(b.data, body, len));
	if (same)
		strlcpy_icm(etag, info.etag, S3_ETAG_MAX);
	buf_wipe(&b);
	free(err);
	return same;
}

int remote_put(struct remote *r, struct rentry *e, const void *data,
	       size_t len)
{
	char *key = remote_key(r, e->name), *err = NULL, *w = NULL;
	char *aad = NULL;
	struct buf plain, sealed;
	const void *body = data;
	size_t blen = len;
	struct s3_info info;
	int ret = -1, got;

	buf_init(&plain, REMOTE_OBJECT_CAP);
	buf_init(&sealed, REMOTE_OBJECT_CAP + SEAL_OVERHEAD);
	if (len && buf_add(&plain, data, len)) {
		w = remote_where(r, e->name);
		error("%s: over the cap of %u bytes", w, REMOTE_OBJECT_CAP);
		goto out;
	}
	if (holds_secret(&plain)) {
		w = remote_where(r, e->name);
		if (!r->have_key) {
			error("%s holds a secret and is sealed in the store: "
			      "%s", w, key_help());
			goto out;
		}
		aad = aad_of(e->name);
		if (seal(&r->key, aad, data, len, &sealed)) {
			error("%s: cannot seal it", w);
			goto out;
		}
		body = sealed.data;
		blen = sealed.len;
	}
	got = s3_put(r->s3, key, body, blen, *e->etag ? e->etag : NULL,
		     !*e->etag, &info, &err);
	if (got == S3_PRECONDITION &&
	    store_holds(r, key, body, blen, info.etag))
		got = S3_OK;
	if (got != S3_OK) {
		free(w);
		w = remote_where(r, e->name);
		if (got == S3_PRECONDITION)
			error("%s was %s in the store since this command read "
			      "it; not overwritten (another icm is writing "
			      "this state: see 'icm state lock status')", w,
			      *e->etag ? "changed" : "made");
		else
			error("cannot write %s: %s", w, err ? err : "failed");
		goto out;
	}
	strlcpy_icm(e->etag, info.etag, S3_ETAG_MAX);
	remote_hash(data, len, e->hash);
	e->have_hash = true;
	ret = 0;
out:
	buf_wipe(&plain);
	buf_wipe(&sealed);
	free(aad);
	free(key);
	free(err);
	free(w);
	return ret;
}

int remote_delete(struct remote *r, struct rentry *e)
{
	char *key = remote_key(r, e->name), *err = NULL, *w = NULL;
	int ret = -1, got;

	got = s3_delete(r->s3, key, *e->etag ? e->etag : NULL, &err);
	if (got != S3_OK) {
		w = remote_where(r, e->name);
		if (got == S3_PRECONDITION)
			error("%s was changed in the store since this command "
			      "read it; not deleted (another icm is writing "
			      "this state: see 'icm state lock status')", w);
		else
			error("cannot delete %s: %s", w, err ? err : "failed");
		goto out;
	}
	e->etag[0] = '\0';
	e->have_hash = false;
	ret = 0;
out:
	free(key);
	free(err);
	free(w);
	return ret;
}

/* ---- the state key ---- */

static void key_id(const struct seal_key *k, char out[17])
{
	br_sha256_context c;
	uint8_t h[32];
	size_t i;

	br_sha256_init(&c);
	br_sha256_update(&c, "icm state key id", 16);
	br_sha256_update(&c, k->k, SEAL_KEY_LEN);
	br_sha256_out(&c, h);
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/*
 * keycheck = "icm-keycheck v1 id=<key id> file=<name>\n" + sealed text:
 * the plain line says which key a command needs without it, the sealed
 * part proves a key given is that one.
 */
static int keycheck_verify(struct remote *r)
{
	char *key = remote_key(r, REMOTE_KEYCHECK), *err = NULL;
	char *aad = aad_of(REMOTE_KEYCHECK), *line = NULL, *w = NULL;
	struct buf raw, plain;
	struct s3_info info;
	const char *nl, *why = NULL;
	int ret = -1, got;

	buf_init(&raw, 4096);
	buf_init(&plain, 4096);
	w = remote_where(r, REMOTE_KEYCHECK);
	got = s3_get(r->s3, key, &raw, &info, &err);
	if (got < 0) {
		error("cannot read %s: %s", w, err ? err : "failed");
		goto out;
	}
	r->keycheck_exists = got == S3_OK;
	if (!r->keycheck_exists) {
		ret = 0;
		goto out;
	}
	nl = raw.len ? memchr(raw.data, '\n', raw.len) : NULL;
	if (!nl || !str_starts(raw.data, "icm-keycheck v1 ")) {
		error("%s: not a key check icm wrote", w);
		goto out;
	}
	/* the store's words: shown, never as they came */
	line = remote_shown(raw.data, (size_t)(nl - raw.data) < 256 ?
			    (size_t)(nl - raw.data) : 256);
	if (!r->have_key) {
		error("%s: its secrets are sealed with the state key %s; "
		      "this command has no key: %s", r->url, line + 16,
		      key_help());
		goto out;
	}
	if (unseal(&r->key, aad, nl + 1, raw.len - (size_t)(nl + 1 - raw.data),
		   &plain, &why) ||
	    plain.len != strlen(REMOTE_KEYCHECK_TEXT) ||
	    memcmp(plain.data, REMOTE_KEYCHECK_TEXT, plain.len)) {
		error("the state key in %s (id=%s) is not the key of %s, "
		      "which needs %s: %s", r->key_file, r->key_id, r->url,
		      line + 16, key_help());
		goto out;
	}
	ret = 0;
out:
	buf_wipe(&plain);
	buf_release(&raw);
	free(line);
	free(key);
	free(aad);
	free(err);
	free(w);
	return ret;
}

int remote_keycheck_write(struct remote *r)
{
	char *key, *err = NULL, *aad, *head, *w;
	const char *base;
	struct buf b;
	struct s3_info info;
	int ret = -1, got;

	if (r->keycheck_exists)
		return 0;
	w = remote_where(r, "");
	if (!r->have_key) {
		error("%s: a state in S3 needs a state key, for the secrets "
		      "it holds (icm keygen state makes one): %s", w,
		      key_help());
		free(w);
		return -1;
	}
	base = strrchr(r->key_file, '/');
	base = base ? base + 1 : r->key_file;
	key = remote_key(r, REMOTE_KEYCHECK);
	aad = aad_of(REMOTE_KEYCHECK);
	head = xasprintf("icm-keycheck v1 id=%s file=%s\n", r->key_id, base);
	buf_init(&b, 4096);
	if (buf_adds(&b, head) ||
	    seal(&r->key, aad, REMOTE_KEYCHECK_TEXT,
		 strlen(REMOTE_KEYCHECK_TEXT), &b)) {
		error("%s: cannot make its key check", w);
		goto out;
	}
	got = s3_put(r->s3, key, b.data, b.len, NULL, true, &info, &err);
	if (got == S3_PRECONDITION) {	/* another writer made one first */
		ret = keycheck_verify(r);
		goto out;
	}
	if (got != S3_OK) {
		error("cannot write %s%s: %s", w, REMOTE_KEYCHECK,
		      err ? err : "failed");
		goto out;
	}
	r->keycheck_exists = true;
	ret = 0;
out:
	buf_release(&b);
	free(head);
	free(aad);
	free(key);
	free(err);
	free(w);
	return ret;
}

int remote_keycheck_delete(struct remote *r)
{
	struct rentry e = { .name = (char *)REMOTE_KEYCHECK };

	if (remote_delete(r, &e))
		return -1;
	r->keycheck_exists = false;
	return 0;
}

/* ---- settings ---- */

static const char *setting(remote_field_fn field, void *arg,
			   const char *name, const char *env)
{
	const char *v = env ? getenv(env) : NULL;

	if (v && *v)
		return v;
	v = field ? field(arg, name) : NULL;
	return v && *v ? v : NULL;
}

static int settings(struct remote *r, remote_field_fn field, void *arg)
{
	const char *v;
	long lease;

	v = field ? field(arg, "StateEndpoint") : NULL;
	if (!v || !*v)
		v = getenv("AWS_ENDPOINT_URL_S3");
	if (!v || !*v)
		v = getenv("AWS_ENDPOINT_URL");
	if (v && *v) {
		if (!str_starts(v, "https://") && !str_starts(v, "http://"))
			return error("StateEndpoint: expected an http(s):// "
				     "URL, got '%s'", v);
		r->endpoint = xstrdup(v);
	}
	v = field ? field(arg, "StateRegion") : NULL;
	if (!v || !*v)
		v = getenv("AWS_REGION");
	if (!v || !*v)
		v = getenv("AWS_DEFAULT_REGION");
	r->region = xstrdup(v && *v ? v : "us-east-1");
	v = field ? field(arg, "StatePathStyle") : NULL;
	r->path_style = v && *v ? !strcasecmp(v, "true") : r->endpoint != NULL;
	r->lease_s = REMOTE_LEASE_DEFAULT;
	v = setting(field, arg, "StateLockLease", NULL);
	if (v) {
		if (str_to_long(v, &lease) || lease < REMOTE_LEASE_MIN ||
		    lease > REMOTE_LEASE_MAX)
			return error("StateLockLease: expected a number of "
				     "seconds from %d to %d, got '%s'",
				     REMOTE_LEASE_MIN, REMOTE_LEASE_MAX, v);
		r->lease_s = (int)lease;
	}
	v = setting(field, arg, "StateKeyFile", "ICM_STATE_KEY_FILE");
	if (v)
		r->key_file = xstrdup(v);
	return 0;
}

int remote_open(const char *url, remote_field_fn field, void *arg,
		const char *instances_path, unsigned flags,
		struct remote **out)
{
	struct remote *r = xcalloc(1, sizeof(*r));
	char *why = NULL;
	const char *creds;
	struct stat st;
	int ret = -1;

	pthread_mutex_init(&r->mu, NULL);
	r->wake[0] = r->wake[1] = -1;
	r->chunk_full = true;
	r->url = xstrdup(url);
	if (state_url_parse(url, &r->u, &why)) {
		error("-stateDir: %s", why);
		goto out;
	}
	r->workdir = *r->u.prefix ?
		xasprintf(REMOTE_WORKDIR "/%s/%s", r->u.bucket, r->u.prefix) :
		xasprintf(REMOTE_WORKDIR "/%s", r->u.bucket);
	r->journal_path = xasprintf("%s/journal", r->workdir);
	r->local_lock = xasprintf("%s/lock", r->workdir);
	r->instances_path = xstrdup(instances_path);
	r->log_start = stat("icm.log", &st) == 0 ? (int64_t)st.st_size : 0;
	if (settings(r, field, arg))
		goto out;
	creds = field ? field(arg, "StateCredentials") : NULL;
	if (aws_creds_load(&r->creds, creds && *creds ? creds : NULL, &why)) {
		error("%s: the store's credentials: %s", url, why);
		goto out;
	}
	r->cfg = (struct s3_config){
		.bucket = r->u.bucket, .endpoint = r->endpoint,
		.region = r->region, .path_style = r->path_style,
		.creds = &r->creds,
	};
	if (s3_open(&r->cfg, &r->s3, &why)) {
		error("%s: %s", url, why);
		goto out;
	}
	if (r->key_file && !(flags & REMOTE_NO_KEY)) {
		if (seal_key_load(r->key_file, &r->key, &why)) {
			error("%s", why);
			goto out;
		}
		r->have_key = true;
		key_id(&r->key, r->key_id);
	}
	if (!(flags & REMOTE_NO_KEY) && keycheck_verify(r))
		goto out;
	remote_manifest_load(r);
	*out = r;
	r = NULL;
	ret = 0;
out:
	free(why);
	if (r)
		remote_close(r);
	return ret;
}

int remote_pull(struct remote *r)
{
	/* a writer of this machine busy in the working copy: its copy is
	 * the newest there is */
	if (!r->locked && statedir_lock_busy(r->local_lock)) {
		say("Using the working copy %s as it is: an icm command is "
		    "changing it", r->workdir);
		return 0;
	}
	return remote_pull_into(r, r->workdir);
}

int remote_pull_to(struct remote *r, const char *dir)
{
	return remote_pull_into(r, dir);
}

int remote_lock(struct remote *r, const char *command,
		bool *instances_changed)
{
	char before[S3_ETAG_MAX];

	strlcpy_icm(before, r->inst.etag, S3_ETAG_MAX);
	r->command = xstrdup(command);
	if (!r->keycheck_exists && !r->have_key)
		return remote_keycheck_write(r);	/* says what to give */
	if (remote_lock_take(r))
		return -1;
	if (remote_keycheck_write(r) || remote_pull_into(r, r->workdir))
		return -1;
	*instances_changed = strcmp(before, r->inst.etag) != 0;
	pthread_mutex_lock(&active_mu);
	active = r;
	pthread_mutex_unlock(&active_mu);
	journal_set_sync(remote_journal_written);
	return 0;
}

int remote_push(struct remote *r)
{
	return remote_push_from(r, r->workdir);
}

int remote_journal_written(const char *path)
{
	struct remote *r;
	int ret = 0;

	pthread_mutex_lock(&active_mu);
	r = active;
	if (r && !strcmp(path, r->journal_path))
		ret = remote_journal_sync(r);
	pthread_mutex_unlock(&active_mu);
	return ret;
}

/* ICM_TEST_STATE_PAUSE=F: the test makes the store change under a writer
 * here (a lost race): F.waiting says icm waits, F lets it go on. */
static void test_pause(void)
{
	const char *f = getenv("ICM_TEST_STATE_PAUSE");
	char *w;
	int i;

	if (!f || !*f)
		return;
	w = xasprintf("%s.waiting", f);
	if (fs_write_atomic(w, "", 0, 0600) == 0)
		for (i = 0; i < 1200 && !fs_exists(f); i++)
			usleep(100000);
	free(w);
}

int remote_close(struct remote *r)
{
	int ret = 0;

	if (!r)
		return 0;
	pthread_mutex_lock(&active_mu);
	if (active == r)
		active = NULL;
	pthread_mutex_unlock(&active_mu);
	if (r->locked) {
		/* a failed command's working copy is what happened too (a
		 * provision that stopped half-way: pinned host keys, the
		 * Terraform files); a lost lock pushes nothing */
		test_pause();
		if (!r->lost && r->synced && remote_push_from(r, r->workdir))
			ret = -1;
		remote_manifest_save(r, r->workdir);
		if (remote_log_append(r))
			ret = -1;
		remote_lock_release(r);
	}
	if (r->s3)
		s3_close(r->s3);
	aws_creds_release(&r->creds);
	seal_key_wipe(&r->key);
	remote_entries_release(r);
	state_url_release(&r->u);
	pthread_mutex_destroy(&r->mu);
	free(r->url);
	free(r->workdir);
	free(r->journal_path);
	free(r->local_lock);
	free(r->instances_path);
	free(r->endpoint);
	free(r->region);
	free(r->key_file);
	free(r->command);
	free(r->record);
	free(r);
	return ret;
}

int remote_push_dir(struct remote *r, const char *dir, bool force)
{
	char *saved = r->journal_path;
	int ret = -1;

	if (!force && (r->n || r->nchunks || *r->inst.etag)) {
		char *w = remote_where(r, "");

		error("%s already holds a state; give -force to replace it "
		      "with %s", w, dir);
		free(w);
		return -1;
	}
	/* dir's journal replaces the store's whole */
	pthread_mutex_lock(&r->mu);
	ret = remote_chunks_delete(r);
	pthread_mutex_unlock(&r->mu);
	if (ret)
		return -1;
	r->inst.have_hash = false;	/* instances.json goes in, changed or not */
	r->journal_path = xasprintf("%s/journal", dir);
	ret = remote_push_from(r, dir);
	free(r->journal_path);
	r->journal_path = saved;
	/* the working copy becomes the store's again (what the end of the
	 * command pushes) */
	if (!ret && (fs_remove_tree(r->workdir) ||
		     remote_pull_into(r, r->workdir)))
		ret = -1;
	return ret;
}
