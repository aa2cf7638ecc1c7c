# infrastructure.tf (Azure, one definition): the virtual machines of one
# definition and what belongs to them, in state/<Label>-<Role>-<Tag>/.
# icm makes the same resources itself through Azure Resource Manager
# (src/provider/azure/); it writes this file and terraform.tfvars beside
# it so that the deployment can be inspected, or taken over, with
# Terraform (icm never runs terraform).  The provider and the variables
# shared with the network's template are in provider.tf.
#
# terraform.tfvars holds the definition's merged fields as ICM's
# `Field = "value"` lines (secret fields left out), plus MachineName
# (<Label>-<Role>-<Tag>), DefinitionIndex, InstanceCount (machines of this
# definition), MachineNames, Locations and Zones (one entry per machine,
# in machine order, comma lists), Location (the deployment's list, as in
# ../<Label>-<Tag>/), OutputFile and, when the definition has
# LoadBalancer true, LoadBalancerName and the Forward*/HealthCheck*
# values of its load balancer.  Fields this file does not use are there
# for reading, as in ICM's state directory.
#
# SSHPassword, the machines' admin password, is secret: never written,
# Terraform takes it from the environment, TF_VAR_SSHPassword.
#
# The resource group, each location's subnet (<dep>-<location>, or
# VirtualNetworkName/SubnetName) and security group (<dep>-<location>-nsg)
# come from ../<Label>-<Tag>/ (found here by name).
#
# Names keep their case; <dep> is <Label>-<Tag>, <m> a machine name.
# Every resource carries the tags icm-deployment = <dep> and icm-key = its
# journal key; machines and their disks also icm-machine = <m>.
#
# What icm makes here, with its journal keys:
#   pip/<m>   unless PrivateSubnet: public IP <m>-ip (Standard, Static,
#             in the machine's zone when it has one)
#   nic/<m>   network interface <m>-nic, IP configuration ipconfig1
#             (Dynamic) on the subnet of the machine's location with that
#             public IP, and the location's security group
#   node/<m>  virtual machine <m> (computer name <m>) of Size in the
#             machine's location (its entry of Locations) and zone (of
#             Zones; none when empty), the image PublisherName / Offer /
#             Sku / Version (latest when empty) or CustomImage, admin
#             SSHUser with SSHPassword and the SSHPublicKey file; OS disk
#             <m>-os of OSVolumeSize GB; disks <m>-data, -wij, -journal1,
#             -journal2 on IRIS roles and <m>-docker on every role when
#             DockerVolumeSize is set, each of <X>VolumeSize GB, at LUN 0,
#             1, ... in that order.  A disk's SKU is its <X>VolumeType, else
#             <AccountTier>_<AccountReplicationType> (Standard_LRS).  icm
#             makes the disks with the machine (deleted with it); here
#             they are managed disks attached to it.
#   lbip/<L>, lb/<L>
#             with LoadBalancer, <L> being its machine name: public IP
#             <L>-ip (Standard, Static) in the location of the
#             definition's first machine, load balancer <L> (Standard)
#             with frontend "frontend" on it, backend pool "backend" of
#             the machines' private IPs (one address per machine, named
#             after it), probe "health" (Http, HealthCheckPort,
#             HealthCheckPath) and per ForwardPort p a rule port-<p> (Tcp,
#             p to p).

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
  description = "machines of this definition"
  type        = number
}

variable "MachineNames" {
  description = "comma list: <Label>-<Role>-<Tag>-<NNNN> of each machine"
  type        = string
}

variable "Locations" {
  description = "comma list: each machine's location, in MachineNames order"
  type        = string
}

variable "Zones" {
  description = "comma list: each machine's zone (1, 2, 3 or empty), in MachineNames order"
  type        = string
  default     = ""
}

# -- machine (icm-reference 5.3) ---------------------------------------------------

variable "Size" {
  type = string
}

variable "PublisherName" {
  type    = string
  default = ""
}

variable "Offer" {
  type    = string
  default = ""
}

variable "Sku" {
  type    = string
  default = ""
}

variable "Version" {
  description = "empty: latest"
  type        = string
  default     = ""
}

variable "CustomImage" {
  description = "an image's resource id, instead of PublisherName/Offer/Sku/Version"
  type        = string
  default     = ""
}

variable "SSHUser" {
  type = string
}

variable "SSHPublicKey" {
  description = "path of the public key put in the admin's authorized_keys"
  type        = string
}

variable "SSHPassword" {
  description = "the admin's password: set it through TF_VAR_SSHPassword"
  type        = string
  sensitive   = true
}

# -- volumes (icm-reference 3.6) -----------------------------------------------------

variable "AccountTier" {
  type    = string
  default = "Standard"
}

variable "AccountReplicationType" {
  type    = string
  default = "LRS"
}

variable "OSVolumeSize" {
  type    = number
  default = 32
}

variable "OSVolumeType" {
  type    = string
  default = ""
}

variable "DataVolumeSize" {
  type    = number
  default = 10
}

variable "DataVolumeType" {
  type    = string
  default = ""
}

variable "WIJVolumeSize" {
  type    = number
  default = 10
}

variable "WIJVolumeType" {
  type    = string
  default = ""
}

variable "Journal1VolumeSize" {
  type    = number
  default = 10
}

variable "Journal1VolumeType" {
  type    = string
  default = ""
}

variable "Journal2VolumeSize" {
  type    = number
  default = 10
}

variable "Journal2VolumeType" {
  type    = string
  default = ""
}

variable "DockerVolumeSize" {
  description = "0: no Docker disk"
  type        = number
  default     = 0
}

variable "DockerVolumeType" {
  type    = string
  default = ""
}

# -- load balancer (icm-reference 3.5) -------------------------------------------------

variable "LoadBalancer" {
  type    = bool
  default = false
}

variable "LoadBalancerName" {
  description = "the load balancer's machine name"
  type        = string
  default     = ""
}

variable "ForwardPort" {
  description = "comma list"
  type        = string
  default     = ""
}

variable "HealthCheckPort" {
  type    = string
  default = ""
}

variable "HealthCheckPath" {
  type    = string
  default = ""
}

locals {
  machines  = [for m in split(",", var.MachineNames) : trimspace(m)]
  locs      = [for l in split(",", var.Locations) : trimspace(l)]
  zone_list = split(",", var.Zones)
  # each machine's zone, null for none
  zones     = [for i, m in local.machines : try(trimspace(local.zone_list[i]), "") != "" ? trimspace(local.zone_list[i]) : null]
  iris_role = contains(["DATA", "COMPUTE", "DM", "DS", "QS", "AM"], var.Role)
  # a disk's SKU when its <X>VolumeType is empty
  default_sku = "${var.AccountTier}_${var.AccountReplicationType}"
  os_sku      = var.OSVolumeType != "" ? var.OSVolumeType : local.default_sku

  # the data disks icm adds, in LUN order
  volume_kinds = [
    { kind = "data", iris = true, size = var.DataVolumeSize, type = var.DataVolumeType },
    { kind = "wij", iris = true, size = var.WIJVolumeSize, type = var.WIJVolumeType },
    { kind = "journal1", iris = true, size = var.Journal1VolumeSize, type = var.Journal1VolumeType },
    { kind = "journal2", iris = true, size = var.Journal2VolumeSize, type = var.Journal2VolumeType },
    { kind = "docker", iris = false, size = var.DockerVolumeSize, type = var.DockerVolumeType },
  ]
  volumes = [
    for v in local.volume_kinds : {
      kind = v.kind
      size = v.size
      sku  = v.type != "" ? v.type : local.default_sku
    } if v.size > 0 && (local.iris_role || !v.iris)
  ]
  # every machine's disks, by name <m>-<kind>
  disks = merge([
    for i, m in local.machines : {
      for lun, v in local.volumes : "${m}-${v.kind}" => merge(v, { node = i, lun = lun })
    }
  ]...)

  # node/<m>'s tags, on the machine and its disks
  node_tags = [
    for m in local.machines : merge(local.tags, { icm-key = "node/${m}", icm-machine = m })
  ]
  public_ips = var.PrivateSubnet ? [] : [for m in local.machines : "${m}-ip"]
  image = var.CustomImage != "" ? [] : [{
    publisher = var.PublisherName
    offer     = var.Offer
    sku       = var.Sku
    version   = var.Version != "" ? var.Version : "latest"
  }]

  lb_ports    = var.LoadBalancer ? distinct([for p in split(",", var.ForwardPort) : trimspace(p) if trimspace(p) != ""]) : []
  lb_location = local.locs[0]
  lb_path     = var.HealthCheckPath != "" ? var.HealthCheckPath : "/"
}

# -- the network of ../<Label>-<Tag>/ ------------------------------------------------------

data "azurerm_subnet" "location" {
  for_each             = toset(local.locs)
  name                 = local.subnet_names[each.key]
  virtual_network_name = local.vnet_names[each.key]
  resource_group_name  = local.group
}

data "azurerm_virtual_network" "location" {
  for_each            = toset(local.locs)
  name                = local.vnet_names[each.key]
  resource_group_name = local.group
}

data "azurerm_network_security_group" "location" {
  for_each            = toset(local.locs)
  name                = local.nsg_names[each.key]
  resource_group_name = local.group
}

# -- pip/<m>, nic/<m> ----------------------------------------------------------------------

resource "azurerm_public_ip" "node" {
  count               = length(local.public_ips)
  name                = local.public_ips[count.index]
  location            = local.locs[count.index]
  resource_group_name = local.group
  sku                 = "Standard"
  allocation_method   = "Static"
  zones               = local.zones[count.index] != null ? [local.zones[count.index]] : null
  tags                = merge(local.tags, { icm-key = "pip/${local.machines[count.index]}" })
}

resource "azurerm_network_interface" "node" {
  count               = var.InstanceCount
  name                = "${local.machines[count.index]}-nic"
  location            = local.locs[count.index]
  resource_group_name = local.group
  tags                = merge(local.tags, { icm-key = "nic/${local.machines[count.index]}" })

  ip_configuration {
    name                          = "ipconfig1"
    subnet_id                     = data.azurerm_subnet.location[local.locs[count.index]].id
    private_ip_address_allocation = "Dynamic"
    public_ip_address_id          = var.PrivateSubnet ? null : azurerm_public_ip.node[count.index].id
  }
}

resource "azurerm_network_interface_security_group_association" "node" {
  count                     = var.InstanceCount
  network_interface_id      = azurerm_network_interface.node[count.index].id
  network_security_group_id = data.azurerm_network_security_group.location[local.locs[count.index]].id
}

# -- node/<m>: the machine, then its disks ----------------------------------------------------

resource "azurerm_linux_virtual_machine" "node" {
  count                           = var.InstanceCount
  name                            = local.machines[count.index]
  computer_name                   = local.machines[count.index]
  location                        = local.locs[count.index]
  resource_group_name             = local.group
  size                            = var.Size
  zone                            = local.zones[count.index]
  admin_username                  = var.SSHUser
  admin_password                  = var.SSHPassword
  disable_password_authentication = false
  network_interface_ids           = [azurerm_network_interface.node[count.index].id]
  source_image_id                 = var.CustomImage != "" ? var.CustomImage : null
  tags                            = local.node_tags[count.index]

  admin_ssh_key {
    username   = var.SSHUser
    public_key = file(var.SSHPublicKey)
  }

  os_disk {
    name                 = "${local.machines[count.index]}-os"
    caching              = "ReadWrite"
    storage_account_type = local.os_sku
    disk_size_gb         = var.OSVolumeSize
  }

  dynamic "source_image_reference" {
    for_each = local.image
    content {
      publisher = source_image_reference.value.publisher
      offer     = source_image_reference.value.offer
      sku       = source_image_reference.value.sku
      version   = source_image_reference.value.version
    }
  }
}

resource "azurerm_managed_disk" "volume" {
  for_each             = local.disks
  name                 = each.key
  location             = local.locs[each.value.node]
  resource_group_name  = local.group
  storage_account_type = each.value.sku
  create_option        = "Empty"
  disk_size_gb         = each.value.size
  zone                 = local.zones[each.value.node]
  tags                 = local.node_tags[each.value.node]
}

resource "azurerm_virtual_machine_data_disk_attachment" "volume" {
  for_each           = local.disks
  managed_disk_id    = azurerm_managed_disk.volume[each.key].id
  virtual_machine_id = azurerm_linux_virtual_machine.node[each.value.node].id
  lun                = each.value.lun
  caching            = "None"
}

# -- lbip/<L>, lb/<L> ----------------------------------------------------------------------------

resource "azurerm_public_ip" "lb" {
  count               = var.LoadBalancer ? 1 : 0
  name                = "${var.LoadBalancerName}-ip"
  location            = local.lb_location
  resource_group_name = local.group
  sku                 = "Standard"
  allocation_method   = "Static"
  tags                = merge(local.tags, { icm-key = "lbip/${var.LoadBalancerName}" })
}

resource "azurerm_lb" "lb" {
  count               = var.LoadBalancer ? 1 : 0
  name                = var.LoadBalancerName
  location            = local.lb_location
  resource_group_name = local.group
  sku                 = "Standard"
  tags                = merge(local.tags, { icm-key = "lb/${var.LoadBalancerName}" })

  frontend_ip_configuration {
    name                 = "frontend"
    public_ip_address_id = azurerm_public_ip.lb[0].id
  }
}

resource "azurerm_lb_backend_address_pool" "lb" {
  count           = var.LoadBalancer ? 1 : 0
  name            = "backend"
  loadbalancer_id = azurerm_lb.lb[0].id
}

resource "azurerm_lb_backend_address_pool_address" "lb" {
  count                   = var.LoadBalancer ? var.InstanceCount : 0
  name                    = local.machines[count.index]
  backend_address_pool_id = azurerm_lb_backend_address_pool.lb[0].id
  virtual_network_id      = data.azurerm_virtual_network.location[local.locs[count.index]].id
  ip_address              = azurerm_network_interface.node[count.index].private_ip_address
}

resource "azurerm_lb_probe" "lb" {
  count           = var.LoadBalancer ? 1 : 0
  name            = "health"
  loadbalancer_id = azurerm_lb.lb[0].id
  protocol        = "Http"
  port            = tonumber(var.HealthCheckPort)
  request_path    = local.lb_path
}

resource "azurerm_lb_rule" "lb" {
  for_each                       = toset(local.lb_ports)
  name                           = "port-${each.key}"
  loadbalancer_id                = azurerm_lb.lb[0].id
  protocol                       = "Tcp"
  frontend_port                  = tonumber(each.key)
  backend_port                   = tonumber(each.key)
  frontend_ip_configuration_name = "frontend"
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.lb[0].id]
  probe_id                       = azurerm_lb_probe.lb[0].id
}

# ICM's terraform.out of a definition: one line per machine,
# +,<machine>,<IP>,<DNS name>,<zone> (the private IP with PrivateSubnet,
# as icm records it; no DNS name)
output "nodes" {
  value = [
    for i, n in azurerm_network_interface.node :
    "+,${local.machines[i]},${var.PrivateSubnet ? n.private_ip_address : azurerm_public_ip.node[i].ip_address},,${local.zones[i] != null ? local.zones[i] : ""}"
  ]
}

output "load_balancer_address" {
  value = var.LoadBalancer ? azurerm_public_ip.lb[0].ip_address : ""
}
