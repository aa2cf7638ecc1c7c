# infrastructure.tf (AWS, shared network): the deployment-wide resources of
# state/<Label>-<Tag>/, as ICM's /ICM/etc/Terraform/AWS/VPC/infrastructure.tf
# had them.  icm creates the same resources itself through the EC2 API; it
# writes this file and terraform.tfvars beside it so that the deployment can
# be inspected, or taken over, with Terraform (icm never runs terraform).
#
# Variables carry ICM's field names (those shared with the definitions'
# templates are in provider.tf, beside this file); terraform.tfvars
# (written by icm) holds their values as ICM's `Field = "value"` lines.  A given VPCId, SubnetIds,
# RouteTableId or InternetGatewayId is used as it is and nothing of that
# kind is created (nor destroyed).  Every resource created here is tagged
# icm:deployment = <Label>-<Tag>, which is how the per-definition templates
# (../<Label>-<Role>-<Tag>/) find them, and named <Label>-<Tag> (subnets
# <Label>-<Tag>-<zone>), as icm names what it creates.

variable "MachineName" {
  description = "<Label>-<Tag>: name of the deployment's shared resources"
  type        = string
}

variable "Zone" {
  description = "comma list of availability zones; one subnet each"
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

variable "net_vpc_cidr" {
  type    = string
  default = "10.0.0.0/16"
}

variable "net_subnet_cidr" {
  description = "subnet pattern; %d is the zone's index in Zone"
  type        = string
  default     = "10.0.%d.0/24"
}

locals {
  zones      = [for z in split(",", var.Zone) : trimspace(z) if trimspace(z) != ""]
  subnet_ids = [for s in split(",", var.SubnetIds) : trimspace(s) if trimspace(s) != ""]
  tags = {
    Name             = var.MachineName
    "icm:deployment" = var.MachineName
  }
}

resource "aws_vpc" "default" {
  count                = var.VPCId == "" ? 1 : 0
  cidr_block           = var.net_vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = local.tags
}

locals {
  vpc_id = var.VPCId != "" ? var.VPCId : aws_vpc.default[0].id
}

resource "aws_subnet" "default" {
  count                   = length(local.subnet_ids) > 0 ? 0 : length(local.zones)
  vpc_id                  = local.vpc_id
  availability_zone       = local.zones[count.index]
  cidr_block              = format(var.net_subnet_cidr, count.index)
  map_public_ip_on_launch = true
  tags                    = merge(local.tags, { Name = "${var.MachineName}-${local.zones[count.index]}" })
}

resource "aws_internet_gateway" "default" {
  count  = var.InternetGatewayId == "" ? 1 : 0
  vpc_id = local.vpc_id
  tags   = local.tags
}

resource "aws_route_table" "default" {
  count  = var.RouteTableId == "" ? 1 : 0
  vpc_id = local.vpc_id
  tags   = local.tags
}

locals {
  gateway_id     = var.InternetGatewayId != "" ? var.InternetGatewayId : aws_internet_gateway.default[0].id
  route_table_id = var.RouteTableId != "" ? var.RouteTableId : aws_route_table.default[0].id
}

# The default route goes into a route table icm made; a given table is
# expected to route already.
resource "aws_route" "default" {
  count                  = var.RouteTableId == "" ? 1 : 0
  route_table_id         = local.route_table_id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = local.gateway_id
}

resource "aws_route_table_association" "default" {
  count          = length(aws_subnet.default)
  subnet_id      = aws_subnet.default[count.index].id
  route_table_id = local.route_table_id
}

resource "aws_key_pair" "default" {
  key_name   = var.MachineName
  public_key = file(pathexpand(var.SSHPublicKey))
  tags       = local.tags
}

# ICM's outputs (terraform.out of the shared directory).
output "aws_vpc_default_id" {
  value = local.vpc_id
}

output "aws_subnet_default_ids" {
  value = join(",", length(local.subnet_ids) > 0 ? local.subnet_ids : aws_subnet.default[*].id)
}

output "aws_key_pair_default_id" {
  value = aws_key_pair.default.key_name
}
