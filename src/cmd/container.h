/*
 * container.h: what the container commands' files share (container.c:
 * run, upgrade, pull, stop, start, rm, ps; exec.c: exec, cp, docker).
 * Not for other modules.
 */
#ifndef ICM_CMD_CONTAINER_H
#define ICM_CMD_CONTAINER_H

#include "cmd.h"
#include "../docker/dnode.h"

/* -container, else the deployment's iris container. */
const char *container_name(const struct ctx *ctx);

/*
 * What every container command checks first: the deployment's
 * certificates are there.  (-container is a name Docker takes: main.c
 * checks it by the rule "container" before any command runs.)
 */
int container_cmd_check(const struct ctx *ctx) WARN_UNUSED;

/* A step of these files gets the command's context with its job (the
 * Docker fan-out itself knows no command): run_nodes() passes them,
 * step_ctx() and step_job() read them in the step. */
struct step {
	struct ctx *ctx;
	void *job;
};

struct ctx *step_ctx(const struct dnode *x);
void *step_job(const struct dnode *x);

/* dnode_run() of fn over ctx's selection with job. */
int run_nodes(struct ctx *ctx, dnode_fn fn, void *job,
	      const struct dnode_opts *o, bool *done) WARN_UNUSED;

#endif
