/*
 * tf.h: the Terraform view of an AWS deployment.  icm creates the
 * resources itself (aws.c, through the EC2 API); this module writes the
 * Terraform templates that describe the same resources, with their tfvars,
 * into the state directory as ICM's state had them (icm-reference §5.1,
 * §6.2), so that a user can inspect the deployment or take it over with
 * Terraform.  icm never runs terraform.
 *
 * Written (each file atomically, directories created 0700):
 *
 *   <state>/<Label>-<Tag>/provider.tf         embedded/terraform/aws/
 *   <state>/<Label>-<Tag>/infrastructure.tf   .../aws/VPC/
 *   <state>/<Label>-<Tag>/terraform.tfvars    SSHPublicKey (the path),
 *       Region, Zone (comma list), Credentials (the path), MachineName
 *       <Label>-<Tag>, Label, Tag, and VPCId, SubnetIds, RouteTableId,
 *       InternetGatewayId, PrivateSubnet and the ports of the security
 *       group (SuperServerPort, WebServerPort, ISCAgentPort,
 *       LicenseServerPort) when set
 *   <state>/<Label>-<Role>-<Tag>/provider.tf        embedded/terraform/aws/
 *   <state>/<Label>-<Role>-<Tag>/infrastructure.tf  .../aws/Instance/
 *   <state>/<Label>-<Role>-<Tag>/terraform.tfvars  one per definition that
 *       has nodes: the definition's merged fields as HCL `Field = "value"`
 *       lines (a field whose value differs between the definition's nodes,
 *       e.g. ISCLicense or Member, as the comma list of the nodes' values),
 *       then MachineName <Label>-<Role>-<Tag>, DefinitionIndex,
 *       InstanceCount (nodes of the definition), MachineNames and
 *       MachineZones (comma lists, one entry per node), Zone (the
 *       deployment's, as in the shared tfvars), OutputFile, and for
 *       a definition with LoadBalancer true the load balancer's
 *       LoadBalancerName, ForwardPort, ForwardProtocol and HealthCheck*.
 *
 * A load balancer node (role LB) belongs to the definition it fronts: it
 * has no directory of its own.  Values are HCL-escaped (quotes,
 * backslashes, control characters, and the template sequences "${" and
 * "%{"); fields that are not HCL identifiers are left out.  Secret fields
 * (FF_SECRET in config/fields.def: ISCPassword, DockerPassword,
 * SSHPassword, WeavePassword, cloud secrets) are never written: the
 * tfvars file says which ones it left out in a comment line.
 *
 * The templates describe what aws.c creates, resource for resource (the
 * templates' comments list them with aws.c's journal keys and tags).
 *
 * The deployment's Zone list (whose order numbers the subnets 10.0.<i>.0/24)
 * is built as aws.c builds it: the Zone of defaults.json, then any other
 * zone a node names.  Without the configuration (aws_terraform_write) it is
 * the nodes' zones, distinct, in node order, which is the same list
 * whenever some definition has at least as many nodes as zones and no
 * ZoneMap or definition's Zone reorders them.
 */
#ifndef ICM_AWS_TF_H
#define ICM_AWS_TF_H

#include "../../icm.h"
#include "../../config/plan.h"

/*
 * Writes the templates and tfvars of plan p under state_dir (which need
 * not exist yet).  Re-running rewrites them.  0, or -1 with the reason
 * reported through error().
 */
int aws_terraform_write(const char *state_dir, const struct plan *p)
	WARN_UNUSED;

/* The same, with the configuration the plan was built from (cfg may be
 * NULL): the Zone list is then exactly aws.c's. */
int aws_terraform_write_config(const char *state_dir,
			       const struct config *cfg, const struct plan *p)
	WARN_UNUSED;

/*
 * The same in parts, for provision's phases (aws.c): the deployment-wide
 * directory <Label>-<Tag> alone, or definition def's directory alone
 * (nothing when the definition has no node but a load balancer).
 */
int aws_terraform_write_shared(const char *state_dir,
			       const struct config *cfg, const struct plan *p)
	WARN_UNUSED;
int aws_terraform_write_definition(const char *state_dir,
				   const struct config *cfg,
				   const struct plan *p, int def) WARN_UNUSED;

#endif
