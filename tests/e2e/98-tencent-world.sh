#!/usr/bin/env bash
# 98-tencent-world.sh: Tencent Cloud on the FAKE Tencent Cloud API
# (tests/cloud/tencent), laid over the test world: the fake gives an
# instance the lowest free address from .11 of its subnet, so a subnet
# 198.18.0.0/24 puts the instances on the world's hosts and node
# preparation and icm run continue on real sshd and dockerd.  icm and the
# official SDK (tests/cloud/tencent-sdk/list.mjs) run in the fake's
# namespaces with one route into the world (tencent --world-route).
# 1. The Tencent sample from `icm samples`, edited as its README.txt says
#    (the fake's SecretID and SecretKey) and for the world (PrivateSubnet,
#    net_vpc_cidr 198.18.0.0/16, net_subnet_cidr 198.18.0.0/24, the world's
#    login, key, registry and image, "create" directories for the IRIS
#    volumes, which then get no disk: the hosts have no block devices; the
#    instances' extra disk is a Docker disk, which node preparation leaves
#    alone, as in 94-gcp-world.sh): provision (4 instances), run, ps; the
#    SDK lists the instances and private IPs icm's inventory shows, their
#    disks and the security group's ports; unprovision -force leaves
#    nothing tagged with the deployment and the fake empty.
# 2. The guide's ECP topology (2 mirrored DM, 3 AM, 1 AR) with Provider
#    Tencent on the user's network (VPCId, SubnetIds: made first with the
#    SDK, untagged): 6 instances in the user's subnet, run, ps;
#    unprovision -force keeps the user's VPC and subnet and removes all icm
#    made; the AM definition's LoadBalancer is a CLB with the AMs as targets.
# IRIS is the TEST STAND-IN.  Root only.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is missing"
NM=${TENCENT_SDK_DIR:-$TOP/build/tests/tencent-sdk}/node_modules
command -v node >/dev/null || skip_all "node is missing (the npm SDK reads what icm made)"
[ -d "$NM/tencentcloud-sdk-nodejs" ] ||
	skip_all "the Tencent SDK is not installed in $NM (build.sh installs it)"
world_docker_up 6
tc_up "$T/tc" --pending 0.2 --world-route
plan 31
. "$TC_DIR/env"
show() { printf '%s\n' "$1" | tail -n 12 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
registry_push iris:iris arbiter:arbiter
sdk() { tc_inns timeout 120 node "$TOP/tests/cloud/tencent-sdk/list.mjs" "$NM" na-siliconvalley "$1" 2>&1; }
# jq_ JSON PY: PY (an expression of d, the JSON) printed
jq_() { printf '%s' "$1" | python3 -c "import json, sys; d = json.load(sys.stdin); print($2)"; }
# machines OUT: "name ip" of each machine row of icm inventory
machines() {
	printf '%s\n' "$1" | awk '$2 ~ /^198\.18\./ {sub(/[+-]$/, "", $1); print $1, $2}' | sort
}
# provisioned P DEP N: icm provision (its output in $prov), inventory
# ($inv): N machines on the world's hosts .11 on; the SDK ($js) lists the
# same instances and private IPs, RUNNING without a public IP (4 tests)
provisioned() {
	local want
	prov=$(tc_inns "$ICM" provision -force 2>&1)
	check "$1: provision on the fake exits 0" $? 0 "$prov"
	inv=$(tc_inns "$ICM" inventory 2>&1)
	want=$(seq 11 $((10 + $3)) | sed 's/^/198.18.0./' | tr '\n' ' ')
	is "$1: inventory shows the $3 machines on the world's hosts" \
		"$(machines "$inv" | awk '{print $2}' | sort | tr '\n' ' ')" "$want"
	js=$(sdk "$2")
	check "$1: the SDK reads the deployment" $? 0 "$js"
	is "$1: ... the same instances and private IPs, RUNNING, no public IP" "$(jq_ "$js" '"\n".join(sorted(
		"%s %s" % (m, i["private"]) for m, i in d["instances"].items()
		if i["state"] == "RUNNING" and i["public"] is None))')" "$(machines "$inv")"
}
# tagged: what list.mjs's JSON on stdin holds, "kind:name" sorted
tagged() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
out = ["instance:" + n for n in d["instances"]] + ["vpc:" + n for n in d["vpcs"]]
out += ["subnet:" + n for n in d["subnets"]] + ["sg:" + n for n in d["sgs"]]
out += ["keypair:" + n for n in d["keypairs"]] + ["eip:" + n for n in d["eips"]]
print(" ".join(sorted(out)))'
}
# swept P DEP N: the SDK lists N resources tagged with DEP; after icm
# unprovision -force none (3 tests)
swept() {
	local out
	is "$1: before unprovision the SDK lists $3 resources tagged icm-deployment=$2" \
		"$(printf '%s' "$js" | tagged | wc -w)" "$3"
	out=$(tc_inns "$ICM" unprovision -force 2>&1)
	check "$1: unprovision -force exits 0" $? 0 "$out"
	out=$(sdk "$2")
	check "$1: then the SDK lists nothing tagged with it" "$(printf '%s' "$out" | tagged 2>&1)" "" "$out"
}
IRISPW="tc-iris-$$-$RANDOM"

# ------------------------------------------------------------ the sample
world_sample Tencent vdb "{\"SecretID\": \"$TENCENTCLOUD_SECRET_ID\",
	\"SecretKey\": \"$TENCENTCLOUD_SECRET_KEY\", \"net_vpc_cidr\": \"198.18.0.0/16\"}"
M=(Sample-DATA-TEST-0001 Sample-DATA-TEST-0002 Sample-COMPUTE-TEST-0003 Sample-COMPUTE-TEST-0004)

provisioned sample Sample-TEST 4
contains "sample: node preparation ran on the world's hosts" "$prov" "Mounting volumes on ${M[3]}..."
is "sample: the SDK lists each instance's type, zone, system and Docker disks" \
	"$(jq_ "$js" '"\n".join("%s %s %s %s" % (m, i["type"], i["zone"], i["disks"])
		for m, i in sorted(d["instances"].items()))')" \
	"$(for m in "${M[@]}"; do echo "$m S2.MEDIUM4 na-siliconvalley-1 [50, 10]"; done | sort)"
is "sample: ... the VPC and subnet over the world, the security group's ports" \
	"$(jq_ "$js" 'd["vpcs"], d["subnets"], ",".join(d["sgs"]["Sample-TEST"])')" \
	"['Sample-TEST'] {'Sample-TEST-na-siliconvalley-1': '198.18.0.0/24'} TCP 22,TCP 2376,TCP 80,TCP 443,TCP 53,UDP 53,TCP 6783,UDP 6783-6784,TCP 1972,TCP 52773,TCP 2188,TCP 4002,UDP 4002,ICMP ALL"

world_run_ps tc_inns sample 4 "$IRISPW"
# 4 instances (their disks go with them), the VPC, the subnet, the
# security group, the key pair
swept sample Sample-TEST 8
is "sample: the fake holds nothing" "$(tc_census)" ""

# ------------------------------------------------ the guide's ECP on Tencent
# the user's VPC and subnet, made with the SDK as a user would, untagged
out=$(tc_inns node -e '
const tc = require(process.argv[1] + "/tencentcloud-sdk-nodejs");
const vpc = new tc.vpc.v20170312.Client({credential: {secretId: process.env.TENCENTCLOUD_SECRET_ID,
  secretKey: process.env.TENCENTCLOUD_SECRET_KEY}, region: "na-siliconvalley"});
(async () => {
  const v = (await vpc.CreateVpc({VpcName: "user-vpc", CidrBlock: "198.18.0.0/16"})).Vpc.VpcId;
  const s = (await vpc.CreateSubnet({VpcId: v, SubnetName: "user-subnet", CidrBlock: "198.18.0.0/24",
    Zone: "na-siliconvalley-1"})).Subnet.SubnetId;
  console.log(v, s);
})().catch((e) => { console.error(e.message); process.exit(1); });' "$NM" 2>&1)
check "ecp: the user's VPC and subnet made with the SDK" $? 0 "$out"
read -r UVPC USUB <<< "$out"
world_ecp Tencent "SecretID SecretKey Region Zone OSName DockerVolumeSize DockerDeviceName" \
	"{\"Provider\": \"Tencent\", \"InstanceType\": \"S5.MEDIUM8\", \"VPCId\": \"$UVPC\", \"SubnetIds\": \"$USUB\"}" \
	InstanceType '{"m4.xlarge": "S5.LARGE16", "t2.small": "S5.SMALL2"}' '{"OSVolumeSize": "20"}'
provisioned ecp ECP-TEST 6
is "ecp: the AM definition's CLB: a listener per ForwardPort, the 3 AM instances its targets" "$(tc_fake state | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = {i["id"]: i["name"] for i in d["instances"].values()}
print(" ".join("%s %s" % (c["name"], " ".join(sorted("%d:%s" % (l["Port"], ",".join(sorted(names[t["InstanceId"]] for t in l["targets"])))
                                         for l in c["listeners"].values()))) for c in d["clbs"].values()))')" \
	"$(python3 -c 'import json; print([n["MachineName"] for n in json.load(open("instances.json")) if n["Role"] == "LB"][0])') 1972:ECP-AM-TEST-0003,ECP-AM-TEST-0004,ECP-AM-TEST-0005 52773:ECP-AM-TEST-0003,ECP-AM-TEST-0004,ECP-AM-TEST-0005"
is "ecp: the SDK lists no VPC nor subnet of icm's, each instance's type" \
	"$(jq_ "$js" 'd["vpcs"], d["subnets"], " ".join("%s=%s" % (m, i["type"])
		for m, i in sorted(d["instances"].items()))')" \
	"[] {} ECP-AM-TEST-0003=S5.MEDIUM8 ECP-AM-TEST-0004=S5.MEDIUM8 ECP-AM-TEST-0005=S5.MEDIUM8 ECP-AR-TEST-0006=S5.SMALL2 ECP-DM-TEST-0001=S5.LARGE16 ECP-DM-TEST-0002=S5.LARGE16"
is "ecp: ... the instances in the user's VPC and subnet" "$(tc_fake state | python3 -c '
import json, sys
print(sorted({(i["vpc"], i["subnet"]) for i in json.load(sys.stdin)["instances"].values()}))')" \
	"[('$UVPC', '$USUB')]"

# the AR's container is iris too, of the arbiter image
world_run_ps tc_inns ecp 6 "$IRISPW"
# 6 instances, the security group, the key pair
swept ecp ECP-TEST 8
is "ecp: the user's VPC and subnet are kept, nothing else" "$(tc_census)" \
	"subnets:user-subnet vpcs:user-vpc"
done_testing
