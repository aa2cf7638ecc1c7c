# provider.tf (AWS): what the shared network's and every definition's
# templates have in common (icm writes this file beside each
# infrastructure.tf): the Terraform and provider requirements, the
# provider, and the variables both read.  Values come from terraform.tfvars.

terraform {
  required_version = ">= 0.13"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
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

variable "Region" {
  type = string
}

variable "Credentials" {
  description = "AWS shared-credentials file (empty: the provider's default chain)"
  type        = string
  default     = ""
}

variable "Zone" {
  description = "comma list of the deployment's availability zones; one subnet each, in this order"
  type        = string
}

variable "PrivateSubnet" {
  description = "no public addresses (icm runs inside the VPC)"
  type        = bool
  default     = false
}

variable "VPCId" {
  description = "existing VPC to use instead of creating one"
  type        = string
  default     = ""
}

variable "SubnetIds" {
  description = "existing subnets, comma list, one per Zone"
  type        = string
  default     = ""
}

provider "aws" {
  region                   = var.Region
  shared_credentials_files = var.Credentials == "" ? null : [pathexpand(var.Credentials)]
}
