/*
 * api.c: the Docker Engine API client (see api.h): the daemon handle,
 * version negotiation, one request engine for every call (JSON answers,
 * streamed JSON lines, streamed uploads, capped bodies) over cloud/http.c
 * and containers.  Images, registries and archives are in api_images.c;
 * exec, which needs a hijacked connection, in exec.c.
 */
#include "internal.h"
#include "../util/str.h"
#include <ctype.h>

#define DOCKER_CAP_PATH (1u << 20)	/* a request's path and query */

void docker_global_init(void)
{
	http_global_init();
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

void docker_req_init(struct docker_req *r, const char *method, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	buf_init(&r->resp, cap);
	buf_init(&r->line, DOCKER_CAP_LINE);
}

void docker_req_release(struct docker_req *r)
{
	free(r->path);
	r->path = NULL;
	buf_release(&r->resp);
	buf_release(&r->line);
}

/* The sink of a 2xx answer streamed as lines to r->line_fn. */
static int on_lines(void *arg, const char *p, size_t len)
{
	struct docker_req *r = arg;
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (buf_add(&r->line, p + start, i - start)) {
			r->overflow = "a line of the answer";
			return -1;
		}
		start = i + 1;
		if (r->line.len && r->line.data[r->line.len - 1] == '\r')
			r->line.data[--r->line.len] = '\0';
		if (r->line.len && r->line_fn(r->line_arg, r->line.data)) {
			r->line_failed = true;
			return -1;
		}
		r->line.len = 0;
	}
	if (buf_add(&r->line, p + start, len - start)) {
		r->overflow = "a line of the answer";
		return -1;
	}
	return 0;
}

/* Why http_perform() gave no answer, in docker_errmsg(). */
static void perform_error(struct docker *d, const struct docker_req *r,
			  const struct http_response *resp)
{
	switch (resp->stopped) {
	case HTTP_STOP_STALL:
	case HTTP_STOP_WAIT:
		docker_seterr(d, "%s for %ld s", resp->stopped ==
			      HTTP_STOP_WAIT ? "the daemon did not answer "
			      "after the upload" : "no data moved",
			      resp->idle_ms / 1000);
		break;
	case HTTP_STOP_OVER:
	case HTTP_STOP_SINK:
		docker_seterr(d, "%s is larger than %zu bytes",
			      r->what ? r->what : r->overflow ? r->overflow :
			      "the answer", r->overflow ? r->line.cap :
			      resp->body.cap);
		break;
	case HTTP_STOP_NONE:
		docker_seterr(d, "%s", resp->reason);
		break;
	}
}

/*
 * Performs r.  0 when an answer came (r->status set), -1 when none did
 * (errmsg set).
 */
int docker_perform(struct docker *d, struct docker_req *r)
{
	struct http_header hdrs[2];
	struct http_request hr = {
		.method = r->method, .headers = hdrs,
		.body = r->body, .body_len = r->body_len,
		.upload = r->upload, .upload_len = r->upload_len,
		.timeout_ms = r->timeout_ms < 0 ? -1 : r->timeout_ms ?
			      r->timeout_ms : d->timeout_ms,
		.stall_ms = d->timeout_ms,
		.wait_after_upload_ms = DOCKER_WAIT_AFTER_UPLOAD_MS,
		.sink = r->line_fn ? on_lines : NULL, .sink_arg = r,
	};
	struct http_response resp = { .body = r->resp };
	char *url;
	int ret = -1;

	if (r->unversioned)
		url = xasprintf("%s%s", d->base, r->path);
	else
		url = xasprintf("%s/v%s%s", d->base, d->version, r->path);
	hr.url = url;
	if (r->content_type)
		hdrs[hr.nheaders++] = (struct http_header){ "Content-Type",
							    r->content_type };
	if (r->auth)
		hdrs[hr.nheaders++] = (struct http_header){ "X-Registry-Auth",
							    r->auth };
	if (http_perform(&d->http, &hr, &resp) == 0 ||
	    (resp.stopped == HTTP_STOP_SINK && r->line_failed))
		ret = 0;	/* a failed line_fn set errmsg */
	else
		perform_error(d, r, &resp);
	r->status = resp.status;
	r->resp = resp.body;
	free(url);
	return ret;
}

/* docker_perform() and an answer with status ok (or ok2) expected; else the
 * daemon's error. */
int docker_perform_ok(struct docker *d, struct docker_req *r, long ok,
		      long ok2)
{
	if (docker_perform(d, r))
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
	struct http_endpoint e;
	const cJSON *v;
	cJSON *j = NULL;
	char *why = NULL;
	struct docker_req r;
	int ret = -1;

	docker_req_init(&r, "GET", DOCKER_CAP_JSON);
	*out = NULL;
	if (!t->name || !*t->name || !t->ip || !*t->ip || !t->ca_file ||
	    !t->cert_file || !t->key_file) {
		/* mutual TLS by name: every field is needed */
		docker_seterr(d, "the Docker target lacks a name, an address "
			      "or a certificate file");
		goto out;
	}
	d->name = xstrdup(t->name);
	d->port = t->port ? t->port : DOCKER_PORT;
	d->timeout_ms = t->timeout_ms ? t->timeout_ms : 120000;
	d->base = xasprintf("https://%s:%d", d->name, d->port);
	e = (struct http_endpoint){
		.ca_file = t->ca_file, .cert_file = t->cert_file,
		.key_file = t->key_file, .pin_name = t->name,
		.pin_port = d->port, .pin_ip = t->ip,
		.connect_timeout_ms = t->connect_timeout_ms ?
				      t->connect_timeout_ms : 10000,
		.https_only = true, .no_proxy = true,
	};
	if (http_client_init_for(&d->http, &e, &why)) {
		docker_seterr(d, "cannot set up libcurl");
		goto out;
	}
	r.path = xstrdup("/version");
	r.unversioned = true;
	if (docker_perform_ok(d, &r, 200, 200))
		goto out;
	j = cJSON_ParseWithLength(r.resp.data ? r.resp.data : "", r.resp.len);
	v = cJSON_GetObjectItemCaseSensitive(j, "ApiVersion");
	free(why);
	why = NULL;
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
	docker_req_release(&r);
	return ret;
}

void docker_close(struct docker *d)
{
	if (!d)
		return;
	http_client_release(&d->http);
	free(d->name);
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

static int call_req(struct docker *d, struct docker_req *r, const cJSON *body,
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
	if (docker_perform(d, r))
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

int docker_callf(struct docker *d, const char *method, const cJSON *body,
		 long timeout_ms, long *status, cJSON **resp,
		 const char *fmt, ...)
{
	struct docker_req r;
	va_list ap;
	int ret;

	docker_req_init(&r, method, DOCKER_CAP_JSON);
	va_start(ap, fmt);
	r.path = docker_vpath(fmt, ap);
	va_end(ap);
	r.timeout_ms = timeout_ms;
	ret = call_req(d, &r, body, status, resp);
	docker_req_release(&r);
	return ret;
}

int docker_call(struct docker *d, const char *method, const char *path,
		const cJSON *body, long *status, cJSON **resp)
{
	struct docker_req r;
	int ret;

	docker_req_init(&r, method, DOCKER_CAP_JSON);
	r.path = xstrdup(path);
	ret = call_req(d, &r, body, status, resp);
	docker_req_release(&r);
	return ret;
}

/* A call whose answer is only a status: 0 when it is one of ok1/ok2. */
int docker_expect(struct docker *d, int rc, long status, long ok1, long ok2)
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
	rc = name ? docker_callf(d, "POST", config, 0, &status, &resp,
			  "/containers/create?name=%s", name) :
		docker_callf(d, "POST", config, 0, &status, &resp,
		      "/containers/create");
	if (docker_expect(d, rc, status, 201, 200))
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
	int rc = docker_callf(d, "POST", NULL, 0, &status, NULL,
		       "/containers/%s/start", name);

	return docker_expect(d, rc, status, 204, 304);
}

int docker_stop(struct docker *d, const char *name, int timeout_s)
{
	long status;
	int rc;

	if (timeout_s < 0)
		timeout_s = 0;
	rc = docker_callf(d, "POST", NULL, d->timeout_ms + timeout_s * 1000L,
		   &status, NULL, "/containers/%s/stop?t=%d", name, timeout_s);
	return docker_expect(d, rc, status, 204, 304);
}

int docker_kill(struct docker *d, const char *name, const char *signal)
{
	long status;
	int rc = docker_callf(d, "POST", NULL, 0, &status, NULL,
		       "/containers/%s/kill?signal=%s", name,
		       signal ? signal : "SIGKILL");

	return docker_expect(d, rc, status, 204, 204);
}

int docker_remove(struct docker *d, const char *name, bool force)
{
	long status;
	int rc = docker_callf(d, "DELETE", NULL, 0, &status, NULL,
		       "/containers/%s?force=%d", name, force ? 1 : 0);

	if (rc == 0 && status == 404)
		return 0;
	return docker_expect(d, rc, status, 204, 200) ? -1 : 1;
}

int docker_rename(struct docker *d, const char *name, const char *new_name)
{
	long status;
	int rc = docker_callf(d, "POST", NULL, 0, &status, NULL,
		       "/containers/%s/rename?name=%s", name, new_name);

	return docker_expect(d, rc, status, 204, 200);
}

int docker_inspect(struct docker *d, const char *name, cJSON **out)
{
	cJSON *resp = NULL;
	long status;
	int rc = docker_callf(d, "GET", NULL, 0, &status, &resp,
		       "/containers/%s/json", name);

	*out = NULL;
	if (rc == 0 && status == 404) {
		cJSON_Delete(resp);
		return 0;
	}
	if (docker_expect(d, rc, status, 200, 200)) {
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
	rc = filter ? docker_callf(d, "GET", NULL, 0, &status, &resp,
			    "/containers/json?all=%d&filters=%s", all ? 1 : 0,
			    filter) :
		docker_callf(d, "GET", NULL, 0, &status, &resp,
		      "/containers/json?all=%d", all ? 1 : 0);
	if (docker_expect(d, rc, status, 200, 200))
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
