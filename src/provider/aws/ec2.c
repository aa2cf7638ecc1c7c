/*
 * ec2.c: the AWS Query API client (see ec2.h): parameter lists, the form
 * body, endpoints, signed POSTs with retries, XML answers and errors,
 * and NextToken pagination.
 */
#include "../../icm.h"
#include "ec2.h"
#include "awserr.h"
#include "../../state/log.h"
#include "../../util/str.h"
#include <ctype.h>

#define AWS_CAP_BODY (4u << 20)		/* one request's form body */

static const struct {
	const char *signing_name;	/* SigV4 service */
	const char *host_prefix;
	const char *env;		/* AWS_ENDPOINT_URL_<env> */
	const char *version;
} services[] = {
	[AWS_EC2] = { "ec2", "ec2", "AWS_ENDPOINT_URL_EC2", EC2_API_VERSION },
	[AWS_ELB] = { "elasticloadbalancing", "elasticloadbalancing",
		      "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING",
		      ELB_API_VERSION },
};

/* ---- parameters ------------------------------------------------------ */

void aws_params_init(struct aws_params *p)
{
	memset(p, 0, sizeof(*p));
}

void aws_params_release(struct aws_params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		freezero_str(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static void add_owned(struct aws_params *p, char *key, const char *value)
{
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 16;
		p->v = xrealloc(p->v, p->alloc * sizeof(*p->v));
	}
	p->v[p->n].key = key;
	p->v[p->n++].value = xstrdup(value ? value : "");
}

void aws_params_add(struct aws_params *p, const char *key, const char *value)
{
	add_owned(p, xstrdup(key), value);
}

void aws_params_addf(struct aws_params *p, const char *value,
		     const char *keyfmt, ...)
{
	va_list ap;
	struct buf b;

	buf_init(&b, BUF_CAP_LINE);
	va_start(ap, keyfmt);
	if (buf_vaddf(&b, keyfmt, ap))
		abort();		/* our own key formats: a bug */
	va_end(ap);
	add_owned(p, buf_take(&b), value);
}

void aws_params_list(struct aws_params *p, const char *prefix,
		     const char *const *values, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		aws_params_addf(p, values[i], "%s.%zu", prefix, i + 1);
}

void aws_params_filter(struct aws_params *p, const char *name,
		       const char *const *values, size_t n)
{
	char *prefix = xasprintf("Filter.%d.Value", ++p->filters);

	aws_params_addf(p, name, "Filter.%d.Name", p->filters);
	aws_params_list(p, prefix, values, n);
	free(prefix);
}

/* prefix.M.Key / prefix.M.Value for each tag. */
static void tag_list(struct aws_params *p, const char *prefix,
		     const struct aws_tag *tags, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		aws_params_addf(p, tags[i].key, "%s.%zu.Key", prefix, i + 1);
		aws_params_addf(p, tags[i].value, "%s.%zu.Value", prefix,
				i + 1);
	}
}

void aws_params_tags(struct aws_params *p, const struct aws_tag *tags,
		     size_t n)
{
	tag_list(p, "Tag", tags, n);
}

void aws_params_tag_spec(struct aws_params *p, const char *resource_type,
			 const struct aws_tag *tags, size_t n)
{
	char *prefix = xasprintf("TagSpecification.%d.Tag", ++p->tag_specs);

	aws_params_addf(p, resource_type, "TagSpecification.%d.ResourceType",
			p->tag_specs);
	tag_list(p, prefix, tags, n);
	free(prefix);
}

const char *aws_params_get(const struct aws_params *p, const char *key)
{
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (!strcmp(p->v[i].key, key))
			return p->v[i].value;
	return NULL;
}

static int param_cmp(const void *a, const void *b)
{
	const struct aws_param *const *x = a, *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

static int add_pair(struct buf *b, const char *k, const char *v)
{
	return buf_add(b, "&", b->len ? 1 : 0) ||
	       sigv4_uri_encode(b, k, strlen(k), false) ||
	       buf_add(b, "=", 1) ||
	       sigv4_uri_encode(b, v, strlen(v), false);
}

char *aws_form_body(const char *action, const char *version,
		    const struct aws_params *p)
{
	const struct aws_param **sorted = NULL;
	size_t i, n = p ? p->n : 0;
	struct buf b;

	buf_init(&b, AWS_CAP_BODY);
	if (add_pair(&b, "Action", action) || add_pair(&b, "Version", version))
		goto fail;
	sorted = xcalloc(n + 1, sizeof(*sorted));
	for (i = 0; i < n; i++)
		sorted[i] = &p->v[i];
	qsort(sorted, n, sizeof(*sorted), param_cmp);
	for (i = 0; i < n; i++)
		if (add_pair(&b, sorted[i]->key, sorted[i]->value))
			goto fail;
	free(sorted);
	return buf_take(&b);
fail:
	free(sorted);
	buf_wipe(&b);
	return NULL;
}

/* ---- the client -------------------------------------------------------- */

static bool region_ok(const char *r)
{
	if (!r || !*r || strlen(r) > 32)
		return false;
	for (; *r; r++)
		if (!islower((unsigned char)*r) &&
		    !isdigit((unsigned char)*r) && *r != '-')
			return false;
	return true;
}

int aws_endpoint(enum aws_service service, const char *region, char **url,
		 char **err)
{
	const char *e = getenv(services[service].env);

	*url = *err = NULL;
	if (!e || !*e)
		e = getenv("AWS_ENDPOINT_URL");
	if (e && *e) {
		if (!str_starts(e, "http://") && !str_starts(e, "https://")) {
			*err = xasprintf("%s: '%s' is not an http:// or "
					 "https:// URL",
					 getenv(services[service].env) ?
					 services[service].env :
					 "AWS_ENDPOINT_URL", e);
			return -1;
		}
		*url = xstrdup(e);
		return 0;
	}
	if (!region_ok(region)) {
		*err = xasprintf("'%s' is not an AWS region (like us-east-1)",
				 region ? region : "");
		return -1;
	}
	*url = xasprintf("https://%s.%s.amazonaws.com/",
			 services[service].host_prefix, region);
	return 0;
}

int aws_client_init(struct aws_client *c, enum aws_service service,
		    const struct aws_creds *creds, const char *region,
		    char **err)
{
	memset(c, 0, sizeof(*c));
	*err = NULL;
	c->service = service;
	c->creds = creds;
	if (!creds || !creds->access_key || !creds->secret_key) {
		*err = xstrdup("no AWS credentials loaded");
		return -1;
	}
	if (!region_ok(region)) {
		*err = xasprintf("'%s' is not an AWS region (like us-east-1)",
				 region ? region : "");
		return -1;
	}
	c->region = xstrdup(region);
	if (aws_endpoint(service, region, &c->url, err) ||
	    http_url_split(c->url, &c->host, &c->path, err) ||
	    http_client_init(&c->http, err))
		return -1;
	return 0;
}

void aws_client_release(struct aws_client *c)
{
	if (c->http.curl)
		http_client_release(&c->http);
	free(c->region);
	free(c->url);
	free(c->host);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

int aws_sign_form(const struct aws_client *c, const char *body, time_t when,
		  struct sigv4_result *res, struct http_header *hdrs,
		  size_t *nhdrs, char **err)
{
	struct sigv4_header h[2] = {
		{ "Content-Type", AWS_FORM_CONTENT_TYPE },
		{ "Host", c->host },
	};
	struct sigv4_request req = {
		.method = "POST", .path = c->path, .headers = h, .nheaders = 2,
		.body = body, .body_len = strlen(body),
	};
	struct sigv4_params p = {
		.access_key = c->creds->access_key,
		.secret_key = c->creds->secret_key,
		.session_token = c->creds->session_token,
		.region = c->region,
		.service = services[c->service].signing_name,
		.when = when,
		.normalize_path = true,
	};
	size_t i;

	*nhdrs = 0;
	if (sigv4_sign(&req, &p, res, err))
		return -1;
	for (i = 0; i < 2; i++)
		hdrs[(*nhdrs)++] = (struct http_header){ h[i].name,
							 h[i].value };
	for (i = 0; i < res->nadd; i++)
		hdrs[(*nhdrs)++] = (struct http_header){ res->add[i].name,
							 res->add[i].value };
	hdrs[(*nhdrs)++] = (struct http_header){ "Authorization",
						 res->authorization };
	return 0;
}

/* The first line of an answer that is not an AWS error (HTTP 5xx pages). */
static char *plain_reason(const struct http_response *r)
{
	size_t n = 0;

	while (n < r->body.len && n < 200 && r->body.data[n] != '\n' &&
	       r->body.data[n] != '\r')
		n++;
	return n ? xasprintf("HTTP %ld: %.*s", r->status, (int)n,
			     r->body.data) : xasprintf("HTTP %ld", r->status);
}

/*
 * Reads a non-2xx answer: the reason (allocated), its class and whether
 * it is worth retrying.
 */
static char *answer_error(const struct http_response *r,
			  enum cloud_err_class *cls, bool *retry)
{
	struct xml_node *root = NULL;
	char *code = NULL, *msg = NULL, *perr = NULL, *why;

	*cls = CLOUD_ERR_OTHER;
	if (r->body.len && !xml_parse(r->body.data, r->body.len, &root,
				      &perr) &&
	    !aws_error_parse(root, &code, &msg)) {
		*cls = aws_error_class(code);
		why = aws_error_message(code, msg);
	} else {
		why = plain_reason(r);
		if (http_status_retryable(r->status))
			*cls = CLOUD_ERR_TRANSIENT;
		else if (r->status == 401 || r->status == 403)
			*cls = CLOUD_ERR_AUTH;
	}
	*retry = *cls == CLOUD_ERR_THROTTLED || *cls == CLOUD_ERR_TRANSIENT ||
		 http_status_retryable(r->status);
	free(code);
	free(msg);
	free(perr);
	xml_free(root);
	return why;
}

/* One attempt: 0 with *out, or -1 with *why, *cls and *retry. */
static int attempt(struct aws_client *c, const char *body, long timeout_ms,
		   struct http_response *resp, struct xml_node **out,
		   char **why, enum cloud_err_class *cls, bool *retry)
{
	struct http_header hdrs[AWS_SIGNED_HEADERS];
	struct sigv4_result sig;
	struct http_request req = {
		.method = "POST", .url = c->url, .headers = hdrs,
		.body = body, .body_len = strlen(body),
		.timeout_ms = timeout_ms,
	};
	char *perr = NULL;
	int ret = -1;

	*retry = false;
	*cls = CLOUD_ERR_OTHER;
	if (aws_sign_form(c, body, time(NULL), &sig, hdrs, &req.nheaders,
			  why))
		goto out;
	c->attempts++;
	if (http_send(&c->http, &req, resp, retry, why)) {
		if (*retry)
			*cls = CLOUD_ERR_TRANSIENT;
		goto out;
	}
	c->last_status = resp->status;
	if (resp->status < 200 || resp->status > 299) {
		*why = answer_error(resp, cls, retry);
		goto out;
	}
	if (xml_parse(resp->body.data ? resp->body.data : "", resp->body.len,
		      out, &perr)) {
		*why = xasprintf("the answer is not XML: %s", perr);
		free(perr);
		goto out;
	}
	ret = 0;
out:
	sigv4_result_release(&sig);
	return ret;
}

int ec2_call(struct aws_client *c, const char *action,
	     const struct aws_params *p, struct xml_node **out,
	     struct cloud_err *err)
{
	struct http_response resp;
	struct http_backoff bo;
	enum cloud_err_class cls = CLOUD_ERR_OTHER;
	char *body, *why = NULL;
	long left;
	bool retry;
	int ret = -1;

	*out = NULL;
	cloud_err_release(err);
	c->calls++;
	c->last_attempts = 0;
	body = aws_form_body(action, services[c->service].version, p);
	if (!body)
		return cloud_err_set(err, CLOUD_ERR_INVALID,
				     "%s: the request is larger than %u MiB",
				     action, AWS_CAP_BODY >> 20);
	http_response_init(&resp);
	http_backoff_init(&bo, c->budget_ms);
	for (;;) {
		left = http_backoff_left(&bo);
		if (left > HTTP_REQUEST_TIMEOUT_MS)
			left = HTTP_REQUEST_TIMEOUT_MS;
		free(why);
		why = NULL;
		c->last_attempts++;
		if (!attempt(c, body, left > 1000 ? left : 1000, &resp, out,
			     &why, &cls, &retry))
			break;
		if (retry)
			debug("aws: %s attempt %d failed: %s", action,
			      c->last_attempts, why);
		if (!retry || http_backoff_wait(&bo)) {
			if (retry)
				cloud_err_set(err, cls, "%s: %s (still failing "
					      "after %d attempts)", action,
					      why, c->last_attempts);
			else
				cloud_err_set(err, cls, "%s: %s", action, why);
			goto out;
		}
	}
	ret = 0;
out:
	free(why);
	http_response_release(&resp);
	freezero_str(body);
	return ret;
}

/* The token of the next page, or NULL at the end. */
static const char *next_token(const struct aws_client *c,
			      const struct xml_node *root)
{
	const struct xml_node *n;
	const char *t = NULL;

	if (c->service != AWS_ELB)
		t = xml_text(xml_child(root, "nextToken"));
	for (n = root->children; !t && n; n = n->next)	/* <XResult> */
		if (str_ends(n->name, "Result"))
			t = xml_text(xml_child(n, "NextMarker"));
	return t && *t ? t : NULL;
}

int ec2_call_pages(struct aws_client *c, const char *action,
		   const struct aws_params *p, aws_page_fn fn, void *arg,
		   struct cloud_err *err)
{
	const char *tparam = c->service == AWS_ELB ? "Marker" : "NextToken";
	struct aws_params q;
	struct xml_node *root = NULL;
	char *token = NULL;
	const char *t;
	size_t i, base;
	int page, r, ret = -1;

	cloud_err_release(err);
	aws_params_init(&q);
	for (i = 0; p && i < p->n; i++)
		aws_params_add(&q, p->v[i].key, p->v[i].value);
	base = q.n;
	for (page = 0; page < AWS_MAX_PAGES; page++) {
		if (ec2_call(c, action, &q, &root, err))
			goto out;
		r = fn(arg, root, err);
		if (r < 0)
			goto out;
		t = r ? NULL : next_token(c, root);
		if (!t) {
			ret = 0;
			goto out;
		}
		if (token && !strcmp(token, t)) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "%s: the service "
				      "answered the same page token twice",
				      action);
			goto out;
		}
		free(token);
		token = xstrdup(t);
		xml_free(root);
		root = NULL;
		while (q.n > base) {	/* drop the previous token */
			q.n--;
			free(q.v[q.n].key);
			freezero_str(q.v[q.n].value);
		}
		aws_params_add(&q, tparam, token);
	}
	cloud_err_set(err, CLOUD_ERR_OTHER, "%s: more than %d pages", action,
		      AWS_MAX_PAGES);
out:
	xml_free(root);
	free(token);
	aws_params_release(&q);
	return ret;
}
