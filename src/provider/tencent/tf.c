/*
 * tf.c: writes the Tencent Terraform templates
 * (embedded/terraform/tencent/) and their terraform.tfvars into the state
 * directory (see tf.h), with ../tfwrite.c's helpers.
 */
#include "../../icm.h"
#include "tf.h"
#include "../../config/config.h"
#include "../tfwrite.h"
#include "../../state/log.h"

static const struct tf_templates network_tf = {
	"embedded/terraform/tencent/provider.tf",
	"embedded/terraform/tencent/Network/infrastructure.tf",
};
static const struct tf_templates instance_tf = {
	"embedded/terraform/tencent/provider.tf",
	"embedded/terraform/tencent/Instance/infrastructure.tf",
};

/* Names this module sets itself in a definition's tfvars. */
static const char *const def_own[] = {
	"MachineName", "Zone", "DefinitionIndex", "InstanceCount",
	"MachineNames", "Zones", "OutputFile", "LoadBalancerName",
};

/* Fields of the deployment's tfvars, when set. */
static const char *const shared_fields[] = {
	"Region", "VPCId", "SubnetIds", "net_vpc_cidr", "net_subnet_cidr",
	"PrivateSubnet", "SSHPublicKey", "SuperServerPort", "WebServerPort",
	"ISCAgentPort", "LicenseServerPort", "Label", "Tag",
};

/*
 * The deployment's Zone list (tf_deployment_list(), from defaults.json's
 * when cfg is there: the order of provider.c's subnets) as a set of
 * variables, or NULL (reported).
 */
static cJSON *zone_list(const struct config *cfg, const struct plan *p)
{
	char *zones = tf_deployment_list(cfg ? config_get(cfg, -1, "Zone") :
					 NULL, p, false);
	cJSON *l = NULL;

	if (!zones) {
		error("terraform: zone list too large");
		return NULL;
	}
	l = cJSON_CreateObject();
	if (!l)
		abort();
	tf_set(l, "Zone", zones);
	free(zones);
	return l;
}

int tencent_terraform_write_shared(const char *state_dir,
				   const struct config *cfg,
				   const struct plan *p)
{
	cJSON *zones = zone_list(cfg, p);
	int ret = -1;

	if (zones)
		ret = tf_write_shared(state_dir, tf_first_node(p),
				      shared_fields, ARRAY_SIZE(shared_fields),
				      zones, &network_tf);
	cJSON_Delete(zones);
	return ret;
}

int tencent_terraform_write_definition(const char *state_dir,
				       const struct config *cfg,
				       const struct plan *p, int def)
{
	cJSON *zones = zone_list(cfg, p);
	int ret = -1;

	if (zones)
		ret = tf_write_def(state_dir, p, def, def_own,
				   ARRAY_SIZE(def_own), "Zones", zones,
				   &instance_tf);
	cJSON_Delete(zones);
	return ret;
}

int tencent_terraform_write(const char *state_dir, const struct config *cfg,
			    const struct plan *p)
{
	int def;

	if (tencent_terraform_write_shared(state_dir, cfg, p))
		return -1;
	for (def = 0; def < tf_def_count(p); def++)
		if (tencent_terraform_write_definition(state_dir, cfg, p, def))
			return -1;
	return 0;
}
