/* keyfiles.c: the SSH key files provision will use (keyfiles.h). */
#include "keyfiles.h"
#include "authkey.h"
#include "fanout.h"
#include "ssh.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"

enum key_kind { KEY_PUBLIC, KEY_PRIVATE };

/* One node's use of one key file. */
struct key_use {
	const char *path;
	const char *field;	/* the field that names it */
	size_t node;
	enum key_kind kind;
};

static int cmp_size(size_t a, size_t b)
{
	return a < b ? -1 : a > b;
}

/* By file, then node: the first of each run is the file's first user. */
static int cmp_file(const void *a, const void *b)
{
	const struct key_use *x = a, *y = b;
	int c = (int)x->kind - (int)y->kind;

	if (!c)
		c = strcmp(x->path, y->path);
	return c ? c : cmp_size(x->node, y->node);
}

/* In plan order, so the first failure named is the first node's. */
static int cmp_node(const void *a, const void *b)
{
	const struct key_use *x = a, *y = b;
	int c = cmp_size(x->node, y->node);

	return c ? c : (int)x->kind - (int)y->kind;
}

/*
 * Why the file cannot be used (a static string), or NULL; *lead gets what
 * goes before it in the message.
 */
static const char *unusable(const struct key_use *u, const char **lead)
{
	struct buf text;
	const char *why = NULL;

	*lead = "";
	if (u->kind == KEY_PUBLIC) {
		buf_init(&text, AUTHKEY_FILE_CAP);
		if (authkey_read(u->path, &text, &why) == 0)
			why = NULL;
	} else {
		buf_init(&text, SSH_CAP_KEYFILE);
		if (fs_read_file(u->path, &text)) {
			why = fs_strerror(errno);
		} else {
			why = ssh_key_unusable(text.data ? text.data : "",
					       text.len, NULL);
			*lead = "it is ";
		}
	}
	buf_wipe(&text);
	return why;
}

static void add_use(struct key_use *v, size_t *k, size_t node,
		    enum key_kind kind, const char *field, const char *path)
{
	if (!path)
		return;
	v[*k].path = path;
	v[*k].field = field;
	v[*k].node = node;
	v[*k].kind = kind;
	(*k)++;
}

int keyfiles_check(const struct plan *p)
{
	struct key_use *v = xcalloc(2 * p->n + 1, sizeof(*v));
	const char *why, *lead, *field;
	size_t i, k = 0, m = 0;
	int ret = -1;

	for (i = 0; i < p->n; i++) {
		const struct node *n = &p->nodes[i];
		const char *path;

		if (!strcmp(n->role, "LB"))
			continue;	/* no host */
		add_use(v, &k, i, KEY_PUBLIC, "SSHPublicKey",
			node_field(n, "SSHPublicKey"));
		path = fanout_key_path(n, &field);
		add_use(v, &k, i, KEY_PRIVATE, field, path);
	}
	qsort(v, k, sizeof(*v), cmp_file);
	for (i = 0; i < k; i++)
		if (!m || v[i].kind != v[m - 1].kind ||
		    strcmp(v[i].path, v[m - 1].path))
			v[m++] = v[i];
	qsort(v, m, sizeof(*v), cmp_node);
	for (i = 0; i < m; i++) {
		why = unusable(&v[i], &lead);
		if (why) {
			error("%s: %s '%s' cannot be used: %s%s",
			      p->nodes[v[i].node].name, v[i].field, v[i].path,
			      lead, why);
			goto out;
		}
	}
	ret = 0;
out:
	free(v);
	return ret;
}
