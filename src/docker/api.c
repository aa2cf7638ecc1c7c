/*
 * api.c: the Docker Engine API client (see api.h): the daemon handle,
 * version negotiation, one request engine for every call (JSON answers,
 * streamed JSON lines, streamed uploads, capped bodies), containers,
 * images (pull, login, load, inspect) and archives.  Exec, which needs a
 * hijacked connection, is in exec.c.
 */
#include "internal.h"
#include "../crypto/sshkey.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <ctype.h>
#include <pthread.h>

#define DOCKER_HUB_AUTH "https://index.docker.io/v1/"
#define DOCKER_CAP_LINE (1u << 20)	/* one line of a pull/load stream */
#define DOCKER_CAP_PATH (1u << 20)	/* a request's path and query */

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void docker_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, curl_init_once);
}

int64_t docker_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void docker_seterr(struct docker *d, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(d->errmsg, sizeof(d->errmsg), fmt, ap);
	va_end(ap);
	for (p = d->errmsg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	while (p > d->errmsg && p[-1] == ' ')
		*--p = '\0';
}

const char *docker_errmsg(const struct docker *d)
{
	return d->errmsg[0] ? d->errmsg : "unknown error";
}

const char *docker_api_version(const struct docker *d)
{
	return d->version;
}

const char *docker_server_version(const struct docker *d)
{
	return d->server_version ? d->server_version : "";
}

char *docker_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	unsigned char c;

	buf_init(&b, 3 * strlen(s) + 2);	/* every byte as %XX fits */
	for (; *s; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			if (buf_add(&b, s, 1))
				abort();
		} else if (buf_addf(&b, "%%%c%c", hex[c >> 4], hex[c & 15])) {
			abort();
		}
	}
	return buf_take(&b);
}

/* "1.41" -> 1 and 41; -1 when malformed. */
static int version_parse(const char *v, long *major, long *minor)
{
	char *end;

	if (!v || !isdigit((unsigned char)*v))
		return -1;
	*major = strtol(v, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return -1;
	*minor = strtol(end + 1, &end, 10);
	return *end || *major > 99 || *minor > 999 ? -1 : 0;
}

int docker_version_pick(const char *daemon_api, char *out, char **why)
{
	long dmaj, dmin, xmaj, xmin, nmaj, nmin;

	*why = NULL;
	if (version_parse(daemon_api, &dmaj, &dmin) ||
	    version_parse(DOCKER_API_MAX, &xmaj, &xmin) ||
	    version_parse(DOCKER_API_MIN, &nmaj, &nmin)) {
		*why = xasprintf("the daemon's API version '%s' is not a "
				 "version", daemon_api ? daemon_api : "");
		return -1;
	}
	if (dmaj < nmaj || (dmaj == nmaj && dmin < nmin)) {
		*why = xasprintf("the daemon speaks Docker API %s, older than "
				 "%s, the oldest icm supports", daemon_api,
				 DOCKER_API_MIN);
		return -1;
	}
	if (dmaj > xmaj || (dmaj == xmaj && dmin > xmin))
		snprintf(out, 16, "%s", DOCKER_API_MAX);
	else
		snprintf(out, 16, "%ld.%ld", dmaj, dmin);
	return 0;
}

void docker_setup_handle(struct docker *d, CURL *c)
{
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, d->curl_err);
	curl_easy_setopt(c, CURLOPT_RESOLVE, d->resolve);
	curl_easy_setopt(c, CURLOPT_CAINFO, d->ca_file);
	curl_easy_setopt(c, CURLOPT_SSLCERT, d->cert_file);
	curl_easy_setopt(c, CURLOPT_SSLKEY, d->key_file);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, d->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
}

void docker_set_http_error(struct docker *d, long status, const char *body,
			   size_t len)
{
	cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
	size_t n;

	if (cJSON_IsString(m) && *m->valuestring) {
		docker_seterr(d, "%s", m->valuestring);
	} else if (body && len) {
		for (n = 0; n < len && body[n] != '\n' && body[n] != '\r'; n++)
			;
		docker_seterr(d, "HTTP %ld: %.*s", status, (int)n, body);
	} else {
		docker_seterr(d, "HTTP %ld", status);
	}
	cJSON_Delete(j);
}

/* One HTTP request to the daemon. */
struct req {
	const char *method;
	char *path;			/* below /v<version> (owned: freed) */
	bool unversioned;
	const char *content_type;
	const char *body;		/* in memory, or */
	size_t body_len;
	FILE *upload;			/* streamed from a file */
	curl_off_t upload_len;
	const char *header;		/* one extra header (wiped after) */
	long timeout_ms;		/* 0: the target's; -1: stall limit */
	long stall_ms;			/* timeout_ms -1: nothing moved for
					   this long fails */
	int64_t moved_ms;		/* when a byte last moved */
	curl_off_t seen_ul, seen_dl;
	const char *stalled;		/* why the transfer was stopped */
	struct buf resp;		/* the body (its cap set by the caller) */
	/* streamed lines of a 2xx answer instead of resp: */
	int (*line_fn)(void *arg, const char *line);
	void *line_arg;
	struct buf line;
	/* filled in: */
	long status;
	const char *overflow;		/* what went over its cap */
	const char *what;		/* the answer's name in that message */
	bool line_failed;		/* line_fn said stop */
};

static void req_init(struct req *r, const char *method, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	buf_init(&r->resp, cap);
	buf_init(&r->line, DOCKER_CAP_LINE);
}

static void req_release(struct req *r)
{
	free(r->path);
	r->path = NULL;
	buf_release(&r->resp);
	buf_release(&r->line);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct req *r = ((void **)arg)[0];
	struct docker *d = ((void **)arg)[1];
	size_t len = size * n, i, start = 0;
	long status = 0;

	curl_easy_getinfo(d->c, CURLINFO_RESPONSE_CODE, &status);
	if (!r->line_fn || status < 200 || status > 299) {
		if (buf_add(&r->resp, p, len)) {
			r->overflow = "the answer";
			return 0;
		}
		return len;
	}
	for (i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (buf_add(&r->line, p + start, i - start)) {
			r->overflow = "a line of the answer";
			return 0;
		}
		start = i + 1;
		if (r->line.len && r->line.data[r->line.len - 1] == '\r')
			r->line.data[--r->line.len] = '\0';
		if (r->line.len && r->line_fn(r->line_arg, r->line.data)) {
			r->line_failed = true;
			return 0;
		}
		r->line.len = 0;
	}
	if (buf_add(&r->line, p + start, len - start)) {
		r->overflow = "a line of the answer";
		return 0;
	}
	return len;
}

/* Long transfers: stopped when nothing moves for too long (see api.h). */
static int on_xfer(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		   curl_off_t ultotal, curl_off_t ulnow)
{
	struct req *r = arg;
	int64_t now = docker_now_ms();
	bool waiting = ultotal > 0 && ulnow >= ultotal && dlnow == 0;

	if (dlnow != r->seen_dl || ulnow != r->seen_ul) {
		r->seen_dl = dlnow;
		r->seen_ul = ulnow;
		r->moved_ms = now;
		return 0;
	}
	if (now - r->moved_ms <= (waiting ? DOCKER_WAIT_AFTER_UPLOAD_MS
					  : r->stall_ms))
		return 0;
	r->stalled = waiting ? "the daemon did not answer after the upload"
			     : "no data moved";
	return 1;
}

static size_t on_upload(char *p, size_t size, size_t n, void *arg)
{
	FILE *f = arg;
	size_t got = fread(p, 1, size * n, f);

	if (got == 0 && ferror(f))
		return CURL_READFUNC_ABORT;
	return got;
}

/*
 * Performs r on d->c.  0 when an answer came (r->status set), -1 when none
 * did (errmsg set).
 */
static int perform(struct docker *d, struct req *r)
{
	struct curl_slist *hdrs = NULL, *h;
	void *cb[2] = { r, d };
	char *url = NULL, *ct = NULL;
	CURLcode rc;
	int ret = -1;

	curl_easy_reset(d->c);
	docker_setup_handle(d, d->c);
	if (r->unversioned)
		url = xasprintf("%s%s", d->base, r->path);
	else
		url = xasprintf("%s/v%s%s", d->base, d->version, r->path);
	curl_easy_setopt(d->c, CURLOPT_URL, url);
	curl_easy_setopt(d->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(d->c, CURLOPT_WRITEDATA, cb);
	if (r->timeout_ms >= 0) {
		curl_easy_setopt(d->c, CURLOPT_TIMEOUT_MS,
				 r->timeout_ms ? r->timeout_ms : d->timeout_ms);
	} else {
		/* a long transfer: fail only when nothing moves for long */
		r->stall_ms = d->timeout_ms;
		r->moved_ms = docker_now_ms();
		curl_easy_setopt(d->c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(d->c, CURLOPT_XFERINFOFUNCTION, on_xfer);
		curl_easy_setopt(d->c, CURLOPT_XFERINFODATA, r);
	}
	if (r->upload) {
		curl_easy_setopt(d->c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(d->c, CURLOPT_READFUNCTION, on_upload);
		curl_easy_setopt(d->c, CURLOPT_READDATA, r->upload);
		curl_easy_setopt(d->c, CURLOPT_INFILESIZE_LARGE,
				 r->upload_len);
	} else if (r->body) {
		curl_easy_setopt(d->c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)r->body_len);
		curl_easy_setopt(d->c, CURLOPT_POSTFIELDS, r->body);
	} else if (!strcmp(r->method, "POST")) {
		curl_easy_setopt(d->c, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(d->c, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(d->c, CURLOPT_CUSTOMREQUEST, r->method);
	if (!strcmp(r->method, "HEAD"))
		curl_easy_setopt(d->c, CURLOPT_NOBODY, 1L);
	if (r->content_type) {
		ct = xasprintf("Content-Type: %s", r->content_type);
		hdrs = curl_slist_append(hdrs, ct);
	}
	/* no "Expect: 100-continue" round trip before uploads */
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (r->header)
		hdrs = curl_slist_append(hdrs, r->header);
	if (!hdrs) {
		docker_seterr(d, "out of memory");
		goto out;
	}
	curl_easy_setopt(d->c, CURLOPT_HTTPHEADER, hdrs);
	d->curl_err[0] = '\0';
	rc = curl_easy_perform(d->c);
	curl_easy_getinfo(d->c, CURLINFO_RESPONSE_CODE, &r->status);
	if (rc == CURLE_OK) {
		ret = 0;
	} else if (r->line_failed) {
		ret = 0;	/* line_fn set errmsg; the status is there */
	} else if (r->stalled) {
		docker_seterr(d, "%s for %ld s", r->stalled,
			      (long)((docker_now_ms() - r->moved_ms) / 1000));
	} else if (r->overflow) {
		docker_seterr(d, "%s is larger than %zu bytes",
			      r->what ? r->what : r->overflow,
			      r->line_fn && r->status / 100 == 2 ?
			      r->line.cap : r->resp.cap);
	} else {
		docker_seterr(d, "%s", d->curl_err[0] ? d->curl_err :
			      curl_easy_strerror(rc));
	}
out:
	/* the extra header may carry credentials */
	for (h = hdrs; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(hdrs);
	/* curl keeps no pointer to these past the transfer */
	curl_easy_setopt(d->c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(d->c, CURLOPT_WRITEDATA, NULL);
	free(ct);
	free(url);
	return ret;
}

/* perform() and an answer with status ok (or ok2) expected; else the
 * daemon's error. */
static int perform_ok(struct docker *d, struct req *r, long ok, long ok2)
{
	if (perform(d, r))
		return -1;
	if (r->status == ok || r->status == ok2)
		return 0;
	docker_set_http_error(d, r->status, r->resp.data, r->resp.len);
	return -1;
}

int docker_open(const struct docker_target *t, struct docker **out,
		char **err)
{
	struct docker *d = xcalloc(1, sizeof(*d));
	const cJSON *v;
	cJSON *j = NULL;
	char *entry = NULL, *why = NULL;
	struct req r;
	int ret = -1;

	req_init(&r, "GET", DOCKER_CAP_JSON);
	*out = NULL;
	if (!t->name || !*t->name || !t->ip || !*t->ip || !t->ca_file ||
	    !t->cert_file || !t->key_file) {
		/* mutual TLS by name: every field is needed */
		docker_seterr(d, "the Docker target lacks a name, an address "
			      "or a certificate file");
		goto out;
	}
	d->name = xstrdup(t->name);
	d->ip = xstrdup(t->ip);
	d->ca_file = xstrdup(t->ca_file);
	d->cert_file = xstrdup(t->cert_file);
	d->key_file = xstrdup(t->key_file);
	d->port = t->port ? t->port : DOCKER_PORT;
	d->connect_timeout_ms = t->connect_timeout_ms ? t->connect_timeout_ms
						      : 10000;
	d->timeout_ms = t->timeout_ms ? t->timeout_ms : 120000;
	d->base = xasprintf("https://%s:%d", d->name, d->port);
	entry = xasprintf(strchr(d->ip, ':') ? "%s:%d:[%s]" : "%s:%d:%s",
			  d->name, d->port, d->ip);
	d->resolve = curl_slist_append(NULL, entry);
	d->c = curl_easy_init();
	if (!d->resolve || !d->c) {
		docker_seterr(d, "cannot set up libcurl");
		goto out;
	}
	r.path = xstrdup("/version");
	r.unversioned = true;
	if (perform_ok(d, &r, 200, 200))
		goto out;
	j = cJSON_ParseWithLength(r.resp.data ? r.resp.data : "", r.resp.len);
	v = cJSON_GetObjectItemCaseSensitive(j, "ApiVersion");
	if (docker_version_pick(cJSON_IsString(v) ? v->valuestring : NULL,
				d->version, &why)) {
		docker_seterr(d, "%s", why);
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "Version");
	d->server_version = xstrdup(cJSON_IsString(v) ? v->valuestring : "");
	*out = d;
	d = NULL;
	ret = 0;
out:
	if (d && err)
		*err = xstrdup(docker_errmsg(d));
	docker_close(d);
	cJSON_Delete(j);
	free(why);
	free(entry);
	req_release(&r);
	return ret;
}

void docker_close(struct docker *d)
{
	if (!d)
		return;
	if (d->c)
		curl_easy_cleanup(d->c);
	curl_slist_free_all(d->resolve);
	free(d->name);
	free(d->ip);
	free(d->ca_file);
	free(d->cert_file);
	free(d->key_file);
	free(d->base);
	free(d->server_version);
	free(d);
}

char *docker_vpath(const char *fmt, va_list ap)
{
	struct buf b;
	const char *p;
	char *e;
	int rc = 0;

	buf_init(&b, DOCKER_CAP_PATH);
	for (p = fmt; *p && !rc; p++) {
		if (*p != '%') {
			rc = buf_add(&b, p, 1);
			continue;
		}
		switch (*++p) {
		case 's':
			e = docker_escape(va_arg(ap, const char *));
			rc = buf_adds(&b, e);
			free(e);
			break;
		case 'd':
			rc = buf_addf(&b, "%d", va_arg(ap, int));
			break;
		default:	/* a format this builder does not take */
			abort();
		}
	}
	if (rc)
		abort();
	return buf_take(&b);
}

char *docker_path(const char *fmt, ...)
{
	va_list ap;
	char *path;

	va_start(ap, fmt);
	path = docker_vpath(fmt, ap);
	va_end(ap);
	return path;
}

/* A JSON call whose path is docker_path(fmt, ...). */
static int callf(struct docker *d, const char *method, const cJSON *body,
		 long timeout_ms, long *status, cJSON **resp,
		 const char *fmt, ...) PRINTF_LIKE(7, 8);

static int call_req(struct docker *d, struct req *r, const cJSON *body,
		    long *status, cJSON **resp)
{
	char *text = NULL;
	int ret = -1;

	if (resp)
		*resp = NULL;
	*status = 0;
	if (body) {
		text = cJSON_PrintUnformatted(body);
		if (!text) {
			docker_seterr(d, "out of memory");
			goto out;
		}
		r->body = text;
		r->body_len = strlen(text);
		r->content_type = "application/json";
	}
	if (perform(d, r))
		goto out;
	*status = r->status;
	if (r->status >= 400)
		docker_set_http_error(d, r->status, r->resp.data, r->resp.len);
	if (resp && r->resp.len)
		*resp = cJSON_ParseWithLength(r->resp.data, r->resp.len);
	ret = 0;
out:
	free(text);
	return ret;
}

static int callf(struct docker *d, const char *method, const cJSON *body,
		 long timeout_ms, long *status, cJSON **resp,
		 const char *fmt, ...)
{
	struct req r;
	va_list ap;
	int ret;

	req_init(&r, method, DOCKER_CAP_JSON);
	va_start(ap, fmt);
	r.path = docker_vpath(fmt, ap);
	va_end(ap);
	r.timeout_ms = timeout_ms;
	ret = call_req(d, &r, body, status, resp);
	req_release(&r);
	return ret;
}

int docker_call(struct docker *d, const char *method, const char *path,
		const cJSON *body, long *status, cJSON **resp)
{
	struct req r;
	int ret;

	req_init(&r, method, DOCKER_CAP_JSON);
	r.path = xstrdup(path);
	ret = call_req(d, &r, body, status, resp);
	req_release(&r);
	return ret;
}

/* A call whose answer is only a status: 0 when it is one of ok1/ok2. */
static int expect(struct docker *d, int rc, long status, long ok1, long ok2)
{
	if (rc)
		return -1;
	if (status == ok1 || status == ok2)
		return 0;
	if (status < 400)
		docker_seterr(d, "unexpected HTTP status %ld", status);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Containers */

int docker_create(struct docker *d, const char *name, const cJSON *config,
		  char **id)
{
	const cJSON *v;
	cJSON *resp = NULL;
	long status;
	int rc, ret = -1;

	if (id)
		*id = NULL;
	rc = name ? callf(d, "POST", config, 0, &status, &resp,
			  "/containers/create?name=%s", name) :
		callf(d, "POST", config, 0, &status, &resp,
		      "/containers/create");
	if (expect(d, rc, status, 201, 200))
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(resp, "Id");
	if (!cJSON_IsString(v)) {
		docker_seterr(d, "the daemon's answer has no container Id");
		goto out;
	}
	if (id)
		*id = xstrdup(v->valuestring);
	ret = 0;
out:
	cJSON_Delete(resp);
	return ret;
}

int docker_start(struct docker *d, const char *name)
{
	long status;
	int rc = callf(d, "POST", NULL, 0, &status, NULL,
		       "/containers/%s/start", name);

	return expect(d, rc, status, 204, 304);
}

int docker_stop(struct docker *d, const char *name, int timeout_s)
{
	long status;
	int rc;

	if (timeout_s < 0)
		timeout_s = 0;
	rc = callf(d, "POST", NULL, d->timeout_ms + timeout_s * 1000L,
		   &status, NULL, "/containers/%s/stop?t=%d", name, timeout_s);
	return expect(d, rc, status, 204, 304);
}

int docker_kill(struct docker *d, const char *name, const char *signal)
{
	long status;
	int rc = callf(d, "POST", NULL, 0, &status, NULL,
		       "/containers/%s/kill?signal=%s", name,
		       signal ? signal : "SIGKILL");

	return expect(d, rc, status, 204, 204);
}

int docker_remove(struct docker *d, const char *name, bool force)
{
	long status;
	int rc = callf(d, "DELETE", NULL, 0, &status, NULL,
		       "/containers/%s?force=%d", name, force ? 1 : 0);

	if (rc == 0 && status == 404)
		return 0;
	return expect(d, rc, status, 204, 200) ? -1 : 1;
}

int docker_rename(struct docker *d, const char *name, const char *new_name)
{
	long status;
	int rc = callf(d, "POST", NULL, 0, &status, NULL,
		       "/containers/%s/rename?name=%s", name, new_name);

	return expect(d, rc, status, 204, 200);
}

int docker_inspect(struct docker *d, const char *name, cJSON **out)
{
	cJSON *resp = NULL;
	long status;
	int rc = callf(d, "GET", NULL, 0, &status, &resp,
		       "/containers/%s/json", name);

	*out = NULL;
	if (rc == 0 && status == 404) {
		cJSON_Delete(resp);
		return 0;
	}
	if (expect(d, rc, status, 200, 200)) {
		cJSON_Delete(resp);
		return -1;
	}
	if (!cJSON_IsObject(resp)) {
		cJSON_Delete(resp);
		docker_seterr(d, "the daemon's answer is not a JSON object");
		return -1;
	}
	*out = resp;
	return 1;
}

/* True when the list entry c has the exact name (Names: ["/name"]). */
static bool has_name(const cJSON *c, const char *name)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(c, "Names"))
		if (cJSON_IsString(n) && (!strcmp(n->valuestring, name) ||
		    (n->valuestring[0] == '/' &&
		     !strcmp(n->valuestring + 1, name))))
			return true;
	return false;
}

int docker_list(struct docker *d, bool all, const char *name, cJSON **out)
{
	char *filter = NULL;
	cJSON *resp = NULL, *c, *next, *fj = NULL, *names;
	long status;
	int rc, ret = -1;

	*out = NULL;
	if (name) {
		/* a regular expression: narrows; has_name() decides */
		fj = cJSON_CreateObject();
		names = cJSON_AddArrayToObject(fj, "name");
		if (!names || !cJSON_AddItemToArray(names,
						    cJSON_CreateString(name)) ||
		    !(filter = cJSON_PrintUnformatted(fj))) {
			docker_seterr(d, "out of memory");
			goto out;
		}
	}
	rc = filter ? callf(d, "GET", NULL, 0, &status, &resp,
			    "/containers/json?all=%d&filters=%s", all ? 1 : 0,
			    filter) :
		callf(d, "GET", NULL, 0, &status, &resp,
		      "/containers/json?all=%d", all ? 1 : 0);
	if (expect(d, rc, status, 200, 200))
		goto out;
	if (!cJSON_IsArray(resp)) {
		docker_seterr(d, "the daemon's answer is not a JSON array");
		goto out;
	}
	for (c = resp->child; name && c; c = next) {
		next = c->next;
		if (!has_name(c, name))
			cJSON_Delete(cJSON_DetachItemViaPointer(resp, c));
	}
	*out = resp;
	resp = NULL;
	ret = 0;
out:
	cJSON_Delete(resp);
	cJSON_Delete(fj);
	free(filter);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Images and registries */

/* Appends s as a JSON string (quoted, escaped). */
static int json_str_add(struct buf *b, const char *s)
{
	unsigned char c;

	if (buf_add(b, "\"", 1))
		return -1;
	for (; *s; s++) {
		c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			if (buf_add(b, "\\", 1) || buf_add(b, s, 1))
				return -1;
		} else if (c < 0x20) {
			if (buf_addf(b, "\\u%04x", c))
				return -1;
		} else if (buf_add(b, s, 1)) {
			return -1;
		}
	}
	return buf_add(b, "\"", 1);
}

/*
 * {"username":..,"password":..,"serveraddress":..} into b (wiped by the
 * caller): built by hand, not with cJSON, so that every copy of the
 * password is one we can wipe.
 */
static int auth_json(const struct docker_auth *a, struct buf *b)
{
	const char *server = a->registry && *a->registry ? a->registry
							 : DOCKER_HUB_AUTH;

	if (buf_adds(b, "{\"username\":") ||
	    json_str_add(b, a->username ? a->username : "") ||
	    buf_adds(b, ",\"password\":") ||
	    json_str_add(b, a->password ? a->password : "") ||
	    buf_adds(b, ",\"serveraddress\":") || json_str_add(b, server) ||
	    buf_adds(b, "}"))
		return -1;
	return 0;
}

/* "X-Registry-Auth: <base64url of the auth JSON>" into hdr (wiped by the
 * caller). */
static int auth_header(const struct docker_auth *a, struct buf *hdr)
{
	struct buf json;
	size_t i, start;
	int ret = -1;

	buf_init(&json, BUF_CAP_LINE);
	if (auth_json(a, &json) || buf_adds(hdr, "X-Registry-Auth: "))
		goto out;
	start = hdr->len;
	if (base64_add(hdr, json.data, json.len))
		goto out;
	for (i = start; i < hdr->len; i++)
		if (hdr->data[i] == '+')
			hdr->data[i] = '-';
		else if (hdr->data[i] == '/')
			hdr->data[i] = '_';
	ret = 0;
out:
	buf_wipe(&json);
	return ret;
}

int docker_login(struct docker *d, const struct docker_auth *a)
{
	struct buf body;
	struct req r;
	int ret = -1;

	req_init(&r, "POST", DOCKER_CAP_JSON);
	buf_init(&body, BUF_CAP_LINE);
	if (auth_json(a, &body)) {
		docker_seterr(d, "the registry credentials are too long");
		goto out;
	}
	r.path = xstrdup("/auth");
	r.body = body.data;
	r.body_len = body.len;
	r.content_type = "application/json";
	if (perform_ok(d, &r, 200, 204))
		goto out;
	ret = 0;
out:
	buf_wipe(&body);
	req_release(&r);
	return ret;
}

/* A pull's or a load's stream of JSON lines. */
struct progress {
	struct docker *d;
	docker_progress_fn fn;
	void *arg;
	cJSON *loaded;			/* load: the names reported */
	bool failed;
};

static int on_progress_line(void *arg, const char *line)
{
	struct progress *p = arg;
	const cJSON *e, *id, *status, *stream;
	cJSON *j = cJSON_Parse(line);
	char *text = NULL;
	const char *s;
	size_t n;
	int ret = 0;

	if (!j)
		goto out;	/* not JSON: ignored, as the daemon's CLI does */
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsString(e)) {
		docker_seterr(p->d, "%s", e->valuestring);
		p->failed = true;
		ret = -1;
		goto out;
	}
	/* byte counts while a layer downloads or extracts: a flood of
	 * "<id>: Downloading" lines that say nothing new */
	if (cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(j, "progressDetail"),
		    "current"))
		goto out;
	id = cJSON_GetObjectItemCaseSensitive(j, "id");
	status = cJSON_GetObjectItemCaseSensitive(j, "status");
	stream = cJSON_GetObjectItemCaseSensitive(j, "stream");
	if (cJSON_IsString(status) && cJSON_IsString(id))
		text = xasprintf("%s: %s", id->valuestring,
				 status->valuestring);
	else if (cJSON_IsString(status))
		text = xstrdup(status->valuestring);
	else if (cJSON_IsString(stream))
		text = xstrdup(stream->valuestring);
	if (!text)
		goto out;
	n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	if (!n)
		goto out;
	if (p->loaded && ((s = str_starts(text, "Loaded image: ") ?
			   text + 14 : NULL) ||
			  (s = str_starts(text, "Loaded image ID: ") ?
			   text + 17 : NULL)))
		cJSON_AddItemToArray(p->loaded, cJSON_CreateString(s));
	if (p->fn)
		p->fn(p->arg, text);
out:
	free(text);
	cJSON_Delete(j);
	return ret;
}

/* Splits image into repository and tag (or digest); no tag: latest. */
static void split_image(const char *image, char **repo, char **tag)
{
	const char *at = strchr(image, '@');
	const char *colon = strrchr(image, ':');
	const char *slash = strrchr(image, '/');

	if (at) {
		*repo = xstrndup(image, (size_t)(at - image));
		*tag = xstrdup(at + 1);
	} else if (colon && (!slash || colon > slash)) {
		*repo = xstrndup(image, (size_t)(colon - image));
		*tag = xstrdup(colon + 1);
	} else {
		*repo = xstrdup(image);
		*tag = xstrdup("latest");
	}
}

/* A call answered by a stream of progress lines; 0 on 200 and no error. */
static int progress_call(struct docker *d, struct req *r,
			 struct progress *p)
{
	r->line_fn = on_progress_line;
	r->line_arg = p;
	r->timeout_ms = -1;
	if (perform_ok(d, r, 200, 200))
		return -1;
	/* a last line without a newline */
	if (!p->failed && r->line.len &&
	    on_progress_line(p, r->line.data))
		return -1;
	return p->failed ? -1 : 0;
}

int docker_pull(struct docker *d, const char *image,
		const struct docker_auth *a, docker_progress_fn fn, void *arg)
{
	struct progress p = { .d = d, .fn = fn, .arg = arg };
	char *repo = NULL, *tag = NULL;
	struct buf hdr;
	struct req r;
	int ret = -1;

	req_init(&r, "POST", DOCKER_CAP_JSON);
	buf_init(&hdr, BUF_CAP_LINE);
	split_image(image, &repo, &tag);
	r.path = docker_path("/images/create?fromImage=%s&tag=%s", repo, tag);
	if (a && a->username && *a->username) {
		if (auth_header(a, &hdr)) {
			docker_seterr(d, "the registry credentials are too "
				      "long");
			goto out;
		}
		r.header = hdr.data;
	}
	ret = progress_call(d, &r, &p);
out:
	buf_wipe(&hdr);
	req_release(&r);
	free(repo);
	free(tag);
	return ret;
}

int docker_image_exists(struct docker *d, const char *image, char **id)
{
	const cJSON *v;
	cJSON *resp = NULL;
	long status;
	int rc, ret = -1;

	if (id)
		*id = NULL;
	rc = callf(d, "GET", NULL, 0, &status, &resp, "/images/%s/json",
		   image);
	if (rc == 0 && status == 404) {
		ret = 0;
		goto out;
	}
	if (expect(d, rc, status, 200, 200))
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(resp, "Id");
	if (id && cJSON_IsString(v))
		*id = xstrdup(v->valuestring);
	ret = 1;
out:
	cJSON_Delete(resp);
	return ret;
}

int docker_image_load(struct docker *d, const char *path,
		      docker_progress_fn fn, void *arg, cJSON **loaded)
{
	struct progress p = { .d = d, .fn = fn, .arg = arg };
	struct stat st;
	struct req r;
	FILE *f = NULL;
	int ret = -1, fd;

	req_init(&r, "POST", DOCKER_CAP_JSON);
	if (loaded)
		*loaded = NULL;
	fd = fs_open_regular(path);	/* a FIFO would block fopen */
	if (fd < 0 || !(f = fdopen(fd, "rb")) || fstat(fileno(f), &st)) {
		docker_seterr(d, "cannot read '%s': %s", path,
			      fs_strerror(errno));
		if (fd >= 0 && !f)
			close(fd);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		docker_seterr(d, "'%s' is not a regular file", path);
		goto out;
	}
	p.loaded = cJSON_CreateArray();
	r.path = xstrdup("/images/load?quiet=1");
	r.content_type = "application/x-tar";
	r.upload = f;
	r.upload_len = (curl_off_t)st.st_size;
	if (progress_call(d, &r, &p))
		goto out;
	if (loaded) {
		*loaded = p.loaded;
		p.loaded = NULL;
	}
	ret = 0;
out:
	cJSON_Delete(p.loaded);
	if (f)
		fclose(f);
	req_release(&r);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Archives */

/*
 * PUT (tar, len: the body) or GET of an archive; a GET's answer is
 * appended to out directly (it is the request's body buffer meanwhile).
 */
static int archive_call(struct docker *d, const char *method,
			const char *container, const char *path,
			const void *tar, size_t len, struct buf *out)
{
	size_t start = out ? out->len : 0;
	struct req r;
	int ret = -1;

	req_init(&r, method, DOCKER_CAP_JSON);
	if (out) {
		r.resp = *out;
		buf_init(out, out->cap);
	}
	r.path = docker_path("/containers/%s/archive?path=%s", container,
			     path);
	if (tar) {
		r.content_type = "application/x-tar";
		r.body = tar;
		r.body_len = len;
	}
	r.timeout_ms = -1;
	r.what = "the archive";
	if (perform(d, &r) == 0) {
		if (r.status == 200)
			ret = 0;
		else
			docker_set_http_error(d, r.status, r.resp.data ?
					      r.resp.data + start : NULL,
					      r.resp.len - start);
	}
	if (out) {
		/* back to the caller, without an error's body */
		if (ret && r.resp.len > start) {
			r.resp.len = start;
			r.resp.data[start] = '\0';
		}
		*out = r.resp;
		buf_init(&r.resp, out->cap);
	}
	req_release(&r);
	return ret;
}

int docker_put_archive(struct docker *d, const char *container,
		       const char *dir, const void *tar, size_t len)
{
	return archive_call(d, "PUT", container, dir, tar ? tar : "", len,
			    NULL);
}

int docker_get_archive(struct docker *d, const char *container,
		       const char *path, struct buf *tar)
{
	return archive_call(d, "GET", container, path, NULL, 0, tar);
}
