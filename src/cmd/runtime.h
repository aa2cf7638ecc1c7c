/*
 * runtime.h: where a deployment's InterSystems IRIS runs, behind one
 * interface the commands call without testing which it is (git's
 * transport vtable shape): in containers through the Docker Engine API
 * (runtime_docker: container.c, iris.c), or Containerless, a kit
 * installed on the host and driven over SSH (runtime_containerless:
 * install.c).  runtime_of() chooses once per command, from the selected
 * nodes' Containerless field.
 *
 * Every slot takes the command's context with its selection and returns
 * 0, or -1 with the failure reported (each node's under its name).
 */
#ifndef ICM_CMD_RUNTIME_H
#define ICM_CMD_RUNTIME_H

#include "cmd.h"

struct fanout_result;

/* The IRIS instance's name, in a container and in a kit install alike. */
#define IRIS_INSTANCE "IRIS"

/* The namespace a session on node n uses (-namespace, else Namespace). */
typedef const char *(*runtime_ns_fn)(const struct ctx *ctx,
				     const struct node *n);
/* A session's output turned into what its file holds (sql: CSV), failing
 * the node when it cannot; NULL: the output as is. */
typedef int (*runtime_result_fn)(struct fanout_result *r);

struct runtime {
	/* icm run: the wanted IRIS (and other) instances on every node */
	int (*run)(struct ctx *ctx);
	/* icm upgrade: the instances again from the new image or kit */
	int (*upgrade)(struct ctx *ctx);
	/* icm stop, icm start */
	int (*stop)(struct ctx *ctx);
	int (*start)(struct ctx *ctx);
	/* icm ps: the instances' table (and -json) */
	int (*ps)(struct ctx *ctx);
	/*
	 * script (ending in halt) on `iris session IRIS -U <ns>` of every
	 * selected node, shown as `shown` in the console lines; output
	 * files <file>.out/.err.
	 */
	int (*session)(struct ctx *ctx, const char *shown, const char *script,
		       const char *file, runtime_ns_fn ns,
		       runtime_result_fn result);
	/* An interactive session (routine, or NULL: the prompt) on the one
	 * selected node (the caller checked there is exactly one). */
	int (*session_interactive)(struct ctx *ctx, const char *ns,
				   const char *routine);
};

extern const struct runtime runtime_docker;
extern const struct runtime runtime_containerless;

/* Containerless when a selected node has Containerless true (install.c). */
const struct runtime *runtime_of(const struct ctx *ctx);

/* runtime_docker's slots in iris.c (container.c holds the table). */
int container_session(struct ctx *ctx, const char *shown, const char *script,
		      const char *file, runtime_ns_fn ns,
		      runtime_result_fn result) WARN_UNUSED;
int container_session_interactive(struct ctx *ctx, const char *ns,
				  const char *routine) WARN_UNUSED;

#endif
