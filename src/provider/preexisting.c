/*
 * preexisting.c: the PreExisting provider (icm-reference §5.6): hosts that
 * already exist, one definition each, reached over SSH.
 *
 * create() prepares every node in parallel on one SSH connection each
 * (fanout.h): the host key is pinned in <stateDir>/known_hosts (first use),
 * passwordless sudo is checked (`sudo -n true`), the ~/ICM payload is
 * copied (the node scripts of embedded/node/ and the node's TLS files from
 * <stateDir>/pki: ~/ICM/tls/{ca.pem,server-cert.pem,server-key.pem}),
 * password login is disabled (~/ICM/disable_password_login.sh, idempotent
 * through ICM's sentinel ~/ICM/disable_password_login.done), and facts
 * are recorded in the node's fields (icm's own, carried in instances.json):
 *   OSRelease        PRETTY_NAME of /etc/os-release ("unknown" without)
 *   Architecture     uname -m
 *   DockerInstalled  "true" when a docker command is on the node
 * Every step can run again, so a provision killed anywhere converges when
 * it is run again.  destroy() has nothing to destroy: the hosts were
 * there before icm and are left as they are.
 */
#include "provider.h"
#include "../embed/embedded.h"
#include "../node/fanout.h"
#include "../state/log.h"
#include "../state/pki.h"
#include "../util/fs.h"
#include "../util/str.h"

#define NODE_PAYLOAD "embedded/node/"
#define PAYLOAD_DIR "$HOME/ICM"

static const char *field(const struct node *n, const char *f)
{
	const char *v = node_get(n, f);

	return v && *v ? v : NULL;
}

static void pre_facts(const struct node *n, struct node_facts *f)
{
	f->ip = field(n, "IPAddress");
	f->dns = field(n, "DNSName");
	f->zone = n->zone;
	f->ssh_user = field(n, "SSHUser");
}

static int pre_validate(const struct provider_ctx *pc, const struct plan *p)
{
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		struct node_facts a;

		pre_facts(&p->nodes[i], &a);
		if (!strcmp(p->nodes[i].role, "LB"))
			return error("%s: PreExisting has no load balancers",
				     p->nodes[i].name);
		if (!a.ip && !a.dns)
			return error("%s: a PreExisting node needs IPAddress "
				     "or DNSName", p->nodes[i].name);
		for (j = 0; j < i; j++) {
			struct node_facts b;

			pre_facts(&p->nodes[j], &b);
			if (!strcmp(a.ip ? a.ip : a.dns, b.ip ? b.ip : b.dns))
				return error("%s and %s are the same host "
					     "'%s': one definition per host",
					     p->nodes[j].name, p->nodes[i].name,
					     a.ip ? a.ip : a.dns);
		}
	}
	return 0;
}

/* Runs cmd; a non-zero exit fails r with what and stderr's first line. */
static int run(struct ssh_conn *c, struct fanout_result *r, const char *cmd,
	       const char *stdin_data, struct buf *out, const char *what)
{
	int status = -1;
	size_t mark = r->err.len;

	if (ssh_exec(c, cmd, stdin_data, out, &r->err, &status))
		return fanout_fail(r, "%s: the connection failed", what);
	if (status) {
		const char *e = r->err.data ? r->err.data + mark : "";
		size_t len = strcspn(e, "\n");

		return fanout_fail(r, "%s (exit status %d)%s%.*s", what,
				   status, len ? ": " : "", (int)len, e);
	}
	return 0;
}

/* Writes data to ~/ICM/<name> (mode) through a temporary name. */
static int put(struct ssh_conn *c, struct fanout_result *r, const char *name,
	       const char *data, unsigned mode)
{
	char *cmd = xasprintf("umask 077 && d=" PAYLOAD_DIR " && "
			      "mkdir -p \"$(dirname \"$d/%s\")\" && "
			      "cat > \"$d/%s.tmp\" && chmod %o \"$d/%s.tmp\" && "
			      "mv -f \"$d/%s.tmp\" \"$d/%s\"", name, name,
			      mode, name, name, name);
	char *what = xasprintf("cannot write ~/ICM/%s", name);
	int rc = run(c, r, cmd, data, NULL, what);

	free(what);
	free(cmd);
	return rc;
}

static int copy_payload(struct ssh_conn *c, struct fanout_result *r,
			const char *state_dir, const struct node *n)
{
	static const char *const tls[][2] = {
		{ "ca.pem", NULL }, { "server-cert.pem", "" },
		{ "server-key.pem", "" },
	};
	const struct embedded_file *e;
	size_t it = 0, i;
	char *nd = pki_node_dir(state_dir, n);
	int rc = 0;

	while (!rc && (e = embedded_next(NODE_PAYLOAD, &it)))
		rc = put(c, r, e->path + strlen(NODE_PAYLOAD),
			 (const char *)e->data, e->mode & 0777);
	for (i = 0; !rc && nd && i < ARRAY_SIZE(tls); i++) {
		char *path = tls[i][1] ? xasprintf("%s/%s", nd, tls[i][0]) :
			xasprintf("%s/" PKI_DIR "/%s", state_dir, tls[i][0]);
		char *name = xasprintf("tls/%s", tls[i][0]);
		struct buf b;

		buf_init(&b, BUF_CAP_CONFIG);
		if (fs_read_file(path, &b))
			rc = fanout_fail(r, "cannot read '%s': %s", path,
					 strerror(errno));
		else
			rc = put(c, r, name, b.data ? b.data : "", 0600);
		buf_wipe(&b);
		free(name);
		free(path);
	}
	free(nd);
	return rc;
}

#define FACTS_CMD \
	"(. /etc/os-release 2>/dev/null; echo \"${PRETTY_NAME:-unknown}\"); " \
	"uname -m; " \
	"if command -v docker >/dev/null 2>&1; then echo true; " \
	"else echo false; fi"

static int record_facts(struct ssh_conn *c, struct fanout_result *r,
			struct node *n)
{
	static const char *const names[] = {
		"OSRelease", "Architecture", "DockerInstalled",
	};
	struct buf out;
	char *save = NULL, *line;
	size_t k = 0;
	int rc;

	buf_init(&out, BUF_CAP_LINE);
	rc = run(c, r, FACTS_CMD, NULL, &out, "cannot read the node's facts");
	line = rc || !out.data ? NULL : strtok_r(out.data, "\n", &save);
	for (; line && k < ARRAY_SIZE(names);
	     line = strtok_r(NULL, "\n", &save), k++) {
		cJSON_DeleteItemFromObjectCaseSensitive(n->fields, names[k]);
		cJSON_AddStringToObject(n->fields, names[k], line);
	}
	if (!rc && k != ARRAY_SIZE(names))
		rc = fanout_fail(r, "cannot read the node's facts: got "
				 "%zu of %zu lines", k, ARRAY_SIZE(names));
	buf_release(&out);
	return rc;
}

struct prep_job {
	const struct provider_ctx *pc;
	struct plan *p;
};

static void prepare_one(struct fanout *f, size_t i, struct fanout_result *r,
			void *arg)
{
	struct prep_job *j = arg;
	struct node *n = &j->p->nodes[i];
	struct ssh_conn *c = NULL;

	if (fanout_connect(f, n, j->pc->state_dir, HOSTKEY_PIN_NEW, r, &c))
		return;
	if (run(c, r, "sudo -n true", NULL, NULL,
		"passwordless sudo ('sudo -n true') is not available to "
		"SSHUser"))
		goto out;
	say("Copying files to %s...", n->name);
	if (copy_payload(c, r, j->pc->state_dir, n))
		goto out;
	say("Configuring %s...", n->name);
	if (run(c, r, "sh " PAYLOAD_DIR "/disable_password_login.sh", NULL,
		NULL, "cannot disable password login"))
		goto out;
	if (record_facts(c, r, n))
		goto out;
out:
	ssh_close(c);
}

/* The node certificates (made or renewed where needed) before any node
 * is reached, so that the payload is complete. */
static int node_certs(const struct provider_ctx *pc, const struct plan *p)
{
	time_t now = time(NULL), exp;
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct pki_status st;

		if (pki_node_check(pc->state_dir, &p->nodes[i], now, &st))
			return -1;
		if (st.state == PKI_VALID)
			continue;
		if (pki_node_cert(pc->state_dir, &p->nodes[i], 365, &exp))
			return -1;
	}
	return 0;
}

static int pre_create(const struct provider_ctx *pc, struct plan *p)
{
	struct fanout_result *res;
	struct fanout_opts o = { pc->parallel, 0 };
	struct prep_job j = { pc, p };
	size_t i, failed;

	if (node_certs(pc, p))
		return -1;
	res = xcalloc(p->n ? p->n : 1, sizeof(*res));
	failed = fanout_run(p->n, &o, prepare_one, &j, res);
	for (i = 0; i < p->n; i++)
		if (res[i].failed)
			error("provision on %s failed: %s", p->nodes[i].name,
			      res[i].reason);
	fanout_results_release(res, p->n);
	free(res);
	return failed ? -1 : 0;
}

static int pre_destroy(const struct provider_ctx *pc, const struct plan *p)
{
	say("PreExisting: there is no infrastructure to destroy; the %zu "
	    "host%s %s left as %s", p->n, p->n == 1 ? "" : "s",
	    p->n == 1 ? "is" : "are", p->n == 1 ? "it is" : "they are");
	return 0;
}

const struct provider provider_preexisting = {
	.name = "PreExisting",
	.validate = pre_validate,
	.create = pre_create,
	.describe = NULL,
	.destroy = pre_destroy,
	.node_facts = pre_facts,
};
