/*
 * provider.c: the vSphere provider's vtable (provider.h): validate,
 * create (ICM's phases and console lines), destroy; see vsphere.h.
 */
#include "vsphere.h"
#include "tf.h"
#include "../defs.h"
#include "../resize.h"
#include "../../state/log.h"
#include "../../util/str.h"
#include <arpa/inet.h>

static void teardown_turn(void *prov, const struct res_kind *k)
{
	struct vs *s = prov;

	if (k == &vs_kind_vm)
		provider_say_definitions(s->plan, "Starting destroy of ", "...");
	else
		say("Starting destroy of %s...", s->dep);
}

static int vs_open(struct vs *s, const struct provider_ctx *pc,
		   const struct plan *p, bool full)
{
	struct engine_opts eo;

	memset(s, 0, sizeof(*s));
	s->pc = pc;
	s->plan = p;
	s->any = provider_def_node(p, 0);
	for (int d = 1; !s->any && d < provider_def_count(p); d++)
		s->any = provider_def_node(p, d);
	if (!s->any)
		return error("no nodes to provision");
	s->dep = xasprintf("%s-%s", vs_fld(s->any, "Label"),
			   vs_fld(s->any, "Tag"));
	if (vs_connect(s) || vs_inventory(s, full) || vs_fields(s))
		return -1;
	memset(&eo, 0, sizeof(eo));
	eo.state_dir = pc->state_dir;
	eo.deployment = s->dep;
	eo.kinds = vs_kinds;
	eo.prov = s;
	eo.force = pc->force;
	eo.confirm = pc->confirm;
	eo.teardown_turn = teardown_turn;
	return engine_open(&eo, &s->e);
}

static void vs_close(struct vs *s)
{
	int i;

	engine_close(s->e);
	vim_close(&s->v);
	free(s->dep);
	free(s->dc);
	free(s->vm_folder);
	free(s->pool);
	free(s->datastore);
	free(s->pod);
	free(s->network);
	free(s->network_type);
	free(s->dvs_uuid);
	free(s->pg_key);
	free(s->folder);
	free(s->tmpl.id);
	for (i = 0; i < s->tmpl.nics; i++)
		free(s->tmpl.nic_type[i]);
	memset(s, 0, sizeof(*s));
}

/* A definition's phases (provider_each_definition()). */
struct phase {
	struct vs *s;
	struct plan *p;
};

static int plan_definition(void *arg, int def)
{
	struct phase *ph = arg;

	return vsphere_terraform_write_definition(ph->s->pc->state_dir,
						  ph->s->pc->cfg, ph->p, def);
}

static int apply_definition(void *arg, int def)
{
	struct phase *ph = arg;

	return vs_apply_definition(ph->s, ph->p, def);
}

/*
 * ICM's phases: plan and apply of <Label>-<Tag> (the folder), then per
 * definition its plan (Terraform files) and apply (its clones), which
 * completes once every guest reports its address.
 */
static int vs_create(const struct provider_ctx *pc, struct plan *p)
{
	struct vs s;
	struct phase ph = { &s, p };
	int ret = -1;
	size_t i, nvm = 0;

	memset(&s, 0, sizeof(s));
	if (volume_growths_refuse(pc, p, "vSphere", "VM") ||
	    vs_open(&s, pc, p, true) ||
	    engine_reconcile(s.e, p))
		goto out;
	say("Starting plan of %s...", s.dep);
	if (vsphere_terraform_write_shared(pc->state_dir, pc->cfg, p))
		goto out;
	say("...completed plan of %s", s.dep);
	say("Starting apply of %s...", s.dep);
	if (vs_folder(&s))
		goto out;
	say("...completed apply of %s", s.dep);
	if (engine_scale_in(s.e, &vs_kind_vm, p))
		goto out;
	if (provider_each_definition(p, plan_definition, apply_definition,
				     &ph))
		goto out;
	for (i = 0; i < p->n; i++)
		nvm += strcmp(p->nodes[i].role, "LB") != 0;
	say("Waiting for %zu virtual machine%s to report %s address...", nvm,
	    nvm == 1 ? "" : "s", nvm == 1 ? "its" : "their");
	if (vs_wait_guests(&s, p))
		goto out;
	provider_say_definitions(p, "...completed apply of ", "");
	debug("vSphere: %lu calls for %zu nodes", s.v.soap.calls, nvm);
	ret = 0;
out:
	vs_close(&s);
	return ret;
}

static int vs_destroy(const struct provider_ctx *pc, const struct plan *p)
{
	struct vs s;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	if (vs_open(&s, pc, p, false))
		goto out;
	s.tearing_down = true;
	if (engine_teardown(s.e))
		goto out;
	provider_say_definitions(p, "...completed destroy of ", "");
	say("...completed destroy of %s", s.dep);
	ret = 0;
out:
	vs_close(&s);
	return ret;
}

static bool ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

/* A definition's IPv4Addresses: one IPv4 address per node, none twice in
 * the deployment (seen collects them). */
static int check_ips(const struct plan *p, int def, struct buf *seen)
{
	const struct node *n = provider_def_node(p, def);
	const char *list = n ? vs_fld(n, "IPv4Addresses") : NULL;
	char *s, *w, *save = NULL;
	size_t i, want = 0, k = 0;
	int ret = 0;

	if (!list)
		return 0;
	for (i = 0; i < p->n; i++)
		want += p->nodes[i].def_index == def &&
			strcmp(p->nodes[i].role, "LB");
	s = xstrdup(list);
	for (w = strtok_r(s, ", ", &save); w && !ret;
	     w = strtok_r(NULL, ", ", &save)) {
		char *tagged = xasprintf("|%s|", w);

		k++;
		if (!ipv4(w))
			ret = error("definitions.json: definition %d (Role %s): "
				    "IPv4Addresses: '%s' is not an IPv4 "
				    "address", def + 1, n->role, w);
		else if (seen->len && strstr(seen->data, tagged))
			ret = error("definitions.json: definition %d (Role %s): "
				    "IPv4Addresses: %s is given twice", def + 1,
				    n->role, w);
		else if (buf_addf(seen, "|%s|", w))
			ret = error("IPv4Addresses: too many addresses");
		free(tagged);
	}
	free(s);
	if (!ret && k != want)
		ret = error("definitions.json: definition %d (Role %s): "
			    "IPv4Addresses has %zu address%s for %zu node%s "
			    "(one per node, in machine order)", def + 1,
			    n->role, k, k == 1 ? "" : "es", want,
			    want == 1 ? "" : "s");
	return ret;
}

static int vs_validate(const struct provider_ctx *pc, const struct plan *p)
{
	static const char *const ctl[] = {
		"DataVolumeSCSIController", "WIJVolumeSCSIController",
		"Journal1VolumeSCSIController", "Journal2VolumeSCSIController",
		"DockerVolumeSCSIController",
	};
	struct buf seen;
	size_t i, c;
	int def, ret = 0;

	for (i = 0; i < p->n && !ret; i++) {
		const struct node *n = &p->nodes[i];
		int count = atoi(vs_fld(n, "SCSIControllerCount") ?: "1");

		if (!strcmp(n->role, "LB"))
			continue;
		if (!vs_fld(n, "DataStore") && !vs_fld(n, "DatastoreCluster"))
			ret = error("%s: DataStore or DatastoreCluster is "
				    "required on vSphere", n->name);
		for (c = 0; c < ARRAY_SIZE(ctl) && !ret; c++)
			if (vs_fld(n, ctl[c]) &&
			    atoi(vs_fld(n, ctl[c])) > count)
				ret = error("%s: %s %s is more than "
					    "SCSIControllerCount %d", n->name,
					    ctl[c], vs_fld(n, ctl[c]), count);
		if (!ret && vs_fld(n, "IPv4Gateway") &&
		    !ipv4(vs_fld(n, "IPv4Gateway")))
			ret = error("%s: IPv4Gateway '%s' is not an IPv4 "
				    "address", n->name,
				    vs_fld(n, "IPv4Gateway"));
	}
	buf_init(&seen, 1 << 20);
	for (def = 0; def < provider_def_count(p) && !ret; def++)
		ret = check_ips(p, def, &seen);
	buf_release(&seen);
	return ret;
}

const struct provider provider_vsphere = {
	.name = "vSphere",
	.validate = vs_validate,
	.create = vs_create,
	.destroy = vs_destroy,
};
