#!/usr/bin/env bash
# shellcheck disable=SC2016  # HCL (${...}) in single quotes on purpose
# 92-gcp-tf: the GCP Terraform templates and tfvars icm writes into the
# state directory (src/provider/gcp/tf.h), checked offline as 87 checks
# vSphere's: the templates are formatted HCL (`terraform fmt -check`
# parses them), every tfvars file parses, no secret is written, and the
# values reach the templates' provider-free logic as written: the
# variables and the locals that use no data source nor resource
# (tests/cloud/hcl-pure.py) are evaluated by `terraform console` with each
# directory's tfvars: the subnetworks' CIDRs for one and three regions,
# with and without net_subnet_cidr, the lowercase names, the disks, the
# external address on and off with PrivateSubnet and ElasticIP, the
# ssh-keys metadata, the load balancer's names, an escaped value.
#
# `terraform validate` cannot run: the hashicorp/google provider is not in
# the offline mirror (/opt/tf-plugins), and validate needs `terraform
# init`; t-gcp-tf checks that the templates hold the resources.
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

# MR: three regions, a net_subnet_cidr, a Label with '_' (lowered and
# turned into '-'), ElasticIP; DATA in the first region, WS with a Docker
# disk across the two others on a private subnet.
mkdir mr lb
cat >mr/defaults.json <<EOF
{
  "Provider": "GCP", "Label": "Mr_x", "Tag": "TF",
  "Region": "us-east1,europe-west1,asia-east1",
  "Zone": "us-east1-b,europe-west1-c,asia-east1-a",
  "Image": "ubuntu-os-cloud/ubuntu-2204-lts", "MachineType": "n1-standard-2",
  "Credentials": "/sa.json", "Project": "p-1", "SSHUser": "u",
  "SSHPublicKey": "$T/k.pub", "SSHPrivateKey": "/k",
  "DockerImage": "intersystems/iris:1", "ISCPassword": "isc-s3cret-e2e",
  "net_subnet_cidr": "10.8.4.0/22", "ElasticIP": "true"
}
EOF
cat >mr/definitions.json <<'EOF'
[
  {"Role": "DATA", "Count": "3", "ZoneMap": "0", "RegionMap": "0"},
  {"Role": "WS", "Count": "2", "ZoneMap": "1,2", "RegionMap": "1,2",
   "DockerVolumeSize": "5", "DockerDeviceName": "sdg",
   "DockerVolumeType": "pd-ssd", "PrivateSubnet": "true"}
]
EOF
# LB: one region, existing Network and Subnet, a load balancer on DATA,
# an OSVolumeType that needs HCL escaping (quote, backslash, template
# sequences; a field without a shape rule: Image and the other GCE names
# have one), secrets.
cat >lb/defaults.json <<EOF
{
  "Provider": "GCP", "Label": "GB", "Tag": "LB", "Region": "us-west1",
  "Zone": "us-west1-a,us-west1-b",
  "Image": "proj/img", "OSVolumeType": "proj/i\"m\\\\g \${x} %{y}",
  "MachineType": "e2-small",
  "Credentials": "/sa.json", "Project": "p-1", "SSHUser": "u",
  "SSHPublicKey": "$T/k.pub", "SSHPrivateKey": "/k",
  "DockerImage": "intersystems/iris:1", "ISCPassword": "isc-s3cret-e2e",
  "DockerPassword": "dk-s3cret-e2e", "Network": "corp-net",
  "Subnet": "corp-sub"
}
EOF
cat >lb/definitions.json <<'EOF'
[
  {"Role": "DATA", "Count": "2", "LoadBalancer": "true",
   "DataVolumeType": "pd-ssd", "WIJDeviceName": "skip"}
]
EOF
printf '%s' 'proj/i"m\g ${x} %{y}' >raw-image

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
	"$(cat state/GB-DATA-LB/terraform.tfvars)" \
	"# secret fields are never written here; left out: ISCPassword, DockerPassword"

# shellcheck disable=SC2086  # $dirs: one word per directory
tf_check gcp state $dirs

# the network
is "MR: names lowered, ports of the firewall rule" \
	"$(tfc Mr_x-TF '[local.deployment, local.ldep, local.tcp_ports, local.udp_ports]')" \
	'["Mr_x-TF","mr-x-tf",["22","2376","80","443","53","6783","1972","52773","2188","4002"],["53","6783-6784","4002"]]'
is "MR: three regions from net_subnet_cidr, in Region order" \
	"$(tfc Mr_x-TF '[for r in local.regions : "${local.subnet_names[r]}=${local.subnet_cidrs[r]}"]')" \
	'["mr-x-tf-us-east1=10.8.4.0/22","mr-x-tf-europe-west1=10.8.8.0/22","mr-x-tf-asia-east1=10.8.12.0/22"]'
is "three regions without net_subnet_cidr: 10.0.<i>.0/24" \
	"$(tfc Mr_x-TF '[for r in local.regions : local.subnet_cidrs[r]]' -var net_subnet_cidr=)" \
	'["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"]'
is "one region with net_subnet_cidr (its network address)" \
	"$(tfc Mr_x-TF 'local.subnet_cidrs' -var Region=us-east1 -var net_subnet_cidr=172.16.255.7/23)" \
	'{"us-east1":"172.16.254.0/23"}'
is "LB: one region without net_subnet_cidr, the given Subnet and Network" \
	"$(tfc GB-LB '[local.subnet_cidrs, local.subnet_names, var.Network, var.Project, var.Credentials]')" \
	'[{"us-west1":"10.0.0.0/24"},{"us-west1":"corp-sub"},"corp-net","p-1","/sa.json"]'

# the instances
is "MR DATA: lowercase names, zones and regions, ssh-keys, labels" \
	"$(tfc Mr_x-DATA-TF '[local.names, local.zones, local.node_regions, local.ssh_keys, local.node_labels[2]]')" \
	'[["mr_x-data-tf-0001","mr_x-data-tf-0002","mr_x-data-tf-0003"],["us-east1-b","us-east1-b","us-east1-b"],["us-east1","us-east1","us-east1"],"u:ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2e u@h",{"icm-deployment":"mr-x-tf","icm-machine":"mr_x-data-tf-0003"}]'
is "MR DATA: the four IRIS disks per node, no Docker disk" \
	"$(tfc Mr_x-DATA-TF '[for k, v in local.disks : "${k}:${v.size}:${v.type}:${v.device}:${v.zone}" if v.node == 0]')" \
	'["mr_x-data-tf-0001-data:10:pd-standard:sdc:us-east1-b","mr_x-data-tf-0001-journal1:10:pd-standard:sde:us-east1-b","mr_x-data-tf-0001-journal2:10:pd-standard:sdf:us-east1-b","mr_x-data-tf-0001-wij:10:pd-standard:sdd:us-east1-b"]'
is "MR DATA: a static external address (ElasticIP), boot disk" \
	"$(tfc Mr_x-DATA-TF '[local.access_config, var.OSVolumeSize, var.OSVolumeType, var.MachineType, var.Image]')" \
	'[["static"],32,"pd-standard","n1-standard-2","ubuntu-os-cloud/ubuntu-2204-lts"]'
is "MR DATA: ElasticIP false: an ephemeral one" \
	"$(tfc Mr_x-DATA-TF 'local.access_config' -var ElasticIP=false)" \
	'["ephemeral"]'
is "MR WS: PrivateSubnet: no external address; the Docker disk only; the zones' subnets" \
	"$(tfc Mr_x-WS-TF '[local.access_config, keys(local.disks), [for k, v in local.disks : "${v.size}:${v.type}:${v.device}:${v.zone}"], [for r in local.node_regions : local.subnet_names[r]]]')" \
	'[[],["mr_x-ws-tf-0004-docker","mr_x-ws-tf-0005-docker"],["5:pd-ssd:sdg:europe-west1-c","5:pd-ssd:sdg:asia-east1-a"],["mr-x-tf-europe-west1","mr-x-tf-asia-east1"]]'
is "LB DATA: two zones, Data on pd-ssd, WIJ skipped" \
	"$(tfc GB-DATA-LB '[local.zones, [for k, v in local.disks : "${k}:${v.type}" if v.node == 1]]')" \
	'[["us-west1-a","us-west1-b"],["gb-data-lb-0002-data:pd-ssd","gb-data-lb-0002-journal1:pd-standard","gb-data-lb-0002-journal2:pd-standard"]]'
is "LB DATA: the load balancer's name, ports, protocol, check, region" \
	"$(tfc GB-DATA-LB '[local.lb, local.lb_ports, local.lb_protocol, var.HealthCheckPort, local.lb_check, local.lb_region]')" \
	'["gb-lb-lb-0001",["1972","52773"],"TCP","52773","/csp/user/cache_status.cxw","us-west1"]'
is "an escaped value reaches terraform unchanged" \
	"$(tfc GB-DATA-LB '[sha256(var.OSVolumeType)]')" \
	"[\"$(sha256sum <raw-image | cut -d' ' -f1)\"]"
grep -h -A3 '^Error' pure/*/console.err | sed 's/^/#   /'

plan "$_n"
done_testing
