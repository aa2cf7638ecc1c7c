/*
 * provider.c: the GCP provider's vtable (provider.h): validate, create
 * (ICM's phases and console lines), destroy; the session every step uses
 * (see gcp.h).
 */
#include "gcp.h"
#include "tf.h"
#include "../cidr.h"
#include "../defs.h"
#include "../resize.h"
#include "../../config/config.h"
#include "../../state/log.h"
#include "../../util/str.h"

char *gcp_name(const char *s)
{
	char *n = xstrdup(s), *p;

	for (p = n; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (!((*p >= 'a' && *p <= 'z') ||
			   (*p >= '0' && *p <= '9') || *p == '-'))
			*p = '-';
	}
	return n;
}

/* A valid GCE name: [a-z]([-a-z0-9]{0,61}[a-z0-9])? */
static bool gce_name_ok(const char *n)
{
	size_t len = strlen(n);

	return len && len <= GCE_NAME_MAX && n[0] >= 'a' && n[0] <= 'z' &&
	       n[len - 1] != '-';
}

char *gcp_zone_region(const char *z)
{
	const char *dash = z ? strrchr(z, '-') : NULL;

	return dash ? xstrndup(z, (size_t)(dash - z)) : xstrdup(z ? z : "");
}

int gcp_region_index(const struct gcp *g, const char *r)
{
	size_t i;

	for (i = 0; r && i < g->nregions; i++)
		if (!strcmp(g->regions[i], r))
			return (int)i;
	return -1;
}

static void add_region(struct gcp *g, const char *r)
{
	if (!r || !*r || gcp_region_index(g, r) >= 0)
		return;
	g->regions = xrealloc(g->regions, (g->nregions + 1) * sizeof(char *));
	g->regions[g->nregions++] = xstrdup(r);
}

/* The Region list of defaults.json (its order numbers the subnets), then
 * the region of every node's zone. */
static void regions_of(struct gcp *g, const struct plan *p)
{
	const char *list = g->pc->cfg ? config_get(g->pc->cfg, -1, "Region") :
		NULL;
	char *s = xstrdup(list ? list : ""), *w, *save = NULL;
	size_t i;

	for (w = strtok_r(s, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		while (*w == ' ')
			w++;
		add_region(g, w);
	}
	free(s);
	for (i = 0; i < p->n; i++) {
		char *r = p->nodes[i].zone ?
			gcp_zone_region(p->nodes[i].zone) : NULL;

		add_region(g, r);
		free(r);
	}
}

static void teardown_turn(void *prov, const struct res_kind *k)
{
	struct gcp *g = prov;

	if (k != &gcp_kind_firewall)
		return;
	provider_say_definitions(g->plan, "...completed destroy of ", "");
	say("Starting destroy of %s...", g->dep);
}

static int gcp_open(struct gcp *g, const struct provider_ctx *pc,
		    const struct plan *p)
{
	struct engine_opts eo;
	const char *ep = getenv(GCE_ENDPOINT_ENV);
	char *why = NULL;
	int def;

	memset(g, 0, sizeof(*g));
	g->pc = pc;
	g->plan = p;
	for (def = 0; !g->any && def < provider_def_count(p); def++)
		g->any = provider_def_node(p, def);
	if (!g->any)
		return error("no nodes to provision");
	g->dep = xasprintf("%s-%s", gfld(g->any, "Label"),
			   gfld(g->any, "Tag"));
	g->ldep = gcp_name(g->dep);
	if (!gfld(g->any, "Credentials"))
		return error("GCP: Credentials (the service account's key "
			     "file) is required");
	if (gcp_auth_init(&g->auth, gfld(g->any, "Credentials"), &why)) {
		error("GCP: Credentials: %s", why);
		free(why);
		return -1;
	}
	g->project = xstrdup(gfld(g->any, "Project") ?:
			     g->auth.key.project_id ?: "");
	if (!*g->project)
		return error("GCP: Project is required (and the key file "
			     "names none)");
	g->endpoint = xstrdup(ep && *ep ? ep : GCE_ENDPOINT);
	if (!str_ends(g->endpoint, "/")) {
		char *e = xasprintf("%s/", g->endpoint);

		free(g->endpoint);
		g->endpoint = e;
	}
	if (ep && *ep)
		debug("GCP: endpoint %s (%s)", g->endpoint, GCE_ENDPOINT_ENV);
	g->base = xasprintf("%sprojects/%s/", g->endpoint, g->project);
	if (http_client_init(&g->http, &why)) {
		error("GCP: %s", why);
		free(why);
		return -1;
	}
	regions_of(g, p);
	memset(&eo, 0, sizeof(eo));
	eo.state_dir = pc->state_dir;
	eo.deployment = g->dep;
	eo.kinds = gcp_kinds;
	eo.prov = g;
	eo.force = pc->force;
	eo.confirm = pc->confirm;
	eo.teardown_turn = teardown_turn;
	if (engine_open(&eo, &g->e))
		return -1;
	g->j = engine_journal(g->e);
	return 0;
}

static void gcp_close(struct gcp *g)
{
	size_t i;

	engine_close(g->e);
	if (g->http.curl)
		http_client_release(&g->http);
	gcp_auth_release(&g->auth);
	for (i = 0; i < g->nregions; i++) {
		free(g->regions[i]);
		if (g->subnets)
			free(g->subnets[i]);
	}
	free(g->regions);
	free(g->subnets);
	free(g->dep);
	free(g->ldep);
	free(g->project);
	free(g->endpoint);
	free(g->base);
	free(g->network);
	free(g->image);
	memset(g, 0, sizeof(*g));
}

/* A definition's phases (provider_each_definition()). */
struct phase {
	struct gcp *g;
	struct plan *p;
};

static int plan_definition(void *arg, int def)
{
	struct phase *ph = arg;

	return gcp_terraform_write_definition(ph->g->pc->state_dir,
					      ph->g->pc->cfg, ph->p, def);
}

static int apply_definition(void *arg, int def)
{
	struct phase *ph = arg;

	return gcp_apply_definition(ph->g, ph->p, def);
}

/*
 * ICM's phases: plan and apply of <Label>-<Tag> (network, subnets,
 * firewall), then per definition its plan (Terraform files) and apply (its
 * instances, its load balancer), which completes once every instance runs.
 */
static int gcp_create(const struct provider_ctx *pc, struct plan *p)
{
	struct gcp g;
	struct phase ph = { &g, p };
	size_t i, n = 0;
	int ret = -1;

	memset(&g, 0, sizeof(g));
	if (volume_growths_refuse(pc, p, "GCP", "instance") ||
	    gcp_open(&g, pc, p) ||
	    engine_reconcile(g.e, p))
		goto out;
	say("Starting plan of %s...", g.dep);
	if (gcp_terraform_write_shared(pc->state_dir, pc->cfg, p))
		goto out;
	say("...completed plan of %s", g.dep);
	say("Starting apply of %s...", g.dep);
	if (gcp_image(&g) || gcp_network(&g) || gcp_firewall(&g))
		goto out;
	say("...completed apply of %s", g.dep);
	if (engine_scale_in(g.e, &gcp_kind_instance, p))
		goto out;
	if (provider_each_definition(p, plan_definition, apply_definition,
				     &ph))
		goto out;
	for (i = 0; i < p->n; i++)
		n += strcmp(p->nodes[i].role, "LB") != 0;
	say("Waiting for %zu instance%s to run...", n, n == 1 ? "" : "s");
	if (gcp_wait_running(&g, p))
		goto out;
	provider_say_definitions(p, "...completed apply of ", "");
	debug("GCE: %lu calls for %zu nodes (%u token%s)", g.calls, n,
	      g.auth.cache.exchanges, g.auth.cache.exchanges == 1 ? "" : "s");
	ret = 0;
out:
	gcp_close(&g);
	return ret;
}

static int gcp_destroy(const struct provider_ctx *pc, const struct plan *p)
{
	struct gcp g;
	int ret = -1;

	memset(&g, 0, sizeof(g));
	if (gcp_open(&g, pc, p))
		goto out;
	/* dependency order (kinds.c): forwarding rules, target pools,
	 * health checks, instances (their disks go with them), disks left
	 * over, addresses, then the deployment's firewall, subnets,
	 * network; each found by its description or label, so what the user
	 * supplied (Network, Subnet) is never touched */
	provider_say_definitions(p, "Starting destroy of ", "...");
	if (engine_teardown(g.e))
		goto out;
	say("...completed destroy of %s", g.dep);
	debug("GCE: %lu calls", g.calls);
	ret = 0;
out:
	gcp_close(&g);
	return ret;
}

static const char *const volume_types[] = {
	"OSVolumeType", "DataVolumeType", "WIJVolumeType",
	"Journal1VolumeType", "Journal2VolumeType", "DockerVolumeType",
};

/* What the configuration rules cannot check for GCP; -1 reported. */
static int check_node(const struct node *n)
{
	char *name = gcp_name(n->name), *region;
	size_t i;
	int ret = 0;

	if (!gce_name_ok(name))
		ret = error("%s: the GCE instance name '%s' must start with a "
			    "letter, end with a letter or digit and have at "
			    "most %d characters (Label, Tag)", n->name, name,
			    GCE_NAME_MAX);
	free(name);
	if (ret || !strcmp(n->role, "LB"))
		return ret;
	region = gcp_zone_region(n->zone);
	if (!n->zone || !n->region || strcmp(region, n->region))
		ret = error("%s: Zone '%s' is not a zone of Region '%s' "
			    "(e.g. %s-b)", n->name, n->zone ? n->zone : "",
			    n->region ? n->region : "",
			    n->region ? n->region : "us-east1");
	free(region);
	for (i = 0; i < ARRAY_SIZE(volume_types) && !ret; i++) {
		const char *t = gfld(n, volume_types[i]);

		if (t && strcmp(t, "pd-standard") && strcmp(t, "pd-ssd") &&
		    strcmp(t, "pd-balanced") && strcmp(t, "pd-extreme"))
			ret = error("%s: %s '%s' is not a GCE disk type "
				    "(pd-standard, pd-balanced, pd-ssd, "
				    "pd-extreme)", n->name, volume_types[i],
				    t);
	}
	return ret;
}

static int gcp_validate(const struct provider_ctx *pc, const struct plan *p)
{
	const struct node *any = NULL;
	char *ldep, *cidr;
	size_t i;
	int def, ret = 0;

	(void)pc;
	for (def = 0; !any && def < provider_def_count(p); def++)
		any = provider_def_node(p, def);
	if (!any)
		return 0;
	ldep = xasprintf("%s-%s-icm", gfld(any, "Label"), gfld(any, "Tag"));
	{
		char *l = gcp_name(ldep);

		if (!gce_name_ok(l))
			ret = error("GCP: '%s' (Label-Tag-icm, the firewall "
				    "rule's name) must start with a letter and "
				    "have at most %d characters", l,
				    GCE_NAME_MAX);
		free(l);
	}
	free(ldep);
	for (i = 0; i < p->n && !ret; i++)
		ret = check_node(&p->nodes[i]);
	if (!ret && !gfld(any, "Subnet")) {
		cidr = provider_subnet_cidr(any, 0);
		ret = cidr ? 0 : -1;
		free(cidr);
	}
	return ret;
}

const struct provider provider_gcp = {
	.name = "GCP",
	.validate = gcp_validate,
	.create = gcp_create,
	.destroy = gcp_destroy,
};
