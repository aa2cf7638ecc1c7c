/*
 * auth.h: GCP authentication as a service account, without an SDK: the
 * key file the `Credentials` field names, the signed JWT (RFC 7523) and
 * its exchange at the key's token_uri for an OAuth access token, cached
 * and refreshed before it expires.
 *
 * The key file is the JSON Google's console (IAM > Service accounts >
 * Keys) and `gcloud iam service-accounts keys create` write:
 *   type "service_account", project_id, private_key_id, private_key (PEM
 *   PKCS#8 RSA), client_email, token_uri, and fields icm does not use.
 * Anything else is refused with one line naming the file and what it is
 * (a user's credentials, an OAuth client, an external-account
 * configuration, an API key, a key without its private key, a private key
 * that is not RSA).
 *
 * The JWT is byte for byte what google-auth's service-account credentials
 * make (google.oauth2.service_account, google.auth.jwt.encode: Python's
 * json.dumps, ", " and ": " between items), so e2e 91 compares the two:
 *   header  {"typ": "JWT", "alg": "RS256", "kid": "<private_key_id>"}
 *   claims  {"iat": N, "exp": N + 3600, "iss": "<client_email>",
 *            "aud": "<token_uri>", "scope": "<scope>"}
 * each base64url without padding, signed RSASSA-PKCS1-v1_5 SHA-256
 * (deterministic: the same key and clock give the same JWT).
 *
 * Secrets: the private key lives in struct gcp_key (heap, wiped by
 * gcp_key_release()); the file's text and the PEM pass through buffers
 * wiped as soon as the key is read.  JWTs and access tokens are handed
 * out as allocated strings the caller frees with freezero_str(); the
 * cached token is registered with secret_register() (redacted from every
 * line icm writes) and wiped when replaced or released.  No message holds
 * key material, a JWT or a token.
 */
#ifndef ICM_PROVIDER_GCP_AUTH_H
#define ICM_PROVIDER_GCP_AUTH_H

#include "../../icm.h"
#include "../../cloud/err.h"
#include "../../cloud/http.h"
#include "../../cloud/oauth.h"

#define GCP_KEY_CAP_FILE (64u << 10)	/* a key file (Google's: ~2.4 KB) */
#define GCP_KEY_FIELD_MAX 2048		/* a string field other than the
					   private key */
#define GCP_SCOPE_COMPUTE "https://www.googleapis.com/auth/compute"
#define GCP_JWT_LIFETIME 3600		/* seconds: Google's maximum */
#define GCP_TOKEN_MARGIN 300		/* refresh with less than 5 min left */
#define GCP_TOKEN_CAP_BODY (64u << 10)	/* the token endpoint's answer */
#define GCP_TOKEN_MAX 4096		/* an access token's length */
#define GCP_TOKEN_LIFETIME_MAX 86400	/* a larger expires_in is refused */
#define GCP_JWT_GRANT "urn:ietf:params:oauth:grant-type:jwt-bearer"

struct key;

/* A service-account key.  Strings are allocated; project_id is NULL when
 * the file has none. */
struct gcp_key {
	char *file;			/* the path, as given (messages) */
	char *type;			/* "service_account" */
	char *project_id;
	char *key_id;			/* private_key_id: the JWT's kid */
	char *client_email;		/* the JWT's iss */
	char *token_uri;		/* the JWT's aud; where it is sent */
	struct key *key;		/* RSA, 2048-8192 bits (secret) */
};

/*
 * Reads the key file at path into *k (released with gcp_key_release(),
 * also after a failure).  0, or -1 with one line in *err (caller frees)
 * naming the file and what is wrong with it, e.g.
 *   'F' is a user's credentials (type authorized_user, from gcloud auth
 *   application-default login), not a service-account key: ...
 *   'F': private_key is an ECDSA key; a service-account key is RSA
 */
int gcp_key_load(struct gcp_key *k, const char *path, char **err) WARN_UNUSED;
/* The same from text already read (tests); path only names it. */
int gcp_key_parse(struct gcp_key *k, const char *path, const char *text,
		  size_t len, char **err) WARN_UNUSED;
/* Wipes the private key and frees everything; *k is left empty. */
void gcp_key_release(struct gcp_key *k);

/*
 * The signed JWT for scope (printable ASCII: space-separated scope URLs)
 * at time now, into *jwt (allocated; a bearer
 * assertion for an hour: the caller frees it with freezero_str()).  0, or
 * -1 with a reason in *err (signing failed, a field too long).
 */
int gcp_jwt(const struct gcp_key *k, const char *scope, time_t now,
	    char **jwt, char **err) WARN_UNUSED;

/* The exchange's form body for jwt ("grant_type=...&assertion=...";
 * allocated, freezero_str() it). */
char *gcp_token_form(const char *jwt);

/*
 * The token cache of one service account, shared by the provider's
 * threads (each passes its own http_client).  post is the token
 * endpoint's transport: oauth_send_http unless set (tests).
 */
struct gcp_auth {
	struct gcp_key key;
	const char *scope;		/* GCP_SCOPE_COMPUTE unless set */
	struct oauth_cache cache;	/* the access token; its clock */
	oauth_send_fn *post;
	void *post_arg;
	long budget_ms;			/* one exchange with its retries
					   (0: HTTP_BUDGET_MS) */
};

/*
 * Loads the key (gcp_key_load()) and sets the defaults.  0, or -1 with
 * *err as gcp_key_load() words it; gcp_auth_release() either way.
 */
int gcp_auth_init(struct gcp_auth *a, const char *path,
		  char **err) WARN_UNUSED;
/* Wipes the token and the key (after gcp_auth_init(), failed or not). */
void gcp_auth_release(struct gcp_auth *a);

/*
 * A copy of a valid access token into *token (allocated; freezero_str()
 * it), for "Authorization: Bearer <token>".  The cached one is used while
 * more than GCP_TOKEN_MARGIN seconds remain; otherwise a new JWT is
 * exchanged at token_uri (retried with backoff on 429, 5xx and network
 * failures).  0, or -1 with *err set:
 *   CLOUD_ERR_AUTH for a refused grant: a revoked or foreign key ("Invalid
 *     JWT Signature": names the file and the key id), a clock off (names
 *     this machine's time and the SYS_TIME capability), other refusals
 *     with Google's words;
 *   CLOUD_ERR_TRANSIENT or _THROTTLED when the endpoint stayed
 *     unreachable or busy; CLOUD_ERR_OTHER for a malformed answer.
 */
int gcp_token_get(struct gcp_auth *a, struct http_client *c, char **token,
		  struct cloud_err *err) WARN_UNUSED;
/* Drops the cached token (an API answered 401): the next get exchanges. */
void gcp_token_invalidate(struct gcp_auth *a);

#endif
