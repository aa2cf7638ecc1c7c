/*
 * conf.h: run's InterSystems IRIS part, after the containers started
 * (phases.h says what each step does and to which node), over the
 * Docker fan-out (docker/dnode.h): the nodes, the state directory and
 * each node's fields come in its struct dnode_env, the whole deployment
 * (env->all) for the topology.
 *
 * Progress is kept on each node's data volume, in
 * <DataMountPoint>/icm/progress: one line "<step> <sha256 of its script>"
 * per step done, then "deployed" once every step of the node is done.  A
 * step whose line is there with the same script is not sent again, so a
 * run killed anywhere resumes where it stopped (nothing is wiped), and a
 * topology change re-sends exactly the steps whose script changed.
 */
#ifndef ICM_IRIS_CONF_H
#define ICM_IRIS_CONF_H

#define IRIS_OWNER 51773	/* irisowner in InterSystems images */
#define IRIS_POLL_MS 2000	/* between looks at a starting IRIS */

#include "merge.h"
#include "../docker/dnode.h"

/*
 * The first-start merge file's fields of node n (merge.h) from the
 * command's view of its fields (env->field; env->all for the cluster):
 * ports, System Mode, WIJ and journal directories, UserCPF, the ISC*
 * memory fields, and what a cluster node needs before it starts (the
 * shard service where there is sharding, 64 ECP connections on sharded
 * and ECP nodes).  password_hash is left NULL.
 */
void iris_merge_fields(const struct dnode_env *env, const struct node *n,
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
 * Whether every value run puts into env's nodes' merge files, IRIS
 * configuration steps and CSP.ini can go there (src/iris/cos.h), checked
 * before anything is changed.  0, or -1 reported (the node, the step and
 * the field named, never the value).
 */
int iris_check(const struct dnode_env *env, const char *password)
	WARN_UNUSED;

/*
 * Configures the IRIS instances of env's nodes whose entry in eligible
 * (env->n entries) is true: the iris container of an IRIS
 * image runs there (or, on a WS node, of a Web Gateway image).  The
 * topology is the whole deployment's.  The WS nodes come last: their
 * CSP.ini (user CSPSystem with password, the IRIS password) is staged as
 * IRIS_GATEWAY_DIR/icm/CSP.ini, the container's ISC_CSP_INI_FILE.  Prints
 * ICM's progress lines; 0 when every step succeeded everywhere.
 */
int iris_configure(const struct dnode_env *env, const bool *eligible,
		   const char *password) WARN_UNUSED;

/* Where a Web Gateway container gets icm's files (CSP.ini, TLS). */
#define IRIS_GATEWAY_DIR "/opt/webgateway"
#define IRIS_GATEWAY_INI IRIS_GATEWAY_DIR "/icm/CSP.ini"

#endif
