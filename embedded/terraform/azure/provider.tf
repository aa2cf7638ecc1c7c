# provider.tf (Azure): what the deployment's network and every definition's
# templates have in common (icm writes this file beside each
# infrastructure.tf): the Terraform and provider requirements, the
# provider, the variables both read, and the names both derive.  Values
# come from terraform.tfvars.
#
# The service principal's secret is never written: the azurerm provider
# reads it from the environment, ARM_CLIENT_SECRET, as icm takes it from
# ClientSecret.  With UseMSI true it uses the managed identity instead.

terraform {
  required_version = ">= 1.3"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 3.0"
    }
  }
}

variable "Label" {
  type = string
}

variable "Tag" {
  type = string
}

variable "SubscriptionId" {
  type = string
}

variable "TenantId" {
  type = string
}

variable "ClientId" {
  description = "the service principal's application id; empty with UseMSI"
  type        = string
  default     = ""
}

variable "UseMSI" {
  description = "authenticate with the managed identity of the machine Terraform runs on"
  type        = bool
  default     = false
}

variable "Location" {
  description = "comma list: the deployment's locations, the first the resource group's"
  type        = string
}

# -- network (icm-reference 5.3, 7.8) ---------------------------------------------

variable "ResourceGroupName" {
  description = "the resource group; empty: icm's <Label>-<Tag>"
  type        = string
  default     = ""
}

variable "VirtualNetworkName" {
  description = "comma list: existing virtual networks, one per location in Location order; empty: icm's"
  type        = string
  default     = ""
}

variable "SubnetName" {
  description = "comma list: the existing subnets of VirtualNetworkName, one per location"
  type        = string
  default     = ""
}

variable "PrivateSubnet" {
  description = "no public IP on the machines"
  type        = bool
  default     = false
}

provider "azurerm" {
  features {}
  subscription_id = var.SubscriptionId
  tenant_id       = var.TenantId
  client_id       = var.ClientId != "" ? var.ClientId : null
  use_msi         = var.UseMSI
}

locals {
  deployment = "${var.Label}-${var.Tag}"
  group      = var.ResourceGroupName != "" ? var.ResourceGroupName : local.deployment
  locations  = [for l in split(",", var.Location) : trimspace(l) if trimspace(l) != ""]
  given_vnet = [for v in split(",", var.VirtualNetworkName) : trimspace(v) if trimspace(v) != ""]
  given_subnet = [
    for s in split(",", var.SubnetName) : trimspace(s) if trimspace(s) != ""
  ]
  # each location's virtual network, subnet and security group: the given
  # ones, or icm's <Label>-<Tag>-<location>
  vnet_names = {
    for i, l in local.locations : l => length(local.given_vnet) > 0 ? local.given_vnet[i] : "${local.deployment}-${l}"
  }
  subnet_names = {
    for i, l in local.locations : l => length(local.given_vnet) > 0 ? local.given_subnet[i] : "${local.deployment}-${l}"
  }
  nsg_names = { for l in local.locations : l => "${local.deployment}-${l}-nsg" }
  # every resource's tags: these and icm-key, the journal key icm records
  # it under
  tags = { icm-deployment = local.deployment }
}
