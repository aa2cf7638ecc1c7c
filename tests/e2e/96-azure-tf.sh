#!/usr/bin/env bash
# shellcheck disable=SC2016  # HCL (${...}) in single quotes on purpose
# 96-azure-tf: the Azure Terraform templates and tfvars icm writes into the
# state directory (src/provider/azure/tf.h), checked offline as 92 checks
# GCP's: the templates are formatted HCL (`terraform fmt -check` parses
# them), every tfvars file parses, no secret is written, and the values
# reach the templates' provider-free logic as written: the variables and
# the locals that use no data source nor resource
# (tests/cloud/hcl-pure.py) are evaluated by `terraform console` with each
# directory's tfvars: the address ranges for one and three locations,
# with and without net_subnet_cidr, the names of the networks, subnets
# and security groups (icm's or the given ones), the security rules, the
# disks with their LUNs and SKUs (<X>VolumeType, else AccountTier and
# AccountReplicationType), the public IPs on and off with PrivateSubnet,
# the zones, the image, the load balancer's ports, an escaped value.
#
# `terraform validate` cannot run: the hashicorp/azurerm provider is not
# in the offline mirror (/opt/tf-plugins), and validate needs `terraform
# init`; t-azure-tf checks that the templates hold the resources.
#
# The files are written by tests/cloud/tf-write.  Terraform never reaches
# the network: no provider is installed, checkpoints are off, and where
# unprivileged namespaces work every run is in a network namespace with no
# interfaces but loopback.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

tf_offline

cd "$T" || exit 1
printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2e u@h\n' >k.pub
# the admin password, as a user taking the deployment over gives it
export TF_VAR_SSHPassword=pw-from-env

# MR: three locations with zones, a net_subnet_cidr, a Label with '_'
# (names keep it), disks of Premium_ZRS by AccountTier and
# AccountReplicationType; DATA in the first location, WS with a Docker
# disk of its own type across the two others on a private subnet.
mkdir mr lb
cat >mr/defaults.json <<EOF
{
  "Provider": "Azure", "Label": "Mr_x", "Tag": "TF",
  "Location": "eastus,westeurope,southeastasia", "Zone": "1,2,3",
  "PublisherName": "Canonical", "Offer": "0001-com-ubuntu-server-jammy",
  "Sku": "22_04-lts", "Size": "Standard_DS2_v2",
  "SubscriptionId": "sub-1", "TenantId": "ten-1", "ClientId": "app-1",
  "ClientSecret": "cs-s3cret-e2e", "SSHUser": "u",
  "SSHPassword": "pw-s3cret-e2e", "SSHPublicKey": "$T/k.pub",
  "SSHPrivateKey": "/k", "DockerImage": "intersystems/iris:1",
  "ISCPassword": "isc-s3cret-e2e", "net_subnet_cidr": "10.8.4.0/22",
  "AccountTier": "Premium", "AccountReplicationType": "ZRS"
}
EOF
cat >mr/definitions.json <<'EOF'
[
  {"Role": "DATA", "Count": "3", "ZoneMap": "0,1,2", "LocationMap": "0"},
  {"Role": "WS", "Count": "2", "ZoneMap": "1,2", "LocationMap": "1,2",
   "DockerVolumeSize": "5", "DockerVolumeType": "Premium_LRS",
   "PrivateSubnet": "true", "Version": "22.04.202405010"}
]
EOF
# LB: one location without zones, UseMSI, an existing resource group,
# virtual network and subnet, a load balancer on DATA, a SuperServerPort
# equal to WebServerPort (one rule), a CustomImage, a HealthCheckPath that
# needs HCL escaping (quote, backslash, template sequences), secrets.
cat >lb/defaults.json <<EOF
{
  "Provider": "Azure", "Label": "GB", "Tag": "LB", "Location": "westus2",
  "CustomImage": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/i",
  "Size": "Standard_B2s", "SubscriptionId": "sub-1", "TenantId": "ten-1",
  "UseMSI": "true", "SSHUser": "u", "SSHPassword": "pw-s3cret-e2e",
  "SSHPublicKey": "$T/k.pub", "SSHPrivateKey": "/k",
  "DockerImage": "intersystems/iris:1", "ISCPassword": "isc-s3cret-e2e",
  "DockerPassword": "dk-s3cret-e2e", "ResourceGroupName": "corp-rg",
  "VirtualNetworkName": "corp-vnet", "SubnetName": "corp-sub",
  "SuperServerPort": "52773"
}
EOF
cat >lb/definitions.json <<'EOF'
[
  {"Role": "DATA", "Count": "2", "LoadBalancer": "true",
   "DataVolumeType": "Premium_LRS", "WIJVolumeSize": "20",
   "HealthCheckPath": "/o\"k\\ ${x} %{y}"}
]
EOF
printf '%s' '/o"k\ ${x} %{y}' >raw-path

for c in mr lb; do
	"$TFW" $c/defaults.json $c/definitions.json state >$c/out.txt 2>&1
	is "tf-write $c" "$?" 0
	[ -s $c/out.txt ] && sed 's/^/#   /' $c/out.txt
done

dirs="Mr_x-TF Mr_x-DATA-TF Mr_x-WS-TF GB-LB GB-DATA-LB"
is "one directory for each deployment and one per definition" \
	"$(find state -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')" \
	"GB-DATA-LB GB-LB Mr_x-DATA-TF Mr_x-TF Mr_x-WS-TF "
is "no secret in any file" "$(grep -rl s3cret-e2e state)" ""
has_line "the secrets are named as left out" \
	"$(cat state/Mr_x-DATA-TF/terraform.tfvars)" \
	"# secret fields are never written here; left out: ISCPassword, SSHPassword, ClientSecret"

# shellcheck disable=SC2086  # $dirs: one word per directory
tf_check azure state $dirs

# the network
is "MR: names keep their case; the group is <Label>-<Tag>" \
	"$(tfc Mr_x-TF '[local.deployment, local.group, local.locations[0], local.tags]')" \
	'["Mr_x-TF","Mr_x-TF","eastus",{"icm-deployment":"Mr_x-TF"}]'
is "MR: three locations from net_subnet_cidr, in Location order" \
	"$(tfc Mr_x-TF '[for l in local.locations : "${local.vnet_names[l]}/${local.subnet_names[l]}=${local.subnet_cidrs[l]}"]')" \
	'["Mr_x-TF-eastus/Mr_x-TF-eastus=10.8.4.0/22","Mr_x-TF-westeurope/Mr_x-TF-westeurope=10.8.8.0/22","Mr_x-TF-southeastasia/Mr_x-TF-southeastasia=10.8.12.0/22"]'
is "three locations without net_subnet_cidr: 10.0.<i>.0/24" \
	"$(tfc Mr_x-TF '[for l in local.locations : local.subnet_cidrs[l]]' -var net_subnet_cidr=)" \
	'["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"]'
is "one location with net_subnet_cidr (its network address)" \
	"$(tfc Mr_x-TF 'local.subnet_cidrs' -var Location=eastus -var net_subnet_cidr=172.16.255.7/23)" \
	'{"eastus":"172.16.254.0/23"}'
is "MR: the security groups, one per location" \
	"$(tfc Mr_x-TF 'local.nsg_names')" \
	'{"eastus":"Mr_x-TF-eastus-nsg","southeastasia":"Mr_x-TF-southeastasia-nsg","westeurope":"Mr_x-TF-westeurope-nsg"}'
is "MR: the security rules of ports.c, in its order, then ICMP" \
	"$(tfc Mr_x-TF '[for r in local.security_rules : "${r.name}:${r.priority}:${r.protocol}:${r.range}"]')" \
	'["icm-tcp-22:1000:Tcp:22","icm-tcp-2376:1001:Tcp:2376","icm-tcp-80:1002:Tcp:80","icm-tcp-443:1003:Tcp:443","icm-tcp-53:1004:Tcp:53","icm-udp-53:1005:Udp:53","icm-tcp-6783:1006:Tcp:6783","icm-udp-6783-6784:1007:Udp:6783-6784","icm-tcp-1972:1008:Tcp:1972","icm-tcp-52773:1009:Tcp:52773","icm-tcp-2188:1010:Tcp:2188","icm-tcp-4002:1011:Tcp:4002","icm-udp-4002:1012:Udp:4002","icm-icmp:1013:Icmp:*"]'
is "LB: the given group, network and subnet; one location without net_subnet_cidr; UseMSI" \
	"$(tfc GB-LB '[local.group, local.vnet_names, local.subnet_names, local.subnet_cidrs, var.UseMSI, var.ClientId]')" \
	'["corp-rg",{"westus2":"corp-vnet"},{"westus2":"corp-sub"},{"westus2":"10.0.0.0/24"},true,""]'
is "LB: SuperServerPort = WebServerPort: one rule for the port" \
	"$(tfc GB-LB '[for r in local.security_rules : r.name if r.priority > 1007]')" \
	'["icm-tcp-52773","icm-tcp-2188","icm-tcp-4002","icm-udp-4002","icm-icmp"]'

# the machines
is "MR DATA: names, locations, zones, tags, the image" \
	"$(tfc Mr_x-DATA-TF '[local.machines, local.locs, local.zones, local.node_tags[2], local.image]')" \
	'[["Mr_x-DATA-TF-0001","Mr_x-DATA-TF-0002","Mr_x-DATA-TF-0003"],["eastus","eastus","eastus"],["1","2","3"],{"icm-deployment":"Mr_x-TF","icm-key":"node/Mr_x-DATA-TF-0003","icm-machine":"Mr_x-DATA-TF-0003"},[{"offer":"0001-com-ubuntu-server-jammy","publisher":"Canonical","sku":"22_04-lts","version":"latest"}]]'
is "MR DATA: the four IRIS disks per machine, LUN 0-3, SKU Premium_ZRS; a public IP each" \
	"$(tfc Mr_x-DATA-TF '[[for k, v in local.disks : "${k}:${v.lun}:${v.size}:${v.sku}" if v.node == 0], local.os_sku, local.public_ips]')" \
	'[["Mr_x-DATA-TF-0001-data:0:10:Premium_ZRS","Mr_x-DATA-TF-0001-journal1:2:10:Premium_ZRS","Mr_x-DATA-TF-0001-journal2:3:10:Premium_ZRS","Mr_x-DATA-TF-0001-wij:1:10:Premium_ZRS"],"Premium_ZRS",["Mr_x-DATA-TF-0001-ip","Mr_x-DATA-TF-0002-ip","Mr_x-DATA-TF-0003-ip"]]'
is "MR DATA: a Docker disk after the IRIS ones; the default SKU Standard_LRS" \
	"$(tfc Mr_x-DATA-TF '[[for k, v in local.disks : "${k}:${v.lun}:${v.sku}" if v.node == 2], local.os_sku]' -var DockerVolumeSize=7 -var AccountTier=Standard -var AccountReplicationType=LRS)" \
	'[["Mr_x-DATA-TF-0003-data:0:Standard_LRS","Mr_x-DATA-TF-0003-docker:4:Standard_LRS","Mr_x-DATA-TF-0003-journal1:2:Standard_LRS","Mr_x-DATA-TF-0003-journal2:3:Standard_LRS","Mr_x-DATA-TF-0003-wij:1:Standard_LRS"],"Standard_LRS"]'
is "MR WS: PrivateSubnet: no public IP; the Docker disk alone at LUN 0; the version given" \
	"$(tfc Mr_x-WS-TF '[local.public_ips, [for k, v in local.disks : "${k}:${v.lun}:${v.size}:${v.sku}"], local.locs, local.zones, local.image[0].version]')" \
	'[[],["Mr_x-WS-TF-0004-docker:0:5:Premium_LRS","Mr_x-WS-TF-0005-docker:0:5:Premium_LRS"],["westeurope","southeastasia"],["2","3"],"22.04.202405010"]'
is "MR WS: each location's subnet and security group" \
	"$(tfc Mr_x-WS-TF '[for l in local.locs : "${local.vnet_names[l]}/${local.subnet_names[l]}+${local.nsg_names[l]}"]')" \
	'["Mr_x-TF-westeurope/Mr_x-TF-westeurope+Mr_x-TF-westeurope-nsg","Mr_x-TF-southeastasia/Mr_x-TF-southeastasia+Mr_x-TF-southeastasia-nsg"]'
is "MR WS: PrivateSubnet false: a public IP each" \
	"$(tfc Mr_x-WS-TF 'local.public_ips' -var PrivateSubnet=false)" \
	'["Mr_x-WS-TF-0004-ip","Mr_x-WS-TF-0005-ip"]'
is "LB DATA: no zones, CustomImage (no image reference), Data on Premium_LRS, WIJ of 20 GB" \
	"$(tfc GB-DATA-LB '[local.zones, local.image, [for k, v in local.disks : "${k}:${v.size}:${v.sku}" if v.node == 1]]')" \
	'[[null,null],[],["GB-DATA-LB-0002-data:10:Premium_LRS","GB-DATA-LB-0002-journal1:10:Standard_LRS","GB-DATA-LB-0002-journal2:10:Standard_LRS","GB-DATA-LB-0002-wij:20:Standard_LRS"]]'
is "LB DATA: the load balancer's name, its ports each once, probe, location" \
	"$(tfc GB-DATA-LB '[var.LoadBalancerName, local.lb_ports, var.HealthCheckPort, local.lb_path, local.lb_location]')" \
	'["GB-LB-LB-0001",["52773"],"52773","/o\\"k\\\\ ${x} %{y}","westus2"]'
is "LB DATA: the admin password from TF_VAR_SSHPassword" \
	"$(tfc GB-DATA-LB 'nonsensitive(var.SSHPassword)')" \
	'"pw-from-env"'
is "an escaped value reaches terraform unchanged" \
	"$(tfc GB-DATA-LB '[sha256(var.HealthCheckPath)]')" \
	"[\"$(sha256sum <raw-path | cut -d' ' -f1)\"]"
grep -h -A3 '^Error' pure/*/console.err | sed 's/^/#   /'

plan "$_n"
done_testing
