/*
 * phases.h: what `icm run` configures in each InterSystems IRIS node after
 * its container started, in ICM's order (icm-reference §7.3, iris-config
 * §6): the steps, which node each applies to given the whole deployment's
 * topology (roles, mirrors, shards, ECP), and the ObjectScript each sends
 * to `iris session IRIS -U %SYS` (the templates in embedded/iris, put together).
 *
 * Steps run stage by stage: step k on every node it applies to, then step
 * k+1, so a node's dependencies (the mirror's primary, node 1 of a
 * cluster, the shard data servers) are done before the nodes that need
 * them.  Every script checks before it acts, so it can be sent again.
 *
 * Nothing here talks to a node; src/iris/conf.c runs the steps.
 * Ownership: iris_topo_new()'s result is freed with iris_topo_free(); it
 * points into the nodes it was built from, which must outlive it.
 */
#ifndef ICM_IRIS_PHASES_H
#define ICM_IRIS_PHASES_H

#include "../icm.h"
#include "../config/plan.h"
#include "../util/buf.h"

/* A node's field as the command sees it (ctx_field()), NULL when unset. */
typedef const char *(*iris_field_fn)(const void *arg, const struct node *n,
				     const char *field);

struct iris_topo;

/* The topology of every node of the deployment (instances.json order). */
struct iris_topo *iris_topo_new(struct node *const *nodes, size_t n,
				iris_field_fn field, const void *arg);
void iris_topo_free(struct iris_topo *t);

/* How many steps there are, and step k's short name ("tls", ...). */
size_t iris_steps_count(void);
const char *iris_step_id(size_t k);

/* Whether step k applies to node n (a node of the topology). */
bool iris_step_applies(const struct iris_topo *t, const struct node *n,
		       size_t k);

/*
 * Step k's session input for node n, appended to script (ObjectScript
 * lines ending with `write "ICM-OK <id>",!` and halt), and its console
 * line in *title (allocated, e.g. "Enabling ECP on M...").  Every value
 * goes in through src/iris/cos.c as its placeholder's kind says (a string
 * inside a literal, quotes doubled; a port as digits).  -1 reported when a
 * value cannot (a control character, a port that is not a number): the
 * message names the node, the step and the field, never the value.
 */
int iris_step_render(const struct iris_topo *t, const struct node *n,
		     size_t k, struct buf *script, char **title) WARN_UNUSED;

/*
 * The Web Gateway configuration (CSP.ini, iris-config §3.11) of WS node n:
 * its servers are the AMs, else the DATA (and COMPUTE) nodes, else the DM
 * (icm-reference §4.3); a mirrored DM or DATA is reached mirror-aware
 * through its primary; TLS with the files in tls_dir (CAFile.pem,
 * CertificateFile.pem, PrivateKeyFile.pem) as user CSPSystem with
 * password; with the node's ApplicationPath, that path's default server
 * goes round-robin over the WS nodes and the others are its
 * AlternativeServers.  -1 reported (no server to point at, a line break
 * in a value); *why (why not NULL; replaced, caller frees) gets the
 * message too.
 */
int iris_csp_ini(const struct iris_topo *t, const struct node *n,
		 const char *password, const char *tls_dir, struct buf *out,
		 char **why) WARN_UNUSED;

/* Whether the values of n's CSP.ini can go into it (what iris_csp_ini()
 * checks of them, without writing it).  -1 reported. */
int iris_csp_check(const struct iris_topo *t, const struct node *n,
		   const char *password) WARN_UNUSED;

/* The sentinel a step's output must hold: "ICM-OK <id>". */
#define IRIS_OK_PREFIX "ICM-OK "
/* A step's output asking for a restart of the instance. */
#define IRIS_RESTART "ICM-RESTART"
/* Where icm keeps its files on the data volume, and the TLS files. */
#define IRIS_ICM_DIR "icm"
#define IRIS_TLS_DIR "icm/tls"
/* A node's ISCLicense key in its iris container: iris-main's --key
 * (copied into mgr/iris.key, the instance's license); the directory is
 * the license server's KeyDirectory on that node. */
#define IRIS_LICENSE_DIR "icm/license"
#define IRIS_LICENSE_KEY IRIS_LICENSE_DIR "/iris.key"

#endif
