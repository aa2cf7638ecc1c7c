/*
 * inventory.c: icm inventory, the provisioned nodes from instances.json.
 *
 * Columns as ICM prints them: Machine, IP Address, DNS Name, Region, Zone.
 * An intended mirror primary gets '+' after its name, a backup '-'; a load
 * balancer shows "(virtual <Role>)" as its address.  The zone is shown
 * without the region prefix ("us-west-1c" in us-west-1 shows as "c",
 * "us-east1-b" in us-east1 as "b").
 * DNS names longer than DNS_WIDTH are shortened unless -options wide.
 * -options certs adds "Cert Expires": the day the node's server
 * certificate in state/pki expires (YYYY-MM-DD, UTC), "EXPIRED", "none",
 * or "unreadable"; load balancers have none ("-").  -options takes a
 * comma list (wide,certs).
 * -json: [{Provider, MachineName, Role, IPAddress, DNSName, Region, Zone}],
 * plus CertExpires with -options certs.
 */
#include "cmd.h"
#include "../state/log.h"
#include "../state/output.h"
#include "../state/pki.h"
#include "../util/str.h"

#define DNS_WIDTH 50

char *node_shown_name(const struct node *n)
{
	const char *m = n->mirror_member ? n->mirror_member : "";

	return xasprintf("%s%s", n->name, !strcmp(m, "primary") ? "+" :
			 !strcmp(m, "backup") ? "-" : "");
}

static const char *val(const struct node *n, const char *f)
{
	const char *v = node_get(n, f);

	return v ? v : "";
}

static const char *zone_shown(const struct node *n)
{
	const char *z = n->zone ? n->zone : "";
	const char *r = n->region ? n->region : "";

	if (*r && str_starts(z, r) && z[strlen(r)]) {
		z += strlen(r);
		/* GCP's and Azure's "us-east1-b" in us-east1: "b" */
		if (*z == '-' && z[1])
			z++;
	}
	return z;
}

/* The Cert Expires cell of a node into out. */
static const char *cert_expires(const char *state_dir, const struct node *n,
				time_t now, char out[16])
{
	struct tm tm;
	time_t t;
	int r;

	if (!strcmp(n->role, "LB"))
		return "-";
	r = pki_node_expiry(state_dir, n, &t);
	if (r == 0)
		return "none";
	if (r < 0 || !gmtime_r(&t, &tm))
		return "unreadable";
	if (t <= now)
		return "EXPIRED";
	strftime(out, 16, "%Y-%m-%d", &tm);
	return out;
}

/* Parses -options: a comma list of wide and certs. */
static int inventory_options(const char *opts, bool *wide, bool *certs)
{
	const char *p = opts;

	*wide = *certs = false;
	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (n == 4 && !strncmp(p, "wide", 4))
			*wide = true;
		else if (n == 5 && !strncmp(p, "certs", 5))
			*certs = true;
		else
			return error("inventory: -options takes 'wide' and "
				     "'certs' (a comma list), got '%s'", opts);
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static cJSON *inventory_json(struct node *const *sel, size_t nsel,
			     const char *const *certs)
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
		if (certs)
			cJSON_AddStringToObject(o, "CertExpires", certs[i]);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

int inventory_show(const char *state_dir, struct node *const *sel,
		   size_t nsel, const char *options, cJSON **response)
{
	static const char *const headers[] = {
		"Machine", "IP Address", "DNS Name", "Region", "Zone",
		"Cert Expires",
	};
	bool wide, certs;
	struct table t;
	char (*days)[16] = NULL;
	const char **cert = NULL;
	time_t now = time(NULL);
	size_t i;

	if (inventory_options(options, &wide, &certs))
		return -1;
	if (certs) {
		days = xcalloc(nsel + 1, sizeof(*days));
		cert = xcalloc(nsel + 1, sizeof(*cert));
	}
	table_init(&t, headers, ARRAY_SIZE(headers) - !certs);
	for (i = 0; i < nsel; i++) {
		const struct node *n = sel[i];
		char *name = node_shown_name(n), *ip, *dns;
		const char *row[6];

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
		if (certs)
			row[5] = cert[i] = cert_expires(state_dir, n, now,
							days[i]);
		table_add(&t, row);
		free(name);
		free(ip);
		free(dns);
	}
	table_print(&t);
	table_release(&t);
	if (response)
		*response = inventory_json(sel, nsel, cert);
	free(cert);
	free(days);
	return 0;
}

int cmd_inventory(struct ctx *ctx)
{
	return inventory_show(ctx->state_dir, ctx->sel, ctx->nsel,
			      opt_str(&ctx->opts, OPT_OPTIONS),
			      &ctx->response);
}
