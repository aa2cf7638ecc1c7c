/*
 * tf.c: writes the Azure Terraform templates (embedded/terraform/azure/)
 * and their terraform.tfvars into the state directory (see tf.h), with
 * ../tfwrite.c's helpers.
 */
#include "../../icm.h"
#include "tf.h"
#include "../../config/config.h"
#include "../tfwrite.h"
#include "../../state/log.h"
#include "../../util/buf.h"

static const struct tf_templates network_tf = {
	"embedded/terraform/azure/provider.tf",
	"embedded/terraform/azure/Network/infrastructure.tf",
};
static const struct tf_templates instance_tf = {
	"embedded/terraform/azure/provider.tf",
	"embedded/terraform/azure/Instance/infrastructure.tf",
};

/* Names this module sets itself in a definition's tfvars. */
static const char *const def_own[] = {
	"MachineName", "Location", "DefinitionIndex", "InstanceCount",
	"MachineNames", "Locations", "Zones", "OutputFile", "LoadBalancerName",
};

/* Fields of the deployment's tfvars, when set. */
static const char *const shared_fields[] = {
	"SubscriptionId", "TenantId", "ClientId", "UseMSI",
	"ResourceGroupName", "VirtualNetworkName", "SubnetName",
	"net_subnet_cidr", "PrivateSubnet", "SuperServerPort", "WebServerPort",
	"ISCAgentPort", "LicenseServerPort", "Label", "Tag",
};

/*
 * The deployment's Location list (tf_deployment_list(), from
 * defaults.json's when cfg is there) as a set of variables, or NULL
 * (reported).
 */
static cJSON *lists_of(const struct config *cfg, const struct plan *p)
{
	char *locations;
	cJSON *l = NULL;

	locations = tf_deployment_list(cfg ? config_get(cfg, -1, "Location")
					   : NULL, p, true);
	if (locations) {
		l = cJSON_CreateObject();
		if (!l)
			abort();
		tf_set(l, "Location", locations);
	} else {
		error("terraform: location list too large");
	}
	free(locations);
	return l;
}

/* Locations: each node's location (node->region), in the order of
 * MachineNames.  0, or -1 reported. */
static int set_locations(cJSON *vars, const struct plan *p, int def)
{
	struct buf b;
	size_t i;
	int ret = 0;

	buf_init(&b, BUF_CAP_CONFIG);
	for (i = 0; i < p->n && !ret; i++) {
		const struct node *n = &p->nodes[i];

		if (n->def_index == def && strcmp(n->role, "LB"))
			ret = tf_list_add(&b, n->region);
	}
	if (ret)
		error("terraform: definition %d: tfvars too large", def + 1);
	else
		tf_set(vars, "Locations", b.len ? b.data : "");
	buf_release(&b);
	return ret;
}

static int write_definition(const char *state_dir, const struct plan *p,
			    int def, const cJSON *lists)
{
	cJSON *extra = cJSON_Duplicate(lists, true);
	int ret;

	if (!extra)
		abort();
	ret = set_locations(extra, p, def);
	if (!ret)
		ret = tf_write_def(state_dir, p, def, def_own,
				   ARRAY_SIZE(def_own), "Zones", extra,
				   &instance_tf);
	cJSON_Delete(extra);
	return ret;
}

int azure_terraform_write_shared(const char *state_dir,
				 const struct config *cfg,
				 const struct plan *p)
{
	cJSON *lists = lists_of(cfg, p);
	int ret = -1;

	if (lists)
		ret = tf_write_shared(state_dir, tf_first_node(p),
				      shared_fields, ARRAY_SIZE(shared_fields),
				      lists, &network_tf);
	cJSON_Delete(lists);
	return ret;
}

int azure_terraform_write_definition(const char *state_dir,
				     const struct config *cfg,
				     const struct plan *p, int def)
{
	cJSON *lists = lists_of(cfg, p);
	int ret = lists ? write_definition(state_dir, p, def, lists) : -1;

	cJSON_Delete(lists);
	return ret;
}

int azure_terraform_write(const char *state_dir, const struct config *cfg,
			  const struct plan *p)
{
	int def;

	if (azure_terraform_write_shared(state_dir, cfg, p))
		return -1;
	for (def = 0; def < tf_def_count(p); def++)
		if (azure_terraform_write_definition(state_dir, cfg, p, def))
			return -1;
	return 0;
}
