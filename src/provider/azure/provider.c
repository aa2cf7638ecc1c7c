/*
 * provider.c: the Azure provider's vtable (provider.h): validate, create
 * (ICM's phases and console lines), destroy; the session every step uses
 * (see azure.h).
 */
#include "azure.h"
#include "tf.h"
#include "../cidr.h"
#include "../defs.h"
#include "../resize.h"
#include "../../config/config.h"
#include "../../state/log.h"
#include "../../util/str.h"
#include <ctype.h>

char *az_loc(const char *l)
{
	char *out = xstrdup(l ? l : ""), *d = out;
	const char *c;

	for (c = out; *c; c++)
		if (*c != ' ')
			*d++ = (char)tolower((unsigned char)*c);
	*d = '\0';
	return out;
}

int az_loc_index(const struct az *z, const char *l)
{
	char *want = az_loc(l);
	size_t i;
	int ret = -1;

	for (i = 0; l && i < z->nlocs && ret < 0; i++)
		if (!strcmp(z->locs[i], want))
			ret = (int)i;
	free(want);
	return ret;
}

const char *az_node_loc(const struct az *z, const struct node *n)
{
	int i = az_loc_index(z, n->region);

	return i < 0 ? "" : z->locs[i];
}

char *az_id(const struct az *z, const char *type, const char *name)
{
	return xasprintf("%s/providers/%s/%s", z->rg, type, name);
}

static void add_loc(struct az *z, const char *l)
{
	if (!l || !*l || az_loc_index(z, l) >= 0)
		return;
	z->locs = xrealloc(z->locs, (z->nlocs + 1) * sizeof(char *));
	z->locs[z->nlocs++] = az_loc(l);
}

/* The Location list of defaults.json (its order numbers the subnets),
 * then every node's. */
static void locations_of(struct az *z, const struct plan *p)
{
	const char *list = z->pc->cfg ? config_get(z->pc->cfg, -1,
						   "Location") : NULL;
	size_t i;
	char *l;

	for (i = 0; (l = str_list_entry(list, i)); i++) {
		add_loc(z, l);
		free(l);
	}
	for (i = 0; i < p->n; i++)
		add_loc(z, p->nodes[i].region);
}

static void teardown_turn(void *prov, const struct res_kind *k)
{
	struct az *z = prov;

	if (k != &az_kind_nsg)
		return;
	provider_say_definitions(z->plan, "...completed destroy of ", "");
	say("Starting destroy of %s...", z->dep);
}

static int az_open(struct az *z, const struct provider_ctx *pc,
		   const struct plan *p)
{
	const struct node *a;
	struct engine_opts eo;
	char *why = NULL;
	int def;

	memset(z, 0, sizeof(*z));
	z->pc = pc;
	z->plan = p;
	for (def = 0; !z->any && def < provider_def_count(p); def++)
		z->any = provider_def_node(p, def);
	if (!(a = z->any))
		return error("no nodes to provision");
	z->dep = xasprintf("%s-%s", afld(a, "Label"), afld(a, "Tag"));
	locations_of(z, p);
	if (!z->nlocs)
		return error("Azure: Location is required");
	if (az_auth_init(&z->auth, afld_true(a, "UseMSI"),
			 afld(a, "TenantId"), afld(a, "ClientId"),
			 afld(a, "ClientSecret"), &why) ||
	    http_client_init(&z->http, &why) ||
	    arm_init(&z->arm, &z->auth, &z->http, afld(a, "SubscriptionId"),
		     &why)) {
		error("Azure: %s", why);
		free(why);
		return -1;
	}
	z->group = xstrdup(afld(a, "ResourceGroupName") ?: z->dep);
	z->rg = xasprintf("/subscriptions/%s/resourceGroups/%s",
			  z->arm.subscription, z->group);
	memset(&eo, 0, sizeof(eo));
	eo.state_dir = pc->state_dir;
	eo.deployment = z->dep;
	eo.kinds = az_kinds;
	eo.prov = z;
	eo.force = pc->force;
	eo.confirm = pc->confirm;
	eo.teardown_turn = teardown_turn;
	if (engine_open(&eo, &z->e))
		return -1;
	z->j = engine_journal(z->e);
	return 0;
}

static void az_close(struct az *z)
{
	size_t i;

	engine_close(z->e);
	arm_release(&z->arm);
	if (z->http.curl)
		http_client_release(&z->http);
	az_auth_release(&z->auth);
	for (i = 0; i < z->nlocs; i++) {
		free(z->locs[i]);
		if (z->vnets) {
			free(z->vnets[i]);
			free(z->subnets[i]);
			free(z->nsgs[i]);
		}
	}
	free(z->locs);
	free(z->vnets);
	free(z->subnets);
	free(z->nsgs);
	free(z->dep);
	free(z->group);
	free(z->rg);
	memset(z, 0, sizeof(*z));
}

/* A definition's phases (provider_each_definition()). */
struct phase {
	struct az *z;
	struct plan *p;
};

static int plan_definition(void *arg, int def)
{
	struct phase *ph = arg;

	return azure_terraform_write_definition(ph->z->pc->state_dir,
						ph->z->pc->cfg, ph->p, def);
}

static int apply_definition(void *arg, int def)
{
	struct phase *ph = arg;

	return az_apply_definition(ph->z, ph->p, def);
}

/*
 * ICM's phases: plan and apply of <Label>-<Tag> (the image checked, the
 * resource group, networks, security groups), then per definition its
 * plan (Terraform files) and apply (its VMs, which run when their
 * operations succeed, and its load balancer).
 */
static int az_create(const struct provider_ctx *pc, struct plan *p)
{
	struct az z;
	struct phase ph = { &z, p };
	int ret = -1;

	memset(&z, 0, sizeof(z));
	if (volume_growths_refuse(pc, p, "Azure", "VM") ||
	    az_open(&z, pc, p) ||
	    engine_reconcile(z.e, p))
		goto out;
	say("Starting plan of %s...", z.dep);
	if (azure_terraform_write_shared(pc->state_dir, pc->cfg, p))
		goto out;
	say("...completed plan of %s", z.dep);
	say("Starting apply of %s...", z.dep);
	if (az_image(&z) || az_group(&z) || az_networks(&z))
		goto out;
	say("...completed apply of %s", z.dep);
	if (engine_scale_in(z.e, &az_kind_vm, p) ||
	    provider_each_definition(p, plan_definition, apply_definition, &ph) ||
	    az_node_facts(&z, p))
		goto out;
	provider_say_definitions(p, "...completed apply of ", "");
	debug("ARM: %u calls for %zu nodes (%u token%s)", z.arm.calls, p->n,
	      z.auth.cache.exchanges, z.auth.cache.exchanges == 1 ? "" : "s");
	ret = 0;
out:
	az_close(&z);
	return ret;
}

static int az_destroy(const struct provider_ctx *pc, const struct plan *p)
{
	struct az z;
	int ret = -1;

	memset(&z, 0, sizeof(z));
	if (az_open(&z, pc, p))
		goto out;
	/* dependency order (kinds.c): load balancers, VMs (their disks,
	 * NICs and public IPs with them), NICs and public IPs left over,
	 * security groups, networks, and last the resource group when icm
	 * made it; each found by its tags, so what the user supplied
	 * (ResourceGroupName, VirtualNetworkName) is never touched.  When
	 * icm made the group, deleting it (ARM deletes what it holds, and
	 * waits) is the whole teardown */
	provider_say_definitions(p, "Starting destroy of ", "...");
	z.group_goes = engine_id(z.e, "group") != NULL;
	if (engine_teardown(z.e))
		goto out;
	say("...completed destroy of %s", z.dep);
	debug("ARM: %u calls", z.arm.calls);
	ret = 0;
out:
	az_close(&z);
	return ret;
}

/* ------------------------------------------------------------ validate */

/* s is 1..max characters of [A-Za-z0-9] and the ones in also, and does
 * not end with one in bad_end. */
static bool name_ok(const char *s, size_t max, const char *also,
		    const char *bad_end)
{
	size_t n = s ? strlen(s) : 0, i;

	if (!n || n > max || strchr(bad_end, s[n - 1]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(also, s[i]))
			return false;
	return true;
}

/* Azure's rule for a Linux VM's admin password: 6-72 characters, three
 * of lower case, upper case, digit, other. */
static bool password_ok(const char *pw)
{
	size_t n = pw ? strlen(pw) : 0, i;
	bool c[4] = { false, false, false, false };

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)pw[i];

		c[islower(ch) ? 0 : isupper(ch) ? 1 : isdigit(ch) ? 2 : 3] =
			true;
	}
	return n >= 6 && n <= 72 && c[0] + c[1] + c[2] + c[3] >= 3;
}

static const char *const disk_skus[] = {
	"Standard_LRS", "StandardSSD_LRS", "Premium_LRS", "UltraSSD_LRS",
	"PremiumV2_LRS", "StandardSSD_ZRS", "Premium_ZRS",
};

static bool sku_ok(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(disk_skus); i++)
		if (!strcmp(s, disk_skus[i]))
			return true;
	return false;
}

/* The disk SKUs of node n; -1 reported. */
static int check_disks(const struct node *n)
{
	static const char *const vols[] = {
		"OS", "Data", "WIJ", "Journal1", "Journal2", "Docker",
	};
	char f[64], *acct = xasprintf("%s_%s",
				      afld(n, "AccountTier") ?: "Standard",
				      afld(n, "AccountReplicationType") ?:
				      "LRS");
	size_t i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(vols) && !ret; i++) {
		const char *t;

		snprintf(f, sizeof(f), "%sVolumeType", vols[i]);
		t = afld(n, f);
		if (t && !sku_ok(t))
			ret = error("%s: %s '%s' is not a managed disk SKU "
				    "(Standard_LRS, StandardSSD_LRS, "
				    "Premium_LRS, StandardSSD_ZRS, "
				    "Premium_ZRS, UltraSSD_LRS, "
				    "PremiumV2_LRS)", n->name, f, t);
		else if (!t && !sku_ok(acct))
			ret = error("%s: AccountTier %s with "
				    "AccountReplicationType %s gives no "
				    "managed disk SKU (%s): managed disks are "
				    "LRS or ZRS%s; or set %s to a SKU",
				    n->name, afld(n, "AccountTier") ?:
				    "Standard", afld(n,
				    "AccountReplicationType") ?: "LRS", acct,
				    strstr(acct, "GRS") ? " (GRS and RAGRS "
				    "replicated storage accounts)" :
				    " (Standard_ZRS does not exist: "
				    "StandardSSD_ZRS does)", f);
	}
	free(acct);
	return ret;
}

/* What the configuration rules cannot check for node n; -1 reported. */
static int check_node(const struct node *n)
{
	const char *ci = afld(n, "CustomImage");

	if (!name_ok(n->name, AZ_NAME_MAX, "-", "-"))
		return error("%s: an Azure VM name has at most %d letters, "
			     "digits and '-' and does not end with '-' "
			     "(Label, Tag)", n->name, AZ_NAME_MAX);
	if (!strcmp(n->role, "LB"))
		return 0;
	if (!n->region || !name_ok(n->region, 40, " ", " ") ||
	    n->region[0] == ' ')
		return error("%s: Location '%s' is not an Azure location "
			     "(letters, digits and spaces: eastus, or Central "
			     "US as the portal shows it)", n->name,
			     n->region ? n->region : "");
	if (n->zone && *n->zone && (strlen(n->zone) > 2 ||
				     strspn(n->zone, "0123456789") !=
				     strlen(n->zone)))
		return error("%s: Zone '%s' is not an Azure availability "
			     "zone (1, 2, 3, or none)", n->name, n->zone);
	if (ci && (!str_starts(ci, "/subscriptions/") ||
		   !strcasestr(ci, "/providers/Microsoft.Compute/") ||
		   strstr(ci, "..") || !name_ok(ci, 1024, "/-_.()", "/")))
		return error("%s: CustomImage '%s' is not an image's resource "
			     "ID (/subscriptions/<id>/resourceGroups/<group>/"
			     "providers/Microsoft.Compute/images/<name>)",
			     n->name, ci);
	if (!password_ok(afld(n, "SSHPassword")))
		return error("%s: SSHPassword does not meet Azure's rule for "
			     "a Linux VM: 6 to 72 characters, with three of "
			     "lower case, upper case, digits and other "
			     "characters", n->name);
	return check_disks(n);
}

/* The deployment-wide names; -1 reported. */
static int check_names(const struct node *any)
{
	static const struct {
		const char *field, *also;
		size_t max;
	} names[] = {
		{ "ResourceGroupName", "-_.()", 90 },
		{ "PublisherName", "-_.", 128 }, { "Offer", "-_.", 128 },
		{ "Sku", "-_.", 128 }, { "Version", "-_.", 64 },
		{ "Size", "-_", 64 },
	};
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const char *v = afld(any, names[i].field);

		if (v && !name_ok(v, names[i].max, names[i].also, "."))
			return error("Azure: %s '%s' is not an Azure name "
				     "(letters, digits and %s; at most %zu)",
				     names[i].field, v, names[i].also,
				     names[i].max);
	}
	for (i = 0; i < 2; i++) {
		const char *f = i ? "SubnetName" : "VirtualNetworkName";
		char *e;

		for (k = 0; (e = str_list_entry(afld(any, f), k)); k++) {
			bool ok = name_ok(e, 80, "-_.", ".-");

			free(e);
			if (!ok)
				return error("Azure: %s entry %zu is not an "
					     "Azure network name (letters, "
					     "digits, '-', '_', '.'; at most "
					     "80)", f, k + 1);
		}
	}
	if (afld(any, "VirtualNetworkName") &&
	    !afld(any, "ResourceGroupName"))
		return error("Azure: VirtualNetworkName needs "
			     "ResourceGroupName, the group that holds it");
	if (afld(any, "VirtualNetworkName") && !afld(any, "SubnetName"))
		return error("Azure: VirtualNetworkName needs SubnetName (one "
			     "existing subnet per Location entry)");
	return 0;
}

static int az_validate(const struct provider_ctx *pc, const struct plan *p)
{
	const struct node *any = NULL;
	char *cidr;
	size_t i;
	int def, ret;

	(void)pc;
	for (def = 0; !any && def < provider_def_count(p); def++)
		any = provider_def_node(p, def);
	if (!any)
		return 0;
	ret = check_names(any);
	for (i = 0; i < p->n && !ret; i++)
		ret = check_node(&p->nodes[i]);
	if (!ret && !afld(any, "VirtualNetworkName")) {
		cidr = provider_subnet_cidr(any, 0);
		ret = cidr ? 0 : -1;
		free(cidr);
	}
	return ret;
}

const struct provider provider_azure = {
	.name = "Azure",
	.validate = az_validate,
	.create = az_create,
	.destroy = az_destroy,
};
