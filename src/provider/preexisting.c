/*
 * preexisting.c: the PreExisting provider (icm-reference §5.6): hosts that
 * already exist, one definition each, reached over SSH.
 *
 * validate() wants an address per node, one definition per host, no load
 * balancers, and volumes given as mount points: each <X>DeviceName is
 * 'existing' (the default) or 'create' (or local/null/skip: no volume),
 * never a block device.
 *
 * create() has nothing to create: after refusing volume sizes that
 * shrank and confirming ones that grew (resize.h), it is
 * provider_prepare_nodes()
 * (provider.h), node preparation (node/prepare.h) of every host in
 * parallel, one SSH connection each, host keys pinned on first use.
 * Every step can run again, so a provision killed anywhere converges
 * when it is run again.  destroy() has nothing to destroy: the
 * hosts were there before icm and are left as they are.
 */
#include "provider.h"
#include "resize.h"
#include "../state/log.h"

static void pre_facts(const struct node *n, struct node_facts *f)
{
	f->ip = node_field(n, "IPAddress");
	f->dns = node_field(n, "DNSName");
	f->zone = n->zone;
	f->ssh_user = node_field(n, "SSHUser");
}

/* Volumes on PreExisting are directories (§5.6), never devices. */
static int check_volumes(const struct node *n)
{
	static const char *const fields[] = {
		"DataDeviceName", "WIJDeviceName", "Journal1DeviceName",
		"Journal2DeviceName",
	};
	static const char *const modes[] = {
		"existing", "create", "local", "null", "skip",
	};
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *v = node_field(n, fields[i]);

		for (k = 0; v && k < ARRAY_SIZE(modes); k++)
			if (!strcmp(v, modes[k]))
				break;
		if (v && k == ARRAY_SIZE(modes))
			return error("%s: %s '%s': PreExisting volumes are "
				     "directories: 'existing' or 'create'",
				     n->name, fields[i], v);
	}
	return 0;
}

static int pre_validate(const struct provider_ctx *pc, const struct plan *p)
{
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		struct node_facts a;

		if (check_volumes(&p->nodes[i]))
			return -1;
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

/* Node preparation, after ICM's confirmation of grown volume sizes (the
 * mount step then grows the file systems whose device grew). */
static int pre_create(const struct provider_ctx *pc, struct plan *p)
{
	struct volume_growths g;
	int ret;

	if (volume_growths_check(pc, p, &g))
		return -1;
	ret = provider_prepare_nodes(pc, p);
	volume_growths_release(&g);
	return ret;
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
