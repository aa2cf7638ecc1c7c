/*
 * tf.h: the Terraform view of a vSphere deployment.  icm makes the VMs
 * itself (provider.c, through vCenter's API); this module writes the
 * Terraform templates (hashicorp/vsphere 2.x) that describe the same
 * folder, custom attributes and VMs, with their tfvars, into the state
 * directory as ICM's state had them (icm-reference §5.5, §6.2), so that a
 * user can inspect the deployment or take it over with Terraform.  icm
 * never runs terraform.
 *
 * Written (each file atomically, directories created 0700; the helpers
 * are ../tfvars.h's, shared with AWS):
 *
 *   <state>/<Label>-<Tag>/provider.tf        embedded/terraform/vsphere/
 *   <state>/<Label>-<Tag>/infrastructure.tf  .../vsphere/Folder/
 *   <state>/<Label>-<Tag>/terraform.tfvars   Server, VSphereUser,
 *       VSphereCAFile, VSphereAllowUnverifiedSSL, Datacenter, ComputeCluster,
 *       ResourcePool, DataStore, DatastoreCluster, NetworkInterface,
 *       Template, Label, Tag (those set, from the plan's first node) and
 *       MachineName <Label>-<Tag>
 *   <state>/<Label>-<Role>-<Tag>/provider.tf        embedded/.../vsphere/
 *   <state>/<Label>-<Role>-<Tag>/infrastructure.tf  .../vsphere/VM/
 *   <state>/<Label>-<Role>-<Tag>/terraform.tfvars  one per definition
 *       that has nodes: the definition's merged fields as HCL
 *       `Field = "value"` lines (a field whose value differs between the
 *       definition's nodes as the comma list of the nodes' values), then
 *       MachineName <Label>-<Role>-<Tag>, DefinitionIndex, InstanceCount,
 *       MachineNames (comma list, one per node, in machine-number order:
 *       the order of IPv4Addresses) and OutputFile.
 *
 * Values are HCL-escaped; fields that are not HCL identifiers are left
 * out.  VSpherePassword and every other secret field (FF_SECRET) are
 * never written: each tfvars file names the ones it left out in a comment
 * line (Terraform asks for the password, or reads TF_VAR_VSpherePassword).
 *
 * The templates' comments list what provider.c makes, with its journal
 * keys: folder, attr/icm.deployment, attr/icm.machine, vm/<machine>.
 */
#ifndef ICM_VSPHERE_TF_H
#define ICM_VSPHERE_TF_H

#include "../../icm.h"
#include "../../config/plan.h"

/*
 * Writes the templates and tfvars of plan p under state_dir (which need
 * not exist yet): the deployment's directory and every definition's.
 * Re-running rewrites them.  cfg, the configuration p was built from, may
 * be NULL (nothing of it is needed today; the signature is AWS's).  0, or
 * -1 with the reason reported through error().
 */
int vsphere_terraform_write(const char *state_dir, const struct config *cfg,
			    const struct plan *p) WARN_UNUSED;

/*
 * The same in parts, for provision's phases: the deployment's directory
 * <Label>-<Tag> alone, or definition def's directory alone (nothing when
 * the definition has no node).
 */
int vsphere_terraform_write_shared(const char *state_dir,
				   const struct config *cfg,
				   const struct plan *p) WARN_UNUSED;
int vsphere_terraform_write_definition(const char *state_dir,
				       const struct config *cfg,
				       const struct plan *p, int def)
	WARN_UNUSED;

#endif
