/*
 * soap.c: SOAP requests from escaped templates, answers and faults, the
 * session cookie (see soap.h).
 */
#include "soap.h"
#include "../state/log.h"
#include "../util/str.h"
#include <stdarg.h>
#include <unistd.h>

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
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

int soap_escape(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		int r;

		switch (*p) {
		case '&': r = buf_adds(b, "&amp;"); break;
		case '<': r = buf_adds(b, "&lt;"); break;
		case '>': r = buf_adds(b, "&gt;"); break;
		case '"': r = buf_adds(b, "&quot;"); break;
		case '\'': r = buf_adds(b, "&apos;"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				r = buf_addf(b, "&#%u;", *p);
			else
				r = buf_add(b, p, 1);
		}
		if (r)
			return -1;
	}
	return 0;
}

int soap_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	const char *p, *s;
	int ret = -1;

	va_start(ap, fmt);
	for (p = fmt; *p; p++) {
		const char *pct = strchr(p, '%');
		size_t lit = pct ? (size_t)(pct - p) : strlen(p);

		if (lit && buf_add(b, p, lit))
			goto out;
		if (!pct)
			break;
		p = pct + 1;
		switch (*p) {
		case 's':
			s = va_arg(ap, const char *);
			if (!s) {
				warning("soap_addf: NULL value in '%s'", fmt);
				goto out;
			}
			if (soap_escape(b, s))
				goto out;
			break;
		case 'r':
			s = va_arg(ap, const char *);
			if (s && buf_adds(b, s))
				goto out;
			break;
		case 'd':
			if (buf_addf(b, "%d", va_arg(ap, int)))
				goto out;
			break;
		case 'u':
			if (buf_addf(b, "%u", va_arg(ap, unsigned)))
				goto out;
			break;
		case 'l':
			if (strncmp(p, "lld", 3)) {
				warning("soap_addf: bad template '%s'", fmt);
				goto out;
			}
			p += 2;
			if (buf_addf(b, "%lld", va_arg(ap, long long)))
				goto out;
			break;
		case '%':
			if (buf_add(b, "%", 1))
				goto out;
			break;
		default:
			warning("soap_addf: bad template '%s'", fmt);
			goto out;
		}
	}
	ret = 0;
out:
	va_end(ap);
	return ret;
}

const char *soap_type(const struct xml_node *n)
{
	size_t i;

	if (!n)
		return NULL;
	for (i = 0; i < n->nattrs; i++) {
		const char *v = n->attrs[i].value, *colon;

		if (strcmp(n->attrs[i].name, "type") || !n->attrs[i].ns ||
		    strcmp(n->attrs[i].ns, XSI_NS))
			continue;
		colon = strrchr(v, ':');
		return colon ? colon + 1 : v;
	}
	return NULL;
}

/* What a fault type means, and what to do about it. */
static const struct {
	const char *type;
	enum cloud_err_class cls;
	const char *hint;		/* appended to the server's text */
} faults[] = {
	{ "InvalidLogin", CLOUD_ERR_AUTH,
	  "the user name or password is wrong (VSphereUser, "
	  "VSpherePassword)" },
	{ "NotAuthenticated", CLOUD_ERR_AUTH,
	  "the session is not logged in or has expired" },
	{ "NoPermission", CLOUD_ERR_AUTH,
	  "the user lacks a privilege on this object" },
	{ "ManagedObjectNotFound", CLOUD_ERR_NOT_FOUND,
	  "the object no longer exists" },
	{ "InvalidPowerState", CLOUD_ERR_OTHER,
	  "the virtual machine is not in the power state this needs" },
	{ "NicSettingMismatch", CLOUD_ERR_INVALID,
	  "the customization names a different number of network adapters "
	  "than the template has" },
	{ "DuplicateName", CLOUD_ERR_EXISTS, NULL },
	{ "AlreadyExists", CLOUD_ERR_EXISTS, NULL },
	{ "InsufficientResourcesFault", CLOUD_ERR_INVALID,
	  "the cluster or resource pool has not enough CPU or memory for "
	  "VCPU/Memory" },
	{ "InsufficientCpuResourcesFault", CLOUD_ERR_INVALID,
	  "not enough CPU in the resource pool for VCPU" },
	{ "InsufficientMemoryResourcesFault", CLOUD_ERR_INVALID,
	  "not enough memory in the resource pool for Memory" },
	{ "InsufficientHostCapacityFault", CLOUD_ERR_INVALID,
	  "no host of the cluster can run the virtual machine" },
	{ "InsufficientDiskSpace", CLOUD_ERR_INVALID,
	  "the datastore is full (DataStore, DatastoreCluster, or smaller "
	  "*VolumeSize)" },
	{ "NoDiskSpace", CLOUD_ERR_INVALID,
	  "the datastore is full (DataStore, DatastoreCluster, or smaller "
	  "*VolumeSize)" },
	{ "OutOfBounds", CLOUD_ERR_INVALID, NULL },
	{ "InvalidArgument", CLOUD_ERR_INVALID, NULL },
	{ "InvalidRequest", CLOUD_ERR_INVALID, NULL },
	{ "InvalidState", CLOUD_ERR_OTHER, NULL },
	{ "TaskInProgress", CLOUD_ERR_TRANSIENT, NULL },
	{ "HostCommunication", CLOUD_ERR_TRANSIENT, NULL },
	{ "SystemError", CLOUD_ERR_TRANSIENT, NULL },
};

int soap_fault(const char *type, const char *text,
	       const struct xml_node *detail, struct cloud_err *err)
{
	const char *obj = xml_text(xml_child(detail, "obj"));
	size_t i;

	if (!text || !*text)
		text = type ? type : "SOAP fault";
	for (i = 0; type && i < ARRAY_SIZE(faults); i++) {
		if (strcmp(type, faults[i].type))
			continue;
		if (faults[i].cls == CLOUD_ERR_NOT_FOUND && obj && *obj)
			return cloud_err_set(err, faults[i].cls,
					     "%s: %s (%s)", type, text, obj);
		if (!faults[i].hint)
			return cloud_err_set(err, faults[i].cls, "%s: %s",
					     type, text);
		return cloud_err_set(err, faults[i].cls, "%s: %s: %s", type,
				     text, faults[i].hint);
	}
	return cloud_err_set(err, CLOUD_ERR_OTHER, "%s%s%s",
			     type ? type : "", type ? ": " : "", text);
}

int soap_method_fault(const struct xml_node *lmf, struct cloud_err *err)
{
	const struct xml_node *f = xml_child(lmf, "fault");

	return soap_fault(soap_type(f), xml_text(xml_child(lmf,
			  "localizedMessage")), f, err);
}

/* The fault of an answer: its detail element's xsi:type, or the
 * element's name without "Fault" (<InvalidLoginFault>) when it has none. */
static int answer_fault(const struct xml_node *body, struct cloud_err *err)
{
	const struct xml_node *f = xml_child(body, "Fault");
	const struct xml_node *d = xml_child(f, "detail") ?
		xml_child(f, "detail")->children : NULL;
	const char *text = xml_text(xml_child(f, "faultstring"));
	char *type = NULL;
	int r;

	if (soap_type(d))
		type = xstrdup(soap_type(d));
	else if (d && strlen(d->name) > 5 &&
		 !strcmp(d->name + strlen(d->name) - 5, "Fault") &&
		 !strstr(d->name, "ResourcesFault") &&
		 !strstr(d->name, "CapacityFault"))
		type = xstrndup(d->name, strlen(d->name) - 5);
	else if (d)
		type = xstrdup(d->name);
	r = soap_fault(type, text, d, err);
	free(type);
	return r;
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
			"w3.org/2001/XMLSchema\" xmlns:xsi=\"" XSI_NS "\">"
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
	char *why = NULL, *perr = NULL;
	const struct xml_node *b;
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
	if (xml_parse(resp.body.data, resp.body.len, root, &perr)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "%s: HTTP %ld, the answer "
			      "is not XML (%s): is Server a vCenter?", method,
			      resp.status, perr);
		goto out;
	}
	b = xml_child(*root, "Body");
	if (xml_child(b, "Fault")) {
		answer_fault(b, err);
		goto out;
	}
	if (resp.status != 200 || !b || !b->children) {
		cloud_err_set(err, resp.status >= 500 ? CLOUD_ERR_TRANSIENT :
			      CLOUD_ERR_OTHER, "%s: vCenter answered HTTP %ld "
			      "without a result", method, resp.status);
		goto out;
	}
	*ret = b->children;
	rc = 0;
out:
	if (rc) {
		xml_free(*root);
		*root = NULL;
	}
	freezero_str(cookie);
	free(action);
	free(why);
	free(perr);
	buf_wipe(&env);
	buf_release(&env);
	http_response_release(&resp);
	return rc;
}
