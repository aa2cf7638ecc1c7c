/*
 * prepare.c: node preparation at provision, for every provider
 * (prepare.h): the ~/ICM payload, the node scripts of embedded/node/ run
 * behind ICM's sentinel files, the daemon.json merge, the check of
 * dockerd's TLS endpoint from icm, and the node's facts.
 *
 * daemon.json: the node's /etc/docker/daemon.json (none: {}) with
 *   "live-restore": true   a dockerd restart (renewed certificates) leaves
 *                          running containers running;
 *   "storage-driver"       DockerStorageDriver, when the field is set and
 *                          either dockerd is not running yet, already runs
 *                          that driver, or has no images and no containers;
 *                          a dockerd that holds images or containers under
 *                          another driver keeps it (switching would hide
 *                          them), with a warning naming both drivers;
 * and without "hosts" and the "tls*" keys, which dockerd refuses next to
 * the -H/--tls* flags of icm's systemd drop-in.
 */
#include "prepare.h"
#include "../util/sleep.h"
#include "address.h"
#include "authkey.h"
#include "../docker/api.h"
#include "../embed/embedded.h"
#include "../state/log.h"
#include "../state/pki.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <arpa/inet.h>
#include <bearssl.h>
#include <netdb.h>

#define NODE_SCRIPTS "embedded/node/"
#define PAYLOAD_DIR "$HOME/ICM"
#define STATE_MARK "@@icm-docker-info@@"
#define VERIFY_PAUSE_MS 250

/* The node's TLS files as copied to ~/ICM/tls (NULL dir: the CA). */
static const char *const tls_files[][2] = {
	{ "ca.pem", NULL },
	{ "server-cert.pem", "" },
	{ "server-key.pem", "" },
};

/* One node's preparation: what the steps share. */
struct prep {
	struct ssh_conn *c;
	struct fanout_result *r;
	const char *state_dir;
	struct node *n;
	bool volumes, docker, grow_root;
	struct buf tls[ARRAY_SIZE(tls_files)];
	char *daemon_json;		/* composed; Docker nodes only */
};

static bool role_in(const char *role, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(role, set[i]))
			return true;
	return false;
}

/* IRIS roles get the four volumes (icm-reference §3.6). */
static bool has_volumes(const struct node *n)
{
	return role_is_iris(n->role);
}

/* Roles that run containers get Docker (VM and BH run none; LB has no
 * host; Containerless installs kits instead). */
static bool has_docker(const struct node *n)
{
	static const char *const none[] = { "VM", "BH", "LB" };
	const char *cl = node_field(n, "Containerless");

	if (role_in(n->role, none, ARRAY_SIZE(none)))
		return false;
	return !(cl && !strcasecmp(cl, "true"));
}

/* The last non-empty line of s from mark on, as "%.*s" arguments. */
static int last_line(const struct buf *b, size_t mark, const char **start)
{
	const char *s = b->data ? b->data + mark : "";
	const char *end = s + strlen(s), *p;

	while (end > s && (end[-1] == '\n' || end[-1] == '\r' ||
			   end[-1] == ' '))
		end--;
	for (p = end; p > s && p[-1] != '\n'; p--)
		;
	*start = p;
	return (int)(end - p);
}

/*
 * Runs cmd; a non-zero exit fails r with what, stderr's last line and,
 * when log is not NULL, where the whole output is on the node.
 */
static int run(struct prep *pr, const char *cmd, const char *stdin_data,
	       struct buf *out, const char *what, const char *log)
{
	struct fanout_result *r = pr->r;
	int status = -1, len;
	size_t mark = r->err.len;
	const char *e;

	if (ssh_exec(pr->c, cmd, stdin_data, out, &r->err, &status))
		return fanout_fail(r, "%s: the connection failed", what);
	if (!status)
		return 0;
	len = last_line(&r->err, mark, &e);
	return fanout_fail(r, "%s (exit status %d)%s%.*s%s%s", what, status,
			   len ? ": " : "", len, e, log ? "; output in " : "",
			   log ? log : "");
}

/* Writes data to ~/ICM/<name> (mode) through a temporary name. */
static int put(struct prep *pr, const char *name, const char *data,
	       unsigned mode)
{
	char *cmd = xasprintf("umask 077 && d=" PAYLOAD_DIR " && "
			      "mkdir -p \"$(dirname \"$d/%s\")\" && "
			      "cat > \"$d/%s.tmp\" && chmod %o \"$d/%s.tmp\" && "
			      "mv -f \"$d/%s.tmp\" \"$d/%s\"", name, name,
			      mode, name, name, name);
	char *what = xasprintf("cannot write ~/ICM/%s", name);
	int rc = run(pr, cmd, data, NULL, what, NULL);

	free(what);
	free(cmd);
	return rc;
}

/* Appends " NAME='value'" for each field (unset: empty). */
static int add_env(struct buf *b, const struct node *n,
		   const char *const *names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		const char *v = node_field(n, names[i]);

		if (buf_addf(b, " %s=", names[i]) || buf_add_shell_word(b, v ? v : ""))
			return -1;
	}
	return 0;
}

static void sha256_hex(br_sha256_context *sc, char hex[2 * br_sha256_SIZE + 1])
{
	unsigned char h[br_sha256_SIZE];
	size_t i;

	br_sha256_out(sc, h);
	for (i = 0; i < sizeof(h); i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

/* Hashes s with its terminating NUL, so that fields cannot run together. */
static void hash_str(br_sha256_context *sc, const char *s)
{
	br_sha256_update(sc, s ? s : "", s ? strlen(s) + 1 : 1);
}

/*
 * Runs embedded/node/<script> as root with the environment assignments env
 * behind the sentinel ~/ICM/<step>.done (see prepare.h); extra (NULL:
 * none) is more input that makes the step run again when it changes.
 */
static int step(struct prep *pr, const char *step_name, const char *script,
		const char *env, const char *extra, const char *what)
{
	char path[64], hex[2 * br_sha256_SIZE + 1], *cmd, *log_name, *log_path;
	const struct embedded_file *e;
	br_sha256_context sc;
	int rc;

	snprintf(path, sizeof(path), NODE_SCRIPTS "%s", script);
	e = embedded_find(path);
	if (!e)
		return fanout_fail(pr->r, "%s: %s is not in this build", what,
				   path);
	br_sha256_init(&sc);
	br_sha256_update(&sc, e->data, e->len);
	if (!env)
		env = "";
	hash_str(&sc, env);
	hash_str(&sc, extra);
	sha256_hex(&sc, hex);
	log_name = xstrndup(script, strcspn(script, "."));
	cmd = xasprintf(
		"d=" PAYLOAD_DIR "; s=\"$d/%s.done\"; want=%s; "
		"if [ -e \"$s\" ] && { [ ! -s \"$s\" ] || "
		"[ \"$(cat \"$s\")\" = \"$want\" ]; }; then exit 0; fi; "
		"sudo -n env ICM_DIR=\"$d\"%s sh \"$d/%s\" "
		"> \"$d/%s.log\" 2>&1 || "
		"{ st=$?; cat \"$d/%s.log\" >&2; exit $st; }; "
		"printf '%%s\\n' \"$want\" > \"$s\"",
		step_name, hex, env, script, log_name, log_name);
	log_path = xasprintf("~/ICM/%s.log on the node", log_name);
	rc = run(pr, cmd, NULL, NULL, what, log_path);
	free(log_path);
	free(cmd);
	free(log_name);
	return rc;
}

/* Reads the node's TLS files from <stateDir>/pki. */
static int read_tls(struct prep *pr)
{
	char *nd = pki_node_dir(pr->state_dir, pr->n, NULL);
	size_t i;
	int rc = 0;

	if (!nd)
		return fanout_fail(pr->r, "no certificate directory for %s",
				   pr->n->name);
	for (i = 0; !rc && i < ARRAY_SIZE(tls_files); i++) {
		char *path = tls_files[i][1] ?
			xasprintf("%s/%s", nd, tls_files[i][0]) :
			xasprintf("%s/" PKI_DIR "/%s", pr->state_dir,
				  tls_files[i][0]);

		if (fs_read_file(path, &pr->tls[i]))
			rc = fanout_fail(pr->r, "cannot read '%s': %s", path,
					 fs_strerror(errno));
		free(path);
	}
	free(nd);
	return rc;
}

/* A count printed by `docker info` (0 when absent or not a number). */
static long count_of(const char *s)
{
	long v;

	return s && !str_to_long(s, &v) && v > 0 ? v : 0;
}

/*
 * The daemon.json for the node (see the top of this file), from its
 * current /etc/docker/daemon.json and what its dockerd runs.
 */
static int compose_daemon_json(struct prep *pr)
{
	static const char *const flag_keys[] = {
		"hosts", "tls", "tlsverify", "tlscacert", "tlscert", "tlskey",
	};
	const char *want = node_field(pr->n, "DockerStorageDriver");
	struct buf out;
	cJSON *j = NULL;
	char *info = NULL, *driver, *counts[2] = { NULL }, *save = NULL;
	size_t i;
	int rc = -1;

	buf_init(&out, BUF_CAP_CONFIG);
	if (run(pr, "sudo -n sh -c 'cat /etc/docker/daemon.json 2>/dev/null; "
		"echo; echo " STATE_MARK "; docker info --format "
		"\"{{.Driver}} {{.Containers}} {{.Images}}\" 2>/dev/null; true'",
		NULL, &out, "cannot read the node's Docker configuration",
		NULL))
		goto out;
	if (out.data && (info = strstr(out.data, "\n" STATE_MARK "\n"))) {
		*info = '\0';
		info += strlen("\n" STATE_MARK "\n");
	}
	j = cJSON_Parse(out.data && out.data[strspn(out.data, " \t\r\n")] ?
			out.data : "{}");
	if (!cJSON_IsObject(j)) {
		rc = fanout_fail(pr->r, "/etc/docker/daemon.json on the node is "
				 "not a JSON object: correct or remove it");
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(flag_keys); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(j, flag_keys[i]);
	cJSON_DeleteItemFromObjectCaseSensitive(j, "live-restore");
	cJSON_AddTrueToObject(j, "live-restore");
	driver = info ? strtok_r(info, " \n", &save) : NULL;
	for (i = 0; driver && i < ARRAY_SIZE(counts); i++)
		counts[i] = strtok_r(NULL, " \n", &save);
	if (want && driver && strcmp(driver, want) &&
	    count_of(counts[0]) + count_of(counts[1]) > 0)
		warning("%s: dockerd runs storage driver '%s' with images or "
			"containers; DockerStorageDriver '%s' not applied "
			"(switching would hide them)", pr->n->name, driver,
			want);
	else if (want) {
		cJSON_DeleteItemFromObjectCaseSensitive(j, "storage-driver");
		cJSON_AddStringToObject(j, "storage-driver", want);
	}
	pr->daemon_json = cJSON_Print(j);
	rc = 0;
out:
	cJSON_Delete(j);
	buf_release(&out);
	return rc;
}

/* Copying files to <m>...: the scripts the node's steps need, its TLS
 * files and daemon.json. */
static int copy_payload(struct prep *pr)
{
	static const struct {
		const char *script;
		int needs;		/* 0 all, 1 volumes, 2 Docker */
	} scripts[] = {
		{ "disable_password_login.sh", 0 },
		{ "mountVolumes.sh", 1 },
		{ "installDocker.sh", 2 },
		{ "configureDocker.sh", 2 },
	};
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < ARRAY_SIZE(scripts); i++) {
		char path[64];
		const struct embedded_file *e;

		if ((scripts[i].needs == 1 && !pr->volumes &&
		     !pr->grow_root) ||
		    (scripts[i].needs == 2 && !pr->docker))
			continue;
		snprintf(path, sizeof(path), NODE_SCRIPTS "%s",
			 scripts[i].script);
		e = embedded_find(path);
		rc = e ? put(pr, scripts[i].script, (const char *)e->data,
			     e->mode & 0777) :
			fanout_fail(pr->r, "%s is not in this build", path);
	}
	for (i = 0; !rc && i < ARRAY_SIZE(tls_files); i++) {
		char *name = xasprintf("tls/%s", tls_files[i][0]);

		rc = put(pr, name, pr->tls[i].data ? pr->tls[i].data : "",
			 0600);
		free(name);
	}
	if (!rc && pr->docker)
		rc = put(pr, "daemon.json", pr->daemon_json, 0644);
	return rc;
}

static int mount_volumes(struct prep *pr)
{
	static const char *const names[] = {
		"FileSystem",
		"DataDeviceName", "DataMountPoint",
		"WIJDeviceName", "WIJMountPoint",
		"Journal1DeviceName", "Journal1MountPoint",
		"Journal2DeviceName", "Journal2MountPoint",
	};
	static const char *const sizes[] = {
		"DataVolumeSize", "WIJVolumeSize", "Journal1VolumeSize",
		"Journal2VolumeSize",
	};
	struct buf env, extra;
	int rc = -1;

	buf_init(&env, BUF_CAP_LINE);
	buf_init(&extra, BUF_CAP_LINE);
	/* the sizes are inputs too: new sizes run the step again, which
	 * grows what grew (provider/resize.h) */
	if (add_env(&env, pr->n, names, ARRAY_SIZE(names)) ||
	    add_env(&extra, pr->n, sizes, ARRAY_SIZE(sizes))) {
		rc = fanout_fail(pr->r, "the volume fields are too long");
		goto out;
	}
	rc = step(pr, "mount_volumes", "mountVolumes.sh", env.data, extra.data,
		  "cannot mount the volumes");
out:
	buf_release(&extra);
	buf_release(&env);
	return rc;
}

/* The OS volume grew: its partition and the root file system follow. */
static int grow_root(struct prep *pr)
{
	static const char *const sizes[] = { "OSVolumeSize" };
	struct buf extra;
	int rc;

	buf_init(&extra, BUF_CAP_LINE);
	if (add_env(&extra, pr->n, sizes, ARRAY_SIZE(sizes))) {
		buf_release(&extra);
		return fanout_fail(pr->r, "OSVolumeSize is too long");
	}
	rc = step(pr, "grow_root", "mountVolumes.sh", " GrowRoot=true",
		  extra.data, "cannot grow the root file system");
	buf_release(&extra);
	return rc;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * icm connects to https://<m>:2376 (pinned to the node's IP) with the
 * deployment's client certificate, retrying for PREPARE_VERIFY_MS while
 * dockerd restarts, and records DockerServerVersion.
 */
static int verify_docker(struct prep *pr)
{
	char *ca = xasprintf("%s/" PKI_DIR "/ca.pem", pr->state_dir);
	char *cert = xasprintf("%s/" PKI_DIR "/client/cert.pem",
			       pr->state_dir);
	char *key = xasprintf("%s/" PKI_DIR "/client/key.pem", pr->state_dir);
	struct docker_target t = {
		.name = pr->n->name, .port = DOCKER_PORT, .ca_file = ca,
		.cert_file = cert, .key_file = key,
		.connect_timeout_ms = 5000, .timeout_ms = 10000,
	};
	struct docker *d = NULL;
	char *err = NULL, *ip = NULL;
	int64_t end = now_ms() + PREPARE_VERIFY_MS;
	int rc = -1, tries = 0;

	if (node_address_numeric(pr->n, &ip, &err)) {
		fanout_fail(pr->r, "%s", err);
		goto out;
	}
	t.ip = ip;
	for (;;) {
		tries++;
		if (!docker_open(&t, &d, &err))
			break;
		if (now_ms() + VERIFY_PAUSE_MS >= end) {
			rc = fanout_fail(pr->r, "the Docker TLS endpoint "
					 "https://%s:%d (%s) does not answer "
					 "after %d attempts: %s", t.name,
					 t.port, ip, tries,
					 err ? err : "no reason given");
			goto out;
		}
		free(err);
		err = NULL;
		sleep_ms(VERIFY_PAUSE_MS);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(pr->n->fields,
						"DockerServerVersion");
	cJSON_AddStringToObject(pr->n->fields, "DockerServerVersion",
				docker_server_version(d) ?
				docker_server_version(d) : "unknown");
	debug("%s: Docker %s answers on https://%s:%d (%s), API %s",
	      pr->n->name, docker_server_version(d), t.name, t.port, ip,
	      docker_api_version(d));
	rc = 0;
out:
	docker_close(d);
	free(err);
	free(ip);
	free(key);
	free(cert);
	free(ca);
	return rc;
}

/* Installing Docker on <m>...: install where missing, TLS configuration,
 * then the check from icm. */
static int install_docker(struct prep *pr)
{
	static const char *const names[] = { "DockerVersion", "DockerURL" };
	struct buf env, extra;
	size_t i;
	int rc = -1;

	buf_init(&env, BUF_CAP_LINE);
	buf_init(&extra, BUF_CAP_CONFIG);
	if (add_env(&env, pr->n, names, ARRAY_SIZE(names))) {
		rc = fanout_fail(pr->r, "DockerVersion or DockerURL is too "
				 "long");
		goto out;
	}
	if (step(pr, "install_docker", "installDocker.sh", env.data, NULL,
		 "cannot install Docker"))
		goto out;
	/* The certificate (not the key: a new key comes with a new
	 * certificate) and daemon.json make configuring run again. */
	for (i = 0; i < 2; i++)
		if (buf_adds(&extra, pr->tls[i].data ? pr->tls[i].data : ""))
			goto out;
	if (buf_adds(&extra, pr->daemon_json))
		goto out;
	if (step(pr, "configure_docker", "configureDocker.sh", "",
		 extra.data, "cannot configure dockerd for TLS"))
		goto out;
	rc = verify_docker(pr);
out:
	buf_release(&extra);
	buf_release(&env);
	return rc;
}

#define FACTS_CMD \
	"(. /etc/os-release 2>/dev/null; echo \"${PRETTY_NAME:-unknown}\"); " \
	"uname -m; " \
	"if command -v docker >/dev/null 2>&1; then echo true; " \
	"else echo false; fi"

static int record_facts(struct prep *pr)
{
	static const char *const names[] = {
		"OSRelease", "Architecture", "DockerInstalled",
	};
	struct buf out;
	char *save = NULL, *line;
	size_t k = 0;
	int rc;

	buf_init(&out, BUF_CAP_LINE);
	rc = run(pr, FACTS_CMD, NULL, &out, "cannot read the node's facts",
		 NULL);
	line = rc || !out.data ? NULL : strtok_r(out.data, "\n", &save);
	for (; line && k < ARRAY_SIZE(names);
	     line = strtok_r(NULL, "\n", &save), k++) {
		cJSON_DeleteItemFromObjectCaseSensitive(pr->n->fields,
							names[k]);
		cJSON_AddStringToObject(pr->n->fields, names[k], line);
	}
	if (!rc && k != ARRAY_SIZE(names))
		rc = fanout_fail(pr->r, "cannot read the node's facts: got "
				 "%zu of %zu lines", k, ARRAY_SIZE(names));
	buf_release(&out);
	return rc;
}

/*
 * SSHPublicKey in the SSH user's ~/.ssh/authorized_keys (once), before
 * password login is turned off: a node first reached with SSHPassword
 * stays reachable with the key.  The line is authkey.h's, on stdin.
 */
static int authorize_key(struct prep *pr)
{
	const char *path = node_field(pr->n, "SSHPublicKey");
	const char *why;
	struct buf line;
	int rc;

	if (!path)
		return 0;
	buf_init(&line, AUTHKEY_FILE_CAP);
	if (authkey_read(path, &line, &why)) {
		rc = fanout_fail(pr->r, "SSHPublicKey '%s' cannot be used: %s",
				 path, why);
		goto out;
	}
	rc = run(pr, "umask 077 && mkdir -p \"$HOME/.ssh\" && "
		 "f=\"$HOME/.ssh/authorized_keys\" && k=$(cat) && "
		 "touch \"$f\" && { grep -qxF -e \"$k\" \"$f\" || "
		 "printf '%s\\n' \"$k\" >> \"$f\"; }", line.data, NULL,
		 "cannot add SSHPublicKey to ~/.ssh/authorized_keys", NULL);
out:
	buf_release(&line);
	return rc;
}

int node_prepare(struct ssh_conn *c, struct fanout_result *r,
		 const char *state_dir, struct node *n, bool grow_root_fs)
{
	struct prep pr = {
		.c = c, .r = r, .state_dir = state_dir, .n = n,
		.volumes = has_volumes(n), .docker = has_docker(n),
		.grow_root = grow_root_fs,
	};
	size_t i;
	int ret = -1;

	for (i = 0; i < ARRAY_SIZE(pr.tls); i++)
		buf_init(&pr.tls[i], BUF_CAP_CONFIG);
	if (run(&pr, "sudo -n true", NULL, NULL,
		"passwordless sudo ('sudo -n true') is not available to "
		"SSHUser", NULL))
		goto out;
	if (read_tls(&pr) || (pr.docker && compose_daemon_json(&pr)))
		goto out;
	say("Copying files to %s...", n->name);
	if (copy_payload(&pr))
		goto out;
	say("Configuring %s...", n->name);
	if (authorize_key(&pr) ||
	    run(&pr, "sh " PAYLOAD_DIR "/disable_password_login.sh", NULL,
		NULL, "cannot disable password login", NULL))
		goto out;
	if (pr.volumes) {
		say("Mounting volumes on %s...", n->name);
		if (mount_volumes(&pr))
			goto out;
	}
	if (pr.grow_root) {
		say("Growing the root file system on %s...", n->name);
		if (grow_root(&pr))
			goto out;
	}
	if (pr.docker) {
		say("Installing Docker on %s...", n->name);
		if (install_docker(&pr))
			goto out;
	}
	ret = record_facts(&pr);
out:
	for (i = 0; i < ARRAY_SIZE(pr.tls); i++)
		buf_wipe(&pr.tls[i]);
	free(pr.daemon_json);
	return ret;
}

/* A certificate that is not valid is (re)issued. */
static int ensure_node_cert(const char *state_dir, const struct node *n,
			    time_t now)
{
	struct pki_status st;
	time_t exp;

	if (pki_node_check(state_dir, n, now, &st))
		return -1;
	if (st.state == PKI_VALID)
		return 0;
	debug("%s: server certificate %s: issuing a new one", n->name,
	      pki_state_name(st.state));
	return pki_node_cert(state_dir, n, PREPARE_CERT_DAYS, &exp);
}

int node_prepare_begin(const char *state_dir, const struct plan *p)
{
	time_t now = time(NULL), exp;
	struct pki_status st;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->nodes[i].role, "LB") &&
		    ensure_node_cert(state_dir, &p->nodes[i], now))
			return -1;
	if (pki_client_check(state_dir, now, &st))
		return -1;
	if (st.state != PKI_VALID &&
	    pki_client_cert(state_dir, PREPARE_CERT_DAYS, &exp))
		return -1;
	docker_global_init();
	return 0;
}
