/*
 * auth.c: an Azure identity's fields checked and kept (see auth.h), the
 * authority host, and Microsoft's words for messages.
 */
#include "../../icm.h"
#include "auth.h"
#include "../../util/secret.h"
#include "../../util/str.h"
#include <stdlib.h>

/* A tenant or client id: a GUID or a domain name ("contoso.com"). */
static bool id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n && n <= AZ_ID_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789-._") == n && s[0] != '.';
}

static bool secret_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (!n || n > AZ_SECRET_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < ' ' || s[i] > '~')
			return false;
	return true;
}

bool az_loopback_url(const char *u)
{
	static const char *const hosts[] = {
		"http://127.0.0.1", "http://localhost", "http://[::1]",
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(hosts); i++) {
		n = strlen(hosts[i]);
		if (!strncmp(u, hosts[i], n) && strchr(":/", u[n] ? u[n] : '/'))
			return true;
	}
	return false;
}

/* The authority host (allocated, no trailing '/'), or NULL with *err. */
static char *authority(char **err)
{
	const char *env = getenv(AZ_AUTHORITY_ENV);
	char *a;
	size_t n;

	if (!env || !*env)
		return xstrdup(AZ_AUTHORITY_DEFAULT);
	if (strlen(env) > 512 || strpbrk(env, "?# \t\r\n") ||
	    !(str_starts(env, "https://") || az_loopback_url(env))) {
		*err = xasprintf("%s is not an https:// URL (an authority "
				 "host such as %s)", AZ_AUTHORITY_ENV,
				 AZ_AUTHORITY_DEFAULT);
		return NULL;
	}
	a = xstrdup(env);
	for (n = strlen(a); n && a[n - 1] == '/'; n--)
		a[n - 1] = '\0';
	return a;
}

/* The instance metadata service (allocated, no trailing '/'): $AZ_IMDS_ENV
 * as Azure's SDKs read it (http to this machine only: a test's), else
 * AZ_IMDS_DEFAULT; NULL with *err. */
static char *imds_host(char **err)
{
	const char *env = getenv(AZ_IMDS_ENV);
	char *h;
	size_t n;

	if (!env || !*env)
		return xstrdup(AZ_IMDS_DEFAULT);
	if (strlen(env) > 512 || strpbrk(env, "?# \t\r\n") ||
	    !az_loopback_url(env)) {
		*err = xasprintf("%s is not an http:// URL of this machine "
				 "(the instance metadata service is %s)",
				 AZ_IMDS_ENV, AZ_IMDS_DEFAULT);
		return NULL;
	}
	h = xstrdup(env);
	for (n = strlen(h); n && h[n - 1] == '/'; n--)
		h[n - 1] = '\0';
	return h;
}

int az_auth_init(struct az_auth *a, bool msi, const char *tenant,
		 const char *client_id, const char *secret, char **err)
{
	memset(a, 0, sizeof(*a));
	oauth_cache_init(&a->cache, "the Azure access token");
	a->msi = msi;
	a->send = oauth_send_http;
	*err = NULL;
	a->imds = imds_host(err);
	if (!a->imds)
		return -1;
	if (msi) {
		if (client_id && *client_id && !id_ok(client_id)) {
			*err = xstrdup("ClientId is not an application "
				       "(client) id: a GUID");
			return -1;
		}
		if (client_id && *client_id)
			a->client_id = xstrdup(client_id);
		return 0;
	}
	if (!tenant || !*tenant)
		*err = xstrdup("TenantId is missing: the directory (tenant) "
			       "id of the service principal (az account show "
			       "--query tenantId), or set UseMSI");
	else if (!id_ok(tenant))
		*err = xstrdup("TenantId is not a directory (tenant) id: a "
			       "GUID or a domain name");
	else if (!client_id || !*client_id)
		*err = xstrdup("ClientId is missing: the application (client) "
			       "id of the service principal");
	else if (!id_ok(client_id))
		*err = xstrdup("ClientId is not an application (client) id: "
			       "a GUID");
	else if (!secret || !*secret)
		*err = xstrdup("ClientSecret is missing: the service "
			       "principal's client secret value");
	else if (!secret_ok(secret))
		*err = xasprintf("ClientSecret is not a client secret value "
				 "(printable, at most %d characters)",
				 AZ_SECRET_MAX);
	if (*err)
		return -1;
	a->tenant = xstrdup(tenant);
	a->client_id = xstrdup(client_id);
	a->secret = xstrdup(secret);
	secret_register("the Azure ClientSecret", a->secret);
	a->authority = authority(err);
	return a->authority ? 0 : -1;
}

void az_auth_release(struct az_auth *a)
{
	oauth_cache_release(&a->cache);
	freezero_str(a->secret);
	free(a->tenant);
	free(a->client_id);
	free(a->authority);
	free(a->imds);
	memset(a, 0, sizeof(*a));
}
