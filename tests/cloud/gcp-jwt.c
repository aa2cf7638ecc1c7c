/*
 * gcp-jwt.c: drives icm's GCP service-account authentication
 * (src/provider/gcp/auth.h) for tests/e2e/91-gcp-jwt.sh.
 *
 *	gcp-jwt KEYFILE UNIX-TIME [SCOPE]
 *		prints the JWT icm signs for the key at that clock (nothing
 *		is sent); e2e 91 has google-auth sign the same claims
 *		(tests/cloud/gauth-jwt.py) and openssl verify it
 *	gcp-jwt --token KEYFILE [UNIX-TIME]
 *		gets an access token at the key's token_uri twice
 *		(gcp_token_get(), the clock fixed when given), printing
 *		"token <token>" and "exchanges <n>" (the second get comes
 *		from the cache)
 *
 * A key file icm refuses, or a refused exchange: the message on stderr,
 * exit 1.  Usage errors: exit 2.
 */
#include "../../src/icm.h"
#include "provider/gcp/auth.h"
#include "util/str.h"

static time_t fixed_now;

static time_t fixed_clock(void)
{
	return fixed_now;
}

static int token(const char *file, const char *when)
{
	struct http_endpoint ep = { .no_proxy = true };
	struct cloud_err e = CLOUD_ERR_INIT;
	struct http_client c;
	struct gcp_auth a;
	char *err = NULL, *tok = NULL;
	long now;
	int i, ret = 1;

	if (when && str_to_long(when, &now))
		return 2;
	if (http_client_init_for(&c, &ep, &err)) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return 1;
	}
	if (gcp_auth_init(&a, file, &err)) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (when) {
		fixed_now = (time_t)now;
		a.cache.now = fixed_clock;
	}
	for (i = 0; i < 2; i++) {
		freezero_str(tok);
		if (gcp_token_get(&a, &c, &tok, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			goto out;
		}
	}
	printf("token %s\nexchanges %u\n", tok, a.cache.exchanges);
	ret = fflush(stdout) ? 1 : 0;
out:
	freezero_str(tok);
	free(err);
	cloud_err_release(&e);
	gcp_auth_release(&a);
	http_client_release(&c);
	return ret;
}

int main(int argc, char **argv)
{
	struct gcp_key k;
	char *jwt = NULL, *err = NULL;
	long now;
	int ret = 1;

	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "--token"))
		return token(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc < 3 || argc > 4 || str_to_long(argv[2], &now)) {
		fprintf(stderr, "usage: gcp-jwt KEYFILE UNIX-TIME [SCOPE]\n"
			"       gcp-jwt --token KEYFILE [UNIX-TIME]\n");
		return 2;
	}
	if (gcp_key_load(&k, argv[1], &err) ||
	    gcp_jwt(&k, argc > 3 ? argv[3] : GCP_SCOPE_COMPUTE, (time_t)now,
		    &jwt, &err)) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	printf("%s\n", jwt);
	ret = fflush(stdout) ? 1 : 0;
out:
	freezero_str(jwt);
	free(err);
	gcp_key_release(&k);
	return ret;
}
