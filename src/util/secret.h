/*
 * secret.h: the secret registry, the single redaction point.
 *
 * secret_register() adds a value (password, key, cloud secret) to the
 * registry; every line written anywhere (console and icm.log through
 * util/report.h, per-node files and response.json through secret_redact())
 * has each registered value replaced by "********", as written and as it
 * appears inside a JSON string.  A safety net: code never prints a
 * secret's value in the first place (a value too short to mask is not
 * masked at all, see secret_register()).
 *
 * Thread safety: all functions may be called from several threads (one
 * mutex guards the registry).
 */
#ifndef ICM_SECRET_H
#define ICM_SECRET_H

#include "../icm.h"

#define REDACTED "********"
/* Secrets shorter than this (in characters) are not masked: "TEST" would
 * turn the machine ECP-DM-TEST-0001 into ECP-DM-********-0001. */
#define SECRET_MASK_MIN 6
/* The guide's stand-in for a value ("DockerPassword": "..."); refused as
 * a secret (config_register_secrets(), -iscPassword). */
#define SECRET_PLACEHOLDER "..."

/*
 * Registers a secret value (copied) that came from what: a field or option
 * name, or a few words ("the SSH key's passphrase"), for the warning below;
 * never the value.  Empty strings are ignored.  A value of SECRET_MASK_MIN
 * characters or more is masked from then on, in the form given and in its
 * JSON-escaped form, the longest secret first.  A shorter one is not (it
 * would garble other text); instead icm warns, once per what:
 *   Warning: <what> is shorter than 6 characters; it is weak and cannot be
 *   masked in output
 */
void secret_register(const char *what, const char *value);
/* Returns a newly allocated copy of text with every secret replaced
 * (caller frees). */
char *secret_redact(const char *text);
/* True if text contains a registered secret. */
bool secret_found(const char *text);
/* Wipes and frees the registry (at exit). */
void secrets_wipe(void);

#endif
