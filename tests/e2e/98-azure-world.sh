#!/usr/bin/env bash
# 98-azure-world.sh: Azure on the FAKE Azure Resource Manager
# (tests/cloud/arm), laid over the test world: the fake gives a NIC the
# lowest free address from .11 of its subnet, so a subnet 198.18.0.0/24
# puts the VMs on the world's hosts and node preparation and icm run
# continue on real sshd and dockerd.  icm and the npm SDKs
# (tests/cloud/azure-sdk/list.mjs) run in the fake's loopback namespace
# with one route into the world (arm --world-route).
# 1. The Azure sample from `icm samples`, edited as its README.txt says
#    (the fake's subscription and service principal, an SSHPassword Azure
#    accepts) and for the world (PrivateSubnet, net_subnet_cidr
#    198.18.0.0/24, the world's login, key, registry and image, "create"
#    directories for the IRIS volumes, which then get no disk: the hosts
#    have no block devices; the VMs' extra disk is a Docker volume, which
#    node preparation leaves alone, as in 94-gcp-world.sh):
#    provision (4 VMs), run, ps; the SDKs list the VMs and private IPs
#    icm's inventory shows, their disks and the security rules;
#    unprovision -force leaves nothing tagged with the deployment and the
#    fake empty.
# 2. The guide's ECP topology (2 mirrored DM, 3 AM behind a load balancer,
#    1 AR) with Provider Azure on the user's network (ResourceGroupName,
#    VirtualNetworkName, SubnetName made first with the API, untagged):
#    6 VMs, the load balancer's pool holds the 3 AM, run, ps (which leave
#    the LB node alone: it has no host); unprovision -force keeps the
#    user's group, network and subnet and removes all icm made.
# IRIS is the TEST STAND-IN.  Root only.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is missing"
command -v curl >/dev/null || skip_all "curl is missing"
NM=${AZURE_SDK_DIR:-$TOP/build/tests/azure-sdk}/node_modules
command -v node >/dev/null || skip_all "node is missing (the npm SDKs read what icm made)"
[ -d "$NM/@azure/arm-compute" ] ||
	skip_all "the Azure SDK clients are not installed in $NM (build.sh installs them)"
world_docker_up 6
arm_up "$T/arm" --op-delay 0.1 --retry-after 0 --world-route
plan 31
. "$ARM_DIR/env"
show() { printf '%s\n' "$1" | tail -n 12 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
registry_push iris:iris arbiter:arbiter
sdk() { ax timeout 120 node "$TOP/tests/cloud/azure-sdk/list.mjs" "$NM" "$@" 2>&1; }
# jq_ JSON PY: PY (an expression of d, the JSON) printed
jq_() { printf '%s' "$1" | python3 -c "import json, sys; d = json.load(sys.stdin); print($2)"; }
# machines OUT: "name ip" of each machine row of icm inventory
machines() {
	printf '%s\n' "$1" | awk '$2 ~ /^198\.18\./ {sub(/[+-]$/, "", $1); print $1, $2}' | sort
}
# provisioned P GROUP DEP N: icm provision (its output in $prov), inventory
# ($inv): N machines on the world's hosts .11 on; the SDKs ($js) list the
# same VMs, their NICs' private IPs (4 tests)
provisioned() {
	local want
	prov=$(az "$ICM" provision -force 2>&1)
	check "$1: provision on the fake exits 0" $? 0 "$prov"
	inv=$(az "$ICM" inventory 2>&1)
	want=$(seq 11 $((10 + $4)) | sed 's/^/198.18.0./' | tr '\n' ' ')
	is "$1: inventory shows the $4 machines on the world's hosts" \
		"$(machines "$inv" | awk '{print $2}' | sort | tr '\n' ' ')" "$want"
	js=$(sdk "$2" "$3")
	check "$1: the SDKs read the deployment" $? 0 "$js"
	is "$1: ... the same VMs and private IPs" "$(jq_ "$js" '"\n".join(sorted(
		"%s %s" % (m, d["nics"].get(v["nic"])) for m, v in d["vms"].items()))')" "$(machines "$inv")"
}
# swept P GROUP DEP N: the SDKs list N resources tagged with DEP; after
# icm unprovision -force none, nor a tagged group (3 tests)
swept() {
	local out
	is "$1: before unprovision the SDKs list $4 resources tagged icm-deployment=$3" \
		"$(jq_ "$js" 'len(d["tagged"])')" "$4"
	out=$(az "$ICM" unprovision -force 2>&1)
	check "$1: unprovision -force exits 0" $? 0 "$out"
	out=$(sdk "$2" "$3")
	check "$1: then the SDKs list nothing tagged with it, no tagged group" \
		"$(jq_ "$out" 'd["tagged"], d["groups"]' 2>&1)" "[] []" "$out"
}
IRISPW="az-iris-$$-$RANDOM"

# ------------------------------------------------------------ the sample
world_sample Azure sdc "{\"SubscriptionId\": \"$AZURE_SUBSCRIPTION_ID\",
	\"TenantId\": \"$AZURE_TENANT_ID\", \"ClientId\": \"$AZURE_CLIENT_ID\",
	\"ClientSecret\": \"$AZURE_CLIENT_SECRET\", \"SSHPassword\": \"Sample-Passw0rd\"}"
M=(Sample-DATA-TEST-0001 Sample-DATA-TEST-0002 Sample-COMPUTE-TEST-0003 Sample-COMPUTE-TEST-0004)

provisioned sample Sample-TEST Sample-TEST 4
contains "sample: node preparation ran on the world's hosts" "$prov" "Mounting volumes on ${M[3]}..."
is "sample: the SDKs list each VM's OS and Docker disks, its admin SSHUser" \
	"$(jq_ "$js" '"\n".join("%s %s %s" % (m, v["admin"], " ".join([v["os"]] + v["disks"]))
		for m, v in sorted(d["vms"].items()))')" \
	"$(for m in "${M[@]}"; do echo "$m ec2-user $m-os $m-docker"; done | sort)"
is "sample: ... the security rules: SSH, Docker, web, DNS, Weave, the IRIS ports, ICMP" \
	"$(jq_ "$js" '",".join(d["rules"]["Sample-TEST-eastus-nsg"])')" \
	"Tcp 22,Tcp 2376,Tcp 80,Tcp 443,Tcp 53,Udp 53,Tcp 6783,Udp 6783-6784,Tcp 1972,Tcp 52773,Tcp 2188,Tcp 4002,Udp 4002,Icmp *"

world_run_ps az sample 4 "$IRISPW"
# the network, the security group, 4 NICs and VMs (PrivateSubnet: no public
# IP; the disks a VM makes carry no tags, as in Azure: census shows them gone)
swept sample Sample-TEST Sample-TEST 10
is "sample: the fake holds nothing" "$(arm_census)" ""

# ------------------------------------------------ the guide's ECP on Azure
UNET='resourceGroups/User-RG/providers/Microsoft.Network/virtualNetworks/user-vnet'
out=$(arm_api PUT 'resourcegroups/User-RG?api-version=2022-09-01' '{"location": "eastus"}' 2>&1 &&
	arm_api PUT "$UNET?api-version=2023-09-01" '{"location": "eastus", "properties":
		{"addressSpace": {"addressPrefixes": ["198.18.0.0/24"]}, "subnets":
		[{"name": "user-subnet", "properties": {"addressPrefix": "198.18.0.0/24"}}]}}' 2>&1)
check "ecp: the user's group, network and subnet made with the API" $? 0 "$out"
# Azure's Ubuntu images are 30 GB: no OS disk smaller (the guide's 20, 5)
world_ecp Azure "SubscriptionId TenantId ClientId ClientSecret SSHPassword Location Zone
	PublisherName Offer Sku Version DockerVolumeSize DockerDeviceName" \
	'{"Provider": "Azure", "Size": "Standard_D2s_v3", "OSVolumeSize": "32",
	  "ResourceGroupName": "User-RG", "VirtualNetworkName": "user-vnet", "SubnetName": "user-subnet"}' \
	Size '{"m4.xlarge": "Standard_D4s_v3", "t2.small": "Standard_B1s"}' '{"OSVolumeSize": "32"}'
provisioned ecp User-RG ECP-TEST 6
read -r LB lbip < <(python3 -c '
import json
print(*[(n["MachineName"], n["IPAddress"]) for n in json.load(open("instances.json")) if n["Role"] == "LB"][0])')
am=$(machines "$inv" | awk '$1 ~ /-AM-/ {print $2}' | tr '\n' ',')
is "ecp: the SDKs list the load balancer: the 3 AM machines' private IPs, the rules, the probe" \
	"$(jq_ "$js" '",".join(d["lbs"]["'"$LB"'"]["backend"]) + ",", d["lbs"]["'"$LB"'"]["rules"], d["lbs"]["'"$LB"'"]["probe"]')" \
	"$am [1972, 52773] 52773"
is "ecp: ... its public IP is the LB node's address" "$(jq_ "$js" 'd["ips"].get("'"$LB"'-ip")')" "$lbip"
is "ecp: ... the VMs in the user's subnet" "$(arm_fake state | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sorted({c["properties"]["subnet"]["id"].split("/virtualNetworks/")[1]
              for r in d["resources"].values() if r["type"].endswith("networkInterfaces")
              for c in r["properties"]["ipConfigurations"]}))')" "['user-vnet/subnets/user-subnet']"

# the AR's container is iris too, of the arbiter image
world_run_ps az ecp 6 "$IRISPW"
# 6 NICs and VMs, the security group, the load balancer and its IP; the
# VMs' OS and Docker disks (untagged) go with them (census: in the user's
# group, which stays, nothing of icm's is left)
swept ecp User-RG ECP-TEST 15
is "ecp: the user's group, network and subnet are kept, nothing else" "$(arm_census)" \
	"group:User-RG subnets:user-subnet virtualNetworks:user-vnet"
done_testing
