/*
 * nodeout.h: per-node output files, ICM's
 *   <stateDir>/<Label>-<Role>-<Tag>/<machine>/{ssh,docker,jdbc}.{out,err}
 * Each command overwrites the node's file (as ICM does).  The text is
 * redacted (log.h) before it is written; files are 0600 in 0700 dirs.
 */
#ifndef ICM_NODEOUT_H
#define ICM_NODEOUT_H

#include "../icm.h"

struct node;

/*
 * Writes text as <stateDir>/.../<machine>/<file> (file is e.g. "ssh.out").
 * If path_out is not NULL it receives the path written (caller frees).
 * -1 with the reason reported.
 */
int nodeout_write(const char *state_dir, const struct node *n,
		  const char *file, const char *text,
		  char **path_out) WARN_UNUSED;

#endif
