/*
 * soap.h: a small SOAP 1.1 client for vCenter's vim25 API (and any other
 * document/literal SOAP service): requests written from fixed templates in
 * which every value is XML-escaped (soap_addf()), answers read with the
 * namespace-aware XML reader (cloud/xml.h), SOAP faults and vim25's
 * LocalizedMethodFault turned into a struct cloud_err a person can act on,
 * and the session cookie the server sets kept for the calls after it.
 *
 * One client per thread (it holds one HTTP client).  TLS as cloud/http.h:
 * the system trust, $SSL_CERT_FILE, or the CA file the caller names; the
 * caller may turn verification off (a lab's vCenter) and must then warn.
 *
 * Secrets: the session cookie is a secret: it is sent as a header (wiped
 * by http.c after each request) and wiped by soap_close(); a request body
 * that carries a password is built in a struct buf the caller wipes
 * (buf_wipe()).  Messages never quote a request.
 */
#ifndef ICM_CLOUD_SOAP_H
#define ICM_CLOUD_SOAP_H

#include "../icm.h"
#include "../util/buf.h"
#include "err.h"
#include "http.h"
#include "xml.h"

#define SOAP_XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define SOAP_COOKIE_MAX 512		/* the session cookie */
#define SOAP_BODY_CAP (4u << 20)	/* one request's body */

struct soap_client {
	struct http_client http;
	char *url;			/* https://server/sdk */
	char *action;			/* the SOAPAction header's value */
	char cookie[SOAP_COOKIE_MAX];	/* "name=value", "" before login */
	unsigned long calls;		/* requests sent (tests, debug) */
};

struct soap_opts {
	const char *url;		/* the endpoint (https:// unless a
					   test says http://) */
	const char *ns;			/* "urn:vim25" */
	const char *version;		/* "6.7": SOAPAction ns/version */
	const char *ca_file;		/* NULL: system trust */
	bool insecure;			/* no certificate verification */
};

/* Sets up *c.  0, or -1 with the reason in *err (allocated). */
int soap_open(struct soap_client *c, const struct soap_opts *o,
	      char **err) WARN_UNUSED;
/* Releases *c, the cookie wiped (log out first: the caller's call). */
void soap_close(struct soap_client *c);

/*
 * Appends to b the template fmt with its conversions replaced:
 *   %s  a string, XML-escaped (& < > " ' and control characters as
 *       character references; NULL is refused)
 *   %r  a fragment of XML built with soap_addf() before, as is
 *   %d  an int,  %u an unsigned,  %lld a long long
 *   %%  a percent sign
 * Nothing else is accepted.  0, or -1 when b's cap is reached or the
 * template is wrong (a programming error, also logged).
 */
int soap_addf(struct buf *b, const char *fmt, ...) WARN_UNUSED;

/* XML-escapes s into b (the %s of soap_addf()).  0 or -1 (cap). */
int soap_escape(struct buf *b, const char *s) WARN_UNUSED;

/*
 * One call: body is the method's element (<Login xmlns="urn:vim25">...),
 * sent inside the envelope.  On success *root is the whole answer (caller
 * frees with xml_free()) and *ret its Body's first element (the
 * ...Response).  On failure -1 with *err set: a SOAP fault (see
 * soap_fault()), an HTTP status without a fault, or the transport's
 * reason.  A Set-Cookie in the answer replaces the session cookie.
 * Calls whose name starts with Retrieve, Find, Login, Logout or
 * CreateContainerView/DestroyView are retried on transient failures.
 */
int soap_call(struct soap_client *c, const char *method,
	      const struct buf *body, struct xml_node **root,
	      const struct xml_node **ret, struct cloud_err *err)
	WARN_UNUSED;

/*
 * An answer's len bytes of data (HTTP status) read: 0 with *root the
 * whole answer (caller frees) and *ret its Body's first element; or -1
 * with *root NULL and *err set: not XML, a SOAP fault (soap_fault()), or
 * a status without a result.  method names the call in messages.
 */
int soap_answer(const char *method, long status, const char *data,
		size_t len, struct xml_node **root, const struct xml_node **ret,
		struct cloud_err *err) WARN_UNUSED;

/* The xsi:type of n (the part after the prefix), or NULL. */
const char *soap_type(const struct xml_node *n);

/*
 * A fault as a cloud error: type the fault's type (InvalidLogin,
 * NotAuthenticated, ManagedObjectNotFound, InvalidPowerState,
 * NicSettingMismatch, DuplicateName, InsufficientResourcesFault,
 * InsufficientDiskSpace, ...), text the server's message (faultstring
 * or localizedMessage; may be NULL or empty), detail the fault's element
 * (its children name the object, the state; may be NULL).  The class
 * follows the type; the message is the server's text with what a person
 * can do about it.  Returns -1.
 */
int soap_fault(const char *type, const char *text,
	       const struct xml_node *detail, struct cloud_err *err);

/* vim25's LocalizedMethodFault (a task's info.error) as a cloud error:
 * its fault's type and its localizedMessage.  Returns -1. */
int soap_method_fault(const struct xml_node *lmf, struct cloud_err *err);

#endif
