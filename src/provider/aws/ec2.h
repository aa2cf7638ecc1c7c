/*
 * ec2.h: the AWS Query API (EC2, and Elastic Load Balancing, which speaks
 * the same protocol): parameters, the form body, signing (sigv4.h),
 * the POST with retries (http.h), the XML answer (xml.h) and errors turned
 * into one line a person can act on (awserr.h).
 *
 * Endpoints: https://ec2.<region>.amazonaws.com/ and
 * https://elasticloadbalancing.<region>.amazonaws.com/, overridden as the
 * AWS SDKs do by $AWS_ENDPOINT_URL_EC2 /
 * $AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING, then $AWS_ENDPOINT_URL; an
 * override may be http:// (local emulators such as moto).
 *
 * Retries: throttling and AWS-side failures (the error codes
 * aws_error_class() of awserr.h calls CLOUD_ERR_THROTTLED or
 * CLOUD_ERR_TRANSIENT: RequestLimitExceeded, Throttling,
 * ThrottlingException, Unavailable, InternalError, ...), HTTP 429 and
 * every 5xx, and transient transport failures are retried with http.h's
 * backoff
 * (full jitter) within the client's time budget; every attempt is signed
 * again.  Calls that create things must carry an idempotency token
 * (ClientToken) so a retried call cannot create twice.
 *
 * A struct aws_client is used by one thread at a time.
 */
#ifndef ICM_PROVIDER_AWS_EC2_H
#define ICM_PROVIDER_AWS_EC2_H

#include "../../icm.h"
#include "../../cloud/awscreds.h"
#include "../../cloud/err.h"
#include "../../cloud/http.h"
#include "../../cloud/sigv4.h"
#include "../../cloud/xml.h"

#define EC2_API_VERSION "2016-11-15"
#define ELB_API_VERSION "2015-12-01"	/* Elastic Load Balancing v2 */
#define AWS_MAX_PAGES 1000		/* pages of one listing */

/* ---- parameters ------------------------------------------------------ */

struct aws_param {
	char *key;
	char *value;
};

/* An ordered list of Query parameters (keys and values owned). */
struct aws_params {
	struct aws_param *v;
	size_t n, alloc;
	int filters;			/* Filter.N given so far */
	int tag_specs;			/* TagSpecification.N given so far */
};

struct aws_tag {
	const char *key;
	const char *value;
};

void aws_params_init(struct aws_params *p);
/* Frees everything (values are wiped: they may be key material). */
void aws_params_release(struct aws_params *p);
void aws_params_add(struct aws_params *p, const char *key, const char *value);
/* Adds value under a key built from keyfmt: ("x", "Tag.%d.Key", 3). */
void aws_params_addf(struct aws_params *p, const char *value,
		     const char *keyfmt, ...) PRINTF_LIKE(3, 4);
/* prefix.1 .. prefix.n = values[i] ("InstanceId", "ResourceId", ...). */
void aws_params_list(struct aws_params *p, const char *prefix,
		     const char *const *values, size_t n);
/* The next Filter.N.Name = name, Filter.N.Value.M = values[M-1]. */
void aws_params_filter(struct aws_params *p, const char *name,
		       const char *const *values, size_t n);
/* Tag.M.Key / Tag.M.Value (CreateTags). */
void aws_params_tags(struct aws_params *p, const struct aws_tag *tags,
		     size_t n);
/* The next TagSpecification.N.ResourceType = type, .Tag.M.Key/Value. */
void aws_params_tag_spec(struct aws_params *p, const char *resource_type,
			 const struct aws_tag *tags, size_t n);
/* The value of key, or NULL. */
const char *aws_params_get(const struct aws_params *p, const char *key);

/*
 * The form body: Action=action&Version=version, then the parameters
 * sorted by key, names and values percent-encoded as sigv4_uri_encode()
 * does (UTF-8 bytes as %XX, space as %20).  Caller frees (and wipes: it
 * may carry key material).
 */
char *aws_form_body(const char *action, const char *version,
		    const struct aws_params *p);

/* ---- the client -------------------------------------------------------- */

enum aws_service { AWS_EC2, AWS_ELB };

struct aws_client {
	struct http_client http;
	const struct aws_creds *creds;	/* not owned; outlives the client */
	enum aws_service service;
	char *region;
	char *url;			/* the endpoint */
	char *host;			/* its Host header */
	char *path;
	long budget_ms;			/* a call with its retries (0:
					   HTTP_BUDGET_MS) */
	/* counters, for benches and tests */
	unsigned long calls;		/* calls made (not attempts) */
	unsigned long attempts;		/* HTTP attempts, retries included */
	int last_attempts;		/* attempts of the last call */
	long last_status;		/* HTTP status of the last attempt */
};

/*
 * The endpoint of service in region: the environment overrides, or
 * https://<prefix>.<region>.amazonaws.com/.  region must look like one
 * ("us-east-1": lower-case letters, digits and '-').  *url allocated;
 * 0, or -1 with a reason in *err.
 */
int aws_endpoint(enum aws_service service, const char *region, char **url,
		 char **err) WARN_UNUSED;

/* Sets up a client for service in region with creds.  0, or -1 with a
 * reason in *err.  Released with aws_client_release() in both cases. */
int aws_client_init(struct aws_client *c, enum aws_service service,
		    const struct aws_creds *creds, const char *region,
		    char **err) WARN_UNUSED;
void aws_client_release(struct aws_client *c);

/*
 * Signs the POST of body to c's endpoint at time when into *res
 * (sigv4_result_release() it) and fills hdrs (room for
 * AWS_SIGNED_HEADERS) with what to send: Content-Type, Host, then the
 * signing headers.  Exposed for the cross-check against botocore.
 */
#define AWS_FORM_CONTENT_TYPE \
	"application/x-www-form-urlencoded; charset=utf-8"
#define AWS_SIGNED_HEADERS 6
int aws_sign_form(const struct aws_client *c, const char *body, time_t when,
		  struct sigv4_result *res, struct http_header *hdrs,
		  size_t *nhdrs, char **err) WARN_UNUSED;

/*
 * Calls action with p (NULL: none) and returns the parsed answer's root
 * in *out (the caller xml_free()s it).  -1 with *err set (cloud/err.h;
 * cloud_err_release() it): its class from the service's error code
 * (aws_error_class(); an HTTP 5xx or a transport failure is transient)
 * and one line: the service's error (code and message through
 * aws_error_message()), an answer that is not XML, a transport failure,
 * or a retryable failure that outlasted the budget (saying so).
 */
int ec2_call(struct aws_client *c, const char *action,
	     const struct aws_params *p, struct xml_node **out,
	     struct cloud_err *err) WARN_UNUSED;

/*
 * Calls action page by page: fn gets each answer's root; the call is
 * repeated with NextToken from the answer's nextToken (EC2) or
 * NextMarker (ELB: Marker) until there is none.  fn returns 0 to go on,
 * -1 to stop with an error (it sets *err), 1 to stop quietly.
 */
typedef int (*aws_page_fn)(void *arg, const struct xml_node *root,
			   struct cloud_err *err);
int ec2_call_pages(struct aws_client *c, const char *action,
		   const struct aws_params *p, aws_page_fn fn, void *arg,
		   struct cloud_err *err) WARN_UNUSED;

#endif
