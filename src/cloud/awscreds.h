/*
 * awscreds.h: AWS credentials for signing (sigv4.h).
 *
 * Where they come from, in order:
 *   1. the file named by the `Credentials` field, in the AWS
 *      shared-credentials format: `[name]` sections with
 *      `aws_access_key_id`, `aws_secret_access_key` and optionally
 *      `aws_session_token` (`key = value`; `#` and `;` start comment
 *      lines; keys are case-insensitive); the profile is $AWS_PROFILE, else
 *      `default`;
 *   2. without a file: $AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY and
 *      optionally $AWS_SESSION_TOKEN.
 * The secret key and the session token are registered with
 * secret_register() (state/log.h) as soon as they are read, so they are
 * redacted from everything icm writes; aws_creds_release() wipes them.
 */
#ifndef ICM_CLOUD_AWSCREDS_H
#define ICM_CLOUD_AWSCREDS_H

#include "../icm.h"

#define AWS_CREDS_CAP_FILE (1u << 20)	/* a shared-credentials file */

struct aws_creds {
	char *access_key;
	char *secret_key;
	char *session_token;		/* NULL when there is none */
	char *source;			/* "FILE (profile NAME)" or
					   "the environment" */
};

/*
 * Loads credentials into *c (released with aws_creds_release(), also
 * after a failure).  file is the Credentials field (NULL or "": use the
 * environment).  Returns 0, or -1 with a one-line reason in *err (caller
 * frees) that names the file, the line and what is wrong, and never
 * contains a secret.
 */
int aws_creds_load(struct aws_creds *c, const char *file,
		   char **err) WARN_UNUSED;

/* Like aws_creds_load() with the profile and environment given (tests):
 * profile NULL means "default"; getenv_fn looks up the variables. */
int aws_creds_load_from(struct aws_creds *c, const char *file,
			const char *profile,
			const char *(*getenv_fn)(const char *name),
			char **err) WARN_UNUSED;

void aws_creds_release(struct aws_creds *c);

#endif
