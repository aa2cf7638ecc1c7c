/*
 * conf.c: configuring the InterSystems IRIS instances run started
 * (see conf.h): the deployment's TLS files staged on each data volume,
 * then the steps of src/iris/phases.c stage by stage, each as one
 * `iris session IRIS -U %SYS` over the Docker exec API with its script on
 * standard input (nothing on a command line), its output in the node's
 * iris.out/iris.err, the step recorded on the data volume when it said
 * ICM-OK.  A stage with a failure ends the configuration (the nodes that
 * come after depend on it); run again resumes.
 */
#include "conf.h"
#include "merge.h"
#include "phases.h"
#include "qlist.h"
#include "../cloud/sigv4.h"
#include "../docker/tar.h"
#include "../state/log.h"
#include "../state/pki.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <signal.h>
#include <stdatomic.h>

#define IRIS_START_MS 600000L	/* waiting for iris qlist: running */
#define STEP_TIMEOUT_MS 1200000L	/* a step may wait for its peers */
#define PROGRESS IRIS_ICM_DIR "/progress"
#define DEPLOYED "deployed"
#define PROGRESS_FILE "iris-progress"	/* node output of those reads */
/* the Web Gateway's active configuration, and how long it may take ours */
#define GATEWAY_ACTIVE_INI IRIS_GATEWAY_DIR "/bin/CSP.ini"
#define GATEWAY_WAIT_MS 120000L

char *iris_qlist_get(struct dnode *x, const char *cname, int field)
{
	const char *argv[] = { "iris", "qlist", "IRIS", NULL };
	struct docker_exec e;
	struct buf out, err;
	char *ret = NULL;
	int code = -1;

	memset(&e, 0, sizeof(e));
	e.argv = argv;
	e.timeout_ms = 30000;
	buf_init(&out, BUF_CAP_LINE);
	buf_init(&err, BUF_CAP_LINE);
	if (!docker_exec(x->d, cname, &e, &out, &err, &code) && !code)
		ret = iris_qlist_field(out.data, field);
	buf_release(&out);
	buf_release(&err);
	return ret;
}

int iris_wait_running(struct dnode *x, const char *cname)
{
	long waited = 0;

	say("Waiting for InterSystems IRIS to start on %s...", x->n->name);
	for (;;) {
		char *status = iris_qlist_get(x, cname, QLIST_STATUS);
		bool up = status && str_starts(status, "running");

		free(status);
		if (up)
			return 0;
		if (waited >= IRIS_START_MS)
			return fanout_fail(x->r, "InterSystems IRIS did not "
					   "start within %ld s (iris qlist "
					   "IRIS in container %s)",
					   IRIS_START_MS / 1000, cname);
		usleep(IRIS_POLL_MS * 1000);
		waited += IRIS_POLL_MS;
	}
}

/* Whether any node of the deployment has one of the roles. */
static bool deployment_has(const struct dnode_env *env,
			   const char *const *roles, size_t n)
{
	size_t i, k;

	for (i = 0; i < env->nall; i++)
		for (k = 0; k < n; k++)
			if (!strcmp(env->all[i].role, roles[k]))
				return true;
	return false;
}

/* Settings of a cluster node that need a restart, so they go into the
 * first start (iris-config §2.3, §6.1): the shard service where there is
 * sharding, and room for 64 ECP connections on sharded and ECP nodes. */
static void cluster_settings(const struct dnode_env *env,
			     const struct node *n, struct iris_merge_in *in)
{
	static const char *const shard_roles[] = { "DS", "QS", "DATA",
						   "COMPUTE" };
	static const char *const am[] = { "AM" };
	const char *r = n->role;
	bool sharded = deployment_has(env, shard_roles,
				      ARRAY_SIZE(shard_roles));

	in->enable_sharding = sharded && role_is_iris(r) && strcmp(r, "AM");
	if (in->enable_sharding ||
	    ((!strcmp(r, "DM") || !strcmp(r, "AM")) &&
	     deployment_has(env, am, 1)))
		in->max_servers = "64";
}

void iris_merge_fields(const struct dnode_env *env, const struct node *n,
		       struct iris_merge_in *in)
{
	memset(in, 0, sizeof(*in));
	in->node = n->name;
	in->superserver_port = env->field(env->field_arg, n, "SuperServerPort");
	in->webserver_port = env->field(env->field_arg, n, "WebServerPort");
	in->system_mode = env->field(env->field_arg, n, "SystemMode");
	in->wij_dir = env->field(env->field_arg, n, "WIJMountPoint");
	in->journal1_dir = env->field(env->field_arg, n, "Journal1MountPoint");
	in->journal2_dir = env->field(env->field_arg, n, "Journal2MountPoint");
	in->user_cpf = env->field(env->field_arg, n, "UserCPF");
	in->globals = env->field(env->field_arg, n, "ISCglobals");
	in->routines = env->field(env->field_arg, n, "ISCroutines");
	in->gmheap = env->field(env->field_arg, n, "ISCgmheap");
	in->locksiz = env->field(env->field_arg, n, "ISClocksiz");
	in->bbsiz = env->field(env->field_arg, n, "ISCbbsiz");
	in->memlock = env->field(env->field_arg, n, "ISCmemlock");
	cluster_settings(env, n, in);
}

/* ------------------------------------------------------------------ */

/* One configured node. */
struct cnode {
	struct node *n;
	char *data;		/* DataMountPoint */
	char *progress;		/* the progress file's text */
	bool failed;
};

struct conf {
	const struct dnode_env *env;
	struct iris_topo *topo;
	struct cnode *c;	/* indexed like the stage's selection */
	size_t step;
	char **script;		/* per selected node of the stage */
	char **title;
	char **hash;
	const char *password;	/* WS nodes' CSPSystem password */
};

static atomic_long steps_done;

/* ICM_TEST_KILL_AFTER_STEP=N (tests): SIGKILL once N steps are recorded,
 * as a user's Ctrl-C or a lost ICM container would stop run. */
static void kill_hook(void)
{
	const char *v = getenv("ICM_TEST_KILL_AFTER_STEP");
	long n;

	if (v && !str_to_long(v, &n) && atomic_fetch_add(&steps_done, 1) + 1
	    >= n)
		kill(getpid(), SIGKILL);
}

/* Runs argv in the iris container (as root for icm's own files). */
static int exec_in(struct dnode *x, const char *const *argv,
		   const char *in, long timeout_ms, struct buf *out,
		   struct buf *err, int *code)
{
	struct docker_exec e;

	memset(&e, 0, sizeof(e));
	e.argv = argv;
	e.stdin_data = in;
	e.stdin_len = in ? strlen(in) : 0;
	e.timeout_ms = timeout_ms;
	if (!in)
		e.user = "root";
	return docker_exec(x->d, "iris", &e, out, err, code);
}

/* The deployment's CA, the node's certificate and key as <dir>/icm/tls/
 * {CAFile,CertificateFile,PrivateKeyFile}.pem owned by irisowner (the
 * names ConfigMirror's SSLDir and the Cluster API expect), and csp_ini
 * (when not NULL) as <dir>/icm/CSP.ini, in the iris container. */
static int stage_tls(struct dnode *x, const char *dir, const char *csp_ini)
{
	static const char *const names[] = {
		"CAFile.pem", "CertificateFile.pem", "PrivateKeyFile.pem",
	};
	char *why = NULL, *nd = pki_node_dir(x->env->state_dir, x->n, &why);
	char *paths[3] = { NULL, NULL, NULL };
	struct buf tar, f;
	size_t i;
	int ret = -1;

	buf_init(&tar, BUF_CAP_CONFIG);
	if (!nd)
		goto fail;
	paths[0] = xasprintf("%s/" PKI_DIR "/ca.pem", x->env->state_dir);
	paths[1] = xasprintf("%s/server-cert.pem", nd);
	paths[2] = xasprintf("%s/server-key.pem", nd);
	if (tar_mem_entry(&tar, IRIS_ICM_DIR "/", NULL, 0, 0755, IRIS_OWNER,
			  &why) ||
	    tar_mem_entry(&tar, IRIS_TLS_DIR "/", NULL, 0, 0700, IRIS_OWNER,
			  &why))
		goto fail;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char *name = xasprintf(IRIS_TLS_DIR "/%s", names[i]);
		int rc;

		buf_init(&f, BUF_CAP_CONFIG);
		rc = fs_read_file(paths[i], &f);
		if (rc) {
			fanout_fail(x->r, "cannot read %s: %s (icm keygen tls "
				    "-renew makes it)", paths[i],
				    fs_strerror(errno));
		} else {
			rc = tar_mem_entry(&tar, name, f.data, f.len,
					   i == 2 ? 0600 : 0644, IRIS_OWNER,
					   &why);
			if (rc)
				fanout_fail(x->r, "%s", why);
		}
		buf_wipe(&f);
		free(name);
		if (rc)
			goto out;
	}
	if ((csp_ini && tar_mem_entry(&tar, IRIS_ICM_DIR "/CSP.ini", csp_ini,
				      strlen(csp_ini), 0600, IRIS_OWNER,
				      &why)) ||
	    tar_mem_end(&tar, &why))
		goto fail;
	if (docker_put_archive(x->d, "iris", dir, tar.data, tar.len)) {
		fanout_fail(x->r, "cannot copy the TLS files into the iris "
			    "container: %s", docker_errmsg(x->d));
		goto out;
	}
	ret = 0;
	goto out;
fail:
	fanout_fail(x->r, "%s", why);
out:
	free(why);
	buf_wipe(&tar);
	for (i = 0; i < ARRAY_SIZE(paths); i++)
		free(paths[i]);
	free(nd);
	return ret;
}

/* First stage: the TLS files, and what the node's progress file says. */
static int prepare_one(struct dnode *x)
{
	struct conf *cf = x->arg;
	struct cnode *c = &cf->c[x->i];
	char *path = xasprintf("%s/" PROGRESS, c->data);
	const char *argv[] = { "cat", path, NULL };
	struct buf out, err;
	int code = -1, ret = -1;

	buf_init(&out, BUF_CAP_CONFIG);
	buf_init(&err, BUF_CAP_LINE);
	if (stage_tls(x, c->data, NULL))
		goto out;
	if (exec_in(x, argv, NULL, 30000, &out, &err, &code)) {
		fanout_fail(x->r, "cannot read %s in the iris container: %s",
			    path, docker_errmsg(x->d));
		goto out;
	}
	c->progress = xstrdup(!code && out.data ? out.data : "");
	ret = 0;
out:
	buf_release(&out);
	buf_release(&err);
	free(path);
	return ret;
}

/* Whether the progress text has the line "<id> <hash>". */
static bool recorded(const char *progress, const char *line)
{
	size_t n = strlen(line);
	const char *p = progress;

	while (p && *p) {
		if (!strncmp(p, line, n) && (p[n] == '\n' || !p[n]))
			return true;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

/* Appends line to the node's progress file. */
static int record(struct dnode *x, const char *data, const char *line)
{
	char *path = xasprintf("%s/" PROGRESS, data);
	const char *argv[] = { "sh", "-c", "printf '%s\\n' \"$1\" >> \"$2\"",
			       "sh", line, path, NULL };
	struct buf out, err;
	int code = -1, ret = 0;

	buf_init(&out, BUF_CAP_LINE);
	buf_init(&err, BUF_CAP_LINE);
	if (exec_in(x, argv, NULL, 30000, &out, &err, &code) || code)
		ret = fanout_fail(x->r, "cannot record the progress in %s "
				  "(exit status %d): %s", path, code,
				  err.data ? err.data : docker_errmsg(x->d));
	buf_release(&out);
	buf_release(&err);
	free(path);
	return ret;
}

/* A restart the step asked for (sharding enabled on a running node). */
static int restart(struct dnode *x)
{
	say("Restarting InterSystems IRIS on %s...", x->n->name);
	if (docker_stop(x->d, "iris", 60) || docker_start(x->d, "iris"))
		return fanout_fail(x->r, "cannot restart the iris container: "
				   "%s", docker_errmsg(x->d));
	return iris_wait_running(x, "iris");
}

static int step_one(struct dnode *x)
{
	struct conf *cf = x->arg;
	struct cnode *c = &cf->c[x->i];
	const char *id = iris_step_id(cf->step);
	const char *argv[] = { "iris", "session", "IRIS", "-U", "%SYS", NULL };
	char *ok = xasprintf(IRIS_OK_PREFIX "%s", id);
	char *line = xasprintf("%s %s", id, cf->hash[x->i]);
	int code = -1, ret = -1;

	say("%s", cf->title[x->i]);
	if (exec_in(x, argv, cf->script[x->i], STEP_TIMEOUT_MS, &x->r->out,
		    &x->r->err, &code)) {
		fanout_fail(x->r, "step %s: iris session did not run: %s", id,
			    docker_errmsg(x->d));
		goto out;
	}
	x->r->exit_status = code;
	if (code || !x->r->out.data || !strstr(x->r->out.data, ok)) {
		fanout_fail(x->r, "step %s (%s) failed: iris session exit "
			    "status %d%s", id, cf->title[x->i], code,
			    code ? "" : " without " IRIS_OK_PREFIX);
		goto out;
	}
	if (strstr(x->r->out.data, IRIS_RESTART) && restart(x))
		goto out;
	if (record(x, c->data, line))
		goto out;
	kill_hook();
	ret = 0;
out:
	if (ret)
		c->failed = true;
	free(ok);
	free(line);
	return ret;
}

/* Whether the gateway's active CSP.ini has taken ours: every server of
 * `want` there, every Password encrypted (]]]...). */
static bool gateway_loaded(const char *active, const char *want)
{
	const char *p;

	if (!active)
		return false;
	for (p = want; (p = strstr(p, "\n[")); p++) {
		size_t n = strcspn(p + 1, "\n");
		char *sec = xstrndup(p + 1, n);
		bool has = strstr(active, sec) != NULL;

		free(sec);
		if (!has && strncmp(p + 1, "[APP_PATH", 9))
			return false;
	}
	for (p = active; (p = strstr(p, "Password=")); p++)
		if ((p == active || p[-1] == '\n') && strncmp(p + 9, "]]]", 3))
			return false;
	return true;
}

/* A WS node: its CSP.ini (with the TLS files) staged where the container's
 * ISC_CSP_INI_FILE names it; the Web Gateway merges it in, encrypting the
 * passwords in its active copy, which then replaces the staged file so the
 * IRIS password is left in no file of the container.  A gateway that has
 * not taken it within GATEWAY_WAIT_MS is a warning: the staged file keeps
 * the password until the next run. */
static int gateway_one(struct dnode *x)
{
	struct conf *cf = x->arg;
	const char *argv[] = { "cat", GATEWAY_ACTIVE_INI, NULL };
	struct buf ini, out, err;
	long waited = 0;
	char *why = NULL;
	int ret = -1, code;

	say("Configuring web gateway on %s...", x->n->name);
	buf_init(&ini, BUF_CAP_CONFIG);
	buf_init(&out, BUF_CAP_CONFIG);
	buf_init(&err, BUF_CAP_LINE);
	if (iris_csp_ini(cf->topo, x->n, cf->password, IRIS_GATEWAY_DIR "/"
			 IRIS_TLS_DIR, &ini, &why)) {
		fanout_fail(x->r, "%s", why);
		goto out;
	}
	if (buf_adds(&ini, "")) {
		fanout_fail(x->r, "%s: CSP.ini is too large", x->n->name);
		goto out;
	}
	if (stage_tls(x, IRIS_GATEWAY_DIR, ini.data))
		goto out;
	for (;;) {
		buf_wipe(&out);
		buf_release(&err);
		code = -1;
		if (!exec_in(x, argv, NULL, 30000, &out, &err, &code) &&
		    !code && gateway_loaded(out.data, ini.data))
			break;
		if (waited >= GATEWAY_WAIT_MS) {
			warning("%s: the Web Gateway has not taken CSP.ini "
				"within %ld s (%s); %s keeps the password "
				"until it does", x->n->name,
				GATEWAY_WAIT_MS / 1000, GATEWAY_ACTIVE_INI,
				IRIS_GATEWAY_INI);
			ret = 0;
			goto out;
		}
		usleep(IRIS_POLL_MS * 1000);
		waited += IRIS_POLL_MS;
	}
	ret = stage_tls(x, IRIS_GATEWAY_DIR, out.data);
out:
	free(why);
	buf_wipe(&ini);
	buf_wipe(&out);
	buf_release(&err);
	return ret;
}

static int deployed_one(struct dnode *x)
{
	struct conf *cf = x->arg;
	struct cnode *c = &cf->c[x->i];

	return record(x, c->data, DEPLOYED);
}

/* dnode_run over the nodes of cf->c picked. */
static int run_on(struct conf *cf, struct cnode *all, size_t n,
		  const bool *pick, dnode_fn fn, const char *file)
{
	struct dnode_env sub = *cf->env;
	struct cnode *c = xcalloc(n + 1, sizeof(*c));
	struct dnode_opts o = { .file = file };
	size_t i, k = 0;
	int rc;

	sub.nodes = xcalloc(n + 1, sizeof(*sub.nodes));
	for (i = 0; i < n; i++)
		if (pick[i])
			sub.nodes[k] = all[i].n, c[k++] = all[i];
	sub.n = k;
	cf->c = c;
	rc = k ? dnode_run(&sub, fn, cf, &o, NULL) : 0;
	for (i = 0, k = 0; i < n; i++)
		if (pick[i])
			all[i] = c[k++];
	free(sub.nodes);
	free(c);
	return rc;
}

/* Renders step k for the nodes it applies to and are not done; pick[i]
 * says which.  Their scripts, titles and hashes go into cf (indexed by
 * the stage's order).  -1 reported. */
static int render_stage(struct conf *cf, struct cnode *all, size_t n,
			size_t k, bool *pick, size_t *count)
{
	size_t i, m = 0;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		struct buf s;
		char *title = NULL, hex[65], *line;

		pick[i] = false;
		if (all[i].failed || !role_is_iris(all[i].n->role) ||
		    !iris_step_applies(cf->topo, all[i].n, k))
			continue;
		buf_init(&s, BUF_CAP_CONFIG);
		if (iris_step_render(cf->topo, all[i].n, k, &s, &title)) {
			rc = -1;
		} else {
			sigv4_sha256_hex(s.data, s.len, hex);
			line = xasprintf("%s %s", iris_step_id(k), hex);
			if (!recorded(all[i].progress, line)) {
				pick[i] = true;
				cf->script[m] = buf_take(&s);
				cf->title[m] = title;
				cf->hash[m++] = xstrdup(hex);
				title = NULL;
			}
			free(line);
		}
		free(title);
		buf_release(&s);
	}
	*count = m;
	return rc;
}

static void stage_release(struct conf *cf, size_t m)
{
	size_t i;

	for (i = 0; i < m; i++) {
		free(cf->script[i]);
		free(cf->title[i]);
		free(cf->hash[i]);
		cf->script[i] = cf->title[i] = cf->hash[i] = NULL;
	}
}

/* Node n's merge file, steps and CSP.ini rendered and thrown away. */
static int check_node(const struct dnode_env *env, const struct iris_topo *t,
		      const struct node *n, const char *password)
{
	struct iris_merge_in in;
	struct buf b;
	char *title = NULL;
	size_t k;
	int rc = 0;

	if (!strcmp(n->role, "WS"))
		return iris_csp_check(t, n, password);
	if (!role_is_iris(n->role))
		return 0;
	iris_merge_fields(env, n, &in);
	in.user_cpf = NULL;	/* the user's own file, read at run */
	buf_init(&b, BUF_CAP_CONFIG);
	rc = iris_merge_text(&in, &b, NULL);
	for (k = 0; k < iris_steps_count() && !rc; k++) {
		buf_release(&b);
		if (iris_step_applies(t, n, k))
			rc = iris_step_render(t, n, k, &b, &title);
		free(title);
		title = NULL;
	}
	buf_release(&b);
	return rc;
}

/* The deployment's nodes as iris_topo_new() takes them (caller frees). */
static struct node **deployment_nodes(const struct dnode_env *env)
{
	struct node **nodes = xcalloc(env->nall + 1, sizeof(*nodes));
	size_t i;

	for (i = 0; i < env->nall; i++)
		nodes[i] = &env->all[i];
	return nodes;
}

int iris_check(const struct dnode_env *env, const char *password)
{
	struct node **nodes = deployment_nodes(env);
	struct iris_topo *t;
	size_t i;
	int rc = 0;

	t = iris_topo_new(nodes, env->nall, env->field, env->field_arg);
	for (i = 0; i < env->n && !rc; i++)
		rc = check_node(env, t, env->nodes[i], password);
	iris_topo_free(t);
	free(nodes);
	return rc;
}

int iris_configure(const struct dnode_env *env, const bool *eligible,
		   const char *password)
{
	struct conf cf = { .env = env, .password = password };
	struct cnode *all = xcalloc(env->n + 1, sizeof(*all));
	bool *pick = xcalloc(env->n + 1, sizeof(*pick));
	struct node **nodes = deployment_nodes(env);
	size_t i, k, n = 0, m;
	int rc = -1;

	for (i = 0; i < env->n; i++) {
		struct node *sel = env->nodes[i];
		const char *data = env->field(env->field_arg, sel,
					      "DataMountPoint");

		if (!eligible[i] || (!role_is_iris(sel->role) &&
				     strcmp(sel->role, "WS")))
			continue;
		all[n].n = sel;
		all[n].data = xstrdup(data ? data : "/irissys/data");
		pick[n++] = true;
	}
	if (!n) {
		rc = 0;
		goto out;
	}
	cf.topo = iris_topo_new(nodes, env->nall, env->field, env->field_arg);
	for (i = 0; i < n; i++)
		pick[i] = role_is_iris(all[i].n->role);
	cf.script = xcalloc(n, sizeof(char *));
	cf.title = xcalloc(n, sizeof(char *));
	cf.hash = xcalloc(n, sizeof(char *));
	if (run_on(&cf, all, n, pick, prepare_one, PROGRESS_FILE))
		goto out;
	for (k = 0; k < iris_steps_count(); k++) {
		int failed;

		if (render_stage(&cf, all, n, k, pick, &m)) {
			stage_release(&cf, m);
			goto out;
		}
		cf.step = k;
		failed = run_on(&cf, all, n, pick, step_one, "iris");
		stage_release(&cf, m);
		if (failed)
			goto out;
	}
	for (i = 0; i < n; i++)
		pick[i] = role_is_iris(all[i].n->role) &&
			!recorded(all[i].progress, DEPLOYED);
	if (run_on(&cf, all, n, pick, deployed_one, PROGRESS_FILE))
		goto out;
	for (i = 0; i < n; i++)
		pick[i] = !strcmp(all[i].n->role, "WS");
	if (run_on(&cf, all, n, pick, gateway_one, "iris"))
		goto out;
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		free(all[i].data);
		free(all[i].progress);
	}
	free(cf.script);
	free(cf.title);
	free(cf.hash);
	iris_topo_free(cf.topo);
	free(all);
	free(pick);
	free(nodes);
	return rc;
}
