/*
 * soap_msg.c: SOAP messages without the network (see soap.h): requests
 * from templates with every value escaped, answers read into a result or
 * a fault, faults turned into cloud errors.  No libcurl here, so the
 * fuzz targets reach it (tests/fuzz/fuzz-soap.c).
 */
#include "soap.h"
#include "../state/log.h"
#include "../util/str.h"
#include <stdarg.h>

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
		    strcmp(n->attrs[i].ns, SOAP_XSI_NS))
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

int soap_answer(const char *method, long status, const char *data,
		size_t len, struct xml_node **root, const struct xml_node **ret,
		struct cloud_err *err)
{
	const struct xml_node *b;
	char *perr = NULL;

	*root = NULL;
	*ret = NULL;
	if (xml_parse(data, len, root, &perr)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "%s: HTTP %ld, the answer "
			      "is not XML (%s): is Server a vCenter?", method,
			      status, perr);
		free(perr);
		return -1;
	}
	b = xml_child(*root, "Body");
	if (xml_child(b, "Fault"))
		answer_fault(b, err);
	else if (status != 200 || !b || !b->children)
		cloud_err_set(err, status >= 500 ? CLOUD_ERR_TRANSIENT :
			      CLOUD_ERR_OTHER, "%s: vCenter answered HTTP %ld "
			      "without a result", method, status);
	else {
		*ret = b->children;
		return 0;
	}
	xml_free(*root);
	*root = NULL;
	return -1;
}
