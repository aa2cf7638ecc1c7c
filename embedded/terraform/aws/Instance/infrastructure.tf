# infrastructure.tf (AWS, one definition): the instances of one definition
# and what belongs to them, in state/<Label>-<Role>-<Tag>/, as ICM's
# /ICM/etc/Terraform/AWS/Instance/infrastructure.tf had them.  icm creates
# the same resources itself through the EC2 API; it writes this file and
# terraform.tfvars beside it so that the deployment can be inspected, or
# taken over, with Terraform (icm never runs terraform).  The provider and
# the variables shared with the network's template are in provider.tf.
#
# terraform.tfvars holds the definition's merged fields as ICM's
# `Field = "value"` lines (secret fields left out), plus MachineName
# (<Label>-<Role>-<Tag>), DefinitionIndex, InstanceCount (nodes of this
# definition), MachineNames and MachineZones (one entry per node, comma
# lists) and, when the definition has LoadBalancer true, LoadBalancerName
# and the Forward*/HealthCheck* values of its load balancer.  Fields this
# file does not use are there for reading, as in ICM's state directory.
#
# The network comes from the shared directory (../<Label>-<Tag>/): the VPC
# is VPCId or the one tagged icm:deployment = <Label>-<Tag>, each node's
# subnet is the one of its zone among SubnetIds or among the subnets with
# that tag, and the key pair is named <Label>-<Tag>.
#
# Volumes: IRIS roles get the Data, WIJ, Journal1 and Journal2 EBS volumes
# at their device names (a device name of existing, create, local, skip or
# null means no volume); every role gets a Docker volume when
# DockerVolumeSize and DockerDeviceName are set.
#
# Placement: with PlacementStrategy, the groups named in PlacementGroups
# (comma list; default one group named <Label>-<Role>-<Tag>) are created
# with that strategy; without it, PlacementGroups names existing groups.
# Node i goes to group PlacementMap[i] (0-based, used cyclically), or
# round-robin without a map.

# -- identity -----------------------------------------------------------------

variable "Role" {
  type = string
}

variable "MachineName" {
  description = "<Label>-<Role>-<Tag>: the definition's name (security group prefix)"
  type        = string
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

variable "Owner" {
  description = "Owner tag (default: <Label>-<Tag>)"
  type        = string
  default     = ""
}

variable "SSHUser" {
  type    = string
  default = "ubuntu"
}

# -- network ----------------------------------------------------------------

variable "PrivateSubnet" {
  type    = bool
  default = false
}

variable "allow_cidr" {
  description = "where the open ports may be reached from"
  type        = string
  default     = "0.0.0.0/0"
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

# -- ports (icm-reference 3.5) ------------------------------------------------

variable "SuperServerPort" {
  type    = number
  default = 1972
}

variable "WebServerPort" {
  type    = number
  default = 52773
}

variable "LicenseServerPort" {
  type    = number
  default = 4002
}

variable "ISCAgentPort" {
  type    = number
  default = 2188
}

variable "Overlay" {
  type    = string
  default = "weave"
}

# -- placement ----------------------------------------------------------------

variable "PlacementGroups" {
  type    = string
  default = ""
}

variable "PlacementStrategy" {
  type    = string
  default = ""
}

variable "PlacementMap" {
  type    = string
  default = ""
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
  description = "comma list of ports the load balancer forwards"
  type        = string
  default     = ""
}

variable "ForwardProtocol" {
  type    = string
  default = "TCP"
}

variable "HealthCheckProtocol" {
  type    = string
  default = "TCP"
}

variable "HealthCheckPort" {
  type    = number
  default = 80
}

variable "HealthCheckPath" {
  type    = string
  default = ""
}

locals {
  deployment = "${var.Label}-${var.Tag}"
  machines   = [for m in split(",", var.MachineNames) : trimspace(m)]
  zones      = [for z in split(",", var.MachineZones) : trimspace(z)]
  subnet_ids = [for s in split(",", var.SubnetIds) : trimspace(s) if trimspace(s) != ""]
  tags = {
    "icm:deployment" = local.deployment
    "icm:role"       = var.Role
    Owner            = var.Owner != "" ? var.Owner : local.deployment
    sshUser          = var.SSHUser
    dc               = "aws"
  }

  iris_role   = contains(["DATA", "COMPUTE", "DM", "DS", "QS", "AM"], var.Role)
  docker_role = var.Role != "VM"
  agent_role  = contains(["DATA", "DM", "DS", "AR"], var.Role)
  weave_role  = var.Role != "VM" && var.Overlay == "weave"
  no_volume   = ["", "existing", "create", "local", "skip", "null"]
}

# -- the shared network --------------------------------------------------------

data "aws_vpc" "deployment" {
  id   = var.VPCId != "" ? var.VPCId : null
  tags = var.VPCId != "" ? null : { "icm:deployment" = local.deployment }
}

data "aws_subnet" "given" {
  for_each = toset(local.subnet_ids)
  id       = each.value
}

data "aws_subnet" "zone" {
  for_each          = length(local.subnet_ids) > 0 ? toset([]) : toset(local.zones)
  vpc_id            = data.aws_vpc.deployment.id
  availability_zone = each.value
  tags              = { "icm:deployment" = local.deployment }
}

locals {
  subnet_by_zone = length(local.subnet_ids) > 0 ? {
    for s in data.aws_subnet.given : s.availability_zone => s.id
    } : {
    for z, s in data.aws_subnet.zone : z => s.id
  }
}

# -- security groups: <Label>-<Role>-<Tag><purpose> ----------------------------
# ext (ICMP from the VPC, SSH, DNS, HTTP) on every node; docker (Engine API
# over TLS) where Docker runs; iris (superserver, web server, license
# server over UDP) on IRIS nodes; iscagent on mirrorable nodes and the
# arbiter; weavenet with the weave overlay; lb (the listeners) on the load
# balancer.

locals {
  vpc_cidr = data.aws_vpc.deployment.cidr_block
  security_groups = {
    ext = {
      on = true
      rules = [
        { protocol = "icmp", from = -1, to = -1, cidr = local.vpc_cidr },
        { protocol = "tcp", from = 22, to = 22, cidr = var.allow_cidr },
        { protocol = "tcp", from = 53, to = 53, cidr = var.allow_cidr },
        { protocol = "udp", from = 53, to = 53, cidr = var.allow_cidr },
        { protocol = "tcp", from = 80, to = 80, cidr = var.allow_cidr },
      ]
    }
    docker = {
      on    = local.docker_role
      rules = [{ protocol = "tcp", from = 2376, to = 2376, cidr = var.allow_cidr }]
    }
    iris = {
      on = local.iris_role
      rules = [
        { protocol = "tcp", from = var.SuperServerPort, to = var.SuperServerPort, cidr = var.allow_cidr },
        { protocol = "tcp", from = var.WebServerPort, to = var.WebServerPort, cidr = var.allow_cidr },
        { protocol = "udp", from = var.LicenseServerPort, to = var.LicenseServerPort, cidr = var.allow_cidr },
      ]
    }
    iscagent = {
      on    = local.agent_role
      rules = [{ protocol = "tcp", from = var.ISCAgentPort, to = var.ISCAgentPort, cidr = var.allow_cidr }]
    }
    weavenet = {
      on = local.weave_role
      rules = [
        { protocol = "tcp", from = 6783, to = 6783, cidr = var.allow_cidr },
        { protocol = "udp", from = 6783, to = 6784, cidr = var.allow_cidr },
      ]
    }
    lb = {
      on    = var.LoadBalancer
      rules = [for p in local.lb_ports : { protocol = "tcp", from = p, to = p, cidr = var.allow_cidr }]
    }
  }
}

resource "aws_security_group" "group" {
  for_each = { for k, g in local.security_groups : k => g.rules if g.on }
  name     = "${var.MachineName}${each.key}"
  vpc_id   = data.aws_vpc.deployment.id
  tags     = merge(local.tags, { Name = "${var.MachineName}${each.key}" })

  dynamic "ingress" {
    for_each = each.value
    content {
      protocol    = ingress.value.protocol
      from_port   = ingress.value.from
      to_port     = ingress.value.to
      cidr_blocks = [ingress.value.cidr]
    }
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

locals {
  security_group_ids = [for k, g in aws_security_group.group : g.id if k != "lb"]
}

# -- placement groups -----------------------------------------------------------

locals {
  placement_names = [for g in split(",", var.PlacementGroups) : trimspace(g) if trimspace(g) != ""]
  placement_groups = var.PlacementStrategy == "" ? local.placement_names : (
  length(local.placement_names) > 0 ? local.placement_names : [var.MachineName])
  placement_map = [for i in split(",", var.PlacementMap) : tonumber(trimspace(i)) if trimspace(i) != ""]
}

resource "aws_placement_group" "default" {
  count           = var.PlacementStrategy == "" ? 0 : length(local.placement_groups)
  name            = local.placement_groups[count.index]
  strategy        = var.PlacementStrategy
  partition_count = var.PlacementStrategy == "partition" ? var.PlacementPartitionCount : null
  spread_level    = var.PlacementStrategy == "spread" && var.PlacementSpreadLevel != "" ? var.PlacementSpreadLevel : null
  tags            = merge(local.tags, { Name = local.placement_groups[count.index] })
}

locals {
  placement_of = [
    for i in range(var.InstanceCount) : length(local.placement_groups) == 0 ? null : local.placement_groups[
      length(local.placement_map) > 0 ? local.placement_map[i % length(local.placement_map)] : i % length(local.placement_groups)
    ]
  ]
}

# -- instances -------------------------------------------------------------------

resource "aws_instance" "node" {
  count                       = var.InstanceCount
  ami                         = var.AMI
  instance_type               = var.InstanceType
  availability_zone           = local.zones[count.index]
  subnet_id                   = local.subnet_by_zone[local.zones[count.index]]
  key_name                    = local.deployment
  vpc_security_group_ids      = local.security_group_ids
  associate_public_ip_address = !var.PrivateSubnet
  placement_group             = local.placement_of[count.index]
  tags                        = merge(local.tags, { Name = local.machines[count.index] })
  volume_tags                 = merge(local.tags, { Name = local.machines[count.index] })

  root_block_device {
    volume_size           = var.OSVolumeSize
    volume_type           = var.OSVolumeType
    iops                  = var.OSVolumeIOPS > 0 ? var.OSVolumeIOPS : null
    delete_on_termination = true
  }

  depends_on = [aws_placement_group.default]
}

# -- volumes: <machine>-data, -wij, -journal1, -journal2, -docker ----------------

locals {
  volume_kinds = {
    data     = { iris = true, size = var.DataVolumeSize, type = var.DataVolumeType, iops = var.DataVolumeIOPS, device = var.DataDeviceName }
    wij      = { iris = true, size = var.WIJVolumeSize, type = var.WIJVolumeType, iops = var.WIJVolumeIOPS, device = var.WIJDeviceName }
    journal1 = { iris = true, size = var.Journal1VolumeSize, type = var.Journal1VolumeType, iops = var.Journal1VolumeIOPS, device = var.Journal1DeviceName }
    journal2 = { iris = true, size = var.Journal2VolumeSize, type = var.Journal2VolumeType, iops = var.Journal2VolumeIOPS, device = var.Journal2DeviceName }
    docker   = { iris = false, size = var.DockerVolumeSize, type = var.DockerVolumeType, iops = var.DockerVolumeIOPS, device = var.DockerDeviceName }
  }
  volumes = {
    for k, v in local.volume_kinds : k => v
    if v.size > 0 && !contains(local.no_volume, v.device) && (local.iris_role || !v.iris)
  }
  attachments = {
    for pair in setproduct(range(var.InstanceCount), keys(local.volumes)) :
    "${local.machines[pair[0]]}-${pair[1]}" => { node = pair[0], kind = pair[1] }
  }
}

resource "aws_ebs_volume" "volume" {
  for_each          = local.attachments
  availability_zone = local.zones[each.value.node]
  size              = local.volumes[each.value.kind].size
  type              = local.volumes[each.value.kind].type
  iops              = local.volumes[each.value.kind].iops > 0 ? local.volumes[each.value.kind].iops : null
  tags              = merge(local.tags, { Name = each.key })
}

resource "aws_volume_attachment" "volume" {
  for_each    = local.attachments
  device_name = "/dev/${local.volumes[each.value.kind].device}"
  volume_id   = aws_ebs_volume.volume[each.key].id
  instance_id = aws_instance.node[each.value.node].id
}

# -- ElasticIP -------------------------------------------------------------------

resource "aws_eip" "node" {
  count    = var.ElasticIP ? var.InstanceCount : 0
  domain   = "vpc"
  instance = aws_instance.node[count.index].id
  tags     = merge(local.tags, { Name = local.machines[count.index] })
}

# -- load balancer (LoadBalancer true) ----------------------------------------

locals {
  lb_ports = [for p in split(",", var.ForwardPort) : tonumber(trimspace(p)) if trimspace(p) != ""]
  lb_check = contains(["HTTP", "HTTPS"], upper(var.HealthCheckProtocol)) ? "${upper(var.HealthCheckProtocol)}:${var.HealthCheckPort}${var.HealthCheckPath}" : "${upper(var.HealthCheckProtocol)}:${var.HealthCheckPort}"
}

resource "aws_elb" "lb" {
  count           = var.LoadBalancer ? 1 : 0
  name            = var.LoadBalancerName
  internal        = var.LoadBalancerInternal
  subnets         = distinct([for z in local.zones : local.subnet_by_zone[z]])
  security_groups = [aws_security_group.group["lb"].id]
  instances       = aws_instance.node[*].id
  tags            = merge(local.tags, { Name = var.LoadBalancerName })

  dynamic "listener" {
    for_each = local.lb_ports
    content {
      lb_port           = listener.value
      lb_protocol       = lower(var.ForwardProtocol)
      instance_port     = listener.value
      instance_protocol = lower(var.ForwardProtocol)
    }
  }

  health_check {
    target              = local.lb_check
    healthy_threshold   = 2
    unhealthy_threshold = 2
    timeout             = 5
    interval            = 10
  }
}

# ICM's terraform.out of a definition: one line per node,
# +,<machine>,<public IP>,<DNS name>,<zone>
output "nodes" {
  value = [
    for i, n in aws_instance.node :
    "+,${local.machines[i]},${var.ElasticIP ? aws_eip.node[i].public_ip : n.public_ip},${n.public_dns},${local.zones[i]}"
  ]
}

output "load_balancer_dns_name" {
  value = var.LoadBalancer ? aws_elb.lb[0].dns_name : ""
}
