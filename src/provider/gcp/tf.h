/*
 * tf.h: the Terraform view of a GCP deployment.  icm makes the resources
 * itself (provider.c, through the Compute Engine API); this module writes
 * the Terraform templates (hashicorp/google 5.x) that describe the same
 * network, subnetworks, firewall rule, instances, disks, addresses and
 * load balancers, with their tfvars, into the state directory as ICM's
 * state had them (icm-reference §5.2, §6.2), so that a user can inspect
 * the deployment or take it over with Terraform.  icm never runs
 * terraform.
 *
 * Written (each file atomically, directories created 0700; the helpers
 * are ../tfvars.h's, shared with AWS and vSphere):
 *
 *   <state>/<Label>-<Tag>/provider.tf        embedded/terraform/gcp/
 *   <state>/<Label>-<Tag>/infrastructure.tf  .../gcp/Network/
 *   <state>/<Label>-<Tag>/terraform.tfvars   Credentials (the key file's
 *       path), Project, Network, Subnet, net_subnet_cidr, PrivateSubnet,
 *       SuperServerPort, WebServerPort, ISCAgentPort, LicenseServerPort,
 *       Label, Tag (those set, from the plan's first node that is not a
 *       load balancer), Region and Zone (the deployment's lists:
 *       tf_deployment_list(), the Region/Zone of defaults.json then the
 *       nodes'; Region's order numbers the subnetworks) and MachineName
 *       <Label>-<Tag>
 *   <state>/<Label>-<Role>-<Tag>/provider.tf        embedded/.../gcp/
 *   <state>/<Label>-<Role>-<Tag>/infrastructure.tf  .../gcp/Instance/
 *   <state>/<Label>-<Role>-<Tag>/terraform.tfvars  one per definition
 *       that has nodes: the definition's merged fields as HCL
 *       `Field = "value"` lines (a field whose value differs between the
 *       definition's nodes as the comma list of the nodes' values), then
 *       MachineName <Label>-<Role>-<Tag>, DefinitionIndex, InstanceCount,
 *       MachineNames and Zones (comma lists, one entry per node in
 *       machine-number order: the name, node->zone), Region and Zone (the
 *       deployment's lists, as above), OutputFile, and for a definition
 *       with LoadBalancer true its load balancer's LoadBalancerName
 *       (machine name), ForwardPort, ForwardProtocol, HealthCheckPort,
 *       HealthCheckProtocol and HealthCheckPath.
 *
 * A load balancer node (role LB) belongs to the definition it fronts: it
 * has no directory of its own.  Values are HCL-escaped; fields that are
 * not HCL identifiers are left out.  No secret field (FF_SECRET) is ever
 * written: each tfvars file names the ones it left out in a comment line.
 *
 * The templates' comments list what provider.c makes with its journal
 * keys: network, subnet/<region>, firewall; node/<machine>,
 * address/<machine>; lbaddr/<LB>, hc/<LB>, pool/<LB>, fwd/<LB>/<port>.
 */
#ifndef ICM_GCP_TF_H
#define ICM_GCP_TF_H

#include "../../icm.h"
#include "../../config/plan.h"

/*
 * Writes the templates and tfvars of plan p under state_dir (which need
 * not exist yet): the deployment's directory and every definition's.
 * Re-running rewrites them.  cfg, the configuration p was built from, may
 * be NULL: the Region and Zone lists are then the nodes' own, in node
 * order.  0, or -1 with the reason reported through error().
 */
int gcp_terraform_write(const char *state_dir, const struct config *cfg,
			const struct plan *p) WARN_UNUSED;

/*
 * The same in parts, for provision's phases: the deployment's directory
 * <Label>-<Tag> alone, or definition def's directory alone (nothing when
 * the definition has no node but a load balancer).
 */
int gcp_terraform_write_shared(const char *state_dir,
			       const struct config *cfg,
			       const struct plan *p) WARN_UNUSED;
int gcp_terraform_write_definition(const char *state_dir,
				   const struct config *cfg,
				   const struct plan *p, int def) WARN_UNUSED;

#endif
