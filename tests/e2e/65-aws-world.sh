#!/usr/bin/env bash
# 65-aws-world.sh: AWS provisioning that continues into node preparation on
# real hosts.  moto's subnet is laid over the test world's: a VPC and the
# subnet 198.18.0.0/24 made first (moto gives private addresses in order
# from .4, so seven filler instances take .4-.10), then icm provisions two
# instances into that subnet with PrivateSubnet (icm reaches nodes at their
# private addresses): moto reports 198.18.0.11 and .12, which are the
# world's Docker hosts.  icm and moto run in moto's loopback namespace with
# the one extra route to 198.18.0.0/24 (tests/cloud/moto --world-route).
# Then icm run deploys the test image from the TLS registry on them, and
# unprovision terminates the instances in moto (the user's VPC and subnet
# are left).  Root only.
. "$(dirname "$0")/lib.sh"
WORLD=$TOP/tests/world/world
REG=$TOP/tests/world/registry
MK=$TOP/tests/images/mkimage
MOTO=$TOP/tests/cloud/moto
[ "$(id -u)" = 0 ] || skip_all "the test world and moto need root (running as uid $(id -u))"
for t in /usr/sbin/dockerd /usr/bin/docker-registry /usr/bin/htpasswd /bin/busybox /usr/bin/curl; do
	[ -x "$t" ] || skip_all "$t is missing (see build.sh's test packages)"
done
world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"
unset "${!DOCKER_@}"
W=$T/world R=$T/registry D=$T/moto
cleanup() {
	"$MOTO" stop --dir "$D" >/dev/null 2>&1
	"$REG" down --dir "$R" >/dev/null 2>&1
	"$WORLD" down --dir "$W" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
up=$("$WORLD" up 2 --docker --dir "$W" 2>&1) || {
	case $up in *"already up"*) skip_all "another test world is up on this machine" ;; esac
	echo "1..1"; echo "not ok 1 - world up 2 --docker"; printf '%s\n' "$up" | sed 's/^/#   /'; exit 1
}
KEY=$(printf '%s\n' "$up" | sed -n 's/^key: \([^ ]*\).*/\1/p' | tail -1)
out=$("$MOTO" start --dir "$D" --port 5000 --world-route 2>&1); st=$?
[ "$st" = 77 ] && skip_all "$(printf '%s' "$out" | tail -1)"
plan 13
show() { printf '%s\n' "$1" | tail -n 8 | sed 's/^/#   /' >&2; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
check "moto start --world-route" "$st" 0 "$out"
mx() { "$MOTO" exec --dir "$D" -- "$@"; }

out=$("$REG" up --dir "$R" --world "$W" 2>&1 &&
	"$MK" push 198.18.0.1:5000 icm/app v1 --version v1 --user icmtest \
		--password-file "$R/password" --cacert "$R/ca.crt" 2>&1)
check "registry up, v1 pushed" $? 0 "$out"

# The user's network: VPC, the world's subnet, seven fillers (.4-.10).
ids=$(mx python3 - <<'PY' 2>&1
import os, botocore.session
c = botocore.session.get_session().create_client("ec2", region_name="us-east-1",
                                                 endpoint_url=os.environ["AWS_ENDPOINT_URL"])
vpc = c.create_vpc(CidrBlock="198.18.0.0/16")["Vpc"]["VpcId"]
sub = c.create_subnet(VpcId=vpc, CidrBlock="198.18.0.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
rtb = c.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]["RouteTableId"]
r = c.run_instances(ImageId="ami-1e749f67", InstanceType="t2.micro", MinCount=7, MaxCount=7, SubnetId=sub)
print(vpc, sub, rtb, " ".join(sorted(i["PrivateIpAddress"] for i in r["Instances"])))
PY
)
read -r VPC SUB RTB fillers <<<"$ids"
contains "fillers took .4-.10" "$fillers" "198.18.0.10"

cd "$T"
"$ICM" keygen ssh "$T/ssh" >/dev/null 2>&1
printf '[default]\naws_access_key_id = AKIDTEST\naws_secret_access_key = test\n' > credentials
cat > defaults.json <<JSON
{"Provider": "AWS", "Label": "Wld", "Tag": "T", "Region": "us-east-1",
 "Zone": "us-east-1a", "AMI": "ami-1e749f67", "InstanceType": "t2.micro",
 "Credentials": "$T/credentials", "SSHUser": "ec2-user",
 "SSHPublicKey": "$T/ssh/insecure-ssh2.pub", "SSHPrivateKey": "$KEY",
 "VPCId": "$VPC", "SubnetIds": "$SUB", "RouteTableId": "$RTB",
 "PrivateSubnet": "true",
 "DataMountPoint": "/home/ec2-user/irissys/data", "WIJMountPoint": "/home/ec2-user/irissys/wij",
 "Journal1MountPoint": "/home/ec2-user/irissys/journal1",
 "Journal2MountPoint": "/home/ec2-user/irissys/journal2",
 "DockerImage": "198.18.0.1:5000/icm/app:v1", "DockerRegistry": "198.18.0.1:5000",
 "DockerUsername": "icmtest", "DockerPassword": "$(cat "$R/password")",
 "RetryCount": "2", "RetryInterval": "500"}
JSON
echo '[{"Role": "CN", "Count": "2"}]' > definitions.json

out=$(mx "$ICM" provision 2>&1)
check "provision on AWS (moto) into the world's subnet exits 0" $? 0 "$out"
contains "the instances are the world's hosts" "$(echo "$out" | tr -s ' ')" "Wld-CN-T-0002 198.18.0.12"
contains "node preparation ran" "$out" "Installing Docker on Wld-CN-T-0001..."
ok "dockerd on host 1 answers with the deployment's client certificate" \
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$T" docker --tlsverify \
	--tlscacert state/pki/ca.pem --tlscert state/pki/client/cert.pem \
	--tlskey state/pki/client/key.pem -H tcp://198.18.0.11:2376 info

out=$(mx "$ICM" run 2>&1)
check "icm run exits 0" $? 0 "$out"
is "host 1 serves v1" "$(curl -s --max-time 5 http://198.18.0.11:8080/)" "icm-test-app v1"
is "host 2 serves v1" "$(curl -s --max-time 5 http://198.18.0.12:8080/)" "icm-test-app v1"

out=$(mx "$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
left=$(mx python3 - "$VPC" "$SUB" <<'PY' 2>&1
import os, sys, botocore.session
c = botocore.session.get_session().create_client("ec2", region_name="us-east-1",
                                                 endpoint_url=os.environ["AWS_ENDPOINT_URL"])
live = [i for r in c.describe_instances(Filters=[{"Name": "tag:icm:deployment", "Values": ["Wld-T"]},
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopped"]}])["Reservations"]
        for i in r["Instances"]]
vpcs = [v["VpcId"] for v in c.describe_vpcs()["Vpcs"]]
subs = [s["SubnetId"] for s in c.describe_subnets()["Subnets"]]
print(len(live), sys.argv[1] in vpcs, sys.argv[2] in subs)
PY
)
is "icm's instances terminated; the user's VPC and subnet kept" "$left" "0 True True"
ok "the world's host 1 is untouched (sshd answers)" \
	bash -c "exec 3<>/dev/tcp/198.18.0.11/22"
done_testing
