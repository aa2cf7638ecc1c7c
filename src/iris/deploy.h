/*
 * deploy.h: what run and upgrade do on one node, over the Docker fan-out
 * (docker/dnode.h; the node's fields through its struct dnode_env).
 *
 * run converges each node to the wanted container instead of ICM's
 * "stop, remove, recreate": the wanted container is described by the
 * create body icm builds, whose SHA-256 together with the image ID is the
 * label org.icm.spec.  A node whose container has that label and runs is
 * left alone; otherwise the new container is created as <name>.icm-new,
 * the old one is stopped and removed, the new one renamed and started.  A
 * run killed anywhere leaves at most a stale <name>.icm-new (removed by
 * the next run) or the wanted container not yet started (started by the
 * next run); the next run converges.  upgrade is the same with the new
 * image, reusing the -options and -command the container was run with
 * (labels org.icm.options, org.icm.command) unless given again.
 *
 * Container defaults (icm-reference §7.3): name iris, hostname
 * <container>-<machine>, restart unless-stopped, host networking, --init
 * for images that are not InterSystems IRIS (DockerInit), and for the
 * iris container the IRIS volumes bound at their mount points, the
 * license directory and key copied in and the first-start merge file
 * staged; an IRIS container is then waited for until it runs.
 */
#ifndef ICM_IRIS_DEPLOY_H
#define ICM_IRIS_DEPLOY_H

#include "../docker/dnode.h"
#include "../docker/image.h"

#define DEPLOY_CONTAINER "iris"		/* -container's default */
#define DEPLOY_STOP_IRIS_S 60		/* IRIS needs time for a clean
					   shutdown */
#define DEPLOY_STOP_OTHER_S 10		/* docker's default */

/* What run or upgrade puts on every node: deploy_run_one()'s x->arg. */
struct runjob {
	const char *name;		/* the container (-container) */
	const char *options;		/* -options, or NULL */
	const char *command;		/* -command, or NULL */
	const char *archive;		/* -imageArchive, or NULL */
	const struct image_creds *creds;
	bool upgrade;
	char *password_hash;		/* IRIS: iris_password_hash() */
	char *password;			/* WS nodes' CSP.ini, or NULL */
};

/* The dnode_fn of run and upgrade: x's node converged (see above). */
int deploy_run_one(struct dnode *x);

/*
 * Pulls image on x's node (or loads j->archive).  The lines: run's
 * "Pulling image <i> on <m>...", or with guide_lines the guide's
 * "Pulling <m> image <i>..." / "...pulled <m> image <i>" (pull,
 * upgrade).  0, or -1 with x's result failed.
 */
int deploy_fetch_image(struct dnode *x, const struct runjob *j,
		       const char *image, bool guide_lines) WARN_UNUSED;

/* An InterSystems IRIS image: the repository's last part names IRIS
 * (iris, iris-community, irishealth, iris-ml, iris-arm64, ...). */
bool deploy_iris_image(const char *image);
/* An InterSystems Web Gateway image (webgateway, webgateway-nginx, ...). */
bool deploy_gateway_image(const char *image);
/* A boolean field's value ("true" or "1"); dflt when unset. */
bool deploy_field_true(const char *v, bool dflt);

/* Node n's ISCLicense key file: IRIS roles only (it is ignored on the
 * others, as LicenseKey is); NULL when none. */
const char *deploy_node_license(dnode_field_fn field, const void *arg,
				const struct node *n);

/* A container's label, and whether it runs, from its inspect object. */
const char *deploy_label(const cJSON *inspect, const char *label);
bool deploy_running(const cJSON *inspect);

#endif
