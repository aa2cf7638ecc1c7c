# infrastructure.tf (GCP, one definition): the instances of one definition
# and what belongs to them, in state/<Label>-<Role>-<Tag>/.  icm makes the
# same resources itself through the Compute Engine API
# (src/provider/gcp/); it writes this file and terraform.tfvars beside it
# so that the deployment can be inspected, or taken over, with Terraform
# (icm never runs terraform).  The provider and the variables shared with
# the network's template are in provider.tf.
#
# terraform.tfvars holds the definition's merged fields as ICM's
# `Field = "value"` lines (secret fields left out), plus MachineName
# (<Label>-<Role>-<Tag>), DefinitionIndex, InstanceCount (nodes of this
# definition), MachineNames and Zones (one entry per node, in machine
# order, comma lists), Region and Zone (the deployment's lists, as in
# ../<Label>-<Tag>/), OutputFile and, when the definition has
# LoadBalancer true, LoadBalancerName and the Forward*/HealthCheck* values
# of its load balancer.  Fields this file does not use are there for
# reading, as in ICM's state directory.
#
# The network, its subnetworks (<ldep>-<region>, or Subnet) and the
# firewall rule that admits the instances tagged <ldep> come from
# ../<Label>-<Tag>/ (found here by name).
#
# Names: ldep is <Label>-<Tag> in lowercase, every character outside
# [a-z0-9-] turned into '-'; <name> is a machine name in lowercase.  Every
# resource's description is "icm <Label>-<Tag> <journal key>"; instances,
# disks, addresses and forwarding rules carry the label
# icm-deployment = <ldep>, instances and their disks icm-machine = <name>.
#
# What icm makes here, with its journal keys:
#   node/<machine>
#       instance <name> in the node's zone (its entry of Zones), machine
#       type MachineType, network tag <ldep>; a boot disk from Image
#       ("project/image" or "project/family") of OSVolumeSize GB and type
#       OSVolumeType; disks <name>-data, -wij, -journal1, -journal2 on
#       IRIS roles and <name>-docker on every role when DockerVolumeSize is
#       set, each of <X>VolumeSize GB and type <X>VolumeType (pd-standard,
#       pd-ssd, pd-balanced), attached as device <X>DeviceName (a device
#       name of existing, create, local, skip or null means no disk);
#       metadata ssh-keys "<SSHUser>:<the SSHPublicKey file>"; one network
#       interface on the subnetwork of the zone's region with an external
#       address (ephemeral, or with ElasticIP the static one below) unless
#       PrivateSubnet is true.
#   address/<machine>
#       with ElasticIP (and not PrivateSubnet): static external address
#       <name> in the node's region.
#   lbaddr/<LB>, hc/<LB>, pool/<LB>, fwd/<LB>/<port>
#       with LoadBalancer, <lb> being the load balancer's machine name in
#       lowercase: static address <lb> in the region of the definition's
#       first node, legacy HTTP health check <lb>-hc (HealthCheckPort,
#       HealthCheckPath), target pool <lb> with the definition's instances
#       and that check, and per ForwardPort a forwarding rule <lb>-<port>
#       on the address to the pool.

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

# -- machine (icm-reference 5.2) ---------------------------------------------------

variable "MachineType" {
  type = string
}

variable "Image" {
  description = "project/image or project/family, e.g. ubuntu-os-cloud/ubuntu-2204-lts"
  type        = string
}

variable "SSHUser" {
  type = string
}

variable "SSHPublicKey" {
  description = "path of the public key put in the instances' ssh-keys metadata"
  type        = string
}

variable "ElasticIP" {
  description = "a static external address per instance"
  type        = bool
  default     = false
}

# -- volumes (icm-reference 3.6) -----------------------------------------------------

variable "OSVolumeSize" {
  type    = number
  default = 32
}

variable "OSVolumeType" {
  type    = string
  default = "pd-standard"
}

variable "DataVolumeSize" {
  type    = number
  default = 10
}

variable "DataVolumeType" {
  type    = string
  default = "pd-standard"
}

variable "DataDeviceName" {
  type    = string
  default = "sdc"
}

variable "WIJVolumeSize" {
  type    = number
  default = 10
}

variable "WIJVolumeType" {
  type    = string
  default = "pd-standard"
}

variable "WIJDeviceName" {
  type    = string
  default = "sdd"
}

variable "Journal1VolumeSize" {
  type    = number
  default = 10
}

variable "Journal1VolumeType" {
  type    = string
  default = "pd-standard"
}

variable "Journal1DeviceName" {
  type    = string
  default = "sde"
}

variable "Journal2VolumeSize" {
  type    = number
  default = 10
}

variable "Journal2VolumeType" {
  type    = string
  default = "pd-standard"
}

variable "Journal2DeviceName" {
  type    = string
  default = "sdf"
}

variable "DockerVolumeSize" {
  description = "0: no Docker disk"
  type        = number
  default     = 0
}

variable "DockerVolumeType" {
  type    = string
  default = "pd-standard"
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

variable "HealthCheckPath" {
  type    = string
  default = ""
}

locals {
  machines = [for m in split(",", var.MachineNames) : trimspace(m)]
  names    = [for m in local.machines : lower(m)]
  zones    = [for z in split(",", var.Zones) : trimspace(z)]
  # a zone's region: the zone without its last '-' part (us-east1-b)
  node_regions = [for z in local.zones : replace(z, "/-[^-]*$/", "")]
  iris_role    = contains(["DATA", "COMPUTE", "DM", "DS", "QS", "AM"], var.Role)
  no_volume    = ["", "existing", "create", "local", "skip", "null"]

  # the disks icm adds, in this order
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
  # every node's disks, by name <name>-<kind>
  disks = merge([
    for i, n in local.names : {
      for v in local.volumes : "${n}-${v.kind}" => merge(v, { node = i, zone = local.zones[i] })
    }
  ]...)

  labels = { icm-deployment = local.ldep }
  node_labels = [
    for n in local.names : merge(local.labels, { icm-machine = n })
  ]
  ssh_keys = "${var.SSHUser}:${trimspace(file(var.SSHPublicKey))}"
  # the network interface's access config: none on a private subnet, else
  # an external address (static with ElasticIP)
  access_config = var.PrivateSubnet ? [] : [var.ElasticIP ? "static" : "ephemeral"]

  lb_ports    = var.LoadBalancer ? [for p in split(",", var.ForwardPort) : trimspace(p) if trimspace(p) != ""] : []
  lb          = lower(var.LoadBalancerName)
  lb_protocol = upper(var.ForwardProtocol) == "UDP" ? "UDP" : "TCP"
  lb_region   = local.node_regions[0]
  lb_check    = var.HealthCheckPath != "" ? var.HealthCheckPath : "/"
}

# -- node/<machine>: disks, then the instance --------------------------------------------

resource "google_compute_disk" "volume" {
  for_each    = local.disks
  name        = each.key
  description = "icm ${local.deployment} node/${local.machines[each.value.node]}"
  zone        = each.value.zone
  size        = each.value.size
  type        = each.value.type
  labels      = local.node_labels[each.value.node]
}

# -- address/<machine> (ElasticIP) ------------------------------------------------------------

resource "google_compute_address" "node" {
  count       = contains(local.access_config, "static") ? var.InstanceCount : 0
  name        = local.names[count.index]
  description = "icm ${local.deployment} address/${local.machines[count.index]}"
  region      = local.node_regions[count.index]
  labels      = local.labels
}

resource "google_compute_instance" "node" {
  count        = var.InstanceCount
  name         = local.names[count.index]
  description  = "icm ${local.deployment} node/${local.machines[count.index]}"
  zone         = local.zones[count.index]
  machine_type = var.MachineType
  tags         = [local.ldep]
  labels       = local.node_labels[count.index]

  boot_disk {
    initialize_params {
      image  = var.Image
      size   = var.OSVolumeSize
      type   = var.OSVolumeType
      labels = local.node_labels[count.index]
    }
  }

  dynamic "attached_disk" {
    for_each = local.volumes
    content {
      source      = google_compute_disk.volume["${local.names[count.index]}-${attached_disk.value.kind}"].self_link
      device_name = attached_disk.value.device
    }
  }

  metadata = {
    ssh-keys = local.ssh_keys
  }

  network_interface {
    subnetwork         = local.subnet_names[local.node_regions[count.index]]
    subnetwork_project = var.Project

    dynamic "access_config" {
      for_each = local.access_config
      content {
        nat_ip = access_config.value == "static" ? google_compute_address.node[count.index].address : null
      }
    }
  }
}

# -- lbaddr/<LB>, hc/<LB>, pool/<LB>, fwd/<LB>/<port> ----------------------------------------

resource "google_compute_address" "lb" {
  count       = var.LoadBalancer ? 1 : 0
  name        = local.lb
  description = "icm ${local.deployment} lbaddr/${var.LoadBalancerName}"
  region      = local.lb_region
  labels      = local.labels
}

resource "google_compute_http_health_check" "lb" {
  count        = var.LoadBalancer ? 1 : 0
  name         = "${local.lb}-hc"
  description  = "icm ${local.deployment} hc/${var.LoadBalancerName}"
  port         = var.HealthCheckPort != "" ? tonumber(var.HealthCheckPort) : null
  request_path = local.lb_check
}

resource "google_compute_target_pool" "lb" {
  count         = var.LoadBalancer ? 1 : 0
  name          = local.lb
  description   = "icm ${local.deployment} pool/${var.LoadBalancerName}"
  region        = local.lb_region
  instances     = google_compute_instance.node[*].self_link
  health_checks = [google_compute_http_health_check.lb[0].name]
}

resource "google_compute_forwarding_rule" "lb" {
  for_each    = toset(local.lb_ports)
  name        = "${local.lb}-${each.key}"
  description = "icm ${local.deployment} fwd/${var.LoadBalancerName}/${each.key}"
  region      = local.lb_region
  ip_address  = google_compute_address.lb[0].address
  ip_protocol = local.lb_protocol
  port_range  = each.key
  target      = google_compute_target_pool.lb[0].self_link
  labels      = local.labels
}

# ICM's terraform.out of a definition: one line per node,
# +,<machine>,<IP>,<DNS name>,<zone> (the internal IP with PrivateSubnet,
# as icm records it; GCE gives no DNS name)
output "nodes" {
  value = [
    for i, n in google_compute_instance.node :
    "+,${local.machines[i]},${var.PrivateSubnet ? n.network_interface[0].network_ip : n.network_interface[0].access_config[0].nat_ip},,${local.zones[i]}"
  ]
}

output "load_balancer_address" {
  value = var.LoadBalancer ? google_compute_address.lb[0].address : ""
}
