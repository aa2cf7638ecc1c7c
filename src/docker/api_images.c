/*
 * api_images.c: the Docker Engine API calls for images (pull with
 * registry credentials, login, load, inspect) and archives (see api.h),
 * over api.c's request engine (internal.h).
 */
#include "internal.h"
#include "../crypto/sshkey.h"
#include "../util/fs.h"
#include "../util/str.h"

#define DOCKER_HUB_AUTH "https://index.docker.io/v1/"

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

/* The X-Registry-Auth header's value, the base64url of the auth JSON,
 * into hdr (wiped by the caller). */
static int auth_header(const struct docker_auth *a, struct buf *hdr)
{
	struct buf json;
	size_t i, start;
	int ret = -1;

	buf_init(&json, BUF_CAP_LINE);
	if (auth_json(a, &json))
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
	struct docker_req r;
	int ret = -1;

	docker_req_init(&r, "POST", DOCKER_CAP_JSON);
	buf_init(&body, BUF_CAP_LINE);
	if (auth_json(a, &body)) {
		docker_seterr(d, "the registry credentials are too long");
		goto out;
	}
	r.path = xstrdup("/auth");
	r.body = body.data;
	r.body_len = body.len;
	r.content_type = "application/json";
	if (docker_perform_ok(d, &r, 200, 204))
		goto out;
	ret = 0;
out:
	buf_wipe(&body);
	docker_req_release(&r);
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
		goto out;	/* not JSON: ignored, as the daemon's CLI
				   does */
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
static int progress_call(struct docker *d, struct docker_req *r,
			 struct progress *p)
{
	r->line_fn = on_progress_line;
	r->line_arg = p;
	r->timeout_ms = -1;
	if (docker_perform_ok(d, r, 200, 200))
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
	struct docker_req r;
	int ret = -1;

	docker_req_init(&r, "POST", DOCKER_CAP_JSON);
	buf_init(&hdr, BUF_CAP_LINE);
	split_image(image, &repo, &tag);
	r.path = docker_path("/images/create?fromImage=%s&tag=%s", repo, tag);
	if (a && a->username && *a->username) {
		if (auth_header(a, &hdr)) {
			docker_seterr(d, "the registry credentials are too "
				      "long");
			goto out;
		}
		r.auth = hdr.data;
	}
	ret = progress_call(d, &r, &p);
out:
	buf_wipe(&hdr);
	docker_req_release(&r);
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
	rc = docker_callf(d, "GET", NULL, 0, &status, &resp, "/images/%s/json",
		   image);
	if (rc == 0 && status == 404) {
		ret = 0;
		goto out;
	}
	if (docker_expect(d, rc, status, 200, 200))
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
	struct docker_req r;
	FILE *f = NULL;
	int ret = -1, fd;

	docker_req_init(&r, "POST", DOCKER_CAP_JSON);
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
	r.upload_len = (int64_t)st.st_size;
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
	docker_req_release(&r);
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
	struct docker_req r;
	int ret = -1;

	docker_req_init(&r, method, DOCKER_CAP_JSON);
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
	if (docker_perform(d, &r) == 0) {
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
	docker_req_release(&r);
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
