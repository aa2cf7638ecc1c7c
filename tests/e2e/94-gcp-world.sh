#!/usr/bin/env bash
# 94-gcp-world.sh: GCP on the FAKE Compute Engine (tests/cloud/gce), laid
# over the test world, on the user's path; the fake gives an instance the
# lowest free address from .11 of its subnet, so a subnet 198.18.0.0/24
# puts the instances on the world's hosts and node preparation and icm run
# continue on real sshd and dockerd.  icm and gcloud run in the fake's
# loopback namespace with one route into the world (gce --world-route).
# 1. The GCP sample from `icm samples`, edited as its README.txt says
#    (PrivateSubnet and net_subnet_cidr 198.18.0.0/24: icm's own network
#    over the world), provisioned (4 instances), run, ps; gcloud lists the
#    instances and internal IPs icm's inventory shows, their disks and the
#    firewall rule; unprovision -force leaves nothing labelled with the
#    deployment nor described as icm's.
# 2. The guide's ECP topology (2 mirrored DM, 3 AM behind a load balancer,
#    1 AR) with Provider GCP in the user's network (Network, Subnet made
#    with gcloud first): provision (6 instances, a target pool of the 3 AM,
#    a forwarding rule per port on the LB node's address), run and ps
#    (which leave the LB node alone: it has no host); unprovision
#    -force keeps the user's network and subnet.
# The world's hosts have no block devices: the IRIS volumes are "create"
# directories (as in the other world scenarios), so the instances' extra
# disk here is a Docker volume (DockerVolumeSize, DockerDeviceName), which
# node preparation leaves alone.  IRIS is the TEST STAND-IN.  Root only.
. "$(dirname "$0")/lib.sh"
command -v gcloud >/dev/null || skip_all "gcloud is missing"
world_docker_up 6
gce_up "$T/gce" --op-delay 0.1 --world-route
plan 30
show() { printf '%s\n' "$1" | tail -n 12 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
registry_push iris:iris arbiter:arbiter
g() { gx timeout 120 gcloud "$@" 2>&1; }
# machines OUT: "name ip" of each machine row of icm inventory, lowercase
machines() {
	printf '%s\n' "$1" | awk '$2 ~ /^198\.18\./ {sub(/[+-]$/, "", $1); print tolower($1), $2}' | sort
}
# left DEP DESC: "kind name" of what gcloud lists labelled
# icm-deployment=DEP or described as "icm DESC ..." (the kinds GCE gives
# no labels), one per line; gcloud's warning that no resource has the
# label is dropped
left() {
	local k
	for k in instances disks addresses forwarding-rules; do
		g compute $k list --filter="labels.icm-deployment=$1" --format="value(name)" |
			grep -v '^WARNING: The following filter keys were not present' | sed "s/^/$k /"
	done
	for k in networks "networks subnets" firewall-rules target-pools http-health-checks; do
		g compute $k list --format="value(name,description)" |
			awk -F '\t' -v k="${k#* }" -v d="icm $2 " 'index($2, d) == 1 {print k, $1}'
	done
}
# kinds LINES: "kind count" of left's lines
kinds() { printf '%s\n' "$1" | awk 'NF {n[$1]++} END {for (k in n) print k, n[k]}' | sort | tr '\n' ' '; }
# provisioned P DEP N SUBNET: icm provision (its output in $prov) and
# inventory ($inv): N machines on the world's hosts .11 on; gcloud lists
# the same instances and internal IPs, RUNNING in SUBNET (4 tests)
provisioned() {
	local out want
	prov=$(gx "$ICM" provision -force 2>&1)
	check "$1: provision on the fake exits 0" $? 0 "$prov"
	inv=$(gx "$ICM" inventory 2>&1)
	want=$(seq 11 $((10 + $3)) | sed 's/^/198.18.0./' | tr '\n' ' ')
	is "$1: inventory shows the $3 machines on the world's hosts" \
		"$(machines "$inv" | awk '{print $2}' | sort | tr '\n' ' ')" "$want"
	out=$(g compute instances list --filter="labels.icm-deployment=$2" \
		--format="value(name,networkInterfaces[0].networkIP,status,networkInterfaces[0].subnetwork.basename())")
	is "$1: gcloud lists the same instances and internal IPs" \
		"$(printf '%s\n' "$out" | awk '{print $1, $2}' | sort)" "$(machines "$inv")"
	is "$1: ... RUNNING in the subnet $4" \
		"$(printf '%s\n' "$out" | awk -v s="$4" '$3 != "RUNNING" || $4 != s' | wc -l)" 0
}
# swept P DEP DESC KINDS: gcloud lists the deployment's resources (kinds()
# gives KINDS); after icm unprovision -force none (3 tests)
swept() {
	local out
	out=$(left "$2" "$3")
	is "$1: before unprovision gcloud lists the deployment's resources by label and description" \
		"$(kinds "$out")" "$4"
	out=$(gx "$ICM" unprovision -force 2>&1)
	check "$1: unprovision -force exits 0" $? 0 "$out"
	is "$1: then gcloud lists nothing of it" "$(left "$2" "$3")" ""
}
IRISPW="gcp-iris-$$-$RANDOM"

# ------------------------------------------------------------ the sample
world_sample GCP sdb "{\"Credentials\": \"$GCE_DIR/key.json\", \"Project\": \"icm-test\"}"
M=(Sample-DATA-TEST-0001 Sample-DATA-TEST-0002 Sample-COMPUTE-TEST-0003 Sample-COMPUTE-TEST-0004)

provisioned sample sample-test 4 sample-test-us-east1
contains "sample: node preparation ran on the world's hosts" "$prov" "Mounting volumes on ${M[3]}..."
want=$(for m in "${M[@]}"; do m=${m,,}; printf '%s 32 pd-standard\n%s-docker 10 pd-standard\n' "$m" "$m"; done | sort)
out=$(g compute disks list --filter=labels.icm-deployment=sample-test \
	--format="value(name,sizeGb,type.basename(),users[0].basename())")
is "sample: gcloud lists each instance's boot disk (32 GB) and Docker disk" \
	"$(printf '%s\n' "$out" | awk '{print $1, $2, $3}' | sort)" "$want"
is "sample: ... each used by its instance" \
	"$(printf '%s\n' "$out" | awk '$1 !~ "^"$4"(-docker)?$"' | wc -l)" 0
out=$(g compute firewall-rules list --format="value(name,network.basename(),targetTags.list())")
has_line "sample: gcloud lists the firewall rule sample-test-icm on icm's network" \
	"$out" "sample-test-icm	sample-test	sample-test"

world_run_ps gx sample 4 "$IRISPW"
swept sample sample-test Sample-TEST "disks 8 firewall-rules 1 instances 4 networks 1 subnets 1 "

# ------------------------------------------------ the guide's ECP on GCP
out=$(g compute networks create user-net --subnet-mode=custom &&
	g compute networks subnets create user-sub --network=user-net --region=us-east1 \
		--range=198.18.0.0/24)
check "ecp: the user's network and subnet made with gcloud" $? 0 "$out"
world_ecp GCP "Credentials Project Image" \
	'{"Provider": "GCP", "Region": "us-east1", "Zone": "us-east1-b",
	  "MachineType": "n1-standard-2", "Network": "user-net", "Subnet": "user-sub"}' \
	MachineType '{"m4.xlarge": "n1-standard-4", "t2.small": "e2-small"}' '{"OSVolumeSize": "10"}'
provisioned ecp ecp-test 6 user-sub
out=$(g compute target-pools list --format="value(name,instances.map().basename().list())")
is "ecp: gcloud lists a target pool of the 3 AM instances" \
	"$(printf '%s\n' "$out" | awk '{print $2}' | tr ',' '\n' | sort | tr '\n' ' ')" \
	"ecp-am-test-0003 ecp-am-test-0004 ecp-am-test-0005 "
fr=$(g compute forwarding-rules list --filter=labels.icm-deployment=ecp-test \
	--format="value(name,IPAddress,portRange,target.basename())")
lbip=$(printf '%s\n' "$inv" | awk '$1 ~ /-LB-/ {print $4}')
is "ecp: the LB node's address: that of both forwarding rules (1972, 52773) to the pool" \
	"$lbip $(printf '%s\n' "$fr" | awk -v ip="$lbip" '{print $3, $2 == ip, $4}' | sort | tr '\n' ' ')" \
	"203.0.113.2 1972-1972 1 ecp-lb-test-0002 52773-52773 1 ecp-lb-test-0002 "

# the AR's container is iris too, of the arbiter image
world_run_ps gx ecp 6 "$IRISPW"
swept ecp ecp-test ECP-TEST \
	"addresses 1 disks 6 firewall-rules 1 forwarding-rules 2 http-health-checks 1 instances 6 target-pools 1 "
out=$(g compute networks subnets list --format="value(name,network.basename(),ipCidrRange)")
is "ecp: the user's network and subnet are kept" "$out" "user-sub	user-net	198.18.0.0/24"
done_testing
