#!/usr/bin/env bash
# shellcheck disable=SC2016  # HCL (${...}) in single quotes on purpose
# 99-tencent-tf: the Tencent Terraform templates and tfvars icm writes into
# the state directory (src/provider/tencent/tf.h), checked offline as 96
# checks Azure's: the templates are formatted HCL (`terraform fmt -check`
# parses them), every tfvars file parses, no secret is written (SecretID
# and SecretKey come from TENCENTCLOUD_SECRET_ID/KEY), and the values
# reach the templates' provider-free logic as written: the variables and
# the locals that use no data source nor resource
# (tests/cloud/hcl-pure.py) are evaluated by `terraform console` with each
# directory's tfvars: the subnets' ranges for one and three zones, with
# and without net_subnet_cidr, the VPC's range, the names (subnets, the
# key pair cut to 25 characters), the security group's policies, the data
# disks by role, the public address or EIP, the zones, the OSName
# expression, the load balancer's ports and health check, an escaped
# value.  Each expectation is what src/provider/tencent/ sends for the
# same configuration (network.c, instances.c, ../cidr.c, ../ports.c).
#
# `terraform validate` cannot run: the tencentcloudstack/tencentcloud
# provider is not in the offline mirror (/opt/tf-plugins), and validate
# needs `terraform init`; t-tencent-tf checks that the templates hold the
# resources.
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

# MR: three zones, a net_subnet_cidr, a deployment name of 27 characters
# with '_' and '-' (the key pair's is cut and mapped), the type from
# InstanceFamily, CPUCoreCount and MemorySize; DATA across the zones on
# CLOUD_SSD data disks, WS with a Docker disk on a private subnet.
mkdir mr lb
cat >mr/defaults.json <<EOF
{
  "Provider": "Tencent", "Label": "Mr_x_longdeployment", "Tag": "TFLONG1",
  "Region": "ap-guangzhou",
  "Zone": "ap-guangzhou-3,ap-guangzhou-4,ap-guangzhou-6",
  "OSName": "ubuntu.*22", "InstanceFamily": "S5", "CPUCoreCount": "4",
  "MemorySize": "8", "SecretID": "AKID-s3cret-e2e",
  "SecretKey": "sk-s3cret-e2e", "SSHUser": "ubuntu",
  "SSHPublicKey": "$T/k.pub", "SSHPrivateKey": "/k",
  "DockerImage": "intersystems/iris:1", "ISCPassword": "isc-s3cret-e2e",
  "net_subnet_cidr": "10.8.4.0/22", "OSVolumeSize": "50"
}
EOF
cat >mr/definitions.json <<'EOF'
[
  {"Role": "DATA", "Count": "3", "ZoneMap": "0,1,2",
   "DataVolumeType": "CLOUD_SSD", "DataVolumeSize": "100"},
  {"Role": "WS", "Count": "2", "ZoneMap": "1,2",
   "DockerVolumeSize": "20", "DockerDeviceName": "vdg",
   "DockerVolumeType": "CLOUD_PREMIUM", "PrivateSubnet": "true"}
]
EOF
# LB: one zone, an existing VPC and subnet, ImageId and InstanceType, a
# load balancer on DATA with an HTTP health check, SuperServerPort equal
# to WebServerPort (one policy), EIPs, a HealthCheckPath that needs HCL
# escaping (quote, backslash, template sequences), secrets.
cat >lb/defaults.json <<EOF
{
  "Provider": "Tencent", "Label": "GB", "Tag": "LB",
  "Region": "na-siliconvalley", "Zone": "na-siliconvalley-1",
  "ImageId": "img-487zeit5", "InstanceType": "S2.MEDIUM4",
  "SecretID": "AKID-s3cret-e2e", "SecretKey": "sk-s3cret-e2e",
  "SSHUser": "ubuntu", "SSHPublicKey": "$T/k.pub", "SSHPrivateKey": "/k",
  "DockerImage": "intersystems/iris:1", "ISCPassword": "isc-s3cret-e2e",
  "DockerPassword": "dk-s3cret-e2e", "VPCId": "vpc-corp1",
  "SubnetIds": "subnet-corp1", "SuperServerPort": "52773",
  "ElasticIP": "true", "OSVolumeType": "CLOUD_PREMIUM"
}
EOF
cat >lb/definitions.json <<'EOF'
[
  {"Role": "DATA", "Count": "2", "LoadBalancer": "true",
   "HealthCheckProtocol": "HTTP", "WIJVolumeSize": "20",
   "HealthCheckPath": "/o\"k\\ ${x} %{y}"}
]
EOF
printf '%s' '/o"k\ ${x} %{y}' >raw-path

for c in mr lb; do
	"$TFW" $c/defaults.json $c/definitions.json state >$c/out.txt 2>&1
	is "tf-write $c" "$?" 0
	[ -s $c/out.txt ] && sed 's/^/#   /' $c/out.txt
done

M=Mr_x_longdeployment-TFLONG1
is "one directory for each deployment and one per definition" \
	"$(find state -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')" \
	"GB-DATA-LB GB-LB Mr_x_longdeployment-DATA-TFLONG1 $M Mr_x_longdeployment-WS-TFLONG1 "
is "no secret in any file" "$(grep -rl s3cret-e2e state)" ""
has_line "the secrets are named as left out" \
	"$(cat state/Mr_x_longdeployment-DATA-TFLONG1/terraform.tfvars)" \
	"# secret fields are never written here; left out: ISCPassword, SecretID, SecretKey"

tf_check tencent state "$M" Mr_x_longdeployment-DATA-TFLONG1 \
	Mr_x_longdeployment-WS-TFLONG1 GB-LB GB-DATA-LB

# the network
is "MR: names keep their case; the key pair's is cut to 25, '_' for the others" \
	"$(tfc "$M" '[local.deployment, local.key_name, local.tags, local.zones[0]]')" \
	"[\"$M\",\"Mr_x_longdeployment_TFLON\",{\"icm-deployment\":\"$M\"},\"ap-guangzhou-3\"]"
is "MR: three subnets from net_subnet_cidr, in Zone order; the VPC the /16 around the first" \
	"$(tfc "$M" '[[for z in local.zones : "${local.subnet_names[z]}=${local.subnet_cidrs[z]}"], local.vpc_cidr]')" \
	"[[\"$M-ap-guangzhou-3=10.8.4.0/22\",\"$M-ap-guangzhou-4=10.8.8.0/22\",\"$M-ap-guangzhou-6=10.8.12.0/22\"],\"10.8.0.0/16\"]"
is "three zones without net_subnet_cidr: 10.0.<i>.0/24, VPC 10.0.0.0/16" \
	"$(tfc "$M" '[[for z in local.zones : local.subnet_cidrs[z]], local.vpc_cidr]' -var net_subnet_cidr=)" \
	'[["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"],"10.0.0.0/16"]'
is "one zone with net_subnet_cidr (its network address); net_vpc_cidr given" \
	"$(tfc "$M" '[local.subnet_cidrs, local.vpc_cidr]' -var Zone=z-1 -var net_subnet_cidr=172.16.255.7/23 -var net_vpc_cidr=172.16.0.0/12)" \
	'[{"z-1":"172.16.254.0/23"},"172.16.0.0/12"]'
is "MR: the security group's policies: ports.c's, in its order, then ICMP" \
	"$(tfc "$M" '[for p in local.ingress : "${p.protocol}:${p.port}"]')" \
	'["TCP:22","TCP:2376","TCP:80","TCP:443","TCP:53","UDP:53","TCP:6783","UDP:6783-6784","TCP:1972","TCP:52773","TCP:2188","TCP:4002","UDP:4002","ICMP:ALL"]'
is "LB: SuperServerPort = WebServerPort: one policy for the port" \
	"$(tfc GB-LB '[for p in slice(local.ingress, 8, length(local.ingress)) : "${p.protocol}:${p.port}"]')" \
	'["TCP:52773","TCP:2188","TCP:4002","UDP:4002","ICMP:ALL"]'
is "LB: the given VPC and subnet, the one zone, the region" \
	"$(tfc GB-LB '[var.VPCId, local.given_subnet, local.zones, var.Region, local.key_name]')" \
	'["vpc-corp1",["subnet-corp1"],["na-siliconvalley-1"],"na-siliconvalley","GB_LB"]'

# the instances
D=Mr_x_longdeployment-DATA-TFLONG1
is "MR DATA: names, zones, tags, the type looked up in each zone, the OSName expression" \
	"$(tfc $D '[local.machines, local.zones_of, local.node_tags[2], local.type_zones, local.os_name_re, var.InstanceFamily, var.CPUCoreCount, var.MemorySize]')" \
	"[[\"$D-0001\",\"$D-0002\",\"$D-0003\"],[\"ap-guangzhou-3\",\"ap-guangzhou-4\",\"ap-guangzhou-6\"],{\"icm-deployment\":\"$M\",\"icm-key\":\"node/$D-0003\",\"icm-machine\":\"$D-0003\"},[\"ap-guangzhou-3\",\"ap-guangzhou-4\",\"ap-guangzhou-6\"],\"(?i)ubuntu.*22\",\"S5\",4,8]"
is "the OSName expression matches as icm's (case ignored)" \
	"$(tfc $D '[for o in ["Ubuntu Server 22.04 LTS 64bit", "CentOS 7.9", "ubuntu 20.04"] : can(regex(local.os_name_re, o))]')" \
	'[true,false,false]'
is "MR DATA: the four IRIS data disks (Data on CLOUD_SSD); a public address each" \
	"$(tfc $D '[[for v in local.volumes : "${v.kind}:${v.size}:${v.type}"], var.OSVolumeSize, var.OSVolumeType, local.public_ip, local.eips]')" \
	'[["data:100:CLOUD_SSD","wij:10:CLOUD_BASIC","journal1:10:CLOUD_BASIC","journal2:10:CLOUD_BASIC"],50,"CLOUD_BASIC",true,[]]'
is "MR DATA: a Docker disk after the IRIS ones" \
	"$(tfc $D '[for v in local.volumes : v.kind]' -var DockerVolumeSize=7 -var DockerDeviceName=vdg)" \
	'["data","wij","journal1","journal2","docker"]'
W=Mr_x_longdeployment-WS-TFLONG1
is "MR WS: PrivateSubnet: no public address, no EIP; the Docker disk alone; two zones" \
	"$(tfc $W '[local.public_ip, local.eips, [for v in local.volumes : "${v.kind}:${v.size}:${v.type}"], local.zones_of]')" \
	'[false,[],["docker:20:CLOUD_PREMIUM"],["ap-guangzhou-4","ap-guangzhou-6"]]'
is "MR WS: a device name of existing means no disk" \
	"$(tfc $W 'local.volumes' -var DockerDeviceName=existing)" '[]'
G=GB-DATA-LB
is "LB DATA: ElasticIP: an EIP per machine, no public address; ImageId, InstanceType: no lookup" \
	"$(tfc $G '[local.public_ip, local.eips, var.ImageId, var.InstanceType, local.type_zones, var.OSVolumeType]')" \
	'[false,["GB-DATA-LB-0001","GB-DATA-LB-0002"],"img-487zeit5","S2.MEDIUM4",[],"CLOUD_PREMIUM"]'
is "LB DATA: ElasticIP with PrivateSubnet: neither" \
	"$(tfc $G '[local.public_ip, local.eips]' -var PrivateSubnet=true)" '[false,[]]'
is "LB DATA: the CLB's name, its ports each once, protocol, network, HTTP check" \
	"$(tfc $G '[var.LoadBalancerName, local.lb_ports, local.lb_protocol, local.lb_network, local.lb_http, var.HealthCheckPort, local.lb_path]')" \
	'["GB-LB-LB-0001",["52773"],"TCP","OPEN",true,"52773","/o\\"k\\\\ ${x} %{y}"]'
is "LB DATA: WIJ of 20 GB, Data of 60 (Tencent's default)" \
	"$(tfc $G '[for v in local.volumes : "${v.kind}:${v.size}"]')" \
	'["data:60","wij:20","journal1:10","journal2:10"]'
is "an escaped value reaches terraform unchanged" \
	"$(tfc $G '[sha256(var.HealthCheckPath)]')" \
	"[\"$(sha256sum <raw-path | cut -d' ' -f1)\"]"
grep -h -A3 '^Error' pure/*/console.err | sed 's/^/#   /'

plan "$_n"
done_testing
