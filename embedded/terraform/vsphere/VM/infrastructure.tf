# infrastructure.tf (vSphere, one definition): the VMs of one definition,
# in state/<Label>-<Role>-<Tag>/.  icm makes the same VMs itself through
# vCenter's API (src/provider/vsphere/); it writes this file and
# terraform.tfvars beside it so that the deployment can be inspected, or
# taken over, with Terraform (icm never runs terraform).  The provider,
# the shared variables and the inventory's look-ups are in provider.tf.
#
# terraform.tfvars holds the definition's merged fields as ICM's
# `Field = "value"` lines (secret fields, VSpherePassword among them, left
# out), plus MachineName (<Label>-<Role>-<Tag>), DefinitionIndex,
# InstanceCount (nodes of this definition), MachineNames (one per node,
# comma list) and OutputFile.  Fields this file does not use are there for
# reading, as in ICM's state directory.
#
# The deployment's VM folder <Label>-<Tag> and the custom attributes
# icm.deployment and icm.machine come from ../<Label>-<Tag>/ (found here
# by name).
#
# What icm makes here, with its journal key:
#   node/<machine> (made per definition in one batch, batch/<definition>)
#       a clone of Template named <machine>, in the folder <Label>-<Tag>,
#       on the resource pool and datastore (or, with DatastoreCluster,
#       where storage DRS recommends) of provider.tf, with:
#         numCPUs VCPU, memoryMB Memory, guestId GuestID (VCPU or Memory
#         unset: the template's);
#         SCSIControllerCount ParaVirtual SCSI controllers in all, buses
#         0..n-1, the template's own controller being bus 0;
#         one disk per volume (icm-reference 3.6): Data, WIJ, Journal1 and
#         Journal2 on IRIS roles, Docker on every role when
#         DockerVolumeSize is set; none whose <X>DeviceName is not a
#         device (existing, create, local, skip, null); each of
#         <X>VolumeSize GB on controller <X>VolumeSCSIController (from 1;
#         default 1), in that order after the template's disks, thin
#         provisioned or eagerly scrubbed as DiskPolicy says (thin, lazy,
#         eagerZeroedThick);
#         guest customization (LinuxPrep): host name <machine>, Domain,
#         DNSServers, DNSSuffixes, and the NIC's fixed address (the
#         node's entry of IPv4Addresses, IPv4Netmask, IPv4Gateway) or
#         DHCP without IPv4Addresses;
#         custom attributes icm.deployment = <Label>-<Tag> and icm.machine
#         = <machine>; powered on, its guest IP awaited
#         WaitForGuestNetTimeout minutes.
#       Unprovision powers it off (ShutdownWaitTimeout) and destroys it.

# -- identity -----------------------------------------------------------------

variable "Role" {
  type = string
}

variable "MachineName" {
  description = "<Label>-<Role>-<Tag>: the definition's name"
  type        = string
}

variable "DefinitionIndex" {
  description = "the definition's place in definitions.json, from 0"
  type        = number
}

variable "InstanceCount" {
  description = "nodes of this definition"
  type        = number
}

variable "MachineNames" {
  description = "comma list: <Label>-<Role>-<Tag>-<NNNN> of each node"
  type        = string
}

# -- machine (icm-reference 5.5) -------------------------------------------------

variable "VCPU" {
  description = "0: the template's"
  type        = number
  default     = 0
}

variable "Memory" {
  description = "MB; 0: the template's"
  type        = number
  default     = 0
}

variable "GuestID" {
  type    = string
  default = "other3xLinux64Guest"
}

variable "SCSIControllerCount" {
  type    = number
  default = 1
}

variable "DiskPolicy" {
  description = "thin, lazy or eagerZeroedThick"
  type        = string
  default     = "lazy"
}

# -- guest customization --------------------------------------------------------

variable "Domain" {
  type    = string
  default = ""
}

variable "DNSServers" {
  description = "comma list"
  type        = string
  default     = ""
}

variable "DNSSuffixes" {
  description = "comma list"
  type        = string
  default     = ""
}

variable "IPv4Addresses" {
  description = "comma list, one per node in machine-number order; empty: DHCP"
  type        = string
  default     = ""
}

variable "IPv4Netmask" {
  description = "prefix length"
  type        = number
  default     = 24
}

variable "IPv4Gateway" {
  type    = string
  default = ""
}

# -- timeouts (minutes) -----------------------------------------------------------

variable "WaitForGuestNetTimeout" {
  type    = number
  default = 5
}

variable "ShutdownWaitTimeout" {
  type    = number
  default = 3
}

variable "MigrateWaitTimeout" {
  type    = number
  default = 10
}

variable "CloneTimeout" {
  type    = number
  default = 30
}

variable "CustomizeTimeout" {
  type    = number
  default = 10
}

# -- volumes (icm-reference 3.6) --------------------------------------------------

variable "DataVolumeSize" {
  type    = number
  default = 10
}

variable "DataDeviceName" {
  type    = string
  default = "sdc"
}

variable "DataVolumeSCSIController" {
  type    = number
  default = 1
}

variable "WIJVolumeSize" {
  type    = number
  default = 10
}

variable "WIJDeviceName" {
  type    = string
  default = "sdd"
}

variable "WIJVolumeSCSIController" {
  type    = number
  default = 1
}

variable "Journal1VolumeSize" {
  type    = number
  default = 10
}

variable "Journal1DeviceName" {
  type    = string
  default = "sde"
}

variable "Journal1VolumeSCSIController" {
  type    = number
  default = 1
}

variable "Journal2VolumeSize" {
  type    = number
  default = 10
}

variable "Journal2DeviceName" {
  type    = string
  default = "sdf"
}

variable "Journal2VolumeSCSIController" {
  type    = number
  default = 1
}

variable "DockerVolumeSize" {
  description = "0: no Docker disk"
  type        = number
  default     = 0
}

variable "DockerDeviceName" {
  description = "empty: no Docker disk"
  type        = string
  default     = ""
}

variable "DockerVolumeSCSIController" {
  type    = number
  default = 1
}

locals {
  machines     = [for m in split(",", var.MachineNames) : trimspace(m)]
  ipv4         = [for a in split(",", var.IPv4Addresses) : trimspace(a) if trimspace(a) != ""]
  dns_servers  = [for s in split(",", var.DNSServers) : trimspace(s) if trimspace(s) != ""]
  dns_suffixes = [for s in split(",", var.DNSSuffixes) : trimspace(s) if trimspace(s) != ""]
  iris_role    = contains(["DATA", "COMPUTE", "DM", "DS", "QS", "AM"], var.Role)
  no_volume    = ["", "existing", "create", "local", "skip", "null"]

  # DiskPolicy as the provider's two flags
  thin_provisioned = var.DiskPolicy == "thin"
  eagerly_scrub    = var.DiskPolicy == "eagerZeroedThick"

  # the disks icm adds, in this order
  volume_kinds = [
    { name = "Data", iris = true, size = var.DataVolumeSize, device = var.DataDeviceName, controller = var.DataVolumeSCSIController },
    { name = "WIJ", iris = true, size = var.WIJVolumeSize, device = var.WIJDeviceName, controller = var.WIJVolumeSCSIController },
    { name = "Journal1", iris = true, size = var.Journal1VolumeSize, device = var.Journal1DeviceName, controller = var.Journal1VolumeSCSIController },
    { name = "Journal2", iris = true, size = var.Journal2VolumeSize, device = var.Journal2DeviceName, controller = var.Journal2VolumeSCSIController },
    { name = "Docker", iris = false, size = var.DockerVolumeSize, device = var.DockerDeviceName, controller = var.DockerVolumeSCSIController },
  ]
  volumes = [
    for v in local.volume_kinds : v
    if v.size > 0 && !contains(local.no_volume, v.device) && (local.iris_role || !v.iris)
  ]
}

# -- the template and the deployment's parts (../<Label>-<Tag>/) --------------------

data "vsphere_custom_attribute" "deployment" {
  name = "icm.deployment"
}

data "vsphere_custom_attribute" "machine" {
  name = "icm.machine"
}

locals {
  # the template's disks, all on bus 0 (the provider scans that one)
  template_disk_count = length(data.vsphere_virtual_machine.template.disks)
}

locals {
  # Each volume's disk: bus <X>VolumeSCSIController - 1, the next unit on
  # it (on bus 0 after the template's disks); the provider numbers units
  # bus * 15 + unit.
  disks = [
    for i, v in local.volumes : {
      name = v.name
      size = v.size
      bus  = v.controller - 1
      unit = (v.controller - 1) * 15 + (v.controller == 1 ? local.template_disk_count : 0) + length([
        for j, w in local.volumes : w if j < i && w.controller == v.controller
      ])
    }
  ]
}

# -- node/<machine> ---------------------------------------------------------------------

resource "vsphere_virtual_machine" "node" {
  count                = var.InstanceCount
  name                 = local.machines[count.index]
  folder               = local.deployment
  resource_pool_id     = local.resource_pool_id
  datastore_id         = local.datastore_id
  datastore_cluster_id = local.datastore_cluster_id
  num_cpus             = var.VCPU > 0 ? var.VCPU : data.vsphere_virtual_machine.template.num_cpus
  memory               = var.Memory > 0 ? var.Memory : data.vsphere_virtual_machine.template.memory
  guest_id             = var.GuestID
  # Terraform gives every controller one type: icm's added ones are
  # ParaVirtual (icm leaves the template's own controller as it is)
  scsi_type             = "pvscsi"
  scsi_controller_count = var.SCSIControllerCount

  wait_for_guest_net_timeout = var.WaitForGuestNetTimeout
  shutdown_wait_timeout      = var.ShutdownWaitTimeout
  migrate_wait_timeout       = var.MigrateWaitTimeout

  custom_attributes = {
    (data.vsphere_custom_attribute.deployment.id) = local.deployment
    (data.vsphere_custom_attribute.machine.id)    = local.machines[count.index]
  }

  network_interface {
    network_id   = local.network_id
    adapter_type = data.vsphere_virtual_machine.template.network_interface_types[0]
  }

  # the template's own disks, as the clone has them
  dynamic "disk" {
    for_each = data.vsphere_virtual_machine.template.disks
    content {
      label            = "disk${disk.key}"
      size             = disk.value.size
      thin_provisioned = disk.value.thin_provisioned
      eagerly_scrub    = disk.value.eagerly_scrub
      unit_number      = disk.value.unit_number
    }
  }

  dynamic "disk" {
    for_each = local.disks
    content {
      label            = disk.value.name
      size             = disk.value.size
      unit_number      = disk.value.unit
      thin_provisioned = local.thin_provisioned
      eagerly_scrub    = local.eagerly_scrub
    }
  }

  clone {
    template_uuid = data.vsphere_virtual_machine.template.id
    timeout       = var.CloneTimeout

    customize {
      timeout = var.CustomizeTimeout

      linux_options {
        host_name = local.machines[count.index]
        domain    = var.Domain
      }

      network_interface {
        ipv4_address = length(local.ipv4) > 0 ? local.ipv4[count.index] : null
        ipv4_netmask = length(local.ipv4) > 0 ? var.IPv4Netmask : null
      }

      ipv4_gateway    = var.IPv4Gateway != "" ? var.IPv4Gateway : null
      dns_server_list = local.dns_servers
      dns_suffix_list = local.dns_suffixes
    }
  }

  lifecycle {
    precondition {
      condition     = length(local.ipv4) == 0 || length(local.ipv4) == var.InstanceCount
      error_message = "IPv4Addresses: one address per node of the definition, in machine-number order."
    }
  }
}

# ICM's terraform.out of a definition: one line per node,
# +,<machine>,<IP>,<DNS name>,<zone> (vSphere has neither DNS name nor zone)
output "nodes" {
  value = [
    for i, n in vsphere_virtual_machine.node :
    "+,${local.machines[i]},${n.default_ip_address},,"
  ]
}
