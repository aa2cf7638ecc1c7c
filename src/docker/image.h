/*
 * image.h: getting an image onto a node: registry credentials (asked for
 * once, masked, when DockerUsername is set without DockerPassword), a pull
 * with those credentials, or a `docker save` archive loaded through the
 * API (air-gapped nodes: no registry involved).
 *
 * The password is registered as a secret (log.h) as soon as icm has it
 * and lives only in struct image_creds (wiped by image_creds_release()).
 */
#ifndef ICM_DOCKER_IMAGE_H
#define ICM_DOCKER_IMAGE_H

#include "api.h"

struct image_creds {
	bool set;			/* a username was given */
	char *registry, *username, *password;	/* owned */
};

/*
 * Fills c from the fields (any may be NULL).  A username without a
 * password asks for it on the terminal (masked); with no terminal that is
 * an error naming DockerPassword.  -1 reported.
 */
int image_creds_get(const char *registry, const char *username,
		    const char *password, struct image_creds *c) WARN_UNUSED;
void image_creds_release(struct image_creds *c);

/* The docker_auth view of c, or NULL when no username was given. */
const struct docker_auth *image_creds_auth(const struct image_creds *c,
					   struct docker_auth *tmp);

/*
 * Makes image present on d: from archive (a `docker save` tarball; the
 * image must then be among what it holds) or by a pull with creds.
 * Progress and results are appended to log (the node's docker.out).
 * On failure -1 with *reason set (caller frees).
 */
int image_fetch(struct docker *d, const char *image, const char *archive,
		const struct image_creds *creds, struct buf *log,
		char **reason) WARN_UNUSED;

#endif
