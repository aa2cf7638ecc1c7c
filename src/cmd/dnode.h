/*
 * dnode.h: the container commands' fan-out: one Docker Engine API
 * connection per selected node (mutual TLS with the deployment's client
 * certificate, the daemon addressed by machine name pinned to the node's
 * IP), a step function per node on the fan-out pool, the node's docker.out
 * and docker.err written, and failures reported by node and file
 * (fanout_report()).
 */
#ifndef ICM_CMD_DNODE_H
#define ICM_CMD_DNODE_H

#include "cmd.h"
#include "../docker/api.h"
#include "../node/fanout.h"

/* One node's work. */
struct dnode {
	struct ctx *ctx;
	struct node *n;
	size_t i;			/* n is ctx->sel[i] */
	struct docker *d;
	struct fanout_result *r;	/* r->out: docker.out, r->err:
					   docker.err */
	void *arg;			/* dnode_run()'s */
	struct fanout *f;		/* the pool (fanout_connect()) */
};

/* The per-node step: 0, or -1 with r failed (fanout_fail()). */
typedef int (*dnode_fn)(struct dnode *x);

struct dnode_opts {
	bool echo_one;		/* echo the output when one node */
	bool say_output;	/* "...output in <docker.out>" per node */
	bool no_docker;		/* do not connect (fn does its own work) */
	const char *file;	/* output file stem; NULL: "docker" */
};

/*
 * Runs fn on every selected node of ctx in parallel.  done (may be NULL;
 * ctx->nsel entries) gets which nodes succeeded.  Returns 0 when all did.
 */
int dnode_run(struct ctx *ctx, dnode_fn fn, void *arg,
	      const struct dnode_opts *o, bool *done) WARN_UNUSED;

/*
 * An interactive exec (terminal in raw mode) in container on the one
 * selected node ("Interactive commands cannot match more than one
 * instance" otherwise).  The command's exit status other than 0 makes
 * -1 (icm's exit status 1).
 */
int dnode_interactive(struct ctx *ctx, const char *container,
		      const struct docker_exec *e) WARN_UNUSED;

/* Checks the deployment's CA and client certificate are there (before a
 * fan-out), naming what is missing and how to make it. */
int dnode_check_pki(const char *state_dir) WARN_UNUSED;

/* The Docker target of node n: its machine name pinned to
 * node_address_numeric() (a DNS-only node's name resolved once), the
 * deployment's client certificate (strings into n and allocated ones,
 * freed with dnode_target_release()).  -1 reported, naming the node and
 * the name that did not resolve; *why (why not NULL; caller frees) gets
 * the message. */
int dnode_target(const char *state_dir, const struct node *n,
		 struct docker_target *t, char **why) WARN_UNUSED;
void dnode_target_release(struct docker_target *t);

#endif
