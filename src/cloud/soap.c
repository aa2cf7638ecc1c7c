/*
 * soap.c: the SOAP client: the envelope, one call with its retries, the
 * session cookie (see soap.h; requests and answers are soap_msg.c's).
 */
#include "soap.h"
#include "../state/log.h"
#include "../util/str.h"
#include <unistd.h>

#define SOAP_TIMEOUT_MS 120000L	/* one call (a large property read) */

int soap_open(struct soap_client *c, const struct soap_opts *o, char **err)
{
	struct http_endpoint e = {
		.ca_file = o->ca_file,
		.insecure = o->insecure,
	};

	memset(c, 0, sizeof(*c));
	if (http_client_init_for(&c->http, &e, err))
		return -1;
	c->url = xstrdup(o->url);
	c->action = xasprintf("%s/%s", o->ns, o->version);
	return 0;
}

void soap_close(struct soap_client *c)
{
	http_client_release(&c->http);
	free(c->url);
	free(c->action);
	explicit_bzero(c->cookie, sizeof(c->cookie));
	memset(c, 0, sizeof(*c));
}

static bool retryable(const char *method)
{
	static const char *const safe[] = { "Retrieve", "Find", "Login",
					    "Logout", "CreateContainerView",
					    "DestroyView" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(safe); i++)
		if (!strncmp(method, safe[i], strlen(safe[i])))
			return true;
	return false;
}

/* Keeps "name=value" of a Set-Cookie value. */
static void keep_cookie(struct soap_client *c, const char *set)
{
	size_t n = strcspn(set, ";");

	if (!n || n >= sizeof(c->cookie))
		return;
	explicit_bzero(c->cookie, sizeof(c->cookie));
	memcpy(c->cookie, set, n);
}

/* The envelope around body. */
static int envelope(struct buf *e, const struct buf *body)
{
	return buf_adds(e, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
			"<soapenv:Envelope xmlns:soapenv=\"http://schemas."
			"xmlsoap.org/soap/envelope/\" xmlns:xsd=\"http://www."
			"w3.org/2001/XMLSchema\" xmlns:xsi=\"" SOAP_XSI_NS "\">"
			"<soapenv:Body>") ||
	       buf_add(e, body->data, body->len) ||
	       buf_adds(e, "</soapenv:Body></soapenv:Envelope>");
}

int soap_call(struct soap_client *c, const char *method,
	      const struct buf *body, struct xml_node **root,
	      const struct xml_node **ret, struct cloud_err *err)
{
	struct buf env;
	struct http_response resp;
	struct http_backoff bo;
	struct http_header h[3];
	struct http_request req;
	char *action = xasprintf("\"%s\"", c->action), *cookie = NULL;
	char *why = NULL;
	bool transient;
	int rc = -1;

	*root = NULL;
	*ret = NULL;
	buf_init(&env, SOAP_BODY_CAP + 1024);
	http_response_init(&resp);
	http_backoff_init(&bo, 0);
	if (envelope(&env, body)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "%s: request too large",
			      method);
		goto out;
	}
	h[0] = (struct http_header){ "Content-Type",
				     "text/xml; charset=utf-8" };
	h[1] = (struct http_header){ "SOAPAction", action };
	if (c->cookie[0])
		cookie = xstrdup(c->cookie);
	h[2] = (struct http_header){ "Cookie", cookie };
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = c->url;
	req.headers = h;
	req.nheaders = cookie ? 3 : 2;
	req.body = env.data;
	req.body_len = env.len;
	req.timeout_ms = SOAP_TIMEOUT_MS;
	req.capture = "Set-Cookie";
	for (;;) {
		c->calls++;
		free(why);
		why = NULL;
		buf_release(&resp.body);
		buf_init(&resp.body, HTTP_CAP_BODY);
		if (!http_send(&c->http, &req, &resp, &transient, &why) &&
		    resp.status != 503)
			break;
		if (!retryable(method) || http_backoff_wait(&bo)) {
			if (why)
				cloud_err_set(err, transient ?
					      CLOUD_ERR_TRANSIENT :
					      CLOUD_ERR_OTHER, "%s: %s",
					      method, why);
			else
				cloud_err_set(err, CLOUD_ERR_TRANSIENT,
					      "%s: vCenter answered HTTP 503 "
					      "(busy)", method);
			goto out;
		}
		debug("SOAP %s: retrying (%s)", method, why ? why : "503");
	}
	if (resp.captured[0])
		keep_cookie(c, resp.captured);
	rc = soap_answer(method, resp.status, resp.body.data, resp.body.len,
			 root, ret, err);
out:
	if (rc) {
		xml_free(*root);
		*root = NULL;
	}
	freezero_str(cookie);
	free(action);
	free(why);
	buf_wipe(&env);
	buf_release(&env);
	http_response_release(&resp);
	return rc;
}
