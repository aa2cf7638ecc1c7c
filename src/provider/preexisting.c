/*
 * preexisting.c: the PreExisting provider (icm-reference §5.6): hosts that
 * already exist, one definition each (its PROVIDER row), reached over SSH.
 *
 * validate() wants an address per node, one definition per host, no load
 * balancers, and volumes given as mount points: each <X>DeviceName is
 * 'existing' (the default) or 'create' (or local/null/skip: no volume),
 * never a block device.
 *
 * create() has nothing to create: it refuses volume sizes that shrank and
 * confirms ones that grew (resize.h); node preparation then grows the
 * file systems whose device grew.  destroy() has nothing to destroy: the
 * hosts were there before icm and are left as they are.
 */
#include "provider.h"
#include "resize.h"
#include "../node/address.h"
#include "../state/log.h"

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
		const char *a = node_address(&p->nodes[i]);

		if (check_volumes(&p->nodes[i]))
			return -1;
		if (!strcmp(p->nodes[i].role, "LB"))
			return error("%s: PreExisting has no load balancers",
				     p->nodes[i].name);
		if (!a)
			return error("%s: a PreExisting node needs IPAddress "
				     "or DNSName", p->nodes[i].name);
		for (j = 0; j < i; j++)
			if (!strcmp(a, node_address(&p->nodes[j])))
				return error("%s and %s are the same host "
					     "'%s': one definition per host",
					     p->nodes[j].name, p->nodes[i].name,
					     a);
	}
	return 0;
}

/* Grown volume sizes confirmed, shrunk ones refused, into pc->growths
 * (node preparation's mount step grows the file systems). */
static int pre_create(const struct provider_ctx *pc, struct plan *p)
{
	struct volume_growths none = { NULL, 0 };
	struct volume_growths *g = pc->growths ? pc->growths : &none;
	int ret = volume_growths_check(pc, p, g);

	volume_growths_release(&none);
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
	.destroy = pre_destroy,
};
