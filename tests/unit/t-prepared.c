/* t-prepared.c: node preparation's "prepared" marker (node/prepared.c):
 * the inputs digest, the facts given back, a change of inputs, forgetting. */
#include "icm.h"
#include "node/prepare.h"
#include "state/log.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include <sys/stat.h>

static void node_make(struct node *n)
{
	memset(n, 0, sizeof(*n));
	n->name = xstrdup("L-VM-T-0001");
	n->role = xstrdup("VM");
	n->fields = cJSON_Parse("{\"Label\": \"L\", \"Tag\": \"T\", "
				"\"MachineName\": \"L-VM-T-0001\", "
				"\"Role\": \"VM\", \"IPAddress\": \"10.0.0.1\"}");
	if (!n->fields)
		abort();
}

static void node_free(struct node *n)
{
	free(n->name);
	free(n->role);
	cJSON_Delete(n->fields);
}

static const char *fact(const struct node *n, const char *f)
{
	const char *v = node_get(n, f);

	return v ? v : "(none)";
}

int main(void)
{
	char base[] = "/tmp/icm-t-prepared-XXXXXX";
	char in[NODE_INPUTS_HEX], again[NODE_INPUTS_HEX];
	char other[NODE_INPUTS_HEX];
	struct node n, fresh;
	char *certdir, *cert, *mark;
	static const char hostile[] = "{\"inputs\": \"x\", \"facts\": "
		"{\"IPAddress\": \"6.6.6.6\", \"OSRelease\": \"R\"}}";
	char *j1, *j2;
	struct stat st;

	ok(mkdtemp(base) != NULL, "temp dir");
	certdir = xasprintf("%s/pki/nodes/L-VM-T-0001", base);
	cert = xasprintf("%s/server-cert.pem", certdir);
	mark = xasprintf("%s/L-VM-T/L-VM-T-0001/prepared", base);
	ok(!fs_mkdirs(certdir, 0700) &&
	   !fs_write_atomic(cert, "cert 1\n", 7, 0600), "a node certificate");

	node_make(&n);
	node_prepare_inputs(base, &n, false, in);
	is_int((long)strlen(in), 64, "inputs: SHA-256 in hex");
	node_prepare_inputs(base, &n, false, again);
	is_str(again, in, "the same inputs, the same digest");
	ok(!node_prepare_done(base, &n, in), "no marker: not prepared");

	/* preparation recorded its facts; the marker keeps them */
	cJSON_AddStringToObject(n.fields, "DockerServerVersion", "20.10.5");
	cJSON_AddStringToObject(n.fields, "OSRelease", "Debian 12");
	cJSON_AddStringToObject(n.fields, "Architecture", "x86_64");
	cJSON_AddStringToObject(n.fields, "DockerInstalled", "true");
	is_int(node_prepare_mark(base, &n, in), 0, "marked");
	ok(!stat(mark, &st) && (st.st_mode & 0777) == 0600,
	   "marker in the node's state directory, mode 0600");

	/* the next provision's node: the plan's fields, no facts */
	node_make(&fresh);
	ok(node_prepare_done(base, &fresh, in), "same inputs: prepared");
	is_str(fact(&fresh, "OSRelease"), "Debian 12", "facts given back");
	is_str(fact(&fresh, "DockerServerVersion"), "20.10.5",
	       "... DockerServerVersion");
	j1 = cJSON_PrintUnformatted(fresh.fields);
	j2 = cJSON_PrintUnformatted(n.fields);
	is_str(j1, j2, "... in the order preparation recorded them");
	free(j1);
	free(j2);
	node_free(&fresh);

	/* what preparation starts from changed: prepared again */
	node_make(&fresh);
	cJSON_AddStringToObject(fresh.fields, "SSHUser", "other");
	node_prepare_inputs(base, &fresh, false, other);
	ok(strcmp(other, in) && !node_prepare_done(base, &fresh, other),
	   "a changed field: not prepared");
	node_free(&fresh);
	node_make(&fresh);
	node_prepare_inputs(base, &fresh, true, other);
	ok(strcmp(other, in) && !node_prepare_done(base, &fresh, other),
	   "the root file system to grow: not prepared");
	ok(!fs_write_atomic(cert, "cert 2\n", 7, 0600), "a renewed certificate");
	node_prepare_inputs(base, &fresh, false, other);
	ok(strcmp(other, in) && !node_prepare_done(base, &fresh, other),
	   "... not prepared");
	ok(!node_get(&fresh, "OSRelease"), "... and no facts given");
	node_free(&fresh);

	/* a marker that names other fields gives back facts only */
	ok(!fs_write_atomic(mark, hostile, strlen(hostile), 0600),
	   "a marker naming IPAddress");
	node_make(&fresh);
	ok(node_prepare_done(base, &fresh, "x"), "... read");
	is_str(fact(&fresh, "IPAddress"), "10.0.0.1", "... IPAddress kept");
	is_str(fact(&fresh, "OSRelease"), "R", "... the fact given back");
	node_free(&fresh);

	is_int(node_prepare_forget(base, &n), 0, "forgotten");
	ok(access(mark, F_OK) && errno == ENOENT, "... the marker is gone");
	ok(!node_prepare_done(base, &n, in), "... not prepared");
	is_int(node_prepare_forget(base, &n), 0, "forgetting twice is fine");

	node_free(&n);
	ok(!fs_remove_tree(base), "clean up");
	free(certdir);
	free(cert);
	free(mark);
	return done_testing();
}
