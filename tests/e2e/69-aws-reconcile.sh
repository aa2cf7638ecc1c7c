#!/usr/bin/env bash
# 69-aws-reconcile.sh: provision reconciles with what exists on AWS, not
# only with its journal (issue 15), against moto in a loopback-only network
# namespace (tests/cloud/moto), node preparation left out
# (ICM_TEST_NO_NODE_PREP=1).
#
#   - 3 nodes provisioned; then, behind icm's back (botocore), one instance
#     terminated and the default route deleted;
#   - provision without -force and without a terminal refuses to make the
#     node again (its data volume would be new), says so, and changes
#     nothing (no instance launched, no route made); its check is at most
#     one Describe call per resource kind;
#   - provision -force makes the route and the instance again, within a
#     minute, with the node's name;
#   - a no-op provision of 100 nodes makes at most 10 calls.
# Root only (network namespaces).
. "$(dirname "$0")/lib.sh"
MOTO=$TOP/tests/cloud/moto
CENSUS=$TOP/tests/cloud/aws-census.py
[ "$(id -u)" = 0 ] || skip_all "moto runs in a network namespace: needs root (running as uid $(id -u))"
D=$T/moto
out=$("$MOTO" start --dir "$D" --port 5000 2>&1); st=$?
[ "$st" = 77 ] && skip_all "$(printf '%s' "$out" | tail -1)"
trap '"$MOTO" stop --dir "$D" >/dev/null 2>&1; rm -rf "$T"' EXIT
[ "$st" = 0 ] || { echo "1..1"; echo "not ok 1 - moto start"; printf '%s\n' "$out" | sed 's/^/#   /'; exit 1; }

mx() { "$MOTO" exec --dir "$D" -- "$@"; }
census() { mx python3 "$CENSUS" "$1" 2>&1 | grep -o 'instance=[0-9]*'; }
show() { printf '%s\n' "$1" | tail -n 6 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
# The AWS calls icm.log holds, as "Action=count" sorted by action.
calls() { grep -oE '(^| )AWS [A-Za-z]+$' icm.log | sed 's/.*AWS //' | sort | uniq -c |
	awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1 }'; }
ncalls() { grep -cE '(^| )AWS [A-Za-z]+$' icm.log; }
# boto: a Python snippet against moto's EC2, with the deployment's tag filter
# in F and the live instance states in LIVE.
boto() {
	mx python3 - "$@" <<PY
import os, sys, botocore.session
ec2 = botocore.session.get_session().create_client("ec2", region_name="us-east-1",
	endpoint_url=os.environ["AWS_ENDPOINT_URL"])
F = [{"Name": "tag:icm:deployment", "Values": ["Rec-TEST"]}]
LIVE = [{"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}]
$(cat)
PY
}

"$ICM" keygen ssh "$T/ssh" >/dev/null 2>&1
printf '[default]\naws_access_key_id = AKIDTEST\naws_secret_access_key = test\n' > "$T/credentials"
# deployment DIR TAG COUNT: a DM and COUNT-1 DSs over two zones.
deployment() {
	mkdir -p "$T/$1"
	cat > "$T/$1/defaults.json" <<JSON
{"Provider": "AWS", "Label": "Rec", "Tag": "$2", "Region": "us-east-1",
 "Zone": "us-east-1a,us-east-1b", "AMI": "ami-1e749f67", "InstanceType": "t2.micro",
 "Credentials": "$T/credentials", "SSHUser": "ec2-user",
 "SSHPublicKey": "$T/ssh/insecure-ssh2.pub", "SSHPrivateKey": "$T/ssh/insecure",
 "DockerImage": "intersystems/iris:latest"}
JSON
	printf '[{"Role": "DM"}, {"Role": "DS", "Count": "%d"}]\n' $(($3 - 1)) > "$T/$1/definitions.json"
}
plan 23
export ICM_TEST_NO_NODE_PREP=1

deployment three TEST 3
cd "$T/three"
out=$(mx timeout 300 "$ICM" provision 2>&1)
check "3 nodes: provision exits 0" $? 0 "$out"
is "3 instances" "$(census Rec-TEST)" "instance=3"
victim=$(boto <<'PY'
for r in ec2.describe_instances(Filters=F + LIVE)["Reservations"]:
    for i in r["Instances"]:
        name = [t["Value"] for t in i.get("Tags", []) if t["Key"] == "Name"]
        if name == ["Rec-DS-TEST-0003"]:
            ec2.terminate_instances(InstanceIds=[i["InstanceId"]])
            print(i["InstanceId"])
rt = ec2.describe_route_tables(Filters=F)["RouteTables"][0]
ec2.delete_route(RouteTableId=rt["RouteTableId"], DestinationCidrBlock="0.0.0.0/0")
PY
)
routes() { boto <<'PY'
rt = ec2.describe_route_tables(Filters=F)["RouteTables"][0]
print(len([r for r in rt["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]))
PY
}
ok "behind icm's back: Rec-DS-TEST-0003's instance terminated ($victim)" test -n "$victim"
is "... and the default route deleted" "$(routes)" 0

: > icm.log
lines=$(wc -l < state/journal)
out=$(mx timeout 120 "$ICM" provision </dev/null 2>&1)
check "without a terminal or -force: provision exits 1" $? 1 "$out"
contains "... naming the node that is gone" "$out" \
	"1 node of Rec-TEST no longer exists (Rec-DS-TEST-0003): it will be created again with new (empty) volumes."
contains "... and refusing" "$out" \
	"re-creation of Rec-DS-TEST-0003 not confirmed; nothing changed (or use -force)"
is "... no instance made" "$(census Rec-TEST)" "instance=2"
is "... no route made" "$(routes)" 0
is "... nothing recorded" "$(wc -l < state/journal)" "$lines"
c=$(calls)
is "the check: one Describe call per kind, nothing else" \
	"$(echo "$c" | tr ' ' '\n' | grep -v '^Describe[A-Za-z]*=1$')" ""

: > icm.log
start=$(date +%s)
out=$(mx timeout 120 "$ICM" provision -force 2>&1)
check "with -force: provision exits 0" $? 0 "$out"
took=$(( $(date +%s) - start ))
ok "... within a minute (${took} s)" test "$took" -lt 60
contains "... the node launched again" "$out" "Launching 1 instance of DS in "
is "... 3 instances" "$(census Rec-TEST)" "instance=3"
is "... the default route made again" "$(routes)" 1
c=$(calls)
contains "... one RunInstances and one CreateRoute ($c)" " $c " " RunInstances=1 "
contains "... one CreateRoute" " $c " " CreateRoute=1 "
has=$(boto <<'PY'
n = 0
for r in ec2.describe_instances(Filters=F + LIVE)["Reservations"]:
    for i in r["Instances"]:
        n += [t["Value"] for t in i.get("Tags", []) if t["Key"] == "Name"] == ["Rec-DS-TEST-0003"]
print(n)
PY
)
is "... named Rec-DS-TEST-0003, once" "$has" 1
grep -q "Rec-DS-TEST-0003" instances.json && ! grep -q "$victim" instances.json
is "... instances.json has its new instance" $? 0

# -- a no-op provision of 100 nodes ---------------------------------------------------
deployment hundred N100 100
cd "$T/hundred"
out=$(mx timeout 600 "$ICM" provision 2>&1)
check "100 nodes: provision exits 0" $? 0 "$out"
: > icm.log
out=$(mx timeout 120 "$ICM" provision 2>&1)
check "100 nodes: provision again exits 0" $? 0 "$out"
n=$(ncalls)
ok "... at most 10 calls ($n: $(calls))" test "$n" -le 10
done_testing
