#!/usr/bin/env bash
# 63-terraform: the AWS Terraform templates and tfvars icm writes into the
# state directory (src/provider/aws_tf.h) for the guide's ECP and sharded
# samples are accepted by `terraform validate` (hashicorp/aws 5.x), their
# tfvars parse, and the values reach the templates as written (checked
# with `terraform console`: volumes, load balancer, an escaped value).
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

# A copy of the ECP sample with a secret, an SSHUser that needs HCL
# escaping (quote, backslash, template sequences, newline), and the
# optional parts: Docker volume, IOPS, ElasticIP, placement.
mkdir esc
sed -e 's/"Label": "ECP"/"Label": "ESC"/' \
    -e 's/"Provider": "AWS",/"Provider": "AWS", "DockerVolumeSize": "5", "DockerDeviceName": "xvdh", "DataVolumeType": "io1", "DataVolumeIOPS": "1000", "ElasticIP": "true", "PlacementStrategy": "spread",/' \
    -e 's/"SSHUser": "ec2-user"/"SSHUser": "e\\"c2\\\\user ${x} %{y} $${z}\\n", "ISCPassword": "s3cret-e2e"/' \
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
	"$(cat state/ESC-DM-TEST/terraform.tfvars)" "left out: ISCPassword"

for f in "$TOP"/embedded/terraform/aws/provider.tf \
	 "$TOP"/embedded/terraform/aws/*/infrastructure.tf; do
	ok "terraform fmt -check ${f#$TOP/}" tf fmt -check "$f"
done
for d in $dirs ESC-DM-TEST; do
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
printf '%s\n' $dirs ESC-DM-TEST | xargs -P 4 -I{} bash -c 'validate {}'
for d in $dirs ESC-DM-TEST; do
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
is "ECP DM: 2 nodes x 4 IRIS volumes at ICM's devices, data size 15" \
	"$(tfc ECP-DM-TEST '[length(local.attachments), local.volumes.data.size, [for k, v in local.volumes : v.device], var.LoadBalancer]')" \
	'[8,15,["xvdd","xvdf","xvdg","xvde"],false]'
is "ECP AR: no IRIS volumes; security groups" \
	"$(tfc ECP-AR-TEST '[length(local.attachments), [for k, g in local.security_groups : k if g.on]]')" \
	'[0,["docker","ext","iscagent","weavenet"]]'
is "ECP AM: 3 instances behind a load balancer with ICM's health check" \
	"$(tfc ECP-AM-TEST '[var.InstanceCount, var.LoadBalancer, var.LoadBalancerName, local.lb_ports, local.lb_check, [for k, g in local.security_groups : k if g.on], local.security_groups.iris.rules[*].from]')" \
	'[3,true,"ECP-LB-TEST-0002",[1972,52773],"HTTP:52773/csp/user/cache_status.cxw",["docker","ext","iris","lb","weavenet"],[1972,52773,4002]]'
is "Sharding DS: 4 nodes named as ICM, one zone" \
	"$(tfc SHARDING-DS-TEST '[local.machines, distinct(local.zones)]')" \
	'[["SHARDING-DS-TEST-0002","SHARDING-DS-TEST-0003","SHARDING-DS-TEST-0004","SHARDING-DS-TEST-0005"],["us-west-1c"]]'
is "an escaped value reaches terraform unchanged; optional parts" \
	"$(tfc ESC-DM-TEST '[sha256(var.SSHUser), sort(keys(local.volumes)), local.volumes.data.iops, local.placement_of, var.ElasticIP]')" \
	"[\"$(sha256sum <esc/raw-user | cut -d' ' -f1)\",[\"data\",\"docker\",\"journal1\",\"journal2\",\"wij\"],1000,[\"ESC-DM-TEST\",\"ESC-DM-TEST\"],true]"

plan "$_n"
done_testing
