/*
 * tf.c: writes the GCP Terraform templates (embedded/terraform/gcp/) and
 * their terraform.tfvars into the state directory (see tf.h), with
 * ../tfwrite.c's helpers.
 */
#include "../../icm.h"
#include "tf.h"
#include "../../config/config.h"
#include "../tfwrite.h"
#include "../../state/log.h"

static const struct tf_templates network_tf = {
	"embedded/terraform/gcp/provider.tf",
	"embedded/terraform/gcp/Network/infrastructure.tf",
};
static const struct tf_templates instance_tf = {
	"embedded/terraform/gcp/provider.tf",
	"embedded/terraform/gcp/Instance/infrastructure.tf",
};

/* Names this module sets itself in a definition's tfvars. */
static const char *const def_own[] = {
	"MachineName", "Region", "Zone", "DefinitionIndex", "InstanceCount",
	"MachineNames", "Zones", "OutputFile", "LoadBalancerName",
};

/* Fields of the deployment's tfvars, when set. */
static const char *const shared_fields[] = {
	"Credentials", "Project", "Network", "Subnet", "net_subnet_cidr",
	"PrivateSubnet", "SuperServerPort", "WebServerPort", "ISCAgentPort",
	"LicenseServerPort", "Label", "Tag",
};

/*
 * The deployment's Region and Zone lists (tf_deployment_list(), from
 * defaults.json's when cfg is there) as a set of variables, or NULL
 * (reported).
 */
static cJSON *lists_of(const struct config *cfg, const struct plan *p)
{
	char *regions, *zones;
	cJSON *l = NULL;

	regions = tf_deployment_list(cfg ? config_get(cfg, -1, "Region")
					 : NULL, p, true);
	zones = tf_deployment_list(cfg ? config_get(cfg, -1, "Zone") : NULL,
				   p, false);
	if (regions && zones) {
		l = cJSON_CreateObject();
		if (!l)
			abort();
		tf_set(l, "Region", regions);
		tf_set(l, "Zone", zones);
	} else {
		error("terraform: region or zone list too large");
	}
	free(regions);
	free(zones);
	return l;
}

static int write_definition(const char *state_dir, const struct plan *p,
			    int def, const cJSON *lists)
{
	return tf_write_def(state_dir, p, def, def_own, ARRAY_SIZE(def_own),
			    "Zones", lists, &instance_tf);
}

int gcp_terraform_write_shared(const char *state_dir,
			       const struct config *cfg, const struct plan *p)
{
	cJSON *lists = lists_of(cfg, p);
	int ret = -1;

	if (lists)
		ret = tf_write_shared(state_dir, tf_first_node(p), shared_fields,
				      ARRAY_SIZE(shared_fields), lists,
				      &network_tf);
	cJSON_Delete(lists);
	return ret;
}

int gcp_terraform_write_definition(const char *state_dir,
				   const struct config *cfg,
				   const struct plan *p, int def)
{
	cJSON *lists = lists_of(cfg, p);
	int ret = lists ? write_definition(state_dir, p, def, lists) : -1;

	cJSON_Delete(lists);
	return ret;
}

int gcp_terraform_write(const char *state_dir, const struct config *cfg,
			const struct plan *p)
{
	cJSON *lists = lists_of(cfg, p);
	int def, ret = -1;

	if (!lists || tf_write_shared(state_dir, tf_first_node(p), shared_fields,
				      ARRAY_SIZE(shared_fields), lists,
				      &network_tf))
		goto out;
	for (def = 0; def < tf_def_count(p); def++)
		if (write_definition(state_dir, p, def, lists))
			goto out;
	ret = 0;
out:
	cJSON_Delete(lists);
	return ret;
}
