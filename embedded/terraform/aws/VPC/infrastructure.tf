# infrastructure.tf (AWS, shared network): the deployment-wide resources of
# state/<Label>-<Tag>/, as ICM's /ICM/etc/Terraform/AWS/VPC/infrastructure.tf
# had them.  icm creates the same resources itself through the EC2 API
# (src/provider/aws.c); it writes this file and terraform.tfvars beside it
# so that the deployment can be inspected, or taken over, with Terraform
# (icm never runs terraform).
#
# Variables carry ICM's field names (those shared with the definitions'
# templates are in provider.tf, beside this file); terraform.tfvars
# (written by icm) holds their values as ICM's `Field = "value"` lines.
#
# What icm makes here, with the journal key it records it under (aws.c):
#   vpc                10.0.0.0/16, DNS host names on (unless VPCId)
#   subnet/<zone>      10.0.<i>.0/24, i the zone's place in Zone (unless
#                      SubnetIds: one per zone, in Zone order); public IPs
#                      on launch unless PrivateSubnet
#   igw                internet gateway, only when neither InternetGatewayId
#                      nor RouteTableId is given
#   rtb                route table with 0.0.0.0/0 -> the gateway, associated
#                      with every zone's subnet (given or made), unless
#                      RouteTableId (then nothing is routed or associated)
#   sg                 ONE security group <Label>-<Tag> for every definition,
#                      with the ports of every role open
#   keypair            <Label>-<Tag>, imported from SSHPublicKey
# Every resource made is tagged icm:deployment = <Label>-<Tag> and
# icm:key = <Label>-<Tag>/<journal key> (which is how the per-definition
# templates in ../<Label>-<Role>-<Tag>/ find them, and how icm adopts
# them), and named <Label>-<Tag> (subnets <Label>-<Tag>-<zone>).  A given
# VPCId, SubnetIds, RouteTableId or InternetGatewayId is used as it is and
# nothing of that kind is created (nor destroyed).
#
# icm uses the fixed addresses above: ICM's net_vpc_cidr and net_subnet_cidr
# fields are not used.

variable "MachineName" {
  description = "<Label>-<Tag>: name of the deployment's shared resources"
  type        = string
}

variable "SSHPublicKey" {
  description = "path of the public key imported as key pair <Label>-<Tag>"
  type        = string
}

variable "RouteTableId" {
  type    = string
  default = ""
}

variable "InternetGatewayId" {
  type    = string
  default = ""
}

variable "allow_cidr" {
  description = "where the open ports may be reached from"
  type        = string
  default     = "0.0.0.0/0"
}

# -- ports (icm-reference 3.5) ------------------------------------------------

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
  vpc_cidr   = "10.0.0.0/16"
  zones      = [for z in split(",", var.Zone) : trimspace(z) if trimspace(z) != ""]
  subnet_ids = [for s in split(",", var.SubnetIds) : trimspace(s) if trimspace(s) != ""]
  # what icm makes of the network (aws.c network())
  make_vpc     = var.VPCId == ""
  make_subnets = length(local.subnet_ids) == 0
  make_igw     = var.InternetGatewayId == "" && var.RouteTableId == ""
  make_rtb     = var.RouteTableId == ""
  tags = {
    Name             = var.MachineName
    "icm:deployment" = var.MachineName
  }
}

# -- vpc -------------------------------------------------------------------------

resource "aws_vpc" "default" {
  count                = local.make_vpc ? 1 : 0
  cidr_block           = local.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { "icm:key" = "${var.MachineName}/vpc" })
}

locals {
  vpc_id = local.make_vpc ? aws_vpc.default[0].id : var.VPCId
}

# -- subnet/<zone> -----------------------------------------------------------------

resource "aws_subnet" "default" {
  count                   = local.make_subnets ? length(local.zones) : 0
  vpc_id                  = local.vpc_id
  availability_zone       = local.zones[count.index]
  cidr_block              = "10.0.${count.index}.0/24"
  map_public_ip_on_launch = !var.PrivateSubnet
  tags = merge(local.tags, {
    Name      = "${var.MachineName}-${local.zones[count.index]}"
    "icm:key" = "${var.MachineName}/subnet/${local.zones[count.index]}"
  })
}

locals {
  # the subnet of each zone, in Zone order
  zone_subnet_ids = local.make_subnets ? aws_subnet.default[*].id : slice(local.subnet_ids, 0, length(local.zones))
}

# -- igw, rtb, route-default, rtb-assoc/<zone> -----------------------------------

resource "aws_internet_gateway" "default" {
  count  = local.make_igw ? 1 : 0
  vpc_id = local.vpc_id
  tags   = merge(local.tags, { "icm:key" = "${var.MachineName}/igw" })
}

resource "aws_route_table" "default" {
  count  = local.make_rtb ? 1 : 0
  vpc_id = local.vpc_id
  tags   = merge(local.tags, { "icm:key" = "${var.MachineName}/rtb" })
}

locals {
  gateway_id     = var.InternetGatewayId != "" ? var.InternetGatewayId : one(aws_internet_gateway.default[*].id)
  route_table_id = var.RouteTableId != "" ? var.RouteTableId : aws_route_table.default[0].id
}

# The default route goes into a route table icm made; a given table is
# expected to route already.
resource "aws_route" "default" {
  count                  = local.make_rtb ? 1 : 0
  route_table_id         = local.route_table_id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = local.gateway_id
}

resource "aws_route_table_association" "default" {
  count          = local.make_rtb ? length(local.zones) : 0
  subnet_id      = local.zone_subnet_ids[count.index]
  route_table_id = local.route_table_id
}

# -- sg: one group for the whole deployment (icm-reference 3.5) -------------------

locals {
  ingress = [
    { protocol = "tcp", from = 22, to = 22, cidr = var.allow_cidr },
    { protocol = "tcp", from = 2376, to = 2376, cidr = var.allow_cidr },
    { protocol = "tcp", from = 80, to = 80, cidr = var.allow_cidr },
    { protocol = "tcp", from = 443, to = 443, cidr = var.allow_cidr },
    { protocol = "tcp", from = 53, to = 53, cidr = var.allow_cidr },
    { protocol = "udp", from = 53, to = 53, cidr = var.allow_cidr },
    { protocol = "tcp", from = 6783, to = 6783, cidr = var.allow_cidr },
    { protocol = "udp", from = 6783, to = 6784, cidr = var.allow_cidr },
    { protocol = "tcp", from = var.SuperServerPort, to = var.SuperServerPort, cidr = var.allow_cidr },
    { protocol = "tcp", from = var.WebServerPort, to = var.WebServerPort, cidr = var.allow_cidr },
    { protocol = "tcp", from = var.ISCAgentPort, to = var.ISCAgentPort, cidr = var.allow_cidr },
    { protocol = "tcp", from = var.LicenseServerPort, to = var.LicenseServerPort, cidr = var.allow_cidr },
    { protocol = "udp", from = var.LicenseServerPort, to = var.LicenseServerPort, cidr = var.allow_cidr },
    { protocol = "icmp", from = -1, to = -1, cidr = local.vpc_cidr },
  ]
}

resource "aws_security_group" "default" {
  name        = var.MachineName
  description = "icm ${var.MachineName}"
  vpc_id      = local.vpc_id
  tags        = merge(local.tags, { "icm:key" = "${var.MachineName}/sg" })

  dynamic "ingress" {
    for_each = local.ingress
    content {
      protocol    = ingress.value.protocol
      from_port   = ingress.value.from
      to_port     = ingress.value.to
      cidr_blocks = [ingress.value.cidr]
    }
  }
  # EC2's default rule of a VPC group, which icm leaves in place
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# -- keypair ------------------------------------------------------------------------

resource "aws_key_pair" "default" {
  key_name   = var.MachineName
  public_key = file(pathexpand(var.SSHPublicKey))
  tags = {
    "icm:deployment" = var.MachineName
    "icm:key"        = "${var.MachineName}/keypair"
  }
}

# ICM's outputs (terraform.out of the shared directory), and the group.
output "aws_vpc_default_id" {
  value = local.vpc_id
}

output "aws_subnet_default_ids" {
  value = join(",", local.zone_subnet_ids)
}

output "aws_key_pair_default_id" {
  value = aws_key_pair.default.key_name
}

output "aws_security_group_default_id" {
  value = aws_security_group.default.id
}
