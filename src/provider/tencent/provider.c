/*
 * provider.c: the Tencent provider's vtable (provider.h): validate,
 * create (ICM's phases and console lines), destroy; the session every
 * step uses (see tencent.h).
 */
#include "tencent.h"
#include "tf.h"
#include "../defs.h"
#include "../resize.h"
#include "../../config/config.h"
#include "../../state/log.h"
#include "../../util/str.h"

int tcz_zone_index(const struct tcz *t, const char *z)
{
	size_t i;

	for (i = 0; z && i < t->nzones; i++)
		if (!strcmp(t->zones[i], z))
			return (int)i;
	return -1;
}

int tcz_call(struct tcz *t, const char *service, const char *action,
	     const cJSON *params, cJSON **response, struct cloud_err *err)
{
	return tc_call(&t->api, service, TCV_CVM, t->region, action, params,
		       response, err);
}

static void add_zone(struct tcz *t, const char *z)
{
	if (!z || !*z || tcz_zone_index(t, z) >= 0)
		return;
	t->zones = xrealloc(t->zones, (t->nzones + 1) * sizeof(char *));
	t->zones[t->nzones++] = xstrdup(z);
}

/* The Zone list of defaults.json (its order numbers the subnets and
 * SubnetIds), then every node's zone. */
static void zones_of(struct tcz *t, const struct plan *p)
{
	const char *list = t->pc->cfg ? config_get(t->pc->cfg, -1, "Zone") :
		NULL;
	size_t i;
	char *z;

	for (i = 0; (z = str_list_entry(list, i)); i++) {
		add_zone(t, z);
		free(z);
	}
	for (i = 0; i < p->n; i++)
		add_zone(t, p->nodes[i].zone);
}

static void teardown_turn(void *prov, const struct res_kind *k)
{
	struct tcz *t = prov;

	if (k != &tcz_kind_keypair)
		return;
	provider_say_definitions(t->plan, "...completed destroy of ", "");
	say("Starting destroy of %s...", t->dep);
}

static int tcz_open(struct tcz *t, const struct provider_ctx *pc,
		    const struct plan *p)
{
	struct engine_opts eo;
	char *why = NULL;
	int def;

	memset(t, 0, sizeof(*t));
	t->pc = pc;
	t->plan = p;
	for (def = 0; !t->any && def < provider_def_count(p); def++)
		t->any = provider_def_node(p, def);
	if (!t->any)
		return error("no nodes to provision");
	t->dep = xasprintf("%s-%s", tfld(t->any, "Label"), tfld(t->any, "Tag"));
	t->region = tfld(t->any, "Region");
	if (!t->region)
		return error("Tencent: Region is required");
	zones_of(t, p);
	if (http_client_init(&t->http, &why) ||
	    tc_init(&t->api, &t->http, tfld(t->any, "SecretID"),
		    tfld(t->any, "SecretKey"), &why)) {
		error("Tencent: %s", why);
		free(why);
		return -1;
	}
	memset(&eo, 0, sizeof(eo));
	eo.state_dir = pc->state_dir;
	eo.deployment = t->dep;
	eo.kinds = tcz_kinds;
	eo.prov = t;
	eo.force = pc->force;
	eo.confirm = pc->confirm;
	eo.teardown_turn = teardown_turn;
	if (engine_open(&eo, &t->e))
		return -1;
	t->j = engine_journal(t->e);
	return 0;
}

static void tcz_close(struct tcz *t)
{
	size_t i;

	engine_close(t->e);
	tc_release(&t->api);
	if (t->http.curl)
		http_client_release(&t->http);
	for (i = 0; i < t->nzones; i++) {
		free(t->zones[i]);
		if (t->subnets)
			free(t->subnets[i]);
	}
	free(t->zones);
	free(t->subnets);
	free(t->dep);
	free(t->vpc);
	free(t->sg);
	free(t->keypair);
	free(t->image);
	memset(t, 0, sizeof(*t));
}

struct phase {
	struct tcz *t;
	struct plan *p;
};

static int plan_definition(void *arg, int def)
{
	struct phase *ph = arg;

	return tencent_terraform_write_definition(ph->t->pc->state_dir,
						  ph->t->pc->cfg, ph->p, def);
}

static int apply_definition(void *arg, int def)
{
	struct phase *ph = arg;

	return tcz_apply_definition(ph->t, ph->p, def);
}

/*
 * ICM's phases: plan (Terraform files) and apply of <Label>-<Tag> (the
 * image found, the VPC,
 * subnets, security group, key pair), then per definition its apply (its
 * instances), which completes once every instance runs and the load
 * balancers have them as targets.
 */
static int tcz_create(const struct provider_ctx *pc, struct plan *p)
{
	struct tcz t;
	struct phase ph = { &t, p };
	size_t i, n = 0;
	int ret = -1;

	memset(&t, 0, sizeof(t));
	if (volume_growths_refuse(pc, p, "Tencent", "instance") ||
	    tcz_open(&t, pc, p) ||
	    engine_reconcile(t.e, p))
		goto out;
	say("Starting plan of %s...", t.dep);
	if (tencent_terraform_write_shared(pc->state_dir, pc->cfg, p))
		goto out;
	say("...completed plan of %s", t.dep);
	say("Starting apply of %s...", t.dep);
	if (tcz_image(&t) || tcz_network(&t) || tcz_security_group(&t) ||
	    tcz_keypair(&t))
		goto out;
	say("...completed apply of %s", t.dep);
	if (engine_scale_in(t.e, &tcz_kind_instance, p) ||
	    provider_each_definition(p, plan_definition, apply_definition,
				     &ph))
		goto out;
	for (i = 0; i < p->n; i++)
		n += strcmp(p->nodes[i].role, "LB") != 0;
	say("Waiting for %zu instance%s to run...", n, n == 1 ? "" : "s");
	if (tcz_wait_running(&t, p))
		goto out;
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->nodes[i].role, "LB") &&
		    tcz_load_balancer(&t, &p->nodes[i], p))
			goto out;
	provider_say_definitions(p, "...completed apply of ", "");
	debug("Tencent: %u calls for %zu nodes", t.api.calls, n);
	ret = 0;
out:
	tcz_close(&t);
	return ret;
}

static int tcz_destroy(const struct provider_ctx *pc, const struct plan *p)
{
	struct tcz t;
	int ret = -1;

	memset(&t, 0, sizeof(t));
	if (tcz_open(&t, pc, p))
		goto out;
	/* dependency order (kinds.c): instances (their disks with them),
	 * EIPs, then the key pair, security group, subnets, VPC; each found
	 * by its tags, so a VPCId or SubnetIds of the user's is never
	 * touched */
	provider_say_definitions(p, "Starting destroy of ", "...");
	if (engine_teardown(t.e))
		goto out;
	say("...completed destroy of %s", t.dep);
	debug("Tencent: %u calls", t.api.calls);
	ret = 0;
out:
	tcz_close(&t);
	return ret;
}

static const char *const volume_types[] = {
	"OSVolumeType", "DataVolumeType", "WIJVolumeType",
	"Journal1VolumeType", "Journal2VolumeType", "DockerVolumeType",
};

/* What the configuration rules cannot check for node n; -1 reported. */
static int check_node(const struct node *n)
{
	size_t i, len = strlen(n->name);

	if (len > TCZ_NAME_MAX)
		return error("%s: a Tencent instance name has at most %d "
			     "characters (Label, Tag)", n->name,
			     TCZ_NAME_MAX);
	if (!strcmp(n->role, "LB"))
		return 0;
	if (!n->zone || !n->region || strncmp(n->zone, n->region,
					      strlen(n->region)) ||
	    n->zone[strlen(n->region)] != '-')
		return error("%s: Zone '%s' is not a zone of Region '%s' (e.g. "
			     "%s-1)", n->name, n->zone ? n->zone : "",
			     n->region ? n->region : "",
			     n->region ? n->region : "ap-guangzhou");
	for (i = 0; i < ARRAY_SIZE(volume_types); i++) {
		const char *t = tfld(n, volume_types[i]);

		if (t && strcmp(t, "CLOUD_BASIC") && strcmp(t, "CLOUD_PREMIUM") &&
		    strcmp(t, "CLOUD_SSD") && strcmp(t, "CLOUD_BSSD") &&
		    strcmp(t, "CLOUD_HSSD"))
			return error("%s: %s '%s' is not a Tencent disk type "
				     "(CLOUD_BASIC, CLOUD_PREMIUM, CLOUD_SSD, "
				     "CLOUD_BSSD, CLOUD_HSSD)", n->name,
				     volume_types[i], t);
	}
	return 0;
}

static int tcz_validate(const struct provider_ctx *pc, const struct plan *p)
{
	const struct node *any = NULL;
	char *cidr;
	size_t i;
	int def, ret = 0;

	(void)pc;
	for (def = 0; !any && def < provider_def_count(p); def++)
		any = provider_def_node(p, def);
	if (!any)
		return 0;
	for (i = 0; i < p->n && !ret; i++)
		ret = check_node(&p->nodes[i]);
	if (!ret && !tfld(any, "VPCId")) {
		cidr = tcz_vpc_cidr(any);
		ret = cidr ? 0 : -1;
		free(cidr);
	}
	return ret;
}

const struct provider provider_tencent = {
	.name = "Tencent",
	.validate = tcz_validate,
	.create = tcz_create,
	.destroy = tcz_destroy,
};
