#!/usr/bin/env bash
# 63-terraform: the AWS Terraform templates and tfvars icm writes into the
# state directory (src/provider/aws/tf.h) for the guide's ECP and sharded
# samples are accepted by `terraform validate` (hashicorp/aws 5.x), their
# tfvars parse, and the values reach the templates as written (checked
# with `terraform console`: the one security group, the network's parts,
# volumes as block devices, the network load balancer and its names,
# tags, an escaped value).  The templates describe what
# src/provider/aws.c creates.
# The files are written by tests/cloud/tf-write (make builds it beside
# icm).
#
# Terraform never reaches the network: its CLI configuration allows only
# the offline provider mirror in /opt/tf-plugins, checkpoints are off, and
# where unprivileged namespaces work every terraform run is in a network
# namespace with no interfaces but loopback.  Only init, validate, fmt and
# console run; never plan or apply.
. "$(dirname "$0")/lib.sh"

MIRROR=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}
TFW=${TF_WRITE:-$(dirname "$ICM")/tests/tf-write}
command -v terraform >/dev/null 2>&1 || skip_all "terraform is not installed"
[ -d "$MIRROR/registry.terraform.io/hashicorp/aws" ] ||
	skip_all "no offline hashicorp/aws provider under $MIRROR"
[ -x "$TFW" ] || skip_all "$TFW is not built (make $TFW)"

cat >"$T/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path = "$MIRROR"
  }
}
EOF
export TF_CLI_CONFIG_FILE=$T/terraformrc CHECKPOINT_DISABLE=1 \
	TF_IN_AUTOMATION=1 HOME=$T
unset TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_validate
nonet=
if unshare -rn true 2>/dev/null; then
	nonet="unshare -rn"
fi
tf() { $nonet terraform "$@" -no-color; }
export -f tf
export nonet

cd "$T" || exit 1
"$ICM" samples Samples >/dev/null 2>&1
ok "icm samples" test -f Samples/AWS/ECP/defaults.json

# A copy of the ECP sample with a secret, an AMI that needs HCL
# escaping (quote, backslash, template sequences, newline), a Label long
# enough that the load balancer's names are cut to 32 characters, two
# zones, and the optional parts: Docker volume, IOPS, ElasticIP, a given
# route table (so no gateway either), PrivateSubnet, a placement group.
E=ESCAPEDLONGLABELXYZW
mkdir esc
sed -e "s/\"Label\": \"ECP\"/\"Label\": \"$E\"/" \
    -e 's/"Zone": "us-west-1c"/"Zone": "us-west-1c,us-west-1b"/' \
    -e 's/"Provider": "AWS",/"Provider": "AWS", "DockerVolumeSize": "5", "DockerDeviceName": "xvdh", "DataVolumeType": "io1", "DataVolumeIOPS": "1000", "ElasticIP": "true", "RouteTableId": "rtb-given", "PrivateSubnet": "true", "PlacementStrategy": "spread",/' \
    -e 's/"AMI": "ami-d1315fb1"/"AMI": "e\\"c2\\\\user ${x} %{y} $${z}\\n", "ISCPassword": "s3cret-e2e"/' \
    Samples/AWS/ECP/defaults.json >esc/defaults.json
cp Samples/AWS/ECP/definitions.json esc/definitions.json
printf '%s\n' 'e"c2\user ${x} %{y} $${z}' >esc/raw-user

for s in Samples/AWS/ECP Samples/AWS/Sharding esc; do
	"$TFW" "$s/defaults.json" "$s/definitions.json" state >out.txt 2>&1
	is "tf-write $s" "$?" 0
	[ -s out.txt ] && sed 's/^/#   /' out.txt
done

dirs="ECP-TEST ECP-DM-TEST ECP-AM-TEST ECP-AR-TEST SHARDING-TEST
SHARDING-DM-TEST SHARDING-DS-TEST"
is "one directory per deployment and definition, none for the LB" \
	"$(cd state && ls | grep -v '^ESC' | sort | tr '\n' ' ')" \
	"$(echo $dirs | tr ' ' '\n' | sort | tr '\n' ' ')"
for d in $dirs; do
	ok "$d: provider.tf, infrastructure.tf, terraform.tfvars" test \
		-f state/$d/provider.tf -a -f state/$d/infrastructure.tf \
		-a -f state/$d/terraform.tfvars
done
is "no secret in any tfvars" "$(grep -rl s3cret-e2e state)" ""
contains "the secret field is named as left out" \
	"$(cat state/$E-DM-TEST/terraform.tfvars)" "left out: ISCPassword"

for f in "$TOP"/embedded/terraform/aws/provider.tf \
	 "$TOP"/embedded/terraform/aws/*/infrastructure.tf; do
	ok "terraform fmt -check ${f#$TOP/}" tf fmt -check "$f"
done
edirs="$E-TEST $E-DM-TEST $E-AM-TEST"
for d in $dirs $edirs; do
	ok "$d: tfvars parse" tf fmt -write=false -list=false \
		state/$d/terraform.tfvars
done

# init + validate of every directory, four at a time (each loads the
# provider's schema: seconds apiece).
validate() {
	cd "state/$1" &&
	tf init -backend=false -plugin-dir="$TF_MIRROR" -input=false \
		>init.log 2>&1 &&
	tf validate >validate.log 2>&1
	echo $? >validate.rc
}
export -f validate
export TF_MIRROR=$MIRROR
printf '%s\n' $dirs $edirs | xargs -P 4 -I{} bash -c 'validate {}'
for d in $dirs $edirs; do
	is "$d: terraform validate" "$(cat state/$d/validate.rc 2>/dev/null)" 0
	if [ "$(cat state/$d/validate.rc 2>/dev/null)" != 0 ]; then
		cat state/$d/init.log state/$d/validate.log 2>/dev/null |
			tail -30 | sed 's/^/#   /'
	fi
done
contains "validate says the configuration is valid" \
	"$(cat state/ECP-AM-TEST/validate.log)" "The configuration is valid"

# What the tfvars make of the templates: one console run per directory
# (each loads the provider's schema), the values as one JSON line (the
# console's last line; warnings about ICM's undeclared fields come first).
tfc() {	# tfc DIR EXPR
	(cd "state/$1" && echo "jsonencode($2)" | tf console 2>/dev/null |
	 tail -n 1 | sed 's/^"//; s/"$//; s/\\"/"/g')
}

# the network: one security group for every definition, with aws.c's rules
is "ECP network: 10.0.0.0/16, a subnet per zone, gateway and route table made" \
	"$(tfc ECP-TEST '[local.vpc_cidr, local.zones, local.make_vpc, local.make_subnets, local.make_igw, local.make_rtb, var.PrivateSubnet]')" \
	'["10.0.0.0/16",["us-west-1c"],true,true,true,true,false]'
is "ECP network: the security group's ingress, as aws.c opens it" \
	"$(tfc ECP-TEST '[for r in local.ingress : "${r.protocol}:${r.from}-${r.to}:${r.cidr}"]')" \
	'["tcp:22-22:0.0.0.0/0","tcp:2376-2376:0.0.0.0/0","tcp:80-80:0.0.0.0/0","tcp:443-443:0.0.0.0/0","tcp:53-53:0.0.0.0/0","udp:53-53:0.0.0.0/0","tcp:6783-6783:0.0.0.0/0","udp:6783-6784:0.0.0.0/0","tcp:1972-1972:0.0.0.0/0","tcp:52773-52773:0.0.0.0/0","tcp:2188-2188:0.0.0.0/0","tcp:4002-4002:0.0.0.0/0","udp:4002-4002:0.0.0.0/0","icmp:-1--1:10.0.0.0/16"]'
is "given RouteTableId: no gateway, no route table; PrivateSubnet; two zones" \
	"$(tfc $E-TEST '[local.zones, local.make_igw, local.make_rtb, var.PrivateSubnet]')" \
	'[["us-west-1c","us-west-1b"],false,false,true]'

# instances: volumes as block device mappings, tags, the batch's icm:key
is "ECP DM: 4 IRIS volumes at ICM's devices, data size 15; no load balancer, no placement group" \
	"$(tfc ECP-DM-TEST '[[for v in local.volumes : "${v.device}:${v.size}:${v.type}"], var.LoadBalancer, length(local.lb_ports), local.placement_group]')" \
	'[["/dev/xvdd:15:standard","/dev/xvde:10:standard","/dev/xvdf:10:standard","/dev/xvdg:10:standard"],false,0,null]'
is "ECP AR: no IRIS volumes; tags as aws.c gives them" \
	"$(tfc ECP-AR-TEST '[length(local.volumes), local.instance_tags[0]]')" \
	'[0,{"Owner":"ECP-TEST","icm:deployment":"ECP-TEST","icm:key":"ECP-TEST/batch/2/us-west-1c/ECP-AR-TEST-0006","icm:role":"AR"}]'
is "ECP AM: 3 instances behind a network load balancer with ICM's health check" \
	"$(tfc ECP-AM-TEST '[var.InstanceCount, var.LoadBalancer, local.lb_name, local.tg_names, local.lb_check_protocol, var.HealthCheckPort, var.HealthCheckPath, var.LoadBalancerInternal, length(local.lb_targets)]')" \
	'[3,true,"ECP-LB-TEST-0002",{"1972":"ECP-LB-TEST-0002-1972","52773":"ECP-LB-TEST-0002-52773"},"HTTP","52773","/csp/user/cache_status.cxw",false,6]'
is "long names cut to 32 keeping the port; a launch per zone, each its subnet" \
	"$(tfc $E-AM-TEST '[local.lb_name, local.tg_names, local.zone_index, distinct(local.batch_keys)]')" \
	"[\"$E-LB-TEST-000\",{\"1972\":\"$E-LB-TES-1972\",\"52773\":\"$E-LB-TE-52773\"},[0,1,0],[\"$E-TEST/batch/1/us-west-1c/$E-AM-TEST-0003\",\"$E-TEST/batch/1/us-west-1b/$E-AM-TEST-0004\"]]"
is "Sharding DS: 4 nodes named as ICM, one zone" \
	"$(tfc SHARDING-DS-TEST '[local.machines, distinct(local.zones)]')" \
	'[["SHARDING-DS-TEST-0002","SHARDING-DS-TEST-0003","SHARDING-DS-TEST-0004","SHARDING-DS-TEST-0005"],["us-west-1c"]]'
is "an escaped value reaches terraform unchanged; optional parts" \
	"$(tfc $E-DM-TEST '[sha256(var.AMI), [for v in local.volumes : v.kind], local.volumes[0].type, local.volumes[0].iops, local.volumes[4].device, var.ElasticIP, var.PrivateSubnet, local.placement_group]')" \
	"[\"$(sha256sum <esc/raw-user | cut -d' ' -f1)\",[\"data\",\"wij\",\"journal1\",\"journal2\",\"docker\"],\"io1\",1000,\"/dev/xvdh\",true,true,\"$E-DM-TEST\"]"

plan "$_n"
done_testing
