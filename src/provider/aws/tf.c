/*
 * tf.c: writes the AWS Terraform templates (embedded/terraform/aws/)
 * and their terraform.tfvars into the state directory (see tf.h).
 *
 * Each tfvars file is first collected as a cJSON object of name -> value
 * (so a name set twice, e.g. a ForwardPort of the definition and of its
 * load balancer, ends up once: HCL refuses duplicate attributes), then
 * printed as HCL by ../tfvars.c; ../tfwrite.c fills what the
 * directories of every provider's writer have in common.
 */
#include "../../icm.h"
#include "tf.h"
#include "../../config/config.h"
#include "../tfwrite.h"
#include "../../state/log.h"
#include "../../util/str.h"

static const struct tf_templates vpc_tf = {
	"embedded/terraform/aws/provider.tf",
	"embedded/terraform/aws/VPC/infrastructure.tf",
};
static const struct tf_templates instance_tf = {
	"embedded/terraform/aws/provider.tf",
	"embedded/terraform/aws/Instance/infrastructure.tf",
};

/* Names this module sets itself in a definition's tfvars. */
static const char *const def_own[] = {
	"MachineName", "Zone", "DefinitionIndex", "InstanceCount",
	"MachineNames", "MachineZones", "OutputFile", "LoadBalancerName",
};

/* Fields of the shared directory's tfvars, when set (from the first node
 * that is not a load balancer, as aws.c reads them). */
static const char *const shared_fields[] = {
	"SSHPublicKey", "Region", "Credentials", "Label", "Tag", "VPCId",
	"SubnetIds", "RouteTableId", "InternetGatewayId", "PrivateSubnet",
	"SuperServerPort", "WebServerPort", "ISCAgentPort",
	"LicenseServerPort",
};

/*
 * The deployment's zones as aws.c numbers the subnets: the Zone list of
 * defaults.json (cfg; may be NULL), then any other zone a node names, in
 * node order.
 */
static char *zone_list(const struct config *cfg, const struct plan *p)
{
	return tf_deployment_list(cfg ? config_get(cfg, -1, "Zone") : NULL, p,
				  false);
}

static int write_shared(const char *state_dir, const struct plan *p,
			const char *zones)
{
	cJSON *extra = cJSON_CreateObject();
	int ret;

	if (!extra)
		abort();
	tf_set(extra, "Zone", zones);
	ret = tf_write_shared(state_dir, tf_first_node(p), shared_fields,
			      ARRAY_SIZE(shared_fields), extra, &vpc_tf);
	cJSON_Delete(extra);
	return ret;
}

static int write_definition(const char *state_dir, const struct plan *p,
			    int def, const char *zones)
{
	cJSON *extra = cJSON_CreateObject();
	int ret;

	if (!extra)
		abort();
	tf_set(extra, "Zone", zones);
	ret = tf_write_def(state_dir, p, def, def_own, ARRAY_SIZE(def_own),
			   "MachineZones", extra, &instance_tf);
	cJSON_Delete(extra);
	return ret;
}

int aws_terraform_write(const char *state_dir, const struct plan *p)
{
	return aws_terraform_write_config(state_dir, NULL, p);
}

/* The deployment's Zone list, or NULL (reported). */
static char *zones_of(const struct config *cfg, const struct plan *p)
{
	char *zones;

	if (!tf_first_node(p)) {
		error("terraform: the plan has no nodes");
		return NULL;
	}
	zones = zone_list(cfg, p);
	if (!zones)
		error("terraform: zone list too large");
	return zones;
}

int aws_terraform_write_shared(const char *state_dir,
			       const struct config *cfg, const struct plan *p)
{
	char *zones = zones_of(cfg, p);
	int ret = zones ? write_shared(state_dir, p, zones) : -1;

	free(zones);
	return ret;
}

int aws_terraform_write_definition(const char *state_dir,
				   const struct config *cfg,
				   const struct plan *p, int def)
{
	char *zones = zones_of(cfg, p);
	int ret = zones ? write_definition(state_dir, p, def, zones) : -1;

	free(zones);
	return ret;
}

int aws_terraform_write_config(const char *state_dir,
			       const struct config *cfg, const struct plan *p)
{
	char *zones = zones_of(cfg, p);
	int def, ret = -1;

	if (!zones || write_shared(state_dir, p, zones))
		goto out;
	for (def = 0; def < tf_def_count(p); def++)
		if (write_definition(state_dir, p, def, zones))
			goto out;
	ret = 0;
out:
	free(zones);
	return ret;
}
