# infrastructure.tf (Azure, the deployment): what state/<Label>-<Tag>/
# describes, the resource group and the network every definition's
# machines share.  icm makes it itself through Azure Resource Manager
# (src/provider/azure/); it writes this file and terraform.tfvars beside
# it so that the deployment can be inspected, or taken over, with
# Terraform (icm never runs terraform).  The provider and the shared
# variables are in provider.tf, beside this file.
#
# terraform.tfvars holds SubscriptionId, TenantId, ClientId, UseMSI,
# ResourceGroupName, VirtualNetworkName, SubnetName, net_subnet_cidr,
# PrivateSubnet, the ports of the security groups (SuperServerPort,
# WebServerPort, ISCAgentPort, LicenseServerPort), Label, Tag (those set),
# Location (the deployment's locations, comma list) and MachineName
# <Label>-<Tag>.  No secret: ARM_CLIENT_SECRET gives the provider its
# secret.
#
# Names keep their case; <dep> is <Label>-<Tag>.  Every resource carries
# the tags icm-deployment = <dep> and icm-key = its journal key.
#
# What icm makes here, with the journal key it records it under:
#   group              resource group ResourceGroupName, else <dep>, in
#                      the first Location.  An existing ResourceGroupName
#                      is read here, not made (icm makes one that does not
#                      exist, and deletes only that one at unprovision:
#                      import it when icm made it)
#   vnet/<location>    virtual network <dep>-<location> with one subnet
#   subnet/<location>  <dep>-<location>, both of the address range of
#                      Location entry i (in Location order):
#                      net_subnet_cidr for i = 0 when it is set, the next
#                      blocks of its size after it for i > 0; without it
#                      10.0.<i>.0/24.  None when VirtualNetworkName names
#                      existing ones, with SubnetName (one per location)
#   nsg/<location>     network security group <dep>-<location>-nsg:
#                      inbound, from any source, Allow rules
#                      icm-<proto>-<port>[-<to>] of priority 1000 + i for
#                      tcp 22, 2376, 80, 443, 53, udp 53, tcp 6783, udp
#                      6783-6784, tcp SuperServerPort, WebServerPort,
#                      ISCAgentPort, LicenseServerPort, udp
#                      LicenseServerPort (each protocol and port once),
#                      then icm-icmp.  It is attached to the machines'
#                      network interfaces, not to the subnet.
# Unprovision deletes them, but not an existing resource group, virtual
# network or subnet.

variable "MachineName" {
  description = "<Label>-<Tag>: the deployment's name"
  type        = string
}

variable "net_subnet_cidr" {
  description = "the first location's address range; empty: 10.0.0.0/24"
  type        = string
  default     = ""
}

# -- ports (icm-reference 3.5) ------------------------------------------------------

variable "SuperServerPort" {
  type    = number
  default = 1972
}

variable "WebServerPort" {
  type    = number
  default = 52773
}

variable "ISCAgentPort" {
  type    = number
  default = 2188
}

variable "LicenseServerPort" {
  type    = number
  default = 4002
}

locals {
  # location i's range: the i-th block of the first one's size, counted
  # from the first (IPv4 as a number, back through cidrhost of 0.0.0.0/0)
  cidr_first = var.net_subnet_cidr != "" ? var.net_subnet_cidr : "10.0.0.0/24"
  cidr_bits  = tonumber(split("/", local.cidr_first)[1])
  cidr_octet = [for o in split(".", cidrhost(local.cidr_first, 0)) : tonumber(o)]
  cidr_start = ((local.cidr_octet[0] * 256 + local.cidr_octet[1]) * 256 + local.cidr_octet[2]) * 256 + local.cidr_octet[3]
  subnet_cidrs = {
    for i, l in local.locations :
    l => "${cidrhost("0.0.0.0/0", local.cidr_start + i * pow(2, 32 - local.cidr_bits))}/${local.cidr_bits}"
  }

  # the ports in icm's order (src/provider/ports.c), then each protocol
  # and port once
  port_list = [
    { proto = "tcp", from = "22", to = "22" },
    { proto = "tcp", from = "2376", to = "2376" },
    { proto = "tcp", from = "80", to = "80" },
    { proto = "tcp", from = "443", to = "443" },
    { proto = "tcp", from = "53", to = "53" },
    { proto = "udp", from = "53", to = "53" },
    { proto = "tcp", from = "6783", to = "6783" },
    { proto = "udp", from = "6783", to = "6784" },
    { proto = "tcp", from = tostring(var.SuperServerPort), to = tostring(var.SuperServerPort) },
    { proto = "tcp", from = tostring(var.WebServerPort), to = tostring(var.WebServerPort) },
    { proto = "tcp", from = tostring(var.ISCAgentPort), to = tostring(var.ISCAgentPort) },
    { proto = "tcp", from = tostring(var.LicenseServerPort), to = tostring(var.LicenseServerPort) },
    { proto = "udp", from = tostring(var.LicenseServerPort), to = tostring(var.LicenseServerPort) },
  ]
  port_keys = [for p in local.port_list : "${p.proto}/${p.from}"]
  ports = [
    for i, p in local.port_list : p if index(local.port_keys, "${p.proto}/${p.from}") == i
  ]
  security_rules = concat([
    for i, p in local.ports : {
      name     = p.to == p.from ? "icm-${p.proto}-${p.from}" : "icm-${p.proto}-${p.from}-${p.to}"
      priority = 1000 + i
      protocol = title(p.proto)
      range    = p.to == p.from ? p.from : "${p.from}-${p.to}"
    }
    ], [{
      name     = "icm-icmp"
      priority = 1000 + length(local.ports)
      protocol = "Icmp"
      range    = "*"
  }])
}

# -- group ---------------------------------------------------------------------------

resource "azurerm_resource_group" "deployment" {
  count    = var.ResourceGroupName == "" ? 1 : 0
  name     = local.group
  location = local.locations[0]
  tags     = merge(local.tags, { icm-key = "group" })
}

data "azurerm_resource_group" "given" {
  count = var.ResourceGroupName != "" ? 1 : 0
  name  = var.ResourceGroupName
}

locals {
  group_name = var.ResourceGroupName != "" ? data.azurerm_resource_group.given[0].name : azurerm_resource_group.deployment[0].name
}

# -- vnet/<location>, subnet/<location> ------------------------------------------------

resource "azurerm_virtual_network" "location" {
  for_each            = { for l, c in local.subnet_cidrs : l => c if length(local.given_vnet) == 0 }
  name                = local.vnet_names[each.key]
  location            = each.key
  resource_group_name = local.group_name
  address_space       = [each.value]
  tags                = merge(local.tags, { icm-key = "vnet/${each.key}" })
}

resource "azurerm_subnet" "location" {
  for_each             = azurerm_virtual_network.location
  name                 = local.subnet_names[each.key]
  resource_group_name  = local.group_name
  virtual_network_name = each.value.name
  address_prefixes     = [local.subnet_cidrs[each.key]]
}

# -- nsg/<location> ----------------------------------------------------------------------

resource "azurerm_network_security_group" "location" {
  for_each            = toset(local.locations)
  name                = local.nsg_names[each.key]
  location            = each.key
  resource_group_name = local.group_name
  tags                = merge(local.tags, { icm-key = "nsg/${each.key}" })

  dynamic "security_rule" {
    for_each = local.security_rules
    content {
      name                       = security_rule.value.name
      priority                   = security_rule.value.priority
      direction                  = "Inbound"
      access                     = "Allow"
      protocol                   = security_rule.value.protocol
      source_port_range          = "*"
      destination_port_range     = security_rule.value.range
      source_address_prefix      = "*"
      destination_address_prefix = "*"
    }
  }
}

# What the definitions' templates find by name.
output "resource_group" {
  value = local.group_name
}

output "subnets" {
  value = { for l in local.locations : l => "${local.vnet_names[l]}/${local.subnet_names[l]}" }
}

output "security_groups" {
  value = local.nsg_names
}
