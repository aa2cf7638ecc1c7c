# provider.tf (Tencent): what the deployment's network and every
# definition's templates have in common (icm writes this file beside each
# infrastructure.tf): the Terraform and provider requirements, the
# provider, the variables both read, and the names both derive.  Values
# come from terraform.tfvars.
#
# The API key is never written: the tencentcloud provider reads it from
# the environment, TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, as
# icm takes it from SecretID and SecretKey.

terraform {
  required_version = ">= 1.3"
  required_providers {
    tencentcloud = {
      source  = "tencentcloudstack/tencentcloud"
      version = "~> 1.81"
    }
  }
}

variable "Label" {
  type = string
}

variable "Tag" {
  type = string
}

variable "Region" {
  description = "the deployment's one region, e.g. ap-guangzhou (several regions: icm merge)"
  type        = string
}

variable "Zone" {
  description = "comma list: the deployment's zones, Zone of defaults.json first; its order numbers the subnets"
  type        = string
}

# -- network (icm-reference 5.4, 7.8) ---------------------------------------------

variable "VPCId" {
  description = "an existing VPC; empty: icm's <Label>-<Tag>"
  type        = string
  default     = ""
}

variable "SubnetIds" {
  description = "comma list: existing subnets of VPCId, one per Zone entry in its order"
  type        = string
  default     = ""
}

variable "PrivateSubnet" {
  description = "no public address on the instances"
  type        = bool
  default     = false
}

provider "tencentcloud" {
  region = var.Region
}

locals {
  deployment   = "${var.Label}-${var.Tag}"
  zones        = [for z in split(",", var.Zone) : trimspace(z) if trimspace(z) != ""]
  given_subnet = [for s in split(",", var.SubnetIds) : trimspace(s) if trimspace(s) != ""]
  # each zone's subnet name (icm's; with VPCId the given SubnetIds entry)
  subnet_names = { for z in local.zones : z => "${local.deployment}-${z}" }
  # the key pair: <Label>-<Tag>'s first 25 characters, each one outside
  # [A-Za-z0-9] turned into '_'
  key_name = replace(substr(local.deployment, 0, 25), "/[^A-Za-z0-9]/", "_")
  # every resource's tags: these and icm-key, the journal key icm records
  # it under
  tags = { icm-deployment = local.deployment }
}
