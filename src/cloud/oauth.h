/*
 * oauth.h: what the cloud clients that authenticate with an OAuth 2.0
 * bearer token share (GCP's service account, Azure's service principal
 * and managed identity): the token endpoint's transport (replaceable by
 * tests), its answer read, and the token cache the provider's threads
 * share.
 *
 * Secrets: tokens are handed out as allocated strings the caller frees
 * with freezero_str(); the cached one is registered with
 * secret_register() and wiped when replaced, dropped or released.
 */
#ifndef ICM_CLOUD_OAUTH_H
#define ICM_CLOUD_OAUTH_H

#include "../icm.h"
#include "err.h"
#include "http.h"
#include <pthread.h>

/* What a bearer token may hold (RFC 6750's b64token). */
#define OAUTH_TOKEN_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv" \
	"wxyz0123456789-._~+/="

/*
 * One request to a token endpoint: 0 when an answer came (resp's status
 * and body, appended to resp->body), or -1 with a reason in *why
 * (allocated, no secret) and *transient true when trying again may help.
 * oauth_send_http() sends it with http.h.
 */
typedef int oauth_send_fn(void *arg, struct http_client *c,
			  const struct http_request *req,
			  struct http_response *resp, bool *transient,
			  char **why);
oauth_send_fn oauth_send_http;

/*
 * Reads a token endpoint's 2xx answer {"access_token", "expires_in" (a
 * number, or a string of digits as Azure's instance metadata service
 * writes it), "token_type" (Bearer when present)}: 0 with *token
 * (allocated) and *expires_in, or -1 with *why (static text: "it has no
 * access_token", ...).  The token's copy in the parsed tree is wiped.
 */
int oauth_answer_parse(const char *body, size_t len, size_t token_max,
		       long life_max, char **token, long *expires_in,
		       const char **why) WARN_UNUSED;

/*
 * Gets a new token for oauth_cache_get() (called with the cache's lock
 * held): 0 with *token (allocated), its lifetime in seconds and the time
 * it was asked at (by the cache's clock), or -1 with *e.
 */
typedef int oauth_fetch_fn(void *arg, struct http_client *c, char **token,
			   long *expires_in, time_t *at, struct cloud_err *e);

/* One identity's cached token, shared by threads (lock guards token and
 * expires). */
struct oauth_cache {
	const char *what;		/* "the GCP access token": the secret
					   registry's name */
	char *token;			/* secret, or NULL */
	time_t expires;			/* wall clock, by now() */
	time_t (*now)(void);		/* time() unless set (tests) */
	unsigned exchanges;		/* tokens obtained (tests, bench) */
	pthread_mutex_t lock;
};

void oauth_cache_init(struct oauth_cache *oc, const char *what);
/* Wipes the token. */
void oauth_cache_release(struct oauth_cache *oc);

/*
 * A copy of the cached token into *out (allocated; freezero_str() it),
 * fetched anew with fetch(arg, c, ...) when there is none or fewer than
 * margin seconds remain.  0, or -1 with *e as fetch set it.
 */
int oauth_cache_get(struct oauth_cache *oc, long margin, oauth_fetch_fn *fetch,
		    void *arg, struct http_client *c, char **out,
		    struct cloud_err *e) WARN_UNUSED;
/* Drops the cached token (an API answered 401): the next get fetches. */
void oauth_cache_drop(struct oauth_cache *oc);

#endif
