/*
 * prepare.h: node preparation at provision (icm-reference §7.1 step 3,
 * §6.6), the same for every provider once it can reach a node over SSH.
 *
 * A provider calls node_prepare_begin() once with all its nodes, before
 * any is reached, then node_prepare() for each node (in parallel, from
 * fanout_run() workers) on that node's SSH connection.  Per node, with
 * ICM's console lines:
 *
 *   (no line)                 passwordless sudo is checked (`sudo -n true`)
 *   Copying files to <m>...   ~/ICM gets the scripts of the steps below that
 *                             apply to the node (embedded/node/), the node's
 *                             TLS files (tls/ca.pem, tls/server-cert.pem,
 *                             tls/server-key.pem) and, for Docker nodes,
 *                             daemon.json: the node's /etc/docker/daemon.json
 *                             merged with icm's settings (see prepare.c)
 *   Configuring <m>...        disable_password_login.sh (ICM's sentinel
 *                             disable_password_login.done)
 *   Mounting volumes on <m>...
 *                             IRIS roles (DATA, COMPUTE, DM, DS, QS, AM):
 *                             mountVolumes.sh with the <X>DeviceName and
 *                             <X>MountPoint fields and FileSystem; it also
 *                             grows the partition and file system of a
 *                             mounted volume whose device grew (the sizes
 *                             are among the step's inputs, so a reprovision
 *                             with new sizes runs it again)
 *   Growing the root file system on <m>...
 *                             grow_root: only when provision grew the OS
 *                             volume (provider/resize.h): mountVolumes.sh
 *                             with GrowRoot=true grows the partition and
 *                             file system mounted at /
 *   Installing Docker on <m>...
 *                             roles that run containers (not VM, BH, LB;
 *                             not Containerless): installDocker.sh (only
 *                             where docker/dockerd are missing), then
 *                             configureDocker.sh (TLS files, systemd
 *                             drop-in for dockerd on 2376 with
 *                             --tlsverify, daemon.json; dockerd restarted
 *                             only when a file changed), then icm itself
 *                             connects to https://<m>:2376 with the
 *                             deployment's client certificate (retrying
 *                             while dockerd restarts)
 *
 * and finally records the node's facts in its fields (instances.json):
 *   OSRelease            PRETTY_NAME of /etc/os-release ("unknown" without)
 *   Architecture         uname -m
 *   DockerInstalled      "true" when a docker command is on the node
 *   DockerServerVersion  Docker nodes: the version the TLS endpoint gave
 *
 * Sentinels: each script step runs through a wrapper that skips it when
 * ~/ICM/<step>.done exists and is either empty (made by a user to skip the
 * step, as with ICM) or holds the SHA-256 of the step's inputs (script,
 * values, and for configure_docker the TLS files and daemon.json) that
 * icm wrote there after the step last succeeded.  So a second provision
 * re-runs nothing, and a changed input (a new certificate, another mount
 * point) re-runs just that step.  Steps: mount_volumes, install_docker,
 * configure_docker; each writes ~/ICM/<script>.log on the node.
 *
 * Errors: the node's fanout_result is failed with a one-line reason (the
 * step, the exit status, the script's last line of stderr); the caller
 * names the node ("provision on <m> failed: ...").  Nothing secret is put
 * on a command line: values travel as quoted environment assignments and
 * file contents on standard input.
 */
#ifndef ICM_NODE_PREPARE_H
#define ICM_NODE_PREPARE_H

#include "../icm.h"
#include "../config/plan.h"
#include "fanout.h"
#include "ssh.h"

#define PREPARE_CERT_DAYS 365		/* node and client certificates */
#define PREPARE_VERIFY_MS 30000		/* waiting for dockerd's TLS port */

/*
 * Before any node of p is reached (single-threaded): every node's server
 * certificate (not load balancers') and icm's client certificate are made,
 * or renewed when pki_*_check() says they are not valid (a renewed node
 * certificate then reaches the node and dockerd is restarted with it), and
 * the Docker client is initialised.  The deployment CA must exist.
 * 0, or -1 reported with error().
 */
int node_prepare_begin(const char *state_dir, const struct plan *p)
	WARN_UNUSED;

/*
 * Prepares node n on connection c (see the top of this file); thread-safe
 * for different nodes.  n's fields get the facts.  0, or -1 with r failed.
 * Not for load balancers (they have no host).  grow_root: the provider
 * grew n's OS volume in this provision.
 */
int node_prepare(struct ssh_conn *c, struct fanout_result *r,
		 const char *state_dir, struct node *n, bool grow_root)
	WARN_UNUSED;

/*
 * The "prepared" marker (prepared.c): a node whose preparation succeeded
 * in a provision that did not finish (another node failed) is not
 * prepared again by the next one, unless what its preparation starts from
 * changed.  A provision that prepares every node forgets the markers, so
 * the one after it converges every node again.
 *
 * node_prepare_inputs(): the digest of what n's preparation starts from
 * (its fields before preparation, its server certificate, grow_root, icm's
 * version) as hex, taken after node_prepare_begin().
 * node_prepare_done(): true when n's marker holds these inputs; n's facts
 * are then set from it (as node_prepare() would have recorded them).
 * node_prepare_mark(): after node_prepare() succeeded (n has its facts);
 * node_prepare_forget(): removes the marker.  Both 0, or -1 reported.
 * Thread-safe for different nodes.
 */
#define NODE_INPUTS_HEX 65		/* SHA-256 in hex, NUL */
void node_prepare_inputs(const char *state_dir, const struct node *n,
			 bool grow_root, char hex[NODE_INPUTS_HEX]);
bool node_prepare_done(const char *state_dir, struct node *n,
		       const char *inputs);
int node_prepare_mark(const char *state_dir, const struct node *n,
		      const char *inputs) WARN_UNUSED;
int node_prepare_forget(const char *state_dir, const struct node *n)
	WARN_UNUSED;

#endif
