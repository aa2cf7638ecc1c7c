# infrastructure.tf (vSphere, the deployment): what state/<Label>-<Tag>/
# describes, the parts every definition's VMs share.  icm makes them
# itself through vCenter's API (src/provider/vsphere/); it writes this file
# and terraform.tfvars beside it so that the deployment can be inspected,
# or taken over, with Terraform (icm never runs terraform).  The provider,
# the shared variables and the inventory's look-ups (datacenter, compute
# cluster or resource pool, datastore or datastore cluster, network,
# template) are in provider.tf, beside this file.
#
# terraform.tfvars holds Server, VSphereUser, VSphereCAFile,
# VSphereAllowUnverifiedSSL, the inventory's fields (Datacenter,
# ComputeCluster, ResourcePool, DataStore, DatastoreCluster,
# NetworkInterface, Template), Label, Tag and MachineName <Label>-<Tag>;
# never VSpherePassword.
#
# What icm makes here, with the journal key it records it under:
#   folder                VM folder <Label>-<Tag> in the datacenter's VM
#                         folder; every VM of the deployment is in it
#   (no record)           custom attributes icm.deployment and icm.machine
#                         (CustomFieldsManager) of VirtualMachine
#                         objects: every VM icm makes has
#                         icm.deployment = <Label>-<Tag> and icm.machine =
#                         its machine name, by which icm finds its VMs
#                         again (a rerun adopts them, unprovision sweeps
#                         them).  Custom attributes are vCenter-wide: icm
#                         makes them when missing and shares them between
#                         deployments; with Terraform, a second
#                         deployment imports them (terraform import
#                         vsphere_custom_attribute.deployment icm.deployment)

variable "MachineName" {
  description = "<Label>-<Tag>: the deployment's name, and its VM folder's"
  type        = string
}

# -- folder ----------------------------------------------------------------------

resource "vsphere_folder" "deployment" {
  path          = var.MachineName
  type          = "vm"
  datacenter_id = data.vsphere_datacenter.dc.id
}

# -- custom attributes icm.deployment, icm.machine ---------------------------------

resource "vsphere_custom_attribute" "deployment" {
  name                = "icm.deployment"
  managed_object_type = "VirtualMachine"
}

resource "vsphere_custom_attribute" "machine" {
  name                = "icm.machine"
  managed_object_type = "VirtualMachine"
}

# What the definitions' templates find by name, and the inventory as the
# look-ups resolved it.
output "folder_path" {
  value = vsphere_folder.deployment.path
}

output "resource_pool_id" {
  value = local.resource_pool_id
}

output "datastore_id" {
  value = local.datastore_cluster_id != null ? local.datastore_cluster_id : local.datastore_id
}

output "template_uuid" {
  value = data.vsphere_virtual_machine.template.id
}
