/*
 * auth.h: Azure authentication without an SDK: a service principal's
 * client credentials (OAuth 2.0, Microsoft identity platform v2.0) or the
 * managed identity of the Azure VM icm runs on (UseMSI), for an access
 * token to Azure Resource Manager; cached and refreshed before it expires.
 *
 * Client credentials (TenantId, ClientId, ClientSecret):
 *   POST {authority}/{tenant}/oauth2/v2.0/token
 *   Content-Type: application/x-www-form-urlencoded
 *   grant_type=client_credentials&client_id=..&client_secret=..&
 *   scope=https%3A%2F%2Fmanagement.azure.com%2F.default
 * authority: AZ_AUTHORITY_DEFAULT, or $AZURE_AUTHORITY_HOST as Azure's
 * SDKs read it (a sovereign cloud, the tests' fake).
 * Managed identity (the instance metadata service, IMDS):
 *   GET http://169.254.169.254/metadata/identity/oauth2/token?
 *       api-version=2018-02-01&resource=https://management.azure.com/
 *   Metadata: true
 * ($AZURE_POD_IDENTITY_AUTHORITY_HOST, as Azure's SDKs read it, moves it
 * to an http:// address of this machine: the tests' fake).
 * Both answer {"access_token", "expires_in" (a number, or a string from
 * IMDS), "token_type": "Bearer", ...}; a refusal {"error",
 * "error_description": "AADSTS7000215: Invalid client secret ...",
 * "error_codes": [7000215], ...}.
 *
 * Secrets: the client secret (az_auth_init() copies it and registers it
 * with secret_register()), the form that carries it and the tokens are
 * wiped when done with; no message holds them.  Tokens are handed out as
 * allocated strings the caller frees with freezero_str().
 */
#ifndef ICM_PROVIDER_AZURE_AUTH_H
#define ICM_PROVIDER_AZURE_AUTH_H

#include "../../icm.h"
#include "../../cloud/err.h"
#include "../../cloud/http.h"
#include "../../cloud/oauth.h"
#include "../../util/json.h"

#define AZ_AUTHORITY_DEFAULT "https://login.microsoftonline.com"
#define AZ_AUTHORITY_ENV "AZURE_AUTHORITY_HOST"
#define AZ_IMDS_DEFAULT "http://169.254.169.254"
#define AZ_IMDS_ENV "AZURE_POD_IDENTITY_AUTHORITY_HOST"	/* as the SDKs */
#define AZ_SCOPE_ARM "https://management.azure.com/.default"
#define AZ_RESOURCE_ARM "https://management.azure.com/"
#define AZ_IMDS_API "2018-02-01"
#define AZ_TOKEN_MARGIN 300		/* refresh with less than 5 min left */
#define AZ_TOKEN_CAP_BODY (64u << 10)	/* the token endpoint's answer */
#define AZ_TOKEN_MAX 8192		/* an access token's length (a JWT) */
#define AZ_TOKEN_LIFETIME_MAX 86400	/* a larger expires_in is refused */
#define AZ_ID_MAX 256			/* a tenant or client id */
#define AZ_SECRET_MAX 1024		/* a client secret */

/*
 * One identity and its token cache, shared by the provider's threads
 * (each passes its own http_client).  Strings are allocated by
 * az_auth_init().  send is the token endpoint's transport:
 * oauth_send_http unless set (tests).
 */
struct az_auth {
	bool msi;			/* the managed identity (UseMSI) */
	char *tenant;			/* TenantId (client credentials) */
	char *client_id;		/* ClientId; with msi: a user-assigned
					   identity's, or NULL */
	char *secret;			/* ClientSecret (secret) */
	char *authority;		/* "https://login.microsoftonline.com",
					   no trailing '/' */
	char *imds;			/* AZ_IMDS_DEFAULT unless set (tests) */
	struct oauth_cache cache;	/* the access token; its clock */
	oauth_send_fn *send;
	void *send_arg;
	long budget_ms;			/* one exchange with its retries
					   (0: HTTP_BUDGET_MS) */
};

/*
 * Sets up *a for a service principal (msi false: tenant, client_id and
 * secret required) or the managed identity (msi true: client_id optional,
 * tenant and secret ignored).  The authority is $AZURE_AUTHORITY_HOST when
 * set (an https:// URL; http:// only to a loopback address), else
 * AZ_AUTHORITY_DEFAULT.  0, or -1 with one line in *err (caller frees)
 * naming the field that is missing or malformed (TenantId, ClientId: a
 * GUID or a domain name; ClientSecret).  az_auth_release() either way.
 */
int az_auth_init(struct az_auth *a, bool msi, const char *tenant,
		 const char *client_id, const char *secret,
		 char **err) WARN_UNUSED;
/* Wipes the secret and the token; frees everything. */
void az_auth_release(struct az_auth *a);

/*
 * A copy of a valid ARM access token into *token (allocated;
 * freezero_str() it), for "Authorization: Bearer <token>".  The cached one
 * while more than AZ_TOKEN_MARGIN seconds remain; otherwise a new one
 * (retried with backoff on 429, 5xx and network failures).  0, or -1 with
 * *err set:
 *   CLOUD_ERR_AUTH for a refusal: AADSTS7000215 (a wrong ClientSecret),
 *     7000222 (an expired ClientSecret: make a new one), 700016 (no such
 *     application: ClientId and TenantId named), 90002 (no such tenant:
 *     TenantId), no managed identity (UseMSI outside Azure, or the VM has
 *     none), others with Microsoft's words (printable, bounded);
 *   CLOUD_ERR_TRANSIENT or _THROTTLED when the endpoint stayed
 *     unreachable or busy; CLOUD_ERR_OTHER for a malformed answer.
 */
int az_token_get(struct az_auth *a, struct http_client *c, char **token,
		 struct cloud_err *err) WARN_UNUSED;
/* Drops the cached token (ARM answered 401): the next get exchanges. */
void az_token_invalidate(struct az_auth *a);

/* The AADSTS number of a token endpoint's refusal body (its error_codes'
 * first, else the "AADSTSn:" its description starts with), or 0. */
long az_aadsts(const char *body, size_t len);

/* Microsoft's words for a message (allocated): s up to its first line
 * break (a refusal's "Trace ID: ..." lines stay out), other bytes that
 * are not printable ASCII as '?', at most max bytes. */
char *az_words(const char *s, size_t max);
/* True for an http:// URL to this machine (127.0.0.1, localhost, [::1],
 * with a port or a path or neither): a test's endpoint. */
bool az_loopback_url(const char *u);
/* o's string member name, or NULL (o may be NULL). */
const char *az_str(const cJSON *o, const char *name);

#endif
