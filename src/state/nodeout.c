/* nodeout.c: per-node output files (see nodeout.h). */
#include "nodeout.h"
#include "log.h"
#include "statedir.h"
#include "../util/fs.h"
#include "../util/str.h"

int nodeout_write(const char *state_dir, const struct node *n,
		  const char *file, const char *text, char **path_out)
{
	char *dir = statedir_node_dir(state_dir, n);
	char *path = NULL, *clean = NULL;
	int ret = -1;

	if (!dir)
		goto out;
	path = xasprintf("%s/%s", dir, file);
	clean = secret_redact(text);
	if (statedir_mkdir(state_dir, dir))
		goto out;
	if (fs_write_atomic(path, clean, strlen(clean), 0600)) {
		error("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (path_out) {
		*path_out = path;
		path = NULL;
	}
	ret = 0;
out:
	free(clean);
	free(path);
	free(dir);
	return ret;
}
