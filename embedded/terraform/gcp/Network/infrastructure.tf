# infrastructure.tf (GCP, the deployment): what state/<Label>-<Tag>/
# describes, the network every definition's instances share.  icm makes it
# itself through the Compute Engine API (src/provider/gcp/); it writes this
# file and terraform.tfvars beside it so that the deployment can be
# inspected, or taken over, with Terraform (icm never runs terraform).
# The provider and the shared variables are in provider.tf, beside this
# file.
#
# terraform.tfvars holds Credentials (the key file's path), Project,
# Region (the deployment's regions, comma list), Zone (its zones), Network,
# Subnet, net_subnet_cidr, PrivateSubnet, the ports of the firewall rule
# (SuperServerPort, WebServerPort, ISCAgentPort, LicenseServerPort), Label,
# Tag (those set) and MachineName <Label>-<Tag>.
#
# Names: ldep is <Label>-<Tag> in lowercase with every character outside
# [a-z0-9-] turned into '-'.  Every resource's description is
# "icm <Label>-<Tag> <journal key>".
#
# What icm makes here, with the journal key it records it under:
#   network            VPC network <ldep>, subnet mode (no automatic
#                      subnetworks); none when Network names an existing
#                      one
#   subnet/<region>    subnetwork <ldep>-<region> of each Region entry i
#                      (in Region order): net_subnet_cidr for i = 0 when it
#                      is set, the next blocks of its size after it for
#                      i > 0; without it 10.0.<i>.0/24.  None when Subnet
#                      names existing ones (one per region, in Region
#                      order)
#   firewall           firewall rule <ldep>-icm on the network, from
#                      0.0.0.0/0 to the instances tagged <ldep>: tcp 22,
#                      2376, 80, 443, 53, 6783, SuperServerPort,
#                      WebServerPort, ISCAgentPort, LicenseServerPort;
#                      udp 53, 6783-6784, LicenseServerPort; icmp
# Unprovision deletes them, but not an existing Network or Subnet.

variable "MachineName" {
  description = "<Label>-<Tag>: the deployment's name"
  type        = string
}

variable "net_subnet_cidr" {
  description = "the first region's subnet; empty: 10.0.0.0/24"
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
  # region i's subnet: the i-th block of the first one's size, counted
  # from the first (IPv4 as a number, back through cidrhost of 0.0.0.0/0)
  cidr_first = var.net_subnet_cidr != "" ? var.net_subnet_cidr : "10.0.0.0/24"
  cidr_bits  = tonumber(split("/", local.cidr_first)[1])
  cidr_octet = [for o in split(".", cidrhost(local.cidr_first, 0)) : tonumber(o)]
  cidr_start = ((local.cidr_octet[0] * 256 + local.cidr_octet[1]) * 256 + local.cidr_octet[2]) * 256 + local.cidr_octet[3]
  subnet_cidrs = {
    for i, r in local.regions :
    r => "${cidrhost("0.0.0.0/0", local.cidr_start + i * pow(2, 32 - local.cidr_bits))}/${local.cidr_bits}"
  }

  tcp_ports = distinct(["22", "2376", "80", "443", "53", "6783",
    tostring(var.SuperServerPort), tostring(var.WebServerPort),
  tostring(var.ISCAgentPort), tostring(var.LicenseServerPort)])
  udp_ports = distinct(["53", "6783-6784", tostring(var.LicenseServerPort)])
}

# -- network -------------------------------------------------------------------------

resource "google_compute_network" "deployment" {
  count                   = var.Network == "" ? 1 : 0
  name                    = local.ldep
  description             = "icm ${local.deployment} network"
  auto_create_subnetworks = false
}

data "google_compute_network" "given" {
  count = var.Network != "" ? 1 : 0
  name  = var.Network
}

locals {
  network = var.Network != "" ? data.google_compute_network.given[0].self_link : google_compute_network.deployment[0].self_link
}

# -- subnet/<region> -------------------------------------------------------------------

resource "google_compute_subnetwork" "region" {
  for_each      = { for r, c in local.subnet_cidrs : r => c if length(local.given_subnet) == 0 }
  name          = local.subnet_names[each.key]
  description   = "icm ${local.deployment} subnet/${each.key}"
  region        = each.key
  network       = local.network
  ip_cidr_range = each.value
}

# -- firewall ----------------------------------------------------------------------------

resource "google_compute_firewall" "icm" {
  name          = "${local.ldep}-icm"
  description   = "icm ${local.deployment} firewall"
  network       = local.network
  direction     = "INGRESS"
  source_ranges = ["0.0.0.0/0"]
  target_tags   = [local.ldep]

  allow {
    protocol = "tcp"
    ports    = local.tcp_ports
  }

  allow {
    protocol = "udp"
    ports    = local.udp_ports
  }

  allow {
    protocol = "icmp"
  }
}

# What the definitions' templates find by name.
output "network" {
  value = local.network
}

output "subnetworks" {
  value = local.subnet_names
}
