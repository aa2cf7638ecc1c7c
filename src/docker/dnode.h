/*
 * dnode.h: the container commands' fan-out: one Docker Engine API
 * connection per node (mutual TLS with the deployment's client
 * certificate, the daemon addressed by machine name pinned to the node's
 * IP), a step function per node on the fan-out pool, the node's docker.out
 * and docker.err written, and failures reported by node and file
 * (fanout_report()).
 *
 * It knows no command: what it runs on (the state directory, the nodes,
 * how a node's field reads) comes in a struct dnode_env the command
 * fills (cmd/: ctx_dnode_env()).
 */
#ifndef ICM_DOCKER_DNODE_H
#define ICM_DOCKER_DNODE_H

#include "api.h"
#include "../config/plan.h"
#include "../node/fanout.h"

/* A node's field as the command sees it (its overrides first, then
 * instances.json), NULL when unset or empty. */
typedef const char *(*dnode_field_fn)(const void *arg, const struct node *n,
				      const char *field);

/* What a fan-out runs on; borrowed for the run. */
struct dnode_env {
	const char *state_dir;
	struct node **nodes;		/* the nodes to run on */
	size_t n;
	struct node *all;		/* the whole deployment */
	size_t nall;
	const char *parallel;		/* -parallel, or NULL: the default */
	dnode_field_fn field;
	const void *field_arg;
	cJSON **response;		/* -json: the nodes' errors, or NULL */
};

/* One node's work. */
struct dnode {
	const struct dnode_env *env;
	struct node *n;
	size_t i;			/* n is env->nodes[i] */
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
 * Runs fn on every node of env in parallel.  done (may be NULL; env->n
 * entries) gets which nodes succeeded.  Returns 0 when all did.
 */
int dnode_run(const struct dnode_env *env, dnode_fn fn, void *arg,
	      const struct dnode_opts *o, bool *done) WARN_UNUSED;

/* Fails x's node with "<what>: <the daemon's error>"; -1. */
int dnode_fail(struct dnode *x, const char *what);

/* Field `field` of x's node (env->field). */
const char *dnode_field(const struct dnode *x, const char *field);

/*
 * An interactive exec (terminal in raw mode) in container on the one
 * node of env ("Interactive commands cannot match more than one
 * instance" otherwise).  The command's exit status other than 0 makes
 * -1 (icm's exit status 1).
 */
int dnode_interactive(const struct dnode_env *env, const char *container,
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
