/*
 * gcp-jwt.c: prints the JWT icm signs for a service-account key file at a
 * fixed clock (src/provider/gcp/auth.h's gcp_key_load() and gcp_jwt()),
 * for tests/e2e/91-gcp-jwt.sh, which has google-auth sign the same claims
 * (tests/cloud/gauth-jwt.py) and openssl verify the signature.
 *
 *	gcp-jwt KEYFILE UNIX-TIME [SCOPE]
 *
 * Output: the JWT on one line.  A key file icm refuses: its message on
 * stderr, exit 1.  Usage errors: exit 2.  Nothing is sent.
 */
#include "../../src/icm.h"
#include "provider/gcp/auth.h"
#include "util/str.h"

int main(int argc, char **argv)
{
	struct gcp_key k;
	char *jwt = NULL, *err = NULL;
	long now;
	int ret = 1;

	if (argc < 3 || argc > 4 || str_to_long(argv[2], &now)) {
		fprintf(stderr, "usage: gcp-jwt KEYFILE UNIX-TIME [SCOPE]\n");
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
