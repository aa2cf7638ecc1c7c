/*
 * tf.h: the Terraform view of a Tencent deployment.  icm makes the
 * resources itself (provider.c, through the CVM, VPC and CLB APIs); this
 * module writes the Terraform templates (tencentcloudstack/tencentcloud
 * 1.81 and later) that describe the same VPC, subnets, security group,
 * key pair, instances with their disks, EIPs and CLB load balancers, with
 * their tfvars, into the state directory as ICM's state had them
 * (icm-reference §5.4, §6.2), so that a user can inspect the deployment
 * or take it over with Terraform.  icm never runs terraform.
 *
 * Written (each file atomically, directories created 0700; the helpers
 * are ../tfwrite.h's, shared with the other providers):
 *
 *   <state>/<Label>-<Tag>/provider.tf        embedded/terraform/tencent/
 *   <state>/<Label>-<Tag>/infrastructure.tf  .../tencent/Network/
 *   <state>/<Label>-<Tag>/terraform.tfvars   Region, VPCId, SubnetIds,
 *       net_vpc_cidr, net_subnet_cidr, PrivateSubnet, SSHPublicKey (the
 *       key file's path), SuperServerPort, WebServerPort, ISCAgentPort,
 *       LicenseServerPort, Label, Tag (those set, from the plan's first
 *       node that is not a load balancer), Zone (the deployment's list:
 *       tf_deployment_list(), the Zone of defaults.json then the nodes';
 *       its order numbers the subnets, as provider.c's) and MachineName
 *       <Label>-<Tag>
 *   <state>/<Label>-<Role>-<Tag>/provider.tf        embedded/.../tencent/
 *   <state>/<Label>-<Role>-<Tag>/infrastructure.tf  .../tencent/Instance/
 *   <state>/<Label>-<Role>-<Tag>/terraform.tfvars  one per definition
 *       that has nodes: the definition's merged fields as HCL
 *       `Field = "value"` lines (a field whose value differs between the
 *       definition's nodes as the comma list of the nodes' values), then
 *       MachineName <Label>-<Role>-<Tag>, DefinitionIndex, InstanceCount,
 *       MachineNames and Zones (comma lists, one entry per node in
 *       machine-number order: the name, node->zone), Zone (the
 *       deployment's list, as above), OutputFile, and for a definition
 *       with LoadBalancer true its load balancer's LoadBalancerName
 *       (machine name), ForwardPort, ForwardProtocol, HealthCheckPort,
 *       HealthCheckProtocol and HealthCheckPath.
 *
 * A load balancer node (role LB) belongs to the definition it fronts: it
 * has no directory of its own.  Values are HCL-escaped; fields that are
 * not HCL identifiers are left out.  No secret field (FF_SECRET: SecretID,
 * SecretKey, ...) is ever written: each tfvars file names the ones it
 * left out in a comment line; the provider takes the key from
 * TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY.
 *
 * The templates' comments list what provider.c makes with its journal
 * keys (tencent.h): vpc, subnet/<zone>, sg, keypair; node/<machine>,
 * eip/<machine>; clb/<LB>.
 */
#ifndef ICM_TENCENT_TF_H
#define ICM_TENCENT_TF_H

#include "../../icm.h"
#include "../../config/plan.h"

/*
 * Writes the templates and tfvars of plan p under state_dir (which need
 * not exist yet): the deployment's directory and every definition's.
 * Re-running rewrites them.  cfg, the configuration p was built from, may
 * be NULL: the Zone list is then the nodes' own, in node order.  0, or -1
 * with the reason reported through error().
 */
int tencent_terraform_write(const char *state_dir, const struct config *cfg,
			    const struct plan *p) WARN_UNUSED;

/*
 * The same in parts, for provision's phases: the deployment's directory
 * <Label>-<Tag> alone, or definition def's directory alone (nothing when
 * the definition has no node but a load balancer).
 */
int tencent_terraform_write_shared(const char *state_dir,
				   const struct config *cfg,
				   const struct plan *p) WARN_UNUSED;
int tencent_terraform_write_definition(const char *state_dir,
				       const struct config *cfg,
				       const struct plan *p,
				       int def) WARN_UNUSED;

#endif
