/*
 * t-keyfiles.c: node/keyfiles, the SSH key files provision checks before
 * it changes anything: the first node in plan order is named, a load
 * balancer (no host) and a node reached with SSHPassword alone need no
 * key, KeyFile stands in for SSHPrivateKey, a key that needs a passphrase
 * is refused (none is given), and 9999 nodes sharing one pair pass.
 */
#include "icm.h"
#include "config/plan.h"
#include "node/keyfiles.h"
#include "state/log.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"

#define PUB "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF3drTueqLlBDaLIsvnG/qhFD2XyvHnAopx5R+eWD/rQ\n"
#define PRIV "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n"
#define PRIV_ENC "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n" \
	"DEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n"

static char dir[] = "/tmp/t-keyfiles.XXXXXX";

static char *in_dir(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void put(const char *name, const char *text)
{
	char *p = in_dir(name);

	if (fs_write_atomic(p, text, strlen(text), 0600))
		abort();
	free(p);
}

/* Sets node i of p: role and "field=file" pairs (file under dir). */
static void node_set(struct plan *p, size_t i, const char *role,
		     const char *f1, const char *v1, const char *f2,
		     const char *v2)
{
	struct node *n = &p->nodes[i];
	char *path;

	n->name = xasprintf("L-%s-T-%04zu", role, i + 1);
	n->role = xstrdup(role);
	n->fields = cJSON_CreateObject();
	if (f1) {
		path = in_dir(v1);
		cJSON_AddStringToObject(n->fields, f1, path);
		free(path);
	}
	if (f2) {
		path = in_dir(v2);
		cJSON_AddStringToObject(n->fields, f2, path);
		free(path);
	}
}

static void plan_new(struct plan *p, size_t n)
{
	plan_init(p);
	p->nodes = xcalloc(n, sizeof(*p->nodes));
	p->n = n;
}

/* keyfiles_check()'s message for p ("" when it passes). */
static const char *check(const struct plan *p)
{
	static char got[1024];
	const char *e;
	char *d;
	size_t k = strlen(dir) + 1;

	if (keyfiles_check(p) == 0)
		return "";
	e = report_main_error();
	snprintf(got, sizeof(got), "%s", e ? e : "(no message)");
	while ((d = strstr(got, dir)))	/* the paths without dir/ */
		memmove(d, d + k, strlen(d + k) + 1);
	return got;
}

int main(void)
{
	struct plan p;
	size_t i;

	if (!mkdtemp(dir))
		return 1;
	put("k.pub", PUB);
	put("k", PRIV);
	put("enc", PRIV_ENC);

	plan_new(&p, 2);
	node_set(&p, 0, "DM", "SSHPublicKey", "z-gone.pub", NULL, NULL);
	node_set(&p, 1, "AM", "SSHPublicKey", "a-gone.pub", NULL, NULL);
	is_str(check(&p), "L-DM-T-0001: SSHPublicKey 'z-gone.pub' cannot be "
	       "used: No such file or directory",
	       "two bad files: the first node's is named, not the first by name");
	plan_release(&p);

	plan_new(&p, 2);
	node_set(&p, 0, "LB", "SSHPublicKey", "gone.pub", "SSHPrivateKey",
		 "gone");
	node_set(&p, 1, "AM", "SSHPublicKey", "k.pub", "SSHPassword", "pw");
	is_str(check(&p), "", "a load balancer and a password-only node need "
	       "no key files");
	plan_release(&p);

	plan_new(&p, 1);
	node_set(&p, 0, "DM", "KeyFile", "gone", NULL, NULL);
	is_str(check(&p), "L-DM-T-0001: KeyFile 'gone' cannot be used: "
	       "No such file or directory", "KeyFile is the private key too");
	plan_release(&p);

	plan_new(&p, 1);
	node_set(&p, 0, "DM", "SSHPrivateKey", "enc", "SSHPassword", "pw");
	is_str(check(&p), "L-DM-T-0001: SSHPrivateKey 'enc' cannot be used: "
	       "it is protected by a passphrase, and none was given",
	       "a key that needs a passphrase (provision gives none)");
	plan_release(&p);

	plan_new(&p, 9999);
	for (i = 0; i < p.n; i++)
		node_set(&p, i, i ? "AM" : "DM", "SSHPublicKey", "k.pub",
			 "SSHPrivateKey", "k");
	is_str(check(&p), "", "9999 nodes sharing one key pair");
	plan_release(&p);

	for (i = 0; i < 3; i++) {
		char *f = in_dir(i == 0 ? "k.pub" : i == 1 ? "k" : "enc");

		unlink(f);
		free(f);
	}
	rmdir(dir);
	return done_testing();
}
