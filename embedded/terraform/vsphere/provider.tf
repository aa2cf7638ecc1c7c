# provider.tf (vSphere): what the deployment's folder and every
# definition's templates have in common (icm writes this file beside each
# infrastructure.tf): the Terraform and provider requirements, the
# provider, the variables both read, and the inventory both look up.
# Values come from terraform.tfvars, but for the password.
#
# VSpherePassword is a secret field: icm never writes it into a tfvars
# file.  Give it as TF_VAR_VSpherePassword or at terraform's prompt.
#
# TLS: the provider checks vCenter's certificate against the system's CAs;
# it has no CA file setting, so icm's VSphereCAFile (a private CA) is
# given to terraform as SSL_CERT_FILE=<VSphereCAFile>.
# VSphereAllowUnverifiedSSL turns the check off, for labs only, as it does
# for icm.

terraform {
  required_version = ">= 1.3"
  required_providers {
    vsphere = {
      source  = "hashicorp/vsphere"
      version = "~> 2.0"
    }
  }
}

variable "Label" {
  type = string
}

variable "Tag" {
  type = string
}

variable "Server" {
  description = "vCenter server: host name or address, with :port if not 443"
  type        = string
}

variable "VSphereUser" {
  type = string
}

variable "VSpherePassword" {
  description = "never in terraform.tfvars: TF_VAR_VSpherePassword or the prompt"
  type        = string
  sensitive   = true
}

variable "VSphereCAFile" {
  description = "not read by the provider: run terraform with SSL_CERT_FILE set to it"
  type        = string
  default     = ""
}

variable "VSphereAllowUnverifiedSSL" {
  description = "skip the check of vCenter's certificate (labs only)"
  type        = bool
  default     = false
}

# -- inventory (icm-reference 5.5) ----------------------------------------------

variable "Datacenter" {
  type = string
}

variable "ComputeCluster" {
  type = string
}

variable "ResourcePool" {
  description = "empty or Resources: the cluster's own pool; a name: a pool of the cluster; a path with /: that pool"
  type        = string
  default     = ""
}

variable "DataStore" {
  description = "the datastore of the VMs, without DatastoreCluster"
  type        = string
  default     = ""
}

variable "DatastoreCluster" {
  description = "storage DRS places the VMs in this datastore cluster (before DataStore)"
  type        = string
  default     = ""
}

variable "NetworkInterface" {
  description = "the network of the VMs' one NIC (empty: the template's)"
  type        = string
  default     = ""
}

variable "Template" {
  description = "the VM template every node is a clone of"
  type        = string
}

provider "vsphere" {
  vsphere_server       = var.Server
  user                 = var.VSphereUser
  password             = var.VSpherePassword
  allow_unverified_ssl = var.VSphereAllowUnverifiedSSL
}

locals {
  deployment = "${var.Label}-${var.Tag}"
  # a pool below the cluster's own, by its inventory path
  pool_path = contains(["", "Resources"], var.ResourcePool) ? "" : (
  length(split("/", var.ResourcePool)) > 1 ? var.ResourcePool : "${var.ComputeCluster}/Resources/${var.ResourcePool}")
}

data "vsphere_datacenter" "dc" {
  name = var.Datacenter
}

data "vsphere_compute_cluster" "cluster" {
  name          = var.ComputeCluster
  datacenter_id = data.vsphere_datacenter.dc.id
}

data "vsphere_resource_pool" "pool" {
  count         = local.pool_path == "" ? 0 : 1
  name          = local.pool_path
  datacenter_id = data.vsphere_datacenter.dc.id
}

data "vsphere_datastore_cluster" "pod" {
  count         = var.DatastoreCluster != "" ? 1 : 0
  name          = var.DatastoreCluster
  datacenter_id = data.vsphere_datacenter.dc.id
}

data "vsphere_datastore" "ds" {
  count         = var.DatastoreCluster == "" && var.DataStore != "" ? 1 : 0
  name          = var.DataStore
  datacenter_id = data.vsphere_datacenter.dc.id
}

data "vsphere_network" "net" {
  count         = var.NetworkInterface != "" ? 1 : 0
  name          = var.NetworkInterface
  datacenter_id = data.vsphere_datacenter.dc.id
}

data "vsphere_virtual_machine" "template" {
  name          = var.Template
  datacenter_id = data.vsphere_datacenter.dc.id
}

locals {
  resource_pool_id     = local.pool_path != "" ? data.vsphere_resource_pool.pool[0].id : data.vsphere_compute_cluster.cluster.resource_pool_id
  datastore_cluster_id = one(data.vsphere_datastore_cluster.pod[*].id)
  datastore_id         = one(data.vsphere_datastore.ds[*].id)
  network_id           = var.NetworkInterface != "" ? data.vsphere_network.net[0].id : data.vsphere_virtual_machine.template.network_interfaces[0].network_id
}
