/*
 * tf.c: writes the AWS Terraform templates (embedded/terraform/aws/)
 * and their terraform.tfvars into the state directory (see tf.h).
 *
 * Each tfvars file is first collected as a cJSON object of name -> value
 * (so a name set twice, e.g. a ForwardPort of the definition and of its
 * load balancer, ends up once: HCL refuses duplicate attributes), then
 * printed as HCL by ../tfvars.c, which vsphere/tf.c shares.
 */
#include "../../icm.h"
#include "tf.h"
#include "../../config/config.h"
#include "../tfvars.h"
#include "../../state/log.h"
#include "../../state/statedir.h"
#include "../../util/buf.h"
#include "../../util/fs.h"
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

/* What a definition's load balancer contributes. */
static const char *const lb_fields[] = {
	"ForwardPort", "ForwardProtocol", "HealthCheckPort",
	"HealthCheckProtocol", "HealthCheckPath", "LoadBalancerInternal",
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

static const struct node *first_node(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->nodes[i].role, "LB"))
			return &p->nodes[i];
	return NULL;
}

static int write_shared(const char *state_dir, const struct plan *p,
			const char *zones)
{
	const struct node *n0 = first_node(p);
	const char *label = node_get(n0, "Label"), *tag = node_get(n0, "Tag");
	cJSON *vars = cJSON_CreateObject();
	struct buf none;
	char *dir = NULL, *name = NULL;
	int ret = -1;

	buf_init(&none, 1);
	if (!vars)
		abort();
	if (!label || !tag) {
		error("terraform: the nodes have no Label or Tag");
		goto out;
	}
	name = xasprintf("%s-%s", label, tag);
	dir = xasprintf("%s/%s", state_dir, name);
	if (tf_add_fields(vars, &none, n0, shared_fields,
			  ARRAY_SIZE(shared_fields)))
		abort();	/* no secret among them */
	tf_set(vars, "Zone", zones);
	tf_set(vars, "MachineName", name);
	ret = tf_write_dir(state_dir, dir, &vpc_tf, name, vars, &none);
out:
	cJSON_Delete(vars);
	free(dir);
	free(name);
	return ret;
}

static int write_definition(const char *state_dir, const struct plan *p,
			    int def, const char *zones)
{
	const struct node *n0 = NULL, *lb = NULL;
	cJSON *vars = cJSON_CreateObject();
	struct buf secrets, names, nzones;
	char *dir = NULL, *base, *out_file = NULL, num[24];
	size_t i, count = 0;
	int ret = -1;

	buf_init(&secrets, BUF_CAP_LINE);
	buf_init(&names, BUF_CAP_CONFIG);
	buf_init(&nzones, BUF_CAP_CONFIG);
	if (!vars)
		abort();
	for (i = 0; i < p->n; i++) {
		const struct node *n = &p->nodes[i];

		if (n->def_index != def)
			continue;
		if (!strcmp(n->role, "LB")) {
			lb = n;
			continue;
		}
		if (!n0)
			n0 = n;
		count++;
		if (tf_list_add(&names, n->name) || tf_list_add(&nzones, n->zone))
			goto too_large;
	}
	if (!n0) {
		ret = 0;	/* Count 0, or a load balancer alone */
		goto out;
	}
	dir = statedir_def_dir(state_dir, n0);
	if (!dir)
		goto out;
	if (tf_def_fields(vars, &secrets, p, def, n0, def_own,
			  ARRAY_SIZE(def_own)))
		goto out;
	base = strrchr(dir, '/');
	tf_set(vars, "MachineName", base ? base + 1 : dir);
	tf_set(vars, "Zone", zones);
	snprintf(num, sizeof(num), "%d", def);
	tf_set(vars, "DefinitionIndex", num);
	snprintf(num, sizeof(num), "%zu", count);
	tf_set(vars, "InstanceCount", num);
	tf_set(vars, "MachineNames", names.len ? names.data : "");
	tf_set(vars, "MachineZones", nzones.len ? nzones.data : "");
	out_file = xasprintf("%s/terraform.out", dir);
	tf_set(vars, "OutputFile", out_file);
	if (lb) {
		tf_set(vars, "LoadBalancerName", lb->name);
		for (i = 0; i < ARRAY_SIZE(lb_fields); i++) {
			const char *v = node_get(lb, lb_fields[i]);

			if (v)
				tf_set(vars, lb_fields[i], v);
		}
	}
	ret = tf_write_dir(state_dir, dir, &instance_tf, base ? base + 1 : dir,
			   vars, &secrets);
	goto out;
too_large:
	error("terraform: definition %d: tfvars too large", def + 1);
out:
	buf_release(&secrets);
	buf_release(&names);
	buf_release(&nzones);
	cJSON_Delete(vars);
	free(out_file);
	free(dir);
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

	if (!first_node(p)) {
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
	int def, ndefs = 0, ret = -1;
	size_t i;

	if (!zones)
		goto out;
	for (i = 0; i < p->n; i++)
		if (p->nodes[i].def_index >= ndefs)
			ndefs = p->nodes[i].def_index + 1;
	if (write_shared(state_dir, p, zones))
		goto out;
	for (def = 0; def < ndefs; def++)
		if (write_definition(state_dir, p, def, zones))
			goto out;
	ret = 0;
out:
	free(zones);
	return ret;
}
