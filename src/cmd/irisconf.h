/*
 * irisconf.h: run's InterSystems IRIS part, after the containers started
 * (src/iris/phases.h says what each step does and to which node).
 *
 * Progress is kept on each node's data volume, in
 * <DataMountPoint>/icm/progress: one line "<step> <sha256 of its script>"
 * per step done, then "deployed" once every step of the node is done.  A
 * step whose line is there with the same script is not sent again, so a
 * run killed anywhere resumes where it stopped (nothing is wiped), and a
 * topology change re-sends exactly the steps whose script changed.
 */
#ifndef ICM_CMD_IRISCONF_H
#define ICM_CMD_IRISCONF_H

#include "dnode.h"
#include "../iris/merge.h"

/*
 * The first-start merge file's fields of node n (merge.h) from the
 * command's view of its fields: ports, System Mode, WIJ and journal
 * directories, UserCPF, the ISC* memory fields, and what a cluster node
 * needs before it starts (the shard service where there is sharding, 64
 * ECP connections on sharded and ECP nodes).  password_hash is left NULL.
 */
void iris_merge_fields(const struct ctx *ctx, const struct node *n,
		       struct iris_merge_in *in);

/* Field `field` (qlist.h) of `iris qlist IRIS` in container cname, or
 * NULL when it cannot be run. */
char *iris_qlist_get(struct dnode *x, const char *cname, int field);

/*
 * Waits until `iris qlist IRIS` in container cname says running (ICM's
 * "Waiting for InterSystems IRIS to start on <m>..."); 0, or -1 with x's
 * result failed.
 */
int iris_wait_running(struct dnode *x, const char *cname) WARN_UNUSED;

/*
 * Whether every value run puts into the selected nodes' merge files, IRIS
 * configuration steps and CSP.ini can go there (src/iris/cos.h), checked
 * before anything is changed.  0, or -1 reported (the node, the step and
 * the field named, never the value).
 */
int iris_check(struct ctx *ctx, const char *password) WARN_UNUSED;

/*
 * Configures the IRIS instances of the selected nodes whose entry in
 * eligible (ctx->nsel entries) is true: the iris container of an IRIS
 * image runs there (or, on a WS node, of a Web Gateway image).  The
 * topology is the whole deployment's.  The WS nodes come last: their
 * CSP.ini (user CSPSystem with password, the IRIS password) is staged as
 * IRIS_GATEWAY_DIR/icm/CSP.ini, the container's ISC_CSP_INI_FILE.  Prints
 * ICM's progress lines; 0 when every step succeeded everywhere.
 */
int iris_configure(struct ctx *ctx, const bool *eligible,
		   const char *password) WARN_UNUSED;

/* Where a Web Gateway container gets icm's files (CSP.ini, TLS). */
#define IRIS_GATEWAY_DIR "/opt/webgateway"
#define IRIS_GATEWAY_INI IRIS_GATEWAY_DIR "/icm/CSP.ini"

#endif
