/*
 * exec.c: the commands that reach into the running containers or the
 * nodes' docker CLI: exec (a command in the container, or interactive on
 * one node), cp (files between here and the containers, as tar archives
 * through the Docker API) and docker (the docker CLI on the node, over
 * SSH).
 */
#include "container.h"
#include "../docker/runopts.h"
#include "../docker/tar.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"

/* ---------------------------------------------------------------- exec */

struct execjob {
	const char *command;
	struct execopts eo;
};

static int exec_one(struct dnode *x)
{
	struct execjob *j = step_job(x);
	const char *argv[] = { "sh", "-c", j->command, NULL };
	struct docker_exec e;
	int code = -1;

	memset(&e, 0, sizeof(e));
	e.argv = argv;
	e.env = (const char *const *)j->eo.env;
	e.user = j->eo.user;
	e.workdir = j->eo.workdir;
	say("Executing command in container %s on %s...",
	    container_name(step_ctx(x)), x->n->name);
	if (docker_exec(x->d, container_name(step_ctx(x)), &e, &x->r->out,
			&x->r->err, &code))
		return dnode_fail(x, "the command did not run");
	x->r->exit_status = code;
	if (code)
		return fanout_fail(x->r, "exit status %d", code);
	return 0;
}

static int exec_interactive(struct ctx *ctx, struct execjob *j)
{
	const char *argv[] = { "sh", "-c", j->command, NULL };
	struct docker_exec e;
	struct dnode_env env;

	memset(&e, 0, sizeof(e));
	e.argv = argv;
	e.env = (const char *const *)j->eo.env;
	e.user = j->eo.user;
	e.workdir = j->eo.workdir;
	if (ctx->nsel == 1)
		say("Executing command '%s' in container %s on %s...",
		    j->command, container_name(ctx), ctx->sel[0]->name);
	ctx_dnode_env(ctx, &env);
	return dnode_interactive(&env, container_name(ctx), &e);
}

int cmd_exec(struct ctx *ctx)
{
	struct execjob j;
	struct dnode_opts o = { .echo_one = true, .say_output = true };
	int rc;

	j.command = opt_str(&ctx->opts, OPT_COMMAND);
	if (!j.command && !opt_on(&ctx->opts, OPT_INTERACTIVE))
		return error("icm exec needs -command (or -interactive for a "
			     "shell)");
	if (!j.command)
		j.command = "sh";
	if (container_cmd_check(ctx) ||
	    execopts_parse(opt_str(&ctx->opts, OPT_OPTIONS), &j.eo))
		return -1;
	if (opt_on(&ctx->opts, OPT_INTERACTIVE))
		rc = exec_interactive(ctx, &j);
	else
		rc = run_nodes(ctx, exec_one, &j, &o, NULL);
	execopts_release(&j.eo);
	return rc;
}

/* ------------------------------------------------------------------ cp */

/*
 * icm cp, as the 2018 guide has it: localPath is a file or directory on
 * the node, read there as a tar stream over SSH (`sudo -n tar`, as the
 * node's other commands run) and put into the container through the
 * Docker archive endpoint at "/", its members renamed to where remotePath
 * says (cp_dest()); missing directories on the way are made (0755).
 * -options --fromIcm reads localPath on the machine running icm instead
 * (one archive for every node); --retrieve copies remotePath out of the
 * container into localPath on the machine running icm.
 */
#define CP_DEFAULT_REMOTE "/tmp"	/* a directory */
#define CP_PROBE_MAX (PATH_MAX + 64)	/* "d\n<path>\n" */

struct cpjob {
	const char *local, *remote;
	bool remote_dir;	/* remotePath names a directory */
	bool retrieve, from_icm;
	struct buf tar;		/* --fromIcm: packed and renamed once */
};

/* The last component of path (trailing slashes dropped), or NULL for
 * "", "/", "." and "..". */
static char *path_base(const char *path)
{
	size_t n = strlen(path), b;

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (b = n; b > 0 && path[b - 1] != '/'; b--)
		;
	if (b == n || (n - b == 1 && path[b] == '.') ||
	    (n - b == 2 && !strncmp(path + b, "..", 2)))
		return NULL;
	return xstrndup(path + b, n - b);
}

/*
 * remotePath checked: absolute, no ".." component (before anything is
 * copied).
 */
static int cp_check_remote(const char *remote)
{
	const char *p;

	if (*remote != '/')
		return error("-remotePath '%s': a path in the container "
			     "starts with /", remote);
	for (p = remote; (p = strstr(p, "..")) != NULL; p += 2)
		if (p[-1] == '/' && (p[2] == '/' || !p[2]))
			return error("-remotePath '%s': no '..' component, "
				     "please", remote);
	return 0;
}

/*
 * Where a copy of base (a directory when dir) goes, relative to "/" (a
 * new string), for j's remotePath (a trailing '/' names a directory, else
 * it is the new name), and whether base's contents go into it; NULL
 * when it would be over PATH_MAX * 2:
 *
 *   file  dir/  ->  dir/base          file  path  ->  path
 *   dir   dir/  ->  dir/ gets the directory's contents
 *   dir   path  ->  path (the directory under that name)
 */
static char *cp_dest(const struct cpjob *j, const char *base, bool dir,
		     bool *contents)
{
	const char *p = j->remote;
	struct buf b;
	size_t n;

	buf_init(&b, PATH_MAX * 2);
	while (*p) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n && !(n == 1 && *p == '.') &&
		    ((b.len && buf_adds(&b, "/")) || buf_add(&b, p, n)))
			break;
		p += n;
	}
	if (*p)
		return NULL;	/* over the cap (buf emptied) */
	*contents = dir && j->remote_dir;
	if (!dir && j->remote_dir &&
	    ((b.len && buf_adds(&b, "/")) || buf_adds(&b, base)))
		return NULL;
	return b.data ? buf_take(&b) : xstrdup("");
}

/*
 * j->local on the node, read over SSH as a tar stream, renamed for the
 * container into tar; r failed (naming the node and path) otherwise.
 */
static int cp_read_node(struct dnode *x, const struct cpjob *j,
			struct buf *tar)
{
	struct ssh_conn *c = NULL;
	struct buf cmd, probe, raw;
	char *path, *nl, *slash, *base = NULL, *to = NULL, *why = NULL;
	const char *parent;
	bool dir, contents;
	int status = -1, ret = -1;

	buf_init(&cmd, BUF_CAP_LINE);
	buf_init(&probe, CP_PROBE_MAX);
	buf_init(&raw, DOCKER_CAP_ARCHIVE);
	if (fanout_connect(x->f, x->n, step_ctx(x)->state_dir, HOSTKEY_STRICT,
			   x->r, &c))
		goto out;
	/* the path resolved (symlinks, relative to SSHUser's home), its
	 * kind: "d" or "f", then the path */
	if (buf_adds(&cmd, "p=$(sudo -n readlink -f -- ") ||
	    buf_add_shell_word(&cmd, j->local) ||
	    buf_adds(&cmd, ") && sudo -n test -e \"$p\" && { if sudo -n test "
		     "-d \"$p\"; then echo d; else echo f; fi; printf '%s\\n' "
		     "\"$p\"; }")) {
		fanout_fail(x->r, "-localPath is too long");
		goto out;
	}
	if (ssh_exec(c, cmd.data, NULL, &probe, &x->r->err, &status)) {
		fanout_fail(x->r, "cannot look at %s on %s: the connection "
			    "failed", j->local, x->n->name);
		goto out;
	}
	if (status || probe.len < 4 || (probe.data[0] != 'd' &&
					 probe.data[0] != 'f')) {
		fanout_fail(x->r, "%s: no such file or directory on %s",
			    j->local, x->n->name);
		goto out;
	}
	dir = probe.data[0] == 'd';
	path = probe.data + 2;
	if ((nl = strchr(path, '\n')) != NULL)
		*nl = '\0';
	slash = strrchr(path, '/');
	if (*path != '/' || !slash[1]) {
		fanout_fail(x->r, "%s on %s is '%s': name a file or directory "
			    "below /", j->local, x->n->name, path);
		goto out;
	}
	*slash = '\0';
	parent = slash == path ? "/" : path;
	/* the name the user gave (a link's, not its target's) */
	base = path_base(j->local);
	to = cp_dest(j, base ? base : slash + 1, dir, &contents);
	buf_release(&cmd);
	if (!to || buf_adds(&cmd, "sudo -n tar -C ") ||
	    buf_add_shell_word(&cmd, parent) ||
	    buf_adds(&cmd, " --format=gnu -cf - -- ") ||
	    buf_add_shell_word(&cmd, slash + 1)) {
		fanout_fail(x->r, "-localPath or -remotePath is too long");
		goto out;
	}
	if (ssh_exec(c, cmd.data, NULL, &raw, &x->r->err, &status)) {
		fanout_fail(x->r, "cannot read %s on %s (the connection failed "
			    "or it is larger than %u bytes)", j->local,
			    x->n->name, DOCKER_CAP_ARCHIVE);
		goto out;
	}
	x->r->exit_status = status;
	if (status) {
		fanout_fail(x->r, "tar of %s on %s: exit status %d", j->local,
			    x->n->name, status);
		goto out;
	}
	if (tar_rebase(raw.data, raw.len, slash + 1, to, contents, tar, &why)) {
		fanout_fail(x->r, "the archive of %s from %s: %s", j->local,
			    x->n->name, why);
		goto out;
	}
	ret = 0;
out:
	free(why);
	ssh_close(c);
	buf_release(&cmd);
	buf_release(&probe);
	buf_release(&raw);
	free(base);
	free(to);
	return ret;
}

static int cp_one(struct dnode *x)
{
	struct cpjob *j = step_job(x);
	const char *name = container_name(step_ctx(x));
	struct buf tar;
	char *dest, *why = NULL;
	int ret;

	buf_init(&tar, DOCKER_CAP_ARCHIVE);
	if (!j->retrieve) {
		say("Copying %s to %s:%s on %s...", j->local, name, j->remote,
		    x->n->name);
		if (!j->from_icm && cp_read_node(x, j, &tar))
			ret = -1;
		else if (docker_put_archive(x->d, name, "/", j->from_icm ?
					    j->tar.data : tar.data,
					    j->from_icm ? j->tar.len :
					    tar.len))
			ret = dnode_fail(x, "the copy failed");
		else
			ret = 0;
		buf_release(&tar);
		return ret;
	}
	dest = step_ctx(x)->nsel == 1 ? xstrdup(j->local) :
		xasprintf("%s/%s", j->local, x->n->name);
	say("Copying %s:%s on %s to %s...", name, j->remote, x->n->name,
	    dest);
	if (docker_get_archive(x->d, name, j->remote, &tar))
		ret = dnode_fail(x, "the copy failed");
	else if (fs_mkdirs(dest, 0755))
		ret = fanout_fail(x->r, "cannot write %s: %s", dest,
				  fs_strerror(errno));
	else if (tar_unpack(tar.data, tar.len, dest, &why))
		ret = fanout_fail(x->r, "cannot write %s: %s", dest, why);
	else
		ret = 0;
	free(why);
	buf_release(&tar);
	free(dest);
	return ret;
}

/* The words of -options cp takes: --retrieve, --fromIcm. */
static int cp_options(const char *s, struct cpjob *j)
{
	char **argv = NULL;
	int argc = 0, i, ret = 0;

	if (!s)
		return 0;
	if (words_split(s, "-options", &argv, &argc, NULL))
		return -1;
	for (i = 0; i < argc && !ret; i++) {
		const char *w = argv[i][0] != '-' ? "" :
			argv[i] + (argv[i][1] == '-' ? 2 : 1);

		if (!*w)
			ret = error("-options: icm cp takes --retrieve or "
				    "--fromIcm, not '%s'", argv[i]);
		else if (!strcmp(w, "retrieve"))
			j->retrieve = true;
		else if (!strcmp(w, "fromIcm"))
			j->from_icm = true;
		else
			ret = error("-options: icm cp takes --retrieve or "
				    "--fromIcm, not '%s'", argv[i]);
	}
	words_free(argv);
	if (!ret && j->retrieve && j->from_icm)
		ret = error("-options: --retrieve and --fromIcm go different "
			    "ways; give one");
	return ret;
}

/* --fromIcm: j->local on this machine, packed and renamed once. */
static int cp_pack_here(struct cpjob *j)
{
	struct buf raw;
	struct stat st;
	char *base = path_base(j->local), *to = NULL;
	bool contents;
	int ret = -1;

	buf_init(&raw, DOCKER_CAP_ARCHIVE);
	if (stat(j->local, &st) || access(j->local, R_OK)) {
		error("cannot read -localPath '%s': %s", j->local,
		      strerror(errno));
		goto out;
	}
	if (!base) {
		error("-localPath '%s': name the file or directory to copy",
		      j->local);
		goto out;
	}
	to = cp_dest(j, base, S_ISDIR(st.st_mode), &contents);
	if (!to) {
		error("-remotePath '%s' is too long", j->remote);
		goto out;
	}
	if (tar_pack(j->local, &raw, NULL) ||
	    tar_rebase(raw.data, raw.len, base, to, contents, &j->tar, NULL))
		goto out;
	ret = 0;
out:
	buf_release(&raw);
	free(base);
	free(to);
	return ret;
}

int cmd_cp(struct ctx *ctx)
{
	struct cpjob j;
	struct dnode_opts o = { .echo_one = false };
	const char *given = opt_str(&ctx->opts, OPT_REMOTEPATH);
	int rc = -1;

	memset(&j, 0, sizeof(j));
	buf_init(&j.tar, DOCKER_CAP_ARCHIVE);
	j.local = opt_str(&ctx->opts, OPT_LOCALPATH);
	j.remote = given ? given : CP_DEFAULT_REMOTE;
	j.remote_dir = !given || str_ends(given, "/");
	if (!j.local)
		return error("icm cp needs -localPath");
	if (strchr(j.local, '\n') || strchr(j.remote, '\n'))
		return error("icm cp: a path of one line, please");
	if (cp_options(opt_str(&ctx->opts, OPT_OPTIONS), &j) ||
	    container_cmd_check(ctx))
		return -1;
	if (!j.retrieve && cp_check_remote(j.remote))
		return -1;
	if (j.from_icm && cp_pack_here(&j))
		goto out;
	rc = run_nodes(ctx, cp_one, &j, &o, NULL);
out:
	buf_release(&j.tar);
	return rc;
}

/* -------------------------------------------------------------- docker */

int cmd_docker(struct ctx *ctx)
{
	struct fanout_exec_opts o;
	const char *cmd = opt_str(&ctx->opts, OPT_COMMAND);
	char *full;
	int rc;

	if (!cmd)
		return error("icm docker needs -command (a docker subcommand "
			     "that ends on its own, e.g. \"stats "
			     "--no-stream\")");
	memset(&o, 0, sizeof(o));
	/* the docker CLI on the node, as root (the unix socket's owner) */
	full = xasprintf("sudo -n docker %s", cmd);
	o.command = full;
	o.shown = cmd;		/* the guide's line names the -command */
	o.state_dir = ctx->state_dir;
	o.file = "docker";
	o.pool.parallel = fanout_parallel_opt(opt_str(&ctx->opts,
						      OPT_PARALLEL));
	rc = fanout_exec(ctx->sel, ctx->nsel, &o, &ctx->response);
	free(full);
	return rc;
}
