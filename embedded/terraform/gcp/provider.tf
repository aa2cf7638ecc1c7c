# provider.tf (GCP): what the deployment's network and every definition's
# templates have in common (icm writes this file beside each
# infrastructure.tf): the Terraform and provider requirements, the
# provider, the variables both read, and the names both derive.  Values
# come from terraform.tfvars.
#
# Credentials is the path of the service account's key file (JSON), as
# for icm; the file itself is never copied into the state directory.

terraform {
  required_version = ">= 1.3"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 5.0"
    }
  }
}

variable "Label" {
  type = string
}

variable "Tag" {
  type = string
}

variable "Credentials" {
  description = "path of the service account's key file (JSON)"
  type        = string
}

variable "Project" {
  type = string
}

variable "Region" {
  description = "comma list: the deployment's regions, the first the provider's"
  type        = string
}

variable "Zone" {
  description = "comma list: the deployment's zones"
  type        = string
  default     = ""
}

# -- network (icm-reference 5.2, 7.8) ---------------------------------------------

variable "Network" {
  description = "an existing VPC network; empty: icm's <Label>-<Tag>"
  type        = string
  default     = ""
}

variable "Subnet" {
  description = "comma list: existing subnetworks, one per region in Region order; empty: icm's"
  type        = string
  default     = ""
}

variable "PrivateSubnet" {
  description = "no external address on the instances"
  type        = bool
  default     = false
}

provider "google" {
  project     = var.Project
  region      = local.regions[0]
  credentials = file(var.Credentials)
}

locals {
  deployment = "${var.Label}-${var.Tag}"
  # GCE names and label values: <Label>-<Tag> in lowercase, every
  # character outside [a-z0-9-] turned into '-'
  ldep         = replace(lower(local.deployment), "/[^a-z0-9-]/", "-")
  regions      = [for r in split(",", var.Region) : trimspace(r) if trimspace(r) != ""]
  given_subnet = [for s in split(",", var.Subnet) : trimspace(s) if trimspace(s) != ""]
  # each region's subnetwork: the given one, or icm's <ldep>-<region>
  subnet_names = {
    for i, r in local.regions : r => length(local.given_subnet) > 0 ? local.given_subnet[i] : "${local.ldep}-${r}"
  }
}
