/*
 * inventory.c: icm inventory, the provisioned nodes from instances.json.
 *
 * Columns as ICM prints them: Machine, IP Address, DNS Name, Region, Zone.
 * An intended mirror primary gets '+' after its name, a backup '-'; a load
 * balancer shows "(virtual <Role>)" as its address.  The zone is shown
 * without the region prefix ("us-west-1c" in us-west-1 shows as "c").
 * DNS names longer than DNS_WIDTH are shortened unless -options wide.
 * -json: [{Provider, MachineName, Role, IPAddress, DNSName, Region, Zone}].
 */
#include "cmd.h"
#include "../state/log.h"
#include "../state/output.h"
#include "../util/str.h"

#define DNS_WIDTH 50

static const char *val(const struct node *n, const char *f)
{
	const char *v = node_get(n, f);

	return v ? v : "";
}

static const char *zone_shown(const struct node *n)
{
	const char *z = n->zone ? n->zone : "";
	const char *r = n->region ? n->region : "";

	if (*r && str_starts(z, r) && z[strlen(r)])
		return z + strlen(r);
	return z;
}

static cJSON *inventory_json(struct node *const *sel, size_t nsel)
{
	static const char *const keys[] = {
		"Provider", "MachineName", "Role", "IPAddress", "DNSName",
		"Region", "Zone",
	};
	cJSON *arr = cJSON_CreateArray();
	size_t i, k;

	for (i = 0; i < nsel; i++) {
		cJSON *o = cJSON_CreateObject();

		for (k = 0; k < ARRAY_SIZE(keys); k++)
			cJSON_AddStringToObject(o, keys[k],
						val(sel[i], keys[k]));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

int cmd_inventory(struct ctx *ctx)
{
	static const char *const headers[] = {
		"Machine", "IP Address", "DNS Name", "Region", "Zone",
	};
	const char *opts = opt_str(&ctx->opts, OPT_OPTIONS);
	bool wide = false;
	struct table t;
	size_t i;

	if (opts) {
		if (strcmp(opts, "wide"))
			return error("inventory: -options takes 'wide', got "
				     "'%s'", opts);
		wide = true;
	}
	table_init(&t, headers, ARRAY_SIZE(headers));
	for (i = 0; i < ctx->nsel; i++) {
		const struct node *n = ctx->sel[i];
		const char *mark = "";
		char *name, *ip, *dns;
		const char *row[5];

		if (n->mirror_member && !strcmp(n->mirror_member, "primary"))
			mark = "+";
		else if (n->mirror_member &&
			 !strcmp(n->mirror_member, "backup"))
			mark = "-";
		name = xasprintf("%s%s", n->name, mark);
		if (!strcmp(n->role, "LB"))
			ip = xasprintf("(virtual %s)", n->lb_target ?
				       n->lb_target : "?");
		else
			ip = xstrdup(val(n, "IPAddress"));
		dns = xstrdup(val(n, "DNSName"));
		if (!wide && strlen(dns) > DNS_WIDTH)
			memcpy(dns + DNS_WIDTH - 3, "...", 4);
		row[0] = name;
		row[1] = ip;
		row[2] = dns;
		row[3] = n->region;
		row[4] = zone_shown(n);
		table_add(&t, row);
		free(name);
		free(ip);
		free(dns);
	}
	table_print(&t);
	table_release(&t);
	ctx->response = inventory_json(ctx->sel, ctx->nsel);
	return 0;
}
