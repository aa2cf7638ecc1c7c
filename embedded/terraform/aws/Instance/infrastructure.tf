# infrastructure.tf (AWS, one definition): the instances of one definition
# and what belongs to them, in state/<Label>-<Role>-<Tag>/, as ICM's
# /ICM/etc/Terraform/AWS/Instance/infrastructure.tf had them.  icm creates
# the same resources itself through the EC2 API (src/provider/aws.c); it
# writes this file and terraform.tfvars beside it so that the deployment
# can be inspected, or taken over, with Terraform (icm never runs
# terraform).  The provider and the variables shared with the network's
# template are in provider.tf.
#
# terraform.tfvars holds the definition's merged fields as ICM's
# `Field = "value"` lines (secret fields left out), plus MachineName
# (<Label>-<Role>-<Tag>), DefinitionIndex, InstanceCount (nodes of this
# definition), MachineNames and MachineZones (one entry per node, comma
# lists), Zone (the deployment's zones) and, when the definition has
# LoadBalancer true, LoadBalancerName and the Forward*/HealthCheck* values
# of its load balancer.  Fields this file does not use are there for
# reading, as in ICM's state directory.
#
# The network comes from the shared directory (../<Label>-<Tag>/), found by
# the icm:key tags icm gives it: the VPC (or VPCId), each zone's subnet (or
# SubnetIds, one per zone in Zone order), the deployment's one security
# group <Label>-<Tag>, and the key pair <Label>-<Tag>.
#
# What icm makes here, with its journal keys (aws.c):
#   batch/<def>/<zone>/<first machine>
#       one RunInstances per zone for the definition's nodes there, tagged
#       icm:deployment, icm:key, icm:role and Owner (<Label>-<Tag>), then
#       Name = the machine name; volumes as block device mappings of the
#       launch (deleted with the instance, tagged like it but for Name):
#       the root disk (OSVolumeSize, OSVolumeType, OSVolumeIOPS) and, on
#       IRIS roles, Data, WIJ, Journal1 and Journal2 at /dev/<DeviceName>
#       (a device name of existing, create, local, skip or null means no
#       volume); every role gets a Docker volume when DockerVolumeSize and
#       DockerDeviceName are set.
#   eip/<machine>, eip-assoc/<machine>     with ElasticIP
#   lb/<LB>, tg/<LB>/<port>, tg-reg/<LB>/<port>, listener/<LB>/<port>
#       with LoadBalancer: a network load balancer (ELB v2) over every
#       zone's subnet, and per ForwardPort a TCP target group with the
#       definition's instances and the HealthCheck* check, and a TCP
#       listener forwarding to it.
#   pg/<name>
#       with PlacementStrategy: placement group <name>, the first of
#       PlacementGroups, else <Label>-<Role>-<Tag> (PlacementPartitionCount
#       with partition, PlacementSpreadLevel with spread); without a
#       strategy, a group named in PlacementGroups is used as it is.  Every
#       node of the definition goes into it (PlacementMap is not used).

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

variable "MachineZones" {
  description = "comma list: the availability zone of each node"
  type        = string
}

# -- machine ------------------------------------------------------------------

variable "AMI" {
  type = string
}

variable "InstanceType" {
  type = string
}

variable "ElasticIP" {
  type    = bool
  default = false
}

variable "OSVolumeSize" {
  type    = number
  default = 32
}

variable "OSVolumeType" {
  type    = string
  default = "standard"
}

variable "OSVolumeIOPS" {
  type    = number
  default = 0
}

# -- IRIS volumes (icm-reference 3.6) -----------------------------------------

variable "DataVolumeSize" {
  type    = number
  default = 10
}

variable "DataVolumeType" {
  type    = string
  default = "standard"
}

variable "DataVolumeIOPS" {
  type    = number
  default = 0
}

variable "DataDeviceName" {
  type    = string
  default = "xvdd"
}

variable "WIJVolumeSize" {
  type    = number
  default = 10
}

variable "WIJVolumeType" {
  type    = string
  default = "standard"
}

variable "WIJVolumeIOPS" {
  type    = number
  default = 0
}

variable "WIJDeviceName" {
  type    = string
  default = "xvde"
}

variable "Journal1VolumeSize" {
  type    = number
  default = 10
}

variable "Journal1VolumeType" {
  type    = string
  default = "standard"
}

variable "Journal1VolumeIOPS" {
  type    = number
  default = 0
}

variable "Journal1DeviceName" {
  type    = string
  default = "xvdf"
}

variable "Journal2VolumeSize" {
  type    = number
  default = 10
}

variable "Journal2VolumeType" {
  type    = string
  default = "standard"
}

variable "Journal2VolumeIOPS" {
  type    = number
  default = 0
}

variable "Journal2DeviceName" {
  type    = string
  default = "xvdg"
}

variable "DockerVolumeSize" {
  description = "0: no Docker volume"
  type        = number
  default     = 0
}

variable "DockerVolumeType" {
  type    = string
  default = "standard"
}

variable "DockerVolumeIOPS" {
  type    = number
  default = 0
}

variable "DockerDeviceName" {
  description = "empty: no Docker volume"
  type        = string
  default     = ""
}

# -- placement ------------------------------------------------------------------

variable "PlacementGroups" {
  description = "comma list; the first is the definition's group"
  type        = string
  default     = ""
}

variable "PlacementStrategy" {
  description = "cluster, partition or spread: make the group"
  type        = string
  default     = ""
}

variable "PlacementPartitionCount" {
  type    = number
  default = 2
}

variable "PlacementSpreadLevel" {
  type    = string
  default = ""
}

# -- load balancer ------------------------------------------------------------

variable "LoadBalancer" {
  type    = bool
  default = false
}

variable "LoadBalancerName" {
  description = "<Label>-LB-<Tag>-<NNNN>"
  type        = string
  default     = ""
}

variable "LoadBalancerInternal" {
  type    = bool
  default = false
}

variable "ForwardPort" {
  description = "comma list of ports the load balancer forwards (over TCP)"
  type        = string
  default     = ""
}

variable "HealthCheckProtocol" {
  type    = string
  default = "TCP"
}

variable "HealthCheckPort" {
  description = "empty: the traffic port"
  type        = string
  default     = ""
}

variable "HealthCheckPath" {
  description = "with HealthCheckProtocol HTTP"
  type        = string
  default     = ""
}

locals {
  deployment = "${var.Label}-${var.Tag}"
  machines   = [for m in split(",", var.MachineNames) : trimspace(m)]
  zones      = [for z in split(",", var.MachineZones) : trimspace(z)]
  all_zones  = [for z in split(",", var.Zone) : trimspace(z) if trimspace(z) != ""]
  subnet_ids = [for s in split(",", var.SubnetIds) : trimspace(s) if trimspace(s) != ""]
  iris_role  = contains(["DATA", "COMPUTE", "DM", "DS", "QS", "AM"], var.Role)
  no_volume  = ["", "existing", "create", "local", "skip", "null"]

  # each node's zone's place in Zone (its subnet 10.0.<i>.0/24)
  zone_index = [for z in local.zones : index(local.all_zones, z)]
  # one launch per zone: its icm:key names the zone's first machine
  batch_keys = [
    for i, z in local.zones :
    "${local.deployment}/batch/${var.DefinitionIndex}/${z}/${local.machines[index(local.zones, z)]}"
  ]
  instance_tags = [
    for i in range(var.InstanceCount) : {
      "icm:deployment" = local.deployment
      "icm:key"        = local.batch_keys[i]
      "icm:role"       = var.Role
      Owner            = local.deployment
    }
  ]
}

# -- the shared network (../<Label>-<Tag>/) --------------------------------------

data "aws_vpc" "deployment" {
  id   = var.VPCId != "" ? var.VPCId : null
  tags = var.VPCId != "" ? null : { "icm:key" = "${local.deployment}/vpc" }
}

data "aws_subnet" "zone" {
  for_each = length(local.subnet_ids) > 0 ? toset([]) : toset(local.all_zones)
  vpc_id   = data.aws_vpc.deployment.id
  tags     = { "icm:key" = "${local.deployment}/subnet/${each.value}" }
}

data "aws_security_group" "deployment" {
  vpc_id = data.aws_vpc.deployment.id
  name   = local.deployment
  tags   = { "icm:key" = "${local.deployment}/sg" }
}

locals {
  # the subnet of each of the deployment's zones, in Zone order
  zone_subnet_ids = length(local.subnet_ids) > 0 ? slice(local.subnet_ids, 0, length(local.all_zones)) : [
    for z in local.all_zones : data.aws_subnet.zone[z].id
  ]
}

# -- pg/<name>: the definition's placement group ---------------------------------

locals {
  placement_group = var.PlacementGroups != "" ? split(",", var.PlacementGroups)[0] : (
  var.PlacementStrategy != "" ? "${var.Label}-${var.Role}-${var.Tag}" : null)
}

resource "aws_placement_group" "default" {
  count           = var.PlacementStrategy != "" ? 1 : 0
  name            = local.placement_group
  strategy        = var.PlacementStrategy
  partition_count = var.PlacementStrategy == "partition" ? var.PlacementPartitionCount : null
  spread_level    = var.PlacementStrategy == "spread" && var.PlacementSpreadLevel != "" ? var.PlacementSpreadLevel : null
  tags = {
    "icm:deployment" = local.deployment
    "icm:key"        = "${local.deployment}/pg/${local.placement_group}"
  }
}

# -- batch/<def>/<zone>/<first machine>: instances and their volumes ---------------

locals {
  volume_kinds = {
    data     = { iris = true, size = var.DataVolumeSize, type = var.DataVolumeType, iops = var.DataVolumeIOPS, device = var.DataDeviceName }
    wij      = { iris = true, size = var.WIJVolumeSize, type = var.WIJVolumeType, iops = var.WIJVolumeIOPS, device = var.WIJDeviceName }
    journal1 = { iris = true, size = var.Journal1VolumeSize, type = var.Journal1VolumeType, iops = var.Journal1VolumeIOPS, device = var.Journal1DeviceName }
    journal2 = { iris = true, size = var.Journal2VolumeSize, type = var.Journal2VolumeType, iops = var.Journal2VolumeIOPS, device = var.Journal2DeviceName }
    docker   = { iris = false, size = var.DockerVolumeSize, type = var.DockerVolumeType, iops = var.DockerVolumeIOPS, device = var.DockerDeviceName }
  }
  # block device mappings after the root disk, in this order
  volumes = [
    for k in ["data", "wij", "journal1", "journal2", "docker"] : merge(local.volume_kinds[k], {
      kind   = k
      device = startswith(local.volume_kinds[k].device, "/") ? local.volume_kinds[k].device : "/dev/${local.volume_kinds[k].device}"
    })
    if local.volume_kinds[k].size > 0 && !contains(local.no_volume, local.volume_kinds[k].device) && (local.iris_role || !local.volume_kinds[k].iris)
  ]
}

resource "aws_instance" "node" {
  count                  = var.InstanceCount
  ami                    = var.AMI
  instance_type          = var.InstanceType
  subnet_id              = local.zone_subnet_ids[local.zone_index[count.index]]
  key_name               = local.deployment
  vpc_security_group_ids = [data.aws_security_group.deployment.id]
  placement_group        = local.placement_group
  tags                   = merge(local.instance_tags[count.index], { Name = local.machines[count.index] })
  volume_tags            = local.instance_tags[count.index]

  root_block_device {
    volume_size           = var.OSVolumeSize
    volume_type           = var.OSVolumeType
    iops                  = var.OSVolumeIOPS > 0 ? var.OSVolumeIOPS : null
    delete_on_termination = true
  }

  dynamic "ebs_block_device" {
    for_each = local.volumes
    content {
      device_name           = ebs_block_device.value.device
      volume_size           = ebs_block_device.value.size
      volume_type           = ebs_block_device.value.type
      iops                  = ebs_block_device.value.iops > 0 ? ebs_block_device.value.iops : null
      delete_on_termination = true
    }
  }

  depends_on = [aws_placement_group.default]
}

# -- eip/<machine>, eip-assoc/<machine> (ElasticIP) ---------------------------------

resource "aws_eip" "node" {
  count  = var.ElasticIP ? var.InstanceCount : 0
  domain = "vpc"
  tags = {
    Name             = local.machines[count.index]
    "icm:deployment" = local.deployment
    "icm:key"        = "${local.deployment}/eip/${local.machines[count.index]}"
  }
}

resource "aws_eip_association" "node" {
  count         = var.ElasticIP ? var.InstanceCount : 0
  allocation_id = aws_eip.node[count.index].id
  instance_id   = aws_instance.node[count.index].id
}

# -- lb/<LB>, tg/<LB>/<port>, tg-reg/<LB>/<port>, listener/<LB>/<port> ---------------

locals {
  lb_ports = var.LoadBalancer ? [for p in split(",", var.ForwardPort) : trimspace(p) if trimspace(p) != ""] : []
  # ELB names (aws.c's elb_name): letters, digits and hyphens, at most 32
  # characters; a target group's "-<port>" suffix is kept whole
  lb_base = replace(var.LoadBalancerName, "/[^a-zA-Z0-9]/", "-")
  lb_name = substr(local.lb_base, 0, 32)
  tg_names = {
    for p in local.lb_ports : p => length("${local.lb_base}-${p}") > 32 ? "${substr(local.lb_base, 0, 32 - length("-${p}"))}-${p}" : "${local.lb_base}-${p}"
  }
  lb_check_protocol = upper(var.HealthCheckProtocol)
  lb_targets = {
    for pair in setproduct(local.lb_ports, range(var.InstanceCount)) :
    "${pair[0]}/${local.machines[pair[1]]}" => { port = pair[0], node = pair[1] }
  }
  lb_tags = { "icm:deployment" = local.deployment }
}

resource "aws_lb" "lb" {
  count              = var.LoadBalancer ? 1 : 0
  name               = local.lb_name
  load_balancer_type = "network"
  internal           = var.LoadBalancerInternal
  subnets            = local.zone_subnet_ids
  tags               = local.lb_tags
}

resource "aws_lb_target_group" "lb" {
  for_each    = toset(local.lb_ports)
  name        = local.tg_names[each.key]
  protocol    = "TCP"
  port        = tonumber(each.key)
  vpc_id      = data.aws_vpc.deployment.id
  target_type = "instance"
  tags        = local.lb_tags

  health_check {
    protocol = local.lb_check_protocol
    port     = var.HealthCheckPort != "" ? var.HealthCheckPort : "traffic-port"
    path     = local.lb_check_protocol == "HTTP" && var.HealthCheckPath != "" ? var.HealthCheckPath : null
  }
}

resource "aws_lb_target_group_attachment" "lb" {
  for_each         = local.lb_targets
  target_group_arn = aws_lb_target_group.lb[each.value.port].arn
  target_id        = aws_instance.node[each.value.node].id
}

resource "aws_lb_listener" "lb" {
  for_each          = toset(local.lb_ports)
  load_balancer_arn = aws_lb.lb[0].arn
  protocol          = "TCP"
  port              = tonumber(each.key)

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.lb[each.key].arn
  }
}

# ICM's terraform.out of a definition: one line per node,
# +,<machine>,<IP>,<DNS name>,<zone> (the private IP with PrivateSubnet, as
# icm records it)
output "nodes" {
  value = [
    for i, n in aws_instance.node :
    "+,${local.machines[i]},${var.PrivateSubnet ? n.private_ip : (var.ElasticIP ? aws_eip.node[i].public_ip : n.public_ip)},${n.public_dns},${local.zones[i]}"
  ]
}

output "load_balancer_dns_name" {
  value = var.LoadBalancer ? aws_lb.lb[0].dns_name : ""
}
