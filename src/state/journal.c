/*
 * journal.c: the append-only journal of cloud calls (see journal.h).
 *
 * Record shapes (one line each):
 *   {"t":<unix time>,"rec":"intent","key":K,"action":A,"token":T}
 *   {"t":...,"rec":"done","key":K,"id":ID}
 *   {"t":...,"rec":"failed","key":K,"error":E}
 *   {"t":...,"rec":"deleted","key":K}
 * The in-memory view keeps one entry per key with the state the records
 * left it in.
 */
#include "journal.h"
#include "log.h"
#include "../util/buf.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <cjson/cJSON.h>
#include <pthread.h>
#include <signal.h>

struct entry {
	char *key, *id, *token;
	enum journal_state st;
	unsigned long seq;	/* the number of its last record */
};

struct journal {
	char *path;
	int fd;
	struct entry *e;
	size_t n, alloc;
	long kill_after;	/* ICM_TEST_KILL_AFTER, or 0 */
	long kill_before;	/* ICM_TEST_KILL_BEFORE_RESULT, or 0 */
	long results;		/* result records written by this process */
	unsigned long records;	/* records applied (read back and new) */
};

static pthread_mutex_t journal_mu = PTHREAD_MUTEX_INITIALIZER;

void journal_lock(struct journal *j)
{
	pthread_mutex_lock(&journal_mu);
}

void journal_unlock(struct journal *j)
{
	pthread_mutex_unlock(&journal_mu);
}

static struct entry *find(const struct journal *j, const char *key)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (!strcmp(j->e[i].key, key))
			return &j->e[i];
	return NULL;
}

static struct entry *get(struct journal *j, const char *key)
{
	struct entry *e = find(j, key);

	if (e)
		return e;
	if (j->n == j->alloc) {
		j->alloc = j->alloc ? 2 * j->alloc : 32;
		j->e = xrealloc(j->e, j->alloc * sizeof(*j->e));
	}
	e = &j->e[j->n++];
	memset(e, 0, sizeof(*e));
	e->key = xstrdup(key);
	return e;
}

static void set(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

/* Applies one record to the in-memory view; unknown shapes are skipped. */
static void apply(struct journal *j, const cJSON *r)
{
	const char *rec = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(r, "rec"));
	const char *key = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(r, "key"));
	struct entry *e;

	if (!rec || !key)
		return;
	e = get(j, key);
	e->seq = ++j->records;
	if (!strcmp(rec, "intent")) {
		e->st = JOURNAL_PENDING;
		set(&e->token, cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(r, "token")));
	} else if (!strcmp(rec, "done")) {
		e->st = JOURNAL_DONE;
		set(&e->id, cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(r, "id")));
	} else if (!strcmp(rec, "failed")) {
		e->st = JOURNAL_FAILED;
	} else if (!strcmp(rec, "deleted")) {
		e->st = JOURNAL_DELETED;
		set(&e->id, NULL);
	}
}

static int read_back(struct journal *j)
{
	struct buf b;
	char *line, *save = NULL;
	size_t lineno = 0;

	buf_init(&b, JOURNAL_CAP);
	if (fs_read_file(j->path, &b)) {
		if (errno == ENOENT)
			return 0;
		return error("cannot read %s: %s", j->path, fs_strerror(errno));
	}
	/* a last line without its newline was cut by a kill: dropped, and
	 * cut off the file so the next record starts on a line of its own */
	if (b.len && b.data[b.len - 1] != '\n') {
		char *nl = strrchr(b.data, '\n');
		size_t keep = nl ? (size_t)(nl + 1 - b.data) : 0;

		b.data[keep] = '\0';
		if (ftruncate(j->fd, (off_t)keep)) {
			buf_release(&b);
			return error("cannot repair %s: %s", j->path,
				     strerror(errno));
		}
	}
	for (line = b.data ? strtok_r(b.data, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		cJSON *r = cJSON_Parse(line);

		lineno++;
		if (!r) {
			buf_release(&b);
			return error("%s:%zu: not a journal record (the "
				     "journal was edited?)", j->path, lineno);
		}
		apply(j, r);
		cJSON_Delete(r);
	}
	buf_release(&b);
	return 0;
}

int journal_open(const char *state_dir, struct journal **out)
{
	struct journal *j = xcalloc(1, sizeof(*j));
	const char *k = getenv("ICM_TEST_KILL_AFTER");
	const char *kb = getenv("ICM_TEST_KILL_BEFORE_RESULT");

	j->fd = -1;
	j->path = xasprintf("%s/" JOURNAL_FILE, state_dir);
	if (k && str_to_long(k, &j->kill_after))
		j->kill_after = 0;
	if (kb && str_to_long(kb, &j->kill_before))
		j->kill_before = 0;
	if (fs_mkdirs(state_dir, 0700)) {
		error("cannot create %s: %s", state_dir, fs_strerror(errno));
		goto fail;
	}
	j->fd = fs_open_append(j->path);
	if (j->fd < 0) {
		error("cannot write '%s': %s", j->path, fs_strerror(errno));
		goto fail;
	}
	if (read_back(j))
		goto fail;
	*out = j;
	return 0;
fail:
	journal_close(j);
	return -1;
}

void journal_close(struct journal *j)
{
	size_t i;

	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	for (i = 0; i < j->n; i++) {
		free(j->e[i].key);
		free(j->e[i].id);
		free(j->e[i].token);
	}
	free(j->e);
	free(j->path);
	free(j);
}

enum journal_state journal_state(const struct journal *j, const char *key)
{
	const struct entry *e = find(j, key);

	return e ? e->st : JOURNAL_NONE;
}

const char *journal_id(const struct journal *j, const char *key)
{
	const struct entry *e = find(j, key);

	return e && e->st == JOURNAL_DONE ? e->id : NULL;
}

unsigned long journal_seq(const struct journal *j, const char *key)
{
	const struct entry *e = find(j, key);

	return e ? e->seq : 0;
}

const char *journal_token(const struct journal *j, const char *key)
{
	const struct entry *e = find(j, key);

	return e && (e->st == JOURNAL_PENDING || e->st == JOURNAL_DONE) ?
		e->token : NULL;
}

static journal_sync_fn sync_fn;

void journal_set_sync(journal_sync_fn fn)
{
	sync_fn = fn;
}

/* Writes r as one line, fsyncs, applies it; a result may trigger the
 * test hook. */
static int append(struct journal *j, cJSON *r, bool result)
{
	char *text, *line;
	size_t len;
	ssize_t w;
	int ret = -1;

	/* the call was made, its answer is not recorded: a lost answer */
	if (result && j->kill_before && j->results + 1 == j->kill_before)
		raise(SIGKILL);
	cJSON_AddNumberToObject(r, "t", (double)time(NULL));
	text = cJSON_PrintUnformatted(r);
	line = xasprintf("%s\n", text);
	len = strlen(line);
	w = write(j->fd, line, len);
	if (w != (ssize_t)len || fsync(j->fd)) {
		error("cannot write %s: %s", j->path,
		      w < 0 || w == (ssize_t)len ? strerror(errno) :
		      "short write");
		goto out;
	}
	/* a remote state has it in the store before the call (remote.h) */
	if (sync_fn && sync_fn(j->path))
		goto out;
	apply(j, r);
	ret = 0;
	j->results += result;
	if (result && j->kill_after && j->results == j->kill_after)
		raise(SIGKILL);
out:
	cJSON_free(text);
	free(line);
	cJSON_Delete(r);
	return ret;
}

static cJSON *record(const char *rec, const char *key)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "rec", rec);
	cJSON_AddStringToObject(r, "key", key);
	return r;
}

int journal_intent(struct journal *j, const char *key, const char *action,
		   const char *token)
{
	cJSON *r = record("intent", key);

	cJSON_AddStringToObject(r, "action", action);
	if (token)
		cJSON_AddStringToObject(r, "token", token);
	return append(j, r, false);
}

int journal_done(struct journal *j, const char *key, const char *id)
{
	cJSON *r = record("done", key);

	if (id)
		cJSON_AddStringToObject(r, "id", id);
	return append(j, r, true);
}

int journal_failed(struct journal *j, const char *key, const char *err)
{
	cJSON *r = record("failed", key);

	cJSON_AddStringToObject(r, "error", err ? err : "");
	return append(j, r, true);
}

int journal_deleted(struct journal *j, const char *key)
{
	return append(j, record("deleted", key), true);
}

void journal_each(const struct journal *j,
		  void (*fn)(void *arg, const char *key,
			     enum journal_state st, const char *id),
		  void *arg)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		fn(arg, j->e[i].key, j->e[i].st, j->e[i].id);
}
