/*
 * install.c: Containerless deployments (icm-reference §7.6): InterSystems
 * IRIS installed from a kit on the nodes, over SSH, instead of containers.
 *
 *   icm install [-machine RE] [-role R] [-iscPassword PW]
 *       per node: `Downloading kit on <m>...` (KitURL fetched on the node,
 *       or a file:// path already there), `Installing kit on <m>...`
 *       (irisinstall_silent: instance IRIS in ISCInstallDir, Normal
 *       security, STARTIRIS=N; an instance already there is stopped,
 *       deleted and removed first, as ICM's install is re-entrant),
 *       `Starting InterSystems IRIS on <m>...` (`iris start IRIS` with the
 *       first-start merge file as ISC_CPF_MERGE_FILE, then waiting for
 *       `iris qlist IRIS` to say running); finally ICM's Management Portal
 *       line.
 *   icm uninstall [-force]
 *       `iris stop IRIS quietly` (iris force when that fails), `iris
 *       delete IRIS`, the install directory removed; asks ICM's
 *       `Type "yes" to confirm:` unless -force.
 *   icm ps (Containerless)
 *       Machine, IP Address, Instance, Kit, Status, Health from `iris
 *       qlist IRIS`; Status running, down, sign-on inhibited or not
 *       installed.
 *
 * The work on the node is embedded/node/installKit.sh, copied to ~/ICM and
 * run as root through sudo (nonroot: as SSHUser, IRISSYS=~/ICM/irissys).
 * Its only argument is the step; the values (and, for install, the
 * password) go on the channel's standard input, so the password is on no
 * command line, in no environment of an exec request and in no file; icm
 * registers it as a secret, so it is redacted from icm.log, and wipes its
 * copy.  The merge file carries the salted hash only (iris/merge.h).
 * Every step's input is made once for every node before the first node is
 * reached (kit_check), so a value that cannot go is refused, with node,
 * file and field named, before anything changes.
 * Output per node in ssh.out and ssh.err.
 */
#include "cmd.h"
#include "runtime.h"
#include "../embed/embedded.h"
#include "../iris/conf.h"
#include "../iris/cos.h"
#include "../iris/merge.h"
#include "../iris/qlist.h"
#include "../node/address.h"
#include "../node/fanout.h"
#include "../state/log.h"
#include "../state/output.h"
#include "../util/str.h"
#include "../util/term.h"

#define KIT_SCRIPT "embedded/node/installKit.sh"
#define KIT_REMOTE "$HOME/ICM/installKit.sh"
#define KIT_OUT "ssh"		/* per-node output files ssh.out/.err */
#define KIT_INPUT_CAP (BUF_CAP_CONFIG + BUF_CAP_LINE)
#define KIT_SETTINGS "the kit's settings (installKit.sh)"

enum kit_op {
	KIT_INSTALL, KIT_UNINSTALL, KIT_STATUS, KIT_SESSION, KIT_STOP, KIT_START
};

static bool field_true(const char *v)
{
	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

static bool node_containerless(const struct ctx *ctx, const struct node *n)
{
	return field_true(ctx_field(ctx, n, "Containerless"));
}

bool ctx_containerless(const struct ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nsel; i++)
		if (node_containerless(ctx, ctx->sel[i]))
			return true;
	return false;
}

/* icm run: refused (icm install puts the kit on) */
static int refuse_run(struct ctx *ctx)
{
	return error("run is not available with Containerless: true; use icm "
		     "install");
}

/* The selection for install and uninstall: Containerless nodes, and
 * without -role only the IRIS roles (ICM installs no kit on CN, VM, ...). */
static int kit_nodes(struct ctx *ctx, const char *cmd)
{
	if (ctx->nsel && !ctx_containerless(ctx))
		return error("icm %s is available only with Containerless: "
			     "true (containers: icm run)", cmd);
	return select_iris_nodes(ctx, node_containerless);
}

/* ------------------------------------------------------ per-node work */

struct kitjob {
	struct ctx *ctx;
	enum kit_op op;
	bool changes;			/* takes the state lock (install...) */
	const char *password;		/* install */
	const char *password_hash;	/* install: iris_password_hash() */
	char **outpath, **errpath;
	char **qlist;			/* status: each node's qlist line */
	/* session: the script (iris session's input), its console name,
	 * each node's namespace, the output file stem */
	const char *script, *shown, *file;
	const char *(*ns)(const struct ctx *ctx, const struct node *n);
	int (*result)(struct fanout_result *r);	/* session: or NULL */
};

/* A node's setting as a "Name=value\n" line of the script's input: one
 * line of text by the rule of iris/cos.h.  -1 reported (node and field). */
static int add_setting(struct buf *b, const struct node *n, const char *name,
		       const char *value, char **why)
{
	const struct cos_where w = { .node = n->name, .step = KIT_SETTINGS,
				     .field = name, .why = why };

	if (!value)
		return 0;
	if (cos_text(value, &w))
		return -1;
	if (buf_addf(b, "%s=%s\n", name, value))
		return error_why(why, "%s, " KIT_SETTINGS ": %s is too long",
				 n->name, name);
	return 0;
}

/* The node's license key file (allocated) and the field that gives it
 * (*field): ISCLicense on an IRIS role, else LicenseDir/LicenseKey (a
 * nonroot WS's kit needs one too); NULL when it was given none. */
static char *kit_license(const struct ctx *ctx, const struct node *n,
			 const char **field)
{
	const char *isc = ctx_field(ctx, n, "ISCLicense");
	const char *dir = ctx_field(ctx, n, "LicenseDir");
	const char *key = ctx_field(ctx, n, "LicenseKey");

	*field = isc && role_is_iris(n->role) ? "ISCLicense" : "LicenseKey";
	if (isc && role_is_iris(n->role))
		return xstrdup(isc);
	return dir && key ? xasprintf("%s/%s", dir, key) : NULL;
}

/* The script's standard input for step op: settings, ".", then extra.
 * -1 reported (the node and the field or file named), *why gets it. */
static int kit_input(struct kitjob *j, const struct node *n, enum kit_op op,
		     const char *step, struct buf *in, char **why)
{
	static const char *const fields[] = {
		"KitURL", "ISCInstallDir", "SuperServerPort", "nonroot",
		"WIJMountPoint", "Journal1MountPoint", "Journal2MountPoint",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (add_setting(in, n, fields[i],
				ctx_field(j->ctx, n, fields[i]), why))
			return -1;
	if (op == KIT_INSTALL && !strcmp(step, "install") &&
	    add_setting(in, n, "Password", j->password, why))
		return -1;
	if (op == KIT_SESSION &&
	    add_setting(in, n, "Namespace", j->ns(j->ctx, n), why))
		return -1;
	if (buf_adds(in, ".\n") ||
	    (op == KIT_SESSION && buf_adds(in, j->script)))
		return error_why(why, "%s, " KIT_SETTINGS ": the text is too "
				 "long", n->name);
	if (op == KIT_INSTALL && !strcmp(step, "license")) {
		const char *field;
		char *path = kit_license(j->ctx, n, &field);
		struct buf key;
		int rc;

		buf_init(&key, LICENSE_KEY_CAP);
		rc = path ? license_key_read(n->name, field, path, &key,
					     why) : 0;
		if (!rc && buf_add(in, key.data ? key.data : "", key.len))
			rc = error_why(why, "%s: the license key is too long",
				       n->name);
		buf_release(&key);
		free(path);
		if (rc)
			return -1;
	}
	if (op == KIT_INSTALL && !strcmp(step, "start")) {
		struct iris_merge_in m;
		struct dnode_env env;

		ctx_dnode_env(j->ctx, &env);
		iris_merge_fields(&env, n, &m);
		m.password_hash = j->password_hash;
		if (iris_merge_text(&m, in, why))
			return -1;
	}
	return 0;
}

/* The last non-empty line of s, as "%.*s" arguments. */
static int last_line(const char *s, const char **start)
{
	size_t len = strlen(s);

	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	*start = s + len;
	while (*start > s && (*start)[-1] != '\n')
		(*start)--;
	return (int)(s + len - *start);
}

/* Runs installKit.sh step on c; a failure fails r with stderr's last line. */
static int kit_step(struct kitjob *j, struct ssh_conn *c, const struct node *n,
		    const char *step, struct fanout_result *r)
{
	bool nonroot = field_true(ctx_field(j->ctx, n, "nonroot"));
	char *cmd = xasprintf("d=\"$HOME/ICM\"; %senv ICM_DIR=\"$d\" sh "
			      "\"$d/installKit.sh\" %s", nonroot ? "" :
			      "sudo -n ", step);
	struct buf in;
	size_t mark = r->err.len;
	const char *e;
	char *why = NULL;
	int status = -1, rc = -1;

	buf_init(&in, KIT_INPUT_CAP);
	if (kit_input(j, n, j->op, step, &in, &why)) {
		fanout_fail(r, "%s", why);
		goto out;
	}
	if (ssh_exec(c, cmd, in.data, &r->out, &r->err, &status)) {
		fanout_fail(r, "%s: the connection failed", step);
		goto out;
	}
	r->exit_status = status;
	if (status) {
		int len = last_line(r->err.data ? r->err.data + mark : "", &e);

		fanout_fail(r, "%s failed (exit status %d)%s%.*s", step,
			    status, len ? ": " : "", len, e);
		goto out;
	}
	rc = 0;
out:
	free(why);
	buf_wipe(&in);
	free(cmd);
	return rc;
}

/* Copies installKit.sh to ~/ICM on the node. */
static int put_script(struct ssh_conn *c, struct fanout_result *r)
{
	const struct embedded_file *e = embedded_find(KIT_SCRIPT);
	int status = -1;

	if (!e)
		return fanout_fail(r, KIT_SCRIPT " is not in this build");
	if (ssh_exec(c, "umask 077 && mkdir -p \"$HOME/ICM\" && cat > \""
		     KIT_REMOTE ".tmp\" && mv -f \"" KIT_REMOTE ".tmp\" \""
		     KIT_REMOTE "\"", (const char *)e->data, NULL, &r->err,
		     &status) || status)
		return fanout_fail(r, "cannot copy installKit.sh to ~/ICM");
	return 0;
}

static void kit_one(struct fanout *f, size_t i, struct fanout_result *r,
		    void *arg)
{
	struct kitjob *j = arg;
	const struct node *n = j->ctx->sel[i];
	struct ssh_conn *c = NULL;
	const char *field;
	char *lic = NULL;

	r->exit_status = 0;
	if (fanout_connect(f, n, j->ctx->state_dir, HOSTKEY_STRICT, r, &c) ||
	    put_script(c, r))
		goto files;
	switch (j->op) {
	case KIT_INSTALL:
		say("Downloading kit on %s...", n->name);
		if (kit_step(j, c, n, "download", r))
			break;
		say("Installing kit on %s...", n->name);
		if (kit_step(j, c, n, "install", r))
			break;
		lic = kit_license(j->ctx, n, &field);
		if (lic)
			say("Copying license key %s to %s...", lic, n->name);
		if (lic && kit_step(j, c, n, "license", r))
			break;
		say("Starting InterSystems IRIS on %s...", n->name);
		(void)kit_step(j, c, n, "start", r);
		break;
	case KIT_UNINSTALL:
		say("Uninstalling InterSystems IRIS on %s...", n->name);
		(void)kit_step(j, c, n, "uninstall", r);
		break;
	case KIT_STOP:
		say("Stopping InterSystems IRIS on %s...", n->name);
		(void)kit_step(j, c, n, "stop", r);
		break;
	case KIT_START:
		say("Starting InterSystems IRIS on %s...", n->name);
		(void)kit_step(j, c, n, "resume", r);
		break;
	case KIT_SESSION:
		say("Executing command '%s' on %s...", j->shown, n->name);
		if (!kit_step(j, c, n, "session", r) && j->result)
			(void)j->result(r);
		break;
	case KIT_STATUS:
		/* "" when no instance is installed */
		if (!kit_step(j, c, n, "status", r))
			j->qlist[i] = xstrndup(r->out.data ? r->out.data : "",
					       r->out.data ?
					       strcspn(r->out.data, "\r\n") :
					       0);
		break;
	}
files:
	free(lic);
	if (r->failed && r->exit_status == 0)
		r->exit_status = -1;
	ssh_close(c);
	if (fanout_write_outputs(j->ctx->state_dir, n, j->file ? j->file :
				 KIT_OUT, r, &j->outpath[i], &j->errpath[i])) {
		/* r is failed, and reported with the others */
	} else if (j->op == KIT_SESSION) {
		say("...output in %s", j->outpath[i]);
	}
}

/*
 * What every step of j's op will give each selected node on its standard
 * input (kit_input: the settings, the password, the license key, the merge
 * file) is made and thrown away, so a value that cannot go there is
 * refused, its node and field named, before any node is reached (not at
 * the start step after the kit was installed).  -1 reported.
 */
static int kit_check(struct kitjob *j)
{
	static const char *const steps[][4] = {
		[KIT_INSTALL] = { "download", "install", "license", "start" },
		[KIT_UNINSTALL] = { "uninstall" }, [KIT_STATUS] = { "status" },
		[KIT_SESSION] = { "session" }, [KIT_STOP] = { "stop" },
		[KIT_START] = { "resume" },
	};
	const struct ctx *ctx = j->ctx;
	struct buf in;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < ctx->nsel && !rc; i++) {
		const struct node *n = ctx->sel[i];

		if (j->op == KIT_INSTALL && !ctx_field(ctx, n, "KitURL")) {
			rc = error("no KitURL for %s (set it in the "
				   "definitions or use -override)", n->name);
			break;
		}
		for (k = 0; k < ARRAY_SIZE(steps[0]) && steps[j->op][k] &&
		     !rc; k++) {
			buf_init(&in, KIT_INPUT_CAP);
			rc = kit_input(j, n, j->op, steps[j->op][k], &in, NULL);
			buf_wipe(&in);
		}
	}
	return rc;
}

/* Runs j's op on every selected node once kit_check() passed (and the
 * state lock is taken when j->changes); done[i] says which succeeded. */
static int kit_run(struct kitjob *j, bool *done)
{
	struct ctx *ctx = j->ctx;
	size_t n = ctx->nsel, i;
	struct fanout_result *res;
	struct fanout_opts fo = {
		fanout_parallel_opt(opt_str(&ctx->opts, OPT_PARALLEL)), 0
	};
	int rc;

	if (kit_check(j) || (j->changes && ctx_begin_changes(ctx)))
		return -1;
	res = xcalloc(n ? n : 1, sizeof(*res));
	j->outpath = xcalloc(n ? n : 1, sizeof(char *));
	j->errpath = xcalloc(n ? n : 1, sizeof(char *));
	fanout_run(n, &fo, kit_one, j, res);
	rc = fanout_report(ctx->sel, n, res, j->errpath,
			   j->op == KIT_SESSION, &ctx->response);
	for (i = 0; i < n; i++) {
		if (done)
			done[i] = !res[i].failed;
		free(j->outpath[i]);
		free(j->errpath[i]);
	}
	free(j->outpath);
	free(j->errpath);
	fanout_results_release(res, n);
	free(res);
	return rc;
}

/* ------------------------------------------------- install, uninstall */

/* ISCPassword (or -iscPassword) of the first selected node, else asked
 * for on the terminal, masked; registered as a secret.  *asked gets the
 * copy to wipe when it was asked for. */
static int kit_password(struct ctx *ctx, const char **pw, char **asked)
{
	*asked = NULL;
	*pw = ctx->nsel ? ctx_field(ctx, ctx->sel[0], "ISCPassword") : NULL;
	if (*pw)
		return 0;
	if (term_prompt_secret("InterSystems IRIS password: ", asked))
		return error("ISCPassword is not set and there is no terminal "
			     "to ask for it (set it in defaults.json or use "
			     "-iscPassword)");
	secret_register("ISCPassword", *asked);
	*pw = *asked;
	return 0;
}

/* ICM's last line: the portal of the first DM or DATA node installed
 * (else the first node installed). */
static void kit_portal(const struct ctx *ctx, const bool *done)
{
	const struct node *best = NULL;
	const char *ip, *port;
	size_t i;

	for (i = 0; i < ctx->nsel; i++) {
		const struct node *n = ctx->sel[i];
		bool dm = !strcmp(n->role, "DM") || !strcmp(n->role, "DATA");

		if (done[i] && (!best || (dm && strcmp(best->role, "DM") &&
					  strcmp(best->role, "DATA"))))
			best = n;
	}
	if (!best)
		return;
	ip = node_address(best);
	port = ctx_field(ctx, best, "WebServerPort");
	say("Management Portal available at: http://%s:%s/csp/sys/"
	    "UtilHome.csp", ip ? ip : best->name, port ? port : "52773");
}

/* Every selected node's license key file is there, before anything. */
static int kit_check_licenses(const struct ctx *ctx)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < ctx->nsel && !ret; i++) {
		const char *field;
		char *path = kit_license(ctx, ctx->sel[i], &field);

		if (path)
			ret = license_key_check(ctx->sel[i]->name, field,
						path);
		free(path);
	}
	return ret;
}

int cmd_install(struct ctx *ctx)
{
	struct kitjob j = { .ctx = ctx, .op = KIT_INSTALL, .changes = true };
	char *asked = NULL, *hash = NULL;
	bool *done = NULL;
	int rc = -1;

	if (kit_nodes(ctx, "install") || kit_check_licenses(ctx) ||
	    kit_password(ctx, &j.password, &asked))
		return -1;
	hash = iris_password_hash(j.password, NULL);
	if (!hash) {
		error("cannot make the password hash: no random bytes");
		goto out;
	}
	j.password_hash = hash;
	done = xcalloc(ctx->nsel ? ctx->nsel : 1, sizeof(*done));
	rc = kit_run(&j, done);
	kit_portal(ctx, done);
out:
	free(done);
	free(hash);
	freezero_str(asked);
	return rc;
}

int cmd_uninstall(struct ctx *ctx)
{
	struct kitjob j = { .ctx = ctx, .op = KIT_UNINSTALL,
			    .changes = true };

	if (kit_nodes(ctx, "uninstall"))
		return -1;
	if (!opt_on(&ctx->opts, OPT_FORCE)) {
		say("InterSystems IRIS will be stopped and removed, with its "
		    "databases, from %zu node%s.", ctx->nsel,
		    ctx->nsel == 1 ? "" : "s");
		if (!term_confirm())
			return error("uninstall not confirmed; nothing "
				     "changed");
	}
	return kit_run(&j, NULL);
}

/* ------------------------------------------------------------------ ps */


static int kit_ps(struct ctx *ctx)
{
	static const char *const headers[] = {
		"Machine", "IP Address", "Instance", "Kit", "Status", "Health",
	};
	struct kitjob j = { .ctx = ctx, .op = KIT_STATUS };
	cJSON *json = cJSON_CreateArray();
	struct table t;
	size_t i;
	int rc;

	j.qlist = xcalloc(ctx->nsel ? ctx->nsel : 1, sizeof(char *));
	rc = kit_run(&j, NULL);
	table_init(&t, headers, ARRAY_SIZE(headers));
	for (i = 0; i < ctx->nsel; i++) {
		const struct node *n = ctx->sel[i];
		const char *ip = node_get(n, "IPAddress");
		const char *dns = node_get(n, "DNSName");
		char *shown = node_shown_name(n);
		char *f4 = iris_qlist_field(j.qlist[i], QLIST_STATUS);
		char *inst = iris_qlist_field(j.qlist[i], QLIST_INSTANCE);
		char *kit = iris_qlist_field(j.qlist[i], QLIST_VERSION);
		char *health = iris_qlist_field(j.qlist[i], QLIST_HEALTH);
		/* unreachable: blank (the failure is reported) */
		char *status = !j.qlist[i] ? xstrdup("") : !*j.qlist[i] ?
			xstrdup("not installed") :
			xstrndup(f4, strcspn(f4, ",:"));
		const char *row[6] = { shown, ip, inst, kit, status, health };
		cJSON *o = cJSON_CreateObject();

		table_add(&t, row);
		cJSON_AddStringToObject(o, "MachineName", n->name);
		cJSON_AddStringToObject(o, "Role", n->role);
		cJSON_AddStringToObject(o, "IPAddress", ip ? ip : "");
		cJSON_AddStringToObject(o, "DNSName", dns ? dns : "");
		cJSON_AddStringToObject(o, "ISCInstance", inst);
		cJSON_AddStringToObject(o, "Kit", kit);
		cJSON_AddStringToObject(o, "Status", status);
		cJSON_AddStringToObject(o, "Health", health);
		cJSON_AddItemToArray(json, o);
		free(shown);
		free(f4);
		free(inst);
		free(kit);
		free(health);
		free(status);
		free(j.qlist[i]);
	}
	table_print(&t);
	table_release(&t);
	free(j.qlist);
	ctx_respond(ctx, json, rc);
	return rc;
}

/* ------------------------------------------------------------- session */

static int kit_session(struct ctx *ctx, const char *shown,
		       const char *script, const char *file,
		       runtime_ns_fn ns, runtime_result_fn result)
{
	struct kitjob j = { .ctx = ctx, .op = KIT_SESSION, .script = script,
			    .shown = shown, .file = file, .ns = ns,
			    .result = result };

	return kit_run(&j, NULL);
}

static int kit_session_interactive(struct ctx *ctx, const char *ns,
				   const char *routine)
{
	const struct node *n;
	const char *dir;
	struct ssh_target t;
	struct ssh_conn *c = NULL;
	struct buf cmd;
	char *kh = NULL;
	int status = -1, ret = -1, rc = 0;

	n = ctx->sel[0];	/* the caller checked: exactly one */
	say("Node: %s, Instance: %s", n->name, IRIS_INSTANCE);
	dir = ctx_field(ctx, n, "ISCInstallDir");
	buf_init(&cmd, BUF_CAP_LINE);
	/* as installKit.sh runs it: root through sudo, or nonroot with its
	 * registry in ~/ICM/irissys */
	rc |= buf_adds(&cmd, field_true(ctx_field(ctx, n, "nonroot")) ?
		       "IRISSYS=\"$HOME/ICM/irissys\" " : "sudo -n ");
	rc |= buf_add_shell_word(&cmd, dir ? dir : "/usr/irissys");
	rc |= buf_adds(&cmd, "/bin/iris session IRIS -U ");
	rc |= buf_add_shell_word(&cmd, ns);
	if (routine) {
		rc |= buf_adds(&cmd, " ");
		rc |= buf_add_shell_word(&cmd, routine);
	}
	if (rc || !cmd.data) {
		error("the session command is too long");
		goto out;
	}
	if (fanout_target(n, ctx->state_dir, HOSTKEY_STRICT, &t, &kh, NULL) ||
	    ssh_connect(&t, &c, NULL) || ssh_interactive(c, cmd.data, &status))
		goto out;
	ret = status ? -1 : 0;
out:
	ssh_close(c);
	free(kh);
	buf_release(&cmd);
	return ret;
}

/* --------------------------------------------------------- stop, start */

static int kit_stop_start(struct ctx *ctx, bool start)
{
	struct kitjob j = { .ctx = ctx, .op = start ? KIT_START : KIT_STOP };

	if (kit_nodes(ctx, start ? "start" : "stop"))
		return -1;
	return kit_run(&j, NULL);
}

static int kit_stop(struct ctx *ctx)
{
	return kit_stop_start(ctx, false);
}

static int kit_start(struct ctx *ctx)
{
	return kit_stop_start(ctx, true);
}

const struct runtime runtime_containerless = {
	.run = refuse_run,
	/* icm-reference §2.2: download the kit, stop, uninstall, install,
	 * start: install's re-entrant path */
	.upgrade = cmd_install,
	.stop = kit_stop,
	.start = kit_start,
	.ps = kit_ps,
	.session = kit_session,
	.session_interactive = kit_session_interactive,
};

const struct runtime *runtime_of(const struct ctx *ctx)
{
	return ctx_containerless(ctx) ? &runtime_containerless :
	       &runtime_docker;
}
