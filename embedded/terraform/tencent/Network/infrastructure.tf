# infrastructure.tf (Tencent, the deployment): what state/<Label>-<Tag>/
# describes, the network every definition's instances share.  icm makes
# it itself through the VPC and CVM APIs (src/provider/tencent/); it
# writes this file and terraform.tfvars beside it so that the deployment
# can be inspected, or taken over, with Terraform (icm never runs
# terraform).  The provider and the shared variables are in provider.tf,
# beside this file.
#
# terraform.tfvars holds Region, VPCId, SubnetIds, net_vpc_cidr,
# net_subnet_cidr, PrivateSubnet, SSHPublicKey, the ports of the security
# group (SuperServerPort, WebServerPort, ISCAgentPort, LicenseServerPort),
# Label, Tag (those set), Zone (the deployment's zones, comma list) and
# MachineName <Label>-<Tag>.  No secret: TENCENTCLOUD_SECRET_ID and
# TENCENTCLOUD_SECRET_KEY give the provider its key.
#
# Names keep their case; <dep> is <Label>-<Tag>.  Every resource carries
# the tags icm-deployment = <dep> and icm-key = its journal key.
#
# What icm makes here, with the journal key it records it under:
#   vpc            VPC <dep> of net_vpc_cidr, else the /16 around the
#                  first subnet's range.  None with VPCId
#   subnet/<zone>  subnet <dep>-<zone> in the zone, of the address range
#                  of Zone entry i (in Zone order): net_subnet_cidr for
#                  i = 0 when it is set, the next blocks of its size after
#                  it for i > 0; without it 10.0.<i>.0/24.  None with
#                  VPCId: SubnetIds names one existing subnet per Zone
#                  entry
#   sg             security group <dep> ("icm: the ports of every role"):
#                  inbound ACCEPT policies "icm" from 0.0.0.0/0 for TCP 22,
#                  2376, 80, 443, 53, UDP 53, TCP 6783, UDP 6783-6784, TCP
#                  SuperServerPort, WebServerPort, ISCAgentPort,
#                  LicenseServerPort, UDP LicenseServerPort (each protocol
#                  and port once), then ICMP
#   keypair        key pair <dep>'s first 25 characters with every one
#                  outside [A-Za-z0-9] turned into '_', of the SSHPublicKey
#                  file, in project 0
# Unprovision deletes them, but not an existing VPC or subnet.

variable "MachineName" {
  description = "<Label>-<Tag>: the deployment's name"
  type        = string
}

variable "net_vpc_cidr" {
  description = "the VPC's address range; empty: the /16 around the first subnet's"
  type        = string
  default     = ""
}

variable "net_subnet_cidr" {
  description = "the first zone's address range; empty: 10.0.0.0/24"
  type        = string
  default     = ""
}

variable "SSHPublicKey" {
  description = "path of the public key the key pair is made of"
  type        = string
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
  # zone i's range: the i-th block of the first one's size, counted from
  # the first (IPv4 as a number, back through cidrhost of 0.0.0.0/0)
  cidr_first = var.net_subnet_cidr != "" ? var.net_subnet_cidr : "10.0.0.0/24"
  cidr_bits  = tonumber(split("/", local.cidr_first)[1])
  cidr_octet = [for o in split(".", cidrhost(local.cidr_first, 0)) : tonumber(o)]
  cidr_start = ((local.cidr_octet[0] * 256 + local.cidr_octet[1]) * 256 + local.cidr_octet[2]) * 256 + local.cidr_octet[3]
  subnet_cidrs = {
    for i, z in local.zones :
    z => "${cidrhost("0.0.0.0/0", local.cidr_start + i * pow(2, 32 - local.cidr_bits))}/${local.cidr_bits}"
  }
  vpc_cidr = var.net_vpc_cidr != "" ? var.net_vpc_cidr : "${local.cidr_octet[0]}.${local.cidr_octet[1]}.0.0/16"

  # the ports in icm's order (src/provider/ports.c), then each protocol
  # and port once
  port_list = [
    { proto = "TCP", from = "22", to = "22" },
    { proto = "TCP", from = "2376", to = "2376" },
    { proto = "TCP", from = "80", to = "80" },
    { proto = "TCP", from = "443", to = "443" },
    { proto = "TCP", from = "53", to = "53" },
    { proto = "UDP", from = "53", to = "53" },
    { proto = "TCP", from = "6783", to = "6783" },
    { proto = "UDP", from = "6783", to = "6784" },
    { proto = "TCP", from = tostring(var.SuperServerPort), to = tostring(var.SuperServerPort) },
    { proto = "TCP", from = tostring(var.WebServerPort), to = tostring(var.WebServerPort) },
    { proto = "TCP", from = tostring(var.ISCAgentPort), to = tostring(var.ISCAgentPort) },
    { proto = "TCP", from = tostring(var.LicenseServerPort), to = tostring(var.LicenseServerPort) },
    { proto = "UDP", from = tostring(var.LicenseServerPort), to = tostring(var.LicenseServerPort) },
  ]
  port_keys = [for p in local.port_list : "${p.proto}/${p.from}"]
  ports = [
    for i, p in local.port_list : p if index(local.port_keys, "${p.proto}/${p.from}") == i
  ]
  # the inbound policies, in icm's order (the first has the highest
  # priority)
  ingress = concat([
    for p in local.ports : { protocol = p.proto, port = p.to == p.from ? p.from : "${p.from}-${p.to}" }
  ], [{ protocol = "ICMP", port = "ALL" }])
}

# -- vpc, subnet/<zone> ------------------------------------------------------------------

resource "tencentcloud_vpc" "deployment" {
  count      = var.VPCId == "" ? 1 : 0
  name       = local.deployment
  cidr_block = local.vpc_cidr
  tags       = merge(local.tags, { icm-key = "vpc" })
}

resource "tencentcloud_subnet" "zone" {
  for_each          = var.VPCId == "" ? local.subnet_cidrs : {}
  name              = local.subnet_names[each.key]
  vpc_id            = tencentcloud_vpc.deployment[0].id
  availability_zone = each.key
  cidr_block        = each.value
  tags              = merge(local.tags, { icm-key = "subnet/${each.key}" })
}

# -- sg ------------------------------------------------------------------------------------

resource "tencentcloud_security_group" "deployment" {
  name        = local.deployment
  description = "icm: the ports of every role"
  tags        = merge(local.tags, { icm-key = "sg" })
}

resource "tencentcloud_security_group_rule_set" "deployment" {
  security_group_id = tencentcloud_security_group.deployment.id

  dynamic "ingress" {
    for_each = local.ingress
    content {
      action      = "ACCEPT"
      cidr_block  = "0.0.0.0/0"
      protocol    = ingress.value.protocol
      port        = ingress.value.port
      description = "icm"
    }
  }
}

# -- keypair -------------------------------------------------------------------------------

resource "tencentcloud_key_pair" "deployment" {
  key_name   = local.key_name
  public_key = trimspace(file(var.SSHPublicKey))
  project_id = 0
  tags       = merge(local.tags, { icm-key = "keypair" })
}

# What the definitions' templates find by tag.
output "vpc" {
  value = var.VPCId != "" ? var.VPCId : tencentcloud_vpc.deployment[0].id
}

output "subnets" {
  value = {
    for i, z in local.zones : z => var.VPCId != "" ? local.given_subnet[i] : tencentcloud_subnet.zone[z].id
  }
}

output "security_group" {
  value = tencentcloud_security_group.deployment.id
}

output "key_pair" {
  value = tencentcloud_key_pair.deployment.id
}
