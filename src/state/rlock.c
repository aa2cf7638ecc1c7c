/*
 * rlock.c: the remote state's lock (remote.h): an object made with
 * If-None-Match: *, renewed by a thread every lease/3 with If-Match, taken
 * over with If-Match once its lease ran out on the store's clock, deleted
 * with If-Match at the end.  SIGINT, SIGTERM and SIGHUP release it before
 * the process ends (the handler only wakes the thread).
 */
#include "remote_int.h"
#include "../cloud/http.h"
#include "../util/str.h"
#include <cjson/cJSON.h>
#include <poll.h>
#include <sys/utsname.h>

#define LOCK_NAME "lock"
#define LOCK_CAP 8192
#define LOCK_TRIES 4

static int signal_fd = -1;	/* the lease thread's wake pipe */

static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;

	if (signal_fd >= 0 && write(signal_fd, &b, 1) < 0)
		_exit(128 + sig);
}

static char *make_record(const struct remote *r)
{
	struct utsname un;
	char when[32];
	struct tm tm;
	time_t now = time(NULL);
	const char *u = getenv("USER");
	cJSON *o = cJSON_CreateObject();
	char *s;

	if (!u || !*u)
		u = getenv("LOGNAME");
	if (uname(&un))
		strlcpy_icm(un.nodename, "unknown", sizeof(un.nodename));
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddNumberToObject(o, "pid", (double)getpid());
	cJSON_AddStringToObject(o, "host", un.nodename);
	cJSON_AddStringToObject(o, "user", u && *u ? u : "?");
	cJSON_AddStringToObject(o, "started", when);
	cJSON_AddStringToObject(o, "command", r->command ? r->command : "icm");
	cJSON_AddNumberToObject(o, "lease", r->lease_s);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* The holder in the local lock's words; *lease its lease in seconds. */
static char *describe(const char *rec, size_t len, long *lease)
{
	char *text = xstrndup(rec, len);
	cJSON *o = cJSON_Parse(text);
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(o, "pid");
	const char *host = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(o, "host"));
	const char *user = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(o, "user"));
	const char *since = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(o, "started"));
	const char *cmd = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(o, "command"));
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "lease");
	char *s, *c, *h, *u, *w;

	*lease = cJSON_IsNumber(l) && l->valuedouble >= REMOTE_LEASE_MIN &&
		l->valuedouble <= REMOTE_LEASE_MAX ? (long)l->valuedouble :
		REMOTE_LEASE_DEFAULT;
	/* the store's words, shown: a record is anyone's to write */
	c = remote_shown(cmd ? cmd : "?", 1024);
	h = remote_shown(host ? host : "?", 256);
	u = remote_shown(user ? user : "?", 256);
	w = remote_shown(since ? since : "?", 64);

	s = xasprintf("'%s' (pid %ld on host %s, user %s, since %s)", c,
		      cJSON_IsNumber(pid) ? (long)pid->valuedouble : -1L, h, u,
		      w);
	free(c);
	free(h);
	free(u);
	free(w);
	cJSON_Delete(o);
	free(text);
	return s;
}

/* Seconds since the lock was last written, on the store's clock. */
static long age_of(const struct s3_info *info)
{
	time_t now = info->server_date ? info->server_date : time(NULL);

	return info->last_modified ? (long)(now - info->last_modified) : 0;
}

struct holder {
	char *desc;
	long lease, age;
	char etag[S3_ETAG_MAX];
};

/* The lock object now: S3_OK (h filled), S3_NOT_FOUND, or -1 reported. */
static int read_holder(struct remote *r, struct s3 *s, struct holder *h)
{
	char *key = remote_key(r, LOCK_NAME), *err = NULL;
	struct buf b;
	struct s3_info info;
	int got;

	memset(h, 0, sizeof(*h));
	buf_init(&b, LOCK_CAP);
	got = s3_get(s, key, &b, &info, &err);
	if (got < 0)
		error("cannot read the lock of %s: %s", r->url,
		      err ? err : "failed");
	if (got == S3_OK) {
		h->desc = describe(b.data ? b.data : "", b.len, &h->lease);
		h->age = age_of(&info);
		strlcpy_icm(h->etag, info.etag, S3_ETAG_MAX);
	}
	buf_release(&b);
	free(key);
	free(err);
	return got;
}

static void *lease_main(void *arg);

int remote_lock_take(struct remote *r)
{
	char *key = remote_key(r, LOCK_NAME), *err = NULL;
	struct s3_info info;
	struct holder h = { 0 };
	int tries, got, ret = -1;

	free(r->record);
	r->record = make_record(r);
	for (tries = 0; tries < LOCK_TRIES; tries++) {
		got = s3_put(r->s3, key, r->record, strlen(r->record), NULL,
			     true, &info, &err);
		if (got == S3_OK)
			break;
		if (got < 0) {
			error("cannot lock %s: %s", r->url,
			      err ? err : "failed");
			goto out;
		}
		free(h.desc);
		got = read_holder(r, r->s3, &h);
		if (got < 0)
			goto out;
		if (got == S3_NOT_FOUND)	/* released meanwhile */
			continue;
		if (h.age <= h.lease + 1) {
			error("state %s is locked by %s; wait for it to finish "
			      "(its lease runs out %lds after its last "
			      "renewal, %lds ago: a lock whose holder died is "
			      "then taken over automatically)", r->url, h.desc,
			      h.lease, h.age);
			goto out;
		}
		got = s3_put(r->s3, key, r->record, strlen(r->record),
			     h.etag, false, &info, &err);
		if (got == S3_OK) {
			warning("taking over the lock on %s left by %s: its "
				"lease of %lds ran out %lds ago", r->url,
				h.desc, h.lease, h.age - h.lease);
			break;
		}
		if (got < 0) {
			error("cannot lock %s: %s", r->url,
			      err ? err : "failed");
			goto out;
		}
		/* another command took it over first: look again */
	}
	if (tries == LOCK_TRIES) {
		error("cannot lock %s: it keeps changing hands", r->url);
		goto out;
	}
	strlcpy_icm(r->lock_etag, info.etag, S3_ETAG_MAX);
	r->locked = true;
	r->lost = 0;
	if (pipe2(r->wake, O_CLOEXEC)) {
		error("cannot start the lock's lease: %s", strerror(errno));
		goto out;
	}
	if (pthread_create(&r->lease, NULL, lease_main, r)) {
		error("cannot start the lock's lease thread");
		goto out;
	}
	r->lease_running = true;
	signal_fd = r->wake[1];
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	ret = 0;
out:
	free(h.desc);
	free(key);
	free(err);
	return ret;
}

/* DELETE the lock if it is still ours. */
static void delete_lock(struct remote *r, struct s3 *s)
{
	char *key = remote_key(r, LOCK_NAME), *err = NULL;
	int got = s3_delete(s, key, r->lock_etag, &err);

	if (got == S3_PRECONDITION)
		warning("the lock on %s was no longer this command's; left "
			"as it is", r->url);
	else if (got != S3_OK)
		warning("cannot release the lock on %s: %s (it runs out "
			"%ds after its last renewal)", r->url,
			err ? err : "failed", r->lease_s);
	free(key);
	free(err);
}

/*
 * The lease thread: renews every lease/3 (sooner again after a failed
 * renewal); a 412 means the lock was taken over (its lease ran out while
 * this process stalled, or icm state unlock -force): r->lost, and the next
 * write of the state refuses.  A byte from the signal handler releases
 * the lock and ends the process with that signal; 0 from
 * remote_lock_release() ends the thread.
 */
static void *lease_main(void *arg)
{
	struct remote *r = arg;
	struct s3 *s = NULL;
	char *key = remote_key(r, LOCK_NAME), *err = NULL;
	int64_t last = http_now_ms();
	long wait_ms = r->lease_s * 1000L / 3;

	if (s3_open(&r->cfg, &s, &err)) {
		warning("the lock's lease cannot be renewed: %s", err);
		r->lost = 1;
		goto out;
	}
	for (;;) {
		struct pollfd p = { .fd = r->wake[0], .events = POLLIN };
		unsigned char b = 0;
		struct s3_info info;
		int got;

		if (poll(&p, 1, (int)wait_ms) > 0) {
			if (read(r->wake[0], &b, 1) != 1 || !b)
				break;
			delete_lock(r, s);
			unlink(r->local_lock);	/* the working copy's */
			signal(b, SIG_DFL);
			kill(getpid(), b);
			pause();
		}
		free(err);
		err = NULL;
		got = s3_put(s, key, r->record, strlen(r->record),
			     r->lock_etag, false, &info, &err);
		if (got == S3_OK) {
			/* the thread's alone until remote_lock_release()
			 * joins it (never r->mu: a long push holds that) */
			strlcpy_icm(r->lock_etag, info.etag, S3_ETAG_MAX);
			last = http_now_ms();
			wait_ms = r->lease_s * 1000L / 3;
			continue;
		}
		if (got == S3_PRECONDITION ||
		    http_now_ms() - last > r->lease_s * 1000L) {
			r->lost = 1;
			warning("the lock on %s is no longer this command's "
				"(%s); it stops before its next change",
				r->url, got == S3_PRECONDITION ?
				"it was taken over" : "its lease could not be "
				"renewed in time");
			break;
		}
		wait_ms = 1000;
	}
out:
	if (s)
		s3_close(s);
	free(key);
	free(err);
	return NULL;
}

int remote_lock_check(const struct remote *r)
{
	if (!r->locked)
		return error("%s: this command does not hold the lock",
			     r->url);
	if (r->lost)
		return error("the lock on %s is no longer this command's; "
			     "stopping before the next change (see 'icm "
			     "state lock status')", r->url);
	return 0;
}

void remote_lock_release(struct remote *r)
{
	unsigned char b = 0;

	if (!r->locked)
		return;
	signal_fd = -1;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (r->lease_running) {
		if (write(r->wake[1], &b, 1) != 1)
			warning("cannot stop the lease thread");
		pthread_join(r->lease, NULL);
		r->lease_running = false;
	}
	if (!r->lost)
		delete_lock(r, r->s3);
	close(r->wake[0]);
	close(r->wake[1]);
	r->wake[0] = r->wake[1] = -1;
	r->locked = false;
}

int remote_lock_holder(struct remote *r, char **holder, bool *expired)
{
	struct holder h;
	int got = read_holder(r, r->s3, &h);

	*holder = NULL;
	*expired = false;
	if (got < 0)
		return -1;
	if (got == S3_OK) {
		*holder = xasprintf("%s; lease %lds, last renewed %lds ago",
				    h.desc, h.lease, h.age);
		*expired = h.age > h.lease + 1;
	}
	free(h.desc);
	return 0;
}

int remote_lock_break(struct remote *r)
{
	struct holder h;
	char *key = remote_key(r, LOCK_NAME), *err = NULL;
	int got = read_holder(r, r->s3, &h), ret = -1;

	if (got < 0)
		goto out;
	if (got == S3_NOT_FOUND) {
		say("%s is not locked", r->url);
		ret = 0;
		goto out;
	}
	got = s3_delete(r->s3, key, h.etag, &err);
	if (got == S3_PRECONDITION) {
		error("the lock on %s changed hands while it was broken; look "
		      "again with 'icm state lock status'", r->url);
		goto out;
	}
	if (got != S3_OK) {
		error("cannot delete the lock of %s: %s", r->url,
		      err ? err : "failed");
		goto out;
	}
	warning("broke the lock on %s held by %s", r->url, h.desc);
	ret = 0;
out:
	free(h.desc);
	free(key);
	free(err);
	return ret;
}
