# infrastructure.tf (Tencent, one definition): the instances of one
# definition and what belongs to them, in state/<Label>-<Role>-<Tag>/.
# icm makes the same resources itself through the CVM, VPC and CLB APIs
# (src/provider/tencent/); it writes this file and terraform.tfvars beside
# it so that the deployment can be inspected, or taken over, with
# Terraform (icm never runs terraform).  The provider and the variables
# shared with the network's template are in provider.tf.
#
# terraform.tfvars holds the definition's merged fields as ICM's
# `Field = "value"` lines (secret fields left out: SecretID and SecretKey
# come from TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY), plus
# MachineName (<Label>-<Role>-<Tag>), DefinitionIndex, InstanceCount
# (nodes of this definition), MachineNames and Zones (one entry per node,
# in machine order, comma lists), Zone (the deployment's list, as in
# ../<Label>-<Tag>/), OutputFile and, when the definition has LoadBalancer
# true, LoadBalancerName and the Forward*/HealthCheck* values of its load
# balancer.  Fields this file does not use are there for reading, as in
# ICM's state directory.
#
# The VPC, the subnet of each zone, the security group and the key pair
# come from ../<Label>-<Tag>/: found here by their tags (icm-deployment
# and icm-key), the key pair by its name; with VPCId, the given VPC and
# SubnetIds (one per Zone entry).
#
# Names keep their case; <dep> is <Label>-<Tag>.  Every resource carries
# the tags icm-deployment = <dep> and icm-key = its journal key;
# instances and EIPs also icm-machine = <machine>.
#
# What icm makes here, with its journal keys:
#   batch/<def>/<zone>/<first machine>
#       the record of one RunInstances per machine of the zone (each with
#       a ClientToken), nothing of its own
#   node/<machine>
#       instance <machine> in the node's zone (its entry of Zones) on that
#       zone's subnet, in the security group, with the key pair; image
#       ImageId, or the newest public image whose OS name matches the
#       regular expression OSName (case ignored); type InstanceType, or the
#       zone's type on sale of InstanceFamily with CPUCoreCount CPUs and
#       MemorySize GB; a system disk of OSVolumeSize GB and OSVolumeType;
#       data disks of <X>VolumeSize GB and <X>VolumeType (CLOUD_BASIC,
#       CLOUD_PREMIUM, CLOUD_SSD) for Data, WIJ, Journal1, Journal2 on
#       IRIS roles and Docker on every role when DockerVolumeSize is set
#       (a <X>DeviceName of existing, create, local, skip or null means no
#       disk), deleted with the instance; a public address of 10 Mbps,
#       charged by traffic, unless PrivateSubnet or ElasticIP.
#   eip/<machine>
#       with ElasticIP (and not PrivateSubnet): an EIP bound to the
#       instance.  Kept when its machine is scaled in; unprovision
#       releases it.
#   clb/<LB>
#       with LoadBalancer, <LB> being the load balancer's machine name: CLB
#       <LB> (OPEN, or INTERNAL on the first node's subnet with
#       LoadBalancerInternal) in the VPC, a listener <LB>-<port> per
#       ForwardPort (TCP, UDP when ForwardProtocol is UDP) with its health
#       check (HealthCheckProtocol HTTP: HTTP on HealthCheckPath, else TCP;
#       on HealthCheckPort), and the definition's instances as the targets
#       of each, on the same port.

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

variable "Zones" {
  description = "comma list: each node's zone, in MachineNames order"
  type        = string
}

# -- machine (icm-reference 5.4) ---------------------------------------------------

variable "ImageId" {
  description = "empty: the newest public image whose OS name matches OSName"
  type        = string
  default     = ""
}

variable "OSName" {
  description = "a regular expression, case ignored"
  type        = string
  default     = "ubuntu"
}

variable "InstanceType" {
  description = "empty: the zone's type of InstanceFamily, CPUCoreCount and MemorySize"
  type        = string
  default     = ""
}

variable "InstanceFamily" {
  type    = string
  default = "S3"
}

variable "CPUCoreCount" {
  type    = number
  default = 2
}

variable "MemorySize" {
  description = "GB"
  type        = number
  default     = 4
}

variable "ElasticIP" {
  description = "an EIP per instance instead of its public address"
  type        = bool
  default     = false
}

# -- volumes (icm-reference 3.6) -----------------------------------------------------

variable "OSVolumeSize" {
  type    = number
  default = 50
}

variable "OSVolumeType" {
  type    = string
  default = "CLOUD_BASIC"
}

variable "DataVolumeSize" {
  type    = number
  default = 60
}

variable "DataVolumeType" {
  type    = string
  default = "CLOUD_BASIC"
}

variable "DataDeviceName" {
  type    = string
  default = "vdc"
}

variable "WIJVolumeSize" {
  type    = number
  default = 10
}

variable "WIJVolumeType" {
  type    = string
  default = "CLOUD_BASIC"
}

variable "WIJDeviceName" {
  type    = string
  default = "vdd"
}

variable "Journal1VolumeSize" {
  type    = number
  default = 10
}

variable "Journal1VolumeType" {
  type    = string
  default = "CLOUD_BASIC"
}

variable "Journal1DeviceName" {
  type    = string
  default = "vde"
}

variable "Journal2VolumeSize" {
  type    = number
  default = 10
}

variable "Journal2VolumeType" {
  type    = string
  default = "CLOUD_BASIC"
}

variable "Journal2DeviceName" {
  type    = string
  default = "vdf"
}

variable "DockerVolumeSize" {
  description = "0: no Docker disk"
  type        = number
  default     = 0
}

variable "DockerVolumeType" {
  type    = string
  default = "CLOUD_BASIC"
}

variable "DockerDeviceName" {
  description = "empty: no Docker disk"
  type        = string
  default     = ""
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

variable "LoadBalancerInternal" {
  type    = bool
  default = false
}

variable "ForwardPort" {
  description = "comma list"
  type        = string
  default     = ""
}

variable "ForwardProtocol" {
  description = "TCP or UDP (HTTP and HTTPS are forwarded as TCP)"
  type        = string
  default     = "TCP"
}

variable "HealthCheckPort" {
  type    = string
  default = ""
}

variable "HealthCheckProtocol" {
  description = "HTTP: an HTTP check on HealthCheckPath; else TCP"
  type        = string
  default     = "TCP"
}

variable "HealthCheckPath" {
  type    = string
  default = ""
}

locals {
  machines  = [for m in split(",", var.MachineNames) : trimspace(m)]
  zones_of  = [for z in split(",", var.Zones) : trimspace(z)]
  iris_role = contains(["DATA", "COMPUTE", "DM", "DS", "QS", "AM"], var.Role)
  no_volume = ["", "existing", "create", "local", "skip", "null"]

  # the data disks icm adds, in this order
  volume_kinds = [
    { kind = "data", iris = true, size = var.DataVolumeSize, type = var.DataVolumeType, device = var.DataDeviceName },
    { kind = "wij", iris = true, size = var.WIJVolumeSize, type = var.WIJVolumeType, device = var.WIJDeviceName },
    { kind = "journal1", iris = true, size = var.Journal1VolumeSize, type = var.Journal1VolumeType, device = var.Journal1DeviceName },
    { kind = "journal2", iris = true, size = var.Journal2VolumeSize, type = var.Journal2VolumeType, device = var.Journal2DeviceName },
    { kind = "docker", iris = false, size = var.DockerVolumeSize, type = var.DockerVolumeType, device = var.DockerDeviceName },
  ]
  volumes = [
    for v in local.volume_kinds : v
    if v.size > 0 && !contains(local.no_volume, v.device) && (local.iris_role || !v.iris)
  ]

  node_tags = [
    for m in local.machines : merge(local.tags, { icm-key = "node/${m}", icm-machine = m })
  ]
  # a public address of the instance's own, an EIP, or neither
  public_ip = !var.PrivateSubnet && !var.ElasticIP
  eips      = !var.PrivateSubnet && var.ElasticIP ? local.machines : []
  # the zones whose instance type is looked up (none with InstanceType)
  type_zones = var.InstanceType != "" ? [] : distinct(local.zones_of)
  os_name_re = "(?i)${var.OSName}"

  lb_ports    = var.LoadBalancer ? distinct([for p in split(",", var.ForwardPort) : trimspace(p) if trimspace(p) != ""]) : []
  lb_protocol = upper(var.ForwardProtocol) == "UDP" ? "UDP" : "TCP"
  lb_http     = upper(var.HealthCheckProtocol) == "HTTP"
  lb_path     = var.HealthCheckPath != "" ? var.HealthCheckPath : "/"
  lb_network  = var.LoadBalancerInternal ? "INTERNAL" : "OPEN"
}

# -- the deployment's network, by tag ---------------------------------------------------------

data "tencentcloud_vpc_instances" "deployment" {
  count = var.VPCId == "" ? 1 : 0
  tags  = merge(local.tags, { icm-key = "vpc" })
}

data "tencentcloud_vpc_subnets" "zone" {
  for_each = var.VPCId == "" ? toset(local.zones) : toset([])
  tags     = merge(local.tags, { icm-key = "subnet/${each.key}" })
}

data "tencentcloud_security_groups" "deployment" {
  tags = merge(local.tags, { icm-key = "sg" })
}

data "tencentcloud_key_pairs" "deployment" {
  key_name = "^${local.key_name}$"
}

locals {
  vpc_id = var.VPCId != "" ? var.VPCId : data.tencentcloud_vpc_instances.deployment[0].instance_list[0].vpc_id
  subnet_ids = {
    for i, z in local.zones :
    z => var.VPCId != "" ? local.given_subnet[i] : data.tencentcloud_vpc_subnets.zone[z].instance_list[0].subnet_id
  }
  security_group = data.tencentcloud_security_groups.deployment.security_groups[0].security_group_id
  key_id         = data.tencentcloud_key_pairs.deployment.key_pair_list[0].key_id
}

# -- the image and each zone's type --------------------------------------------------------------

data "tencentcloud_images" "public" {
  count      = var.ImageId == "" ? 1 : 0
  image_type = ["PUBLIC_IMAGE"]
}

# (the zone as a filter, as icm's DescribeZoneInstanceConfigInfos:
# availability_zone cannot go with filter)
data "tencentcloud_instance_types" "zone" {
  for_each         = toset(local.type_zones)
  cpu_core_count   = var.CPUCoreCount
  memory_size      = var.MemorySize
  exclude_sold_out = true

  filter {
    name   = "zone"
    values = [each.key]
  }

  filter {
    name   = "instance-family"
    values = [var.InstanceFamily]
  }
}

locals {
  matching = var.ImageId != "" ? [] : [
    for i in data.tencentcloud_images.public[0].images : i if can(regex(local.os_name_re, i.os_name))
  ]
  newest = var.ImageId != "" ? "" : reverse(sort([for i in local.matching : i.created_time]))[0]
  image = var.ImageId != "" ? var.ImageId : [
    for i in local.matching : i.image_id if i.created_time == local.newest
  ][0]
  types = {
    for z in local.type_zones : z => data.tencentcloud_instance_types.zone[z].instance_types[0].instance_type
  }
}

# -- node/<machine> ---------------------------------------------------------------------------------

resource "tencentcloud_instance" "node" {
  count                      = var.InstanceCount
  instance_name              = local.machines[count.index]
  availability_zone          = local.zones_of[count.index]
  image_id                   = local.image
  instance_type              = var.InstanceType != "" ? var.InstanceType : local.types[local.zones_of[count.index]]
  vpc_id                     = local.vpc_id
  subnet_id                  = local.subnet_ids[local.zones_of[count.index]]
  orderly_security_groups    = [local.security_group]
  key_ids                    = [local.key_id]
  system_disk_type           = var.OSVolumeType
  system_disk_size           = var.OSVolumeSize
  internet_charge_type       = "TRAFFIC_POSTPAID_BY_HOUR"
  internet_max_bandwidth_out = local.public_ip ? 10 : 0
  allocate_public_ip         = local.public_ip
  tags                       = local.node_tags[count.index]

  dynamic "data_disks" {
    for_each = local.volumes
    content {
      data_disk_type       = data_disks.value.type
      data_disk_size       = data_disks.value.size
      delete_with_instance = true
    }
  }
}

# -- eip/<machine> (ElasticIP) ----------------------------------------------------------------------

resource "tencentcloud_eip" "node" {
  count = length(local.eips)
  tags  = merge(local.tags, { icm-key = "eip/${local.eips[count.index]}", icm-machine = local.eips[count.index] })
}

resource "tencentcloud_eip_association" "node" {
  count       = length(local.eips)
  eip_id      = tencentcloud_eip.node[count.index].id
  instance_id = tencentcloud_instance.node[count.index].id
}

# -- clb/<LB> -----------------------------------------------------------------------------------------

resource "tencentcloud_clb_instance" "lb" {
  count        = var.LoadBalancer ? 1 : 0
  clb_name     = var.LoadBalancerName
  network_type = local.lb_network
  vpc_id       = local.vpc_id
  subnet_id    = var.LoadBalancerInternal ? local.subnet_ids[local.zones_of[0]] : null
  tags         = merge(local.tags, { icm-key = "clb/${var.LoadBalancerName}" })
}

resource "tencentcloud_clb_listener" "lb" {
  for_each                  = toset(local.lb_ports)
  clb_id                    = tencentcloud_clb_instance.lb[0].id
  listener_name             = "${var.LoadBalancerName}-${each.key}"
  port                      = tonumber(each.key)
  protocol                  = local.lb_protocol
  target_type               = "NODE"
  health_check_switch       = true
  health_check_type         = local.lb_http ? "HTTP" : "TCP"
  health_check_port         = var.HealthCheckPort != "" ? tonumber(var.HealthCheckPort) : null
  health_check_http_path    = local.lb_http ? local.lb_path : null
  health_check_http_code    = local.lb_http ? 2 : null
  health_check_http_version = local.lb_http ? "HTTP/1.1" : null
  health_check_http_method  = local.lb_http ? "GET" : null
}

resource "tencentcloud_clb_attachment" "lb" {
  for_each    = tencentcloud_clb_listener.lb
  clb_id      = tencentcloud_clb_instance.lb[0].id
  listener_id = each.value.listener_id

  dynamic "targets" {
    for_each = tencentcloud_instance.node
    content {
      instance_id = targets.value.id
      port        = tonumber(each.key)
      weight      = 10
    }
  }
}

# ICM's terraform.out of a definition: one line per node,
# +,<machine>,<IP>,<DNS name>,<zone> (the private address with
# PrivateSubnet, the EIP with ElasticIP, as icm records them; CVM gives no
# DNS name)
output "nodes" {
  value = [
    for i, n in tencentcloud_instance.node :
    "+,${local.machines[i]},${var.PrivateSubnet ? n.private_ip : length(local.eips) > 0 ? tencentcloud_eip.node[i].public_ip : n.public_ip},,${local.zones_of[i]}"
  ]
}

output "load_balancer_address" {
  value = var.LoadBalancer ? tencentcloud_clb_instance.lb[0].clb_vips[0] : ""
}
