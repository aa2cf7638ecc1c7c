/*
 * container.c: the container commands over the Docker Engine API (mutual
 * TLS, docker/dnode.h): run, upgrade, pull, stop, start, rm and ps, and
 * the Docker runtime (runtime.h); exec, cp and docker are in exec.c.
 * What run and upgrade do on each node is iris/deploy.c's.
 */
#include "container.h"
#include "runtime.h"
#include "../config/instances.h"
#include "../docker/dnode.h"
#include "../iris/conf.h"
#include "../iris/deploy.h"
#include "../iris/qlist.h"
#include "../node/address.h"
#include "../state/log.h"
#include "../state/output.h"
#include "../util/str.h"
#include "../util/term.h"

#define MIRROR_WAIT_MS 600000L	/* an upgraded backup back in its mirror */

const char *container_name(const struct ctx *ctx)
{
	const char *c = opt_str(&ctx->opts, OPT_CONTAINER);

	return c && *c ? c : DEPLOY_CONTAINER;
}

int container_cmd_check(const struct ctx *ctx)
{
	return dnode_check_pki(ctx->state_dir);
}

struct ctx *step_ctx(const struct dnode *x)
{
	return ((const struct step *)x->arg)->ctx;
}

void *step_job(const struct dnode *x)
{
	return ((const struct step *)x->arg)->job;
}

int run_nodes(struct ctx *ctx, dnode_fn fn, void *job,
	      const struct dnode_opts *o, bool *done)
{
	struct step st = { ctx, job };
	struct dnode_env env;

	ctx_dnode_env(ctx, &env);
	return dnode_run(&env, fn, &st, o, done);
}

/* ------------------------------------------------------ mirror status */


/* A mirrored deployment: "Mirror" true on any node (ps shows the Mirror
 * column, upgrade orders the members). */
static bool deployment_mirrored(const struct ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->inst.n; i++)
		if (deploy_field_true(ctx_field(ctx, &ctx->inst.nodes[i],
						"Mirror"), false))
			return true;
	return false;
}

/* The credentials every node uses (deployment-wide fields). */
static int creds_for(struct ctx *ctx, struct image_creds *c)
{
	const struct node *n = ctx->nsel ? ctx->sel[0] : NULL;

	if (!n || opt_str(&ctx->opts, OPT_IMAGEARCHIVE)) {
		memset(c, 0, sizeof(*c));
		return 0;
	}
	return image_creds_get(ctx_field(ctx, n, "DockerRegistry"),
			       ctx_field(ctx, n, "DockerUsername"),
			       ctx_field(ctx, n, "DockerPassword"), c);
}

static int check_archive(const char *archive)
{
	if (archive && access(archive, R_OK))
		return error("cannot read -imageArchive '%s': %s", archive,
			     strerror(errno));
	return 0;
}

/* Every selected node that runs IRIS in the iris container has the
 * ISCLicense key it names, before anything is changed. */
static int check_licenses(const struct ctx *ctx)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < ctx->nsel && !ret &&
	     !strcmp(container_name(ctx), DEPLOY_CONTAINER); i++) {
		const struct node *n = ctx->sel[i];
		const char *image = ctx_field(ctx, n, "DockerImage");
		const char *key = deploy_node_license(ctx_field_cb, ctx, n);

		if (image && deploy_iris_image(image) && key)
			ret = license_key_check(n->name, "ISCLicense", key);
	}
	return ret;
}

/* -image/-namespace become the selected nodes' fields in instances.json
 * (for the nodes where the command succeeded). */
static int record_fields(struct ctx *ctx, const bool *done)
{
	static const struct { enum opt_id id; const char *field; } map[] = {
		{ OPT_IMAGE, "DockerImage" }, { OPT_NAMESPACE, "Namespace" },
	};
	bool changed = false;
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(map); k++) {
		const char *v = opt_str(&ctx->opts, map[k].id);

		if (!v)
			continue;
		for (i = 0; i < ctx->nsel; i++) {
			cJSON *f = ctx->sel[i]->fields;

			if (!done[i])
				continue;
			cJSON_DeleteItemFromObjectCaseSensitive(f,
								map[k].field);
			cJSON_AddStringToObject(f, map[k].field, v);
			changed = true;
		}
	}
	return changed ? instances_write(ctx->instances_path, &ctx->inst) : 0;
}

/* The IRIS password's hash when a selected node runs an IRIS image in
 * the iris container: ISCPassword (or -iscPassword), else asked for on
 * the terminal, masked.  Only the salted hash is kept, and the password
 * itself (*plain, wiped by the caller) when a WS node's Web Gateway needs
 * it for CSPSystem. */
static int iris_password(struct ctx *ctx, char **hash, char **plain)
{
	const char *pw = NULL, *image;
	char *asked;
	size_t i;
	bool need = false, gateway = false;

	*hash = *plain = NULL;
	for (i = 0; i < ctx->nsel &&
	     !strcmp(container_name(ctx), DEPLOY_CONTAINER); i++) {
		image = ctx_field(ctx, ctx->sel[i], "DockerImage");
		if (!image)
			continue;
		if (deploy_gateway_image(image) &&
		    !strcmp(ctx->sel[i]->role, "WS"))
			gateway = true;
		else if (!deploy_iris_image(image))
			continue;
		need = true;
		if (!pw)
			pw = ctx_field(ctx, ctx->sel[i], "ISCPassword");
	}
	if (!need)
		return 0;
	if (!pw)
		pw = ctx->asked_password;
	if (!pw) {
		if (term_prompt_secret("InterSystems IRIS password: ", &asked))
			return error("ISCPassword is not set and there is no "
				     "terminal to ask for it (set it in "
				     "defaults.json or use -iscPassword)");
		secret_register("ISCPassword", asked);
		pw = ctx->asked_password = asked;	/* once per command */
	}
	*hash = iris_password_hash(pw, NULL);
	if (gateway)
		*plain = xstrdup(pw);
	return *hash ? 0 : error("cannot make the password hash: no random "
				 "bytes");
}

/* ICM's last line: the portal of the first DM or DATA node (else the
 * first IRIS node) that was deployed, or of the load balancer in front of
 * its role. */
static void portal_line(struct ctx *ctx, const bool *done)
{
	const struct node *best = NULL;
	const char *host;
	size_t i;

	for (i = 0; i < ctx->nsel; i++) {
		const struct node *n = ctx->sel[i];
		const char *image = ctx_field(ctx, n, "DockerImage");

		if (!done[i] || !image || !deploy_iris_image(image))
			continue;
		if (!best || ((!strcmp(n->role, "DM") ||
			       !strcmp(n->role, "DATA")) &&
			      strcmp(best->role, "DM") &&
			      strcmp(best->role, "DATA")))
			best = n;
	}
	if (!best || strcmp(container_name(ctx), DEPLOY_CONTAINER))
		return;
	host = node_address(best);
	/* the load balancer in front of that role, when there is one */
	for (i = 0; i < ctx->inst.n; i++) {
		const struct node *lb = &ctx->inst.nodes[i];

		if (!strcmp(lb->role, "LB") && lb->lb_target &&
		    !strcmp(lb->lb_target, best->role) &&
		    node_field(lb, "DNSName"))
			host = node_field(lb, "DNSName");
	}
	say("Management Portal available at: "
	    "http://%s:%s/csp/sys/UtilHome.csp", host ? host : best->name,
	    ctx_field(ctx, best, "WebServerPort") ?
	    ctx_field(ctx, best, "WebServerPort") : "52773");
}

/* The IRIS configuration of the nodes where the iris container of an
 * IRIS image now runs (iris/conf.h); done is turned into that. */
static int configure_iris(struct ctx *ctx, bool *done, const char *password)
{
	struct dnode_env env;
	size_t i;

	for (i = 0; i < ctx->nsel; i++) {
		const char *image = ctx_field(ctx, ctx->sel[i], "DockerImage");

		done[i] = done[i] && image && (deploy_iris_image(image) ||
					       deploy_gateway_image(image)) &&
			!strcmp(container_name(ctx), DEPLOY_CONTAINER);
	}
	ctx_dnode_env(ctx, &env);
	return iris_configure(&env, done, password);
}

static int run_or_upgrade(struct ctx *ctx, bool upgrade)
{
	struct image_creds creds;
	struct runjob j = {
		.name = container_name(ctx),
		.options = opt_str(&ctx->opts, OPT_OPTIONS),
		.command = opt_str(&ctx->opts, OPT_COMMAND),
	};
	struct dnode_opts o = { .echo_one = false };
	struct dnode_env env;
	bool *done = NULL;
	int rc = -1;

	memset(&creds, 0, sizeof(creds));
	ctx_dnode_env(ctx, &env);
	j.archive = opt_str(&ctx->opts, OPT_IMAGEARCHIVE);
	j.upgrade = upgrade;
	j.creds = &creds;
	if (check_archive(j.archive) || container_cmd_check(ctx) ||
	    check_licenses(ctx))
		return -1;
	j.password_hash = j.password = NULL;
	if (creds_for(ctx, &creds))
		return -1;
	if (iris_password(ctx, &j.password_hash, &j.password) ||
	    iris_check(&env, j.password) || ctx_begin_changes(ctx))
		goto out;
	done = xcalloc(ctx->nsel ? ctx->nsel : 1, sizeof(*done));
	rc = dnode_run(&env, deploy_run_one, &j, &o, done);
	if (record_fields(ctx, done))
		rc = -1;
	if (!rc && configure_iris(ctx, done, j.password))
		rc = -1;
	if (!rc && !upgrade)	/* upgrade: once per mirror wave otherwise */
		portal_line(ctx, done);
out:
	free(j.password_hash);
	freezero_str(j.password);
	free(done);
	image_creds_release(&creds);
	return rc;
}

static int containers_run(struct ctx *ctx)
{
	ctx_say_no_weave(ctx, ctx->sel, ctx->nsel);
	return run_or_upgrade(ctx, false);
}

int cmd_run(struct ctx *ctx)
{
	return runtime_of(ctx)->run(ctx);
}

/* ------------------------------------------ upgrade: mirror members */

/*
 * upgrade in a mirrored deployment goes in waves, as ICM's users did by
 * hand with -machine (icm-reference §7.5): first every node that is not a
 * primary (backups, asyncs, nodes outside mirrors), then each upgraded
 * backup/async must report its status again, then the primaries, whose
 * stop fails the mirror over to the upgraded backup.  Primary means the
 * live status (qlist field 12), or where that is unknown or empty the
 * intended Member.
 */

/* Each selected node's live mirror status, NULL where unread. */
static int mirror_read_one(struct dnode *x)
{
	char **live = step_job(x);

	live[x->i] = iris_qlist_get(x, container_name(step_ctx(x)),
				      QLIST_MIRROR_STATUS);
	return 0;
}

static bool member_is(const struct ctx *ctx, const struct node *n,
		      const char *member)
{
	const char *m = ctx_field(ctx, n, "Member");

	return m && !strcasecmp(m, member);
}

static bool mirror_primary(const struct ctx *ctx, const struct node *n,
			   const char *live)
{
	if (live && *live)
		return !strcmp(live, "Primary");
	return member_is(ctx, n, "primary");
}

/* What a first-wave node must report again after its upgrade: its live
 * Backup/Connected, or unread, what its Member intends; NULL: nothing. */
static const char *mirror_want(const struct ctx *ctx, const struct node *n,
			       const char *live)
{
	if (live)
		return !strcmp(live, "Backup") || !strcmp(live, "Connected") ?
			live : NULL;
	if (member_is(ctx, n, "backup"))
		return "Backup";
	return member_is(ctx, n, "async") ? "Connected" : NULL;
}

static int mirror_wait_one(struct dnode *x)
{
	const char *want = ((const char *const *)step_job(x))[x->i];
	const char *cname = container_name(step_ctx(x));
	long waited = 0;
	char *st = NULL;
	int ret;

	say("Waiting for %s to report mirror status %s...", x->n->name, want);
	for (;;) {
		st = iris_qlist_get(x, cname, QLIST_MIRROR_STATUS);
		if (st && !strcmp(st, want)) {
			free(st);
			return 0;
		}
		if (waited >= MIRROR_WAIT_MS)
			break;
		free(st);
		usleep(IRIS_POLL_MS * 1000);
		waited += IRIS_POLL_MS;
	}
	ret = fanout_fail(x->r, "mirror member %s did not report %s again "
			  "within %ld s of its upgrade (iris qlist IRIS field "
			  "12 in container %s: '%s')", x->n->name, want,
			  MIRROR_WAIT_MS / 1000, cname, st ? st : "no answer");
	free(st);
	return ret;
}

/* "A, B, C" of n nodes (caller frees). */
static char *node_names(struct node *const *v, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b, BUF_CAP_LINE);
	for (i = 0; i < n; i++)
		if (buf_addf(&b, "%s%s", i ? ", " : "", v[i]->name))
			break;	/* over the cap: the list is cut */
	return b.data ? buf_take(&b) : xstrdup("");
}

static int upgrade_waves(struct ctx *ctx)
{
	struct dnode_opts o = { .echo_one = false };
	struct node **all = ctx->sel, **first, **last, **wait;
	size_t nall = ctx->nsel, nf = 0, nl = 0, nw = 0, i;
	const char **want;
	char **live, *names = NULL;
	int rc = 0;

	if (!nall || !deployment_mirrored(ctx))
		return run_or_upgrade(ctx, true);
	if (container_cmd_check(ctx))
		return -1;
	live = xcalloc(nall, sizeof(*live));
	if (run_nodes(ctx, mirror_read_one, live, &o, NULL)) {
		/* reported; those nodes are ordered by their Member */
	}
	cJSON_Delete(ctx->response);
	ctx->response = NULL;
	first = xcalloc(nall, sizeof(*first));
	last = xcalloc(nall, sizeof(*last));
	wait = xcalloc(nall, sizeof(*wait));
	want = xcalloc(nall, sizeof(*want));
	for (i = 0; i < nall; i++) {
		if (mirror_primary(ctx, all[i], live[i])) {
			last[nl++] = all[i];
			continue;
		}
		first[nf++] = all[i];
		want[nw] = mirror_want(ctx, all[i], live[i]);
		if (want[nw])
			wait[nw++] = all[i];
	}
	if (nf) {
		if (nl) {
			names = node_names(first, nf);
			say("Upgrading mirror backups first: %s", names);
			free(names);
		}
		ctx->sel = first;
		ctx->nsel = nf;
		rc = run_or_upgrade(ctx, true);
		ctx->sel = wait;
		ctx->nsel = nw;
		if (!rc && nw)
			rc = run_nodes(ctx, mirror_wait_one, want, &o, NULL);
	}
	names = node_names(last, nl);
	if (rc && nl) {
		error("not upgrading the mirror primaries (%s) after the "
		      "failures above", names);
	} else if (nl) {
		say("Upgrading mirror primaries: %s", names);
		ctx->sel = last;
		ctx->nsel = nl;
		rc = run_or_upgrade(ctx, true);
	}
	ctx->sel = all;
	ctx->nsel = nall;
	for (i = 0; i < nall; i++)
		free(live[i]);
	free(live);
	free(names);
	free(first);
	free(last);
	free(wait);
	free(want);
	return rc;
}

int cmd_upgrade(struct ctx *ctx)
{
	return runtime_of(ctx)->upgrade(ctx);
}

/* ---------------------------------------------------------------- pull */

static int pull_one(struct dnode *x)
{
	const char *image = ctx_field(step_ctx(x), x->n, "DockerImage");

	if (!image)
		return fanout_fail(x->r, "no DockerImage for %s", x->n->name);
	return deploy_fetch_image(x, step_job(x), image, true);
}

int cmd_pull(struct ctx *ctx)
{
	struct image_creds creds;
	struct runjob j = { .archive = opt_str(&ctx->opts, OPT_IMAGEARCHIVE),
			    .creds = &creds };
	struct dnode_opts o = { .echo_one = true, .say_output = true };
	int rc;

	if (check_archive(j.archive) || container_cmd_check(ctx) ||
	    creds_for(ctx, &creds))
		return -1;
	rc = run_nodes(ctx, pull_one, &j, &o, NULL);
	image_creds_release(&creds);
	return rc;
}

/* ----------------------------------------------------- stop, start, rm */

enum lifecycle { LC_STOP, LC_START, LC_RM };

static int lifecycle_one(struct dnode *x)
{
	const enum lifecycle *op = step_job(x);
	const char *name = container_name(step_ctx(x));
	cJSON *cur = NULL;
	int rc;

	rc = docker_inspect(x->d, name, &cur);
	if (rc < 0)
		return dnode_fail(x, "cannot inspect the container");
	if (rc == 0)
		return fanout_fail(x->r, "there is no container %s on %s",
				   name, x->n->name);
	switch (*op) {
	case LC_STOP:
		say("Stopping container %s on %s...", name, x->n->name);
		rc = docker_stop(x->d, name,
				 deploy_iris_image(cJSON_GetStringValue(
					 cJSON_GetObjectItemCaseSensitive(
						 cJSON_GetObjectItemCaseSensitive(
							 cur, "Config"),
						 "Image")) ?: "") ?
				 DEPLOY_STOP_IRIS_S : DEPLOY_STOP_OTHER_S);
		break;
	case LC_START:
		say("Starting container %s on %s...", name, x->n->name);
		rc = docker_start(x->d, name);
		break;
	case LC_RM:
		say("Removing container %s on %s...", name, x->n->name);
		if (deploy_running(cur)) {
			cJSON_Delete(cur);
			return fanout_fail(x->r, "container %s is running on "
					   "%s: stop it first (icm stop)",
					   name, x->n->name);
		}
		rc = docker_remove(x->d, name, false) < 0 ? -1 : 0;
		break;
	}
	cJSON_Delete(cur);
	if (rc)
		return dnode_fail(x, *op == LC_STOP ?
				  "cannot stop the container" :
				  *op == LC_START ?
				  "cannot start the container" :
				  "cannot remove the container");
	if (*op == LC_RM)
		say("...removed container %s on %s", name, x->n->name);
	else
		say("...completed %s of container %s on %s",
		    *op == LC_STOP ? "stop" : "start", name, x->n->name);
	return 0;
}

static int lifecycle(struct ctx *ctx, enum lifecycle op)
{
	struct dnode_opts o = { .echo_one = false };

	if (container_cmd_check(ctx))
		return -1;
	return run_nodes(ctx, lifecycle_one, &op, &o, NULL);
}

static int containers_stop(struct ctx *ctx)
{
	return lifecycle(ctx, LC_STOP);
}

static int containers_start(struct ctx *ctx)
{
	return lifecycle(ctx, LC_START);
}

int cmd_stop(struct ctx *ctx)
{
	return runtime_of(ctx)->stop(ctx);
}

int cmd_start(struct ctx *ctx)
{
	return runtime_of(ctx)->start(ctx);
}

int cmd_rm(struct ctx *ctx)
{
	return lifecycle(ctx, LC_RM);
}

/* ------------------------------------------------------------------ ps */

/* "Up 3 minutes (healthy)" -> status "Up 3 minutes", health "healthy". */
static void split_status(const char *s, char **status, char **health)
{
	const char *open = strrchr(s, '(');
	size_t len = strlen(s);

	*health = NULL;
	if (open && len && s[len - 1] == ')' &&
	    (!strncmp(open, "(healthy)", 9) ||
	     !strncmp(open, "(unhealthy)", 11) ||
	     !strncmp(open, "(health: starting)", 18))) {
		const char *h = open + 1;

		if (!strncmp(h, "health: ", 8))
			h += 8;
		*health = xstrndup(h, (size_t)(s + len - 1 - h));
		while (open > s && open[-1] == ' ')
			open--;
		*status = xstrndup(s, (size_t)(open - s));
		return;
	}
	*status = xstrdup(s);
}

struct psjob {
	cJSON **rows;		/* per selected node: its containers */
	bool mirrored;		/* add MirrorStatus (live, from qlist) */
};

/* The MirrorStatus of a listed container: qlist field 12 of a running
 * IRIS container, else "". */
static char *ps_mirror(struct dnode *x, const cJSON *c, const char *cname,
		       const char *img)
{
	const char *state = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(c, "State"));
	char *st = NULL;

	if (state && !strcmp(state, "running") && img && deploy_iris_image(img))
		st = iris_qlist_get(x, cname, QLIST_MIRROR_STATUS);
	return st ? st : xstrdup("");
}

static int ps_one(struct dnode *x)
{
	const struct psjob *j = step_job(x);
	cJSON *list = NULL, *c, *out = cJSON_CreateArray();
	const char *name = opt_str(&step_ctx(x)->opts, OPT_CONTAINER);

	j->rows[x->i] = out;
	if (docker_list(x->d, true, name, &list))
		return dnode_fail(x, "cannot list the containers");
	cJSON_ArrayForEach(c, list) {
		const cJSON *names = cJSON_GetObjectItemCaseSensitive(c,
								      "Names");
		const char *cn = cJSON_GetStringValue(
			cJSON_GetArrayItem(names, 0));
		const char *st = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(c, "Status"));
		const char *img = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(c, "Image"));
		char *status, *health;
		cJSON *row = cJSON_CreateObject();

		split_status(st ? st : "", &status, &health);
		cJSON_AddStringToObject(row, "Container",
					cn ? (*cn == '/' ? cn + 1 : cn) : "");
		cJSON_AddStringToObject(row, "DockerImage", img ? img : "");
		cJSON_AddStringToObject(row, "Status", status);
		cJSON_AddStringToObject(row, "Health", health ? health : "");
		if (j->mirrored) {
			char *m = ps_mirror(x, c, cJSON_GetStringValue(
				cJSON_GetObjectItem(row, "Container")), img);

			cJSON_AddStringToObject(row, "MirrorStatus", m);
			free(m);
		}
		cJSON_AddItemToArray(out, row);
		if (buf_addf(&x->r->out, "%s\t%s\t%s\n", cJSON_GetStringValue(
				     cJSON_GetObjectItem(row, "Container")),
			     status, img ? img : "")) {
			/* over the cap */
		}
		free(status);
		free(health);
	}
	cJSON_Delete(list);
	return 0;
}

int cmd_ps(struct ctx *ctx)
{
	return runtime_of(ctx)->ps(ctx);
}

static int containers_ps(struct ctx *ctx)
{
	static const char *const headers[] = {
		"Machine", "IP Address", "Container", "Status", "Health",
		"Mirror", "Image",
	};
	static const char *const plain[] = {
		"Machine", "IP Address", "Container", "Status", "Health",
		"Image",
	};
	struct dnode_opts o = { .echo_one = false };
	struct psjob j = { NULL, deployment_mirrored(ctx) };
	cJSON **rows, *json = cJSON_CreateArray(), *r;
	struct table t;
	size_t i;
	int rc;

	if (container_cmd_check(ctx)) {
		cJSON_Delete(json);
		return -1;
	}
	rows = j.rows = xcalloc(ctx->nsel ? ctx->nsel : 1, sizeof(*rows));
	rc = run_nodes(ctx, ps_one, &j, &o, NULL);
	if (j.mirrored)
		table_init(&t, headers, ARRAY_SIZE(headers));
	else
		table_init(&t, plain, ARRAY_SIZE(plain));
	for (i = 0; i < ctx->nsel; i++) {
		const struct node *n = ctx->sel[i];
		const char *ip = node_get(n, "IPAddress");
		const char *dns = node_get(n, "DNSName");
		char *shown = node_shown_name(n);

		cJSON_ArrayForEach(r, rows[i]) {
			const char *row[7] = {
				shown, ip,
				cJSON_GetStringValue(cJSON_GetObjectItem(r,
					"Container")),
				cJSON_GetStringValue(cJSON_GetObjectItem(r,
					"Status")),
				cJSON_GetStringValue(cJSON_GetObjectItem(r,
					"Health")),
				cJSON_GetStringValue(cJSON_GetObjectItem(r,
					"MirrorStatus")),
				cJSON_GetStringValue(cJSON_GetObjectItem(r,
					"DockerImage")),
			};
			cJSON *obj = cJSON_Duplicate(r, 1);

			if (!j.mirrored)
				row[5] = row[6];	/* no Mirror column */
			table_add(&t, row);
			cJSON_AddStringToObject(obj, "MachineName", n->name);
			cJSON_AddStringToObject(obj, "Role", n->role);
			cJSON_AddStringToObject(obj, "IPAddress",
						ip ? ip : "");
			cJSON_AddStringToObject(obj, "DNSName",
						dns ? dns : "");
			cJSON_AddItemToArray(json, obj);
		}
		free(shown);
		cJSON_Delete(rows[i]);
	}
	table_print(&t);
	table_release(&t);
	free(rows);
	ctx_respond(ctx, json, rc);
	return rc;
}

/* ---------------------------------------------- the containers' runtime */

const struct runtime runtime_docker = {
	.run = containers_run,
	.upgrade = upgrade_waves,
	.stop = containers_stop,
	.start = containers_start,
	.ps = containers_ps,
	.session = container_session,
	.session_interactive = container_session_interactive,
};
