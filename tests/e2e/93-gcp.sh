#!/usr/bin/env bash
# 93-gcp.sh: the GCP provider (src/provider/gcp/) against the FAKE Compute
# Engine (tests/cloud/gce, in a loopback-only namespace; node preparation is
# left to 94-gcp-world.sh: ICM_TEST_NO_NODE_PREP=1 here):
# - multi-region: Region and Zone lists with RegionMap/ZoneMap, one subnet
#   per region (10.0.0.0/24, 10.0.1.0/24), ElasticIP static addresses;
#   gcloud lists the instances (names, internal and external IPs) icm's
#   inventory shows, their disks and the firewall rule; a second provision
#   inserts nothing; an instance and the firewall rule deleted with gcloud
#   behind icm's back: ICM's question (refused without a terminal, nothing
#   made), -force makes both again; scale-in; unprovision leaves nothing of
#   the deployment
# - a LoadBalancer: target pool of the AM instances, HTTP health check, a
#   forwarding rule per ForwardPort on one address, the LB node's address
# - errors named, the next provision continuing: quota (which, where),
#   zone exhausted (which), permission denied (which permission), an image
#   that does not exist, a name taken by something not icm's, a revoked
#   key; injected 429 and 503 retried
# - SIGKILL after every journal record (and before each answer is
#   recorded), then provision again: exactly the planned resources, and the
#   fake saw every insert done once per requestId.
# Root only (the fake's network namespace).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is missing"
gce_up "$T/gce" --op-delay 0.1
plan 67
show() { printf '%s\n' "$1" | tail -n 8 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
H=$(cat "$GCE_DIR/holder.pid")
GCE_KEY=$GCE_DIR/key.json
ins() { nsenter -t "$H" -n -- "$@"; }
U=http://127.0.0.1:8089
control() { ins curl -sS -X POST -d "$1" "$U/_fake/control" >/dev/null; }
stats() { ins curl -sS "$U/_fake/stats"; }
# census [DEP]: every resource of the fake but images, "coll:name" sorted
census() {
	ins curl -sS "$U/_fake/state" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted(c + ":" + o["name"] for c, v in d.items() if c != "images" for o in v)))'
}
# dup_inserts: requestIds the fake did more than once (none: "")
dup_inserts() { stats | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(r for r, e in d["requests"].items() if e["done"] > 1))'; }
inserts() { stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["inserts"])'; }
prov() { ICM_TEST_NO_NODE_PREP=1 gx "$ICM" provision "$@" 2>&1; }
g() { gx timeout 60 gcloud "$@" 2>&1; }

cd "$T" || exit 1
"$ICM" keygen ssh "$T/ssh" >/dev/null 2>&1
# gdefaults LABEL [JSON]: defaults.json of a deployment on the fake, the
# fields of JSON (an object) replacing or adding to the usual ones
gdefaults() {
	python3 - "$1" "${2:-{\}}" "$GCE_KEY" "$T/ssh" <<'PY'
import json, sys
label, extra, key, ssh = sys.argv[1:]
d = {"Provider": "GCP", "Label": label, "Tag": "T", "Region": "us-east1", "Zone": "us-east1-b",
     "Image": "ubuntu-os-cloud/ubuntu-2204-lts", "MachineType": "n1-standard-1",
     "Credentials": key, "Project": "icm-test", "SSHUser": "icm",
     "SSHPublicKey": ssh + "/insecure-ssh2.pub", "SSHPrivateKey": ssh + "/insecure",
     "DockerImage": "intersystems/iris:latest-em"}
d.update(json.loads(extra))
print(json.dumps(d, indent=1))
PY
}

# -- multi-region ---------------------------------------------------------------
mkdir mr && cd mr || exit 1
gdefaults Mr '{"Region": "us-east1,us-west1", "Zone": "us-east1-b,us-west1-a"}' > defaults.json
cat > definitions.json <<'JSON'
[{"Role": "DATA", "Count": "2", "RegionMap": "0,1", "ZoneMap": "0,1", "ElasticIP": "true"},
 {"Role": "COMPUTE", "Count": "2", "StartCount": "3", "RegionMap": "0,0", "ZoneMap": "0,0",
  "DataVolumeType": "pd-ssd"}]
JSON
if unshare -rn true 2>/dev/null; then
	out=$(unshare -rn "$ICM" provision -plan 2>&1)
	check "provision -plan needs no network" $? 0 "$out"
else
	ok "# SKIP unprivileged network namespaces are off" true
fi
out=$(prov)
check "multi-region provision exits 0" $? 0 "$out"
in_order "ICM's phases" "$out" "Starting plan of Mr-T..." "Starting apply of Mr-T..." \
	"...completed apply of Mr-T" "Starting apply of Mr-DATA-T..." \
	"Starting apply of Mr-COMPUTE-T..." "Waiting for 4 instances to run..." \
	"...completed apply of Mr-COMPUTE-T"
inv=$(gx "$ICM" inventory 2>&1 | awk '/^Mr-/ {print $1, $2, $3, $4}')
is "inventory: regions and zones from RegionMap/ZoneMap" "$(printf '%s\n' "$inv" | awk '{print $1, $3, $4}' | tr '\n' ';')" \
	"Mr-DATA-T-0001 us-east1 b;Mr-DATA-T-0002 us-west1 a;Mr-COMPUTE-T-0003 us-east1 b;Mr-COMPUTE-T-0004 us-east1 b;"
gl=$(g compute instances list --format='value(name,networkInterfaces[0].accessConfigs[0].natIP,networkInterfaces[0].networkIP)' | sort)
want=$(python3 - <<'PY'
import json
for n in json.load(open("instances.json")):
    print(n["MachineName"].lower(), n["IPAddress"], n["PrivateIPAddress"], sep="\t")
PY
)
is "gcloud lists the instances icm reports (names, external and internal IPs)" "$gl" "$(printf '%s\n' "$want" | sort)"
is "one subnet per region" "$(g compute networks subnets list --format='value(name,ipCidrRange)' | sort | tr '\t\n' ' ;')" \
	"mr-t-us-east1 10.0.0.0/24;mr-t-us-west1 10.0.1.0/24;"
is "ElasticIP: a static address per DATA node, in use" "$(g compute addresses list --format='value(name,status)' | sort | tr '\t\n' ' ;')" \
	"mr-data-t-0001 IN_USE;mr-data-t-0002 IN_USE;"
disks=$(g compute disks list --format='value(name,sizeGb,type.basename())' | sort)
is "disks: boot + data, WIJ, journal 1 and 2 per node" "$(printf '%s\n' "$disks" | wc -l)" 20
contains "DataVolumeType pd-ssd on the COMPUTE nodes' data disks" "$(printf '%s\n' "$disks" | tr '\t' ' ')" "mr-compute-t-0003-data 10 pd-ssd"
fw=$(g compute firewall-rules list --format='value(name,targetTags.list(),allowed[].map().firewall_rule().list())')
contains "the firewall rule opens the IRIS ports to the deployment's instances" "$fw" "mr-t-icm	mr-t	tcp:22,tcp:2376"
contains "... superserver, web server, ISC agent, license server" "$fw" "tcp:1972,tcp:52773,tcp:2188,tcp:4002"
labels=$(g compute instances describe mr-data-t-0001 --zone us-east1-b --format='value(labels)')
is "instance labels" "$labels" "icm-deployment=mr-t;icm-machine=mr-data-t-0001"
n0=$(inserts)
out=$(prov)
check "a second provision exits 0" $? 0 "$out"
is "... and inserts nothing" "$(inserts)" "$n0"
# behind icm's back: an instance and the firewall rule deleted
g compute instances delete mr-compute-t-0004 --zone us-east1-b --quiet >/dev/null
g compute firewall-rules delete mr-t-icm --quiet >/dev/null
n0=$(inserts)
out=$(prov)
check "an instance deleted behind icm's back: provision without -force exits 1" $? 1 "$out"
contains "... asking ICM's question" "$out" "1 node of Mr-T no longer exists (Mr-COMPUTE-T-0004): it will be created again with new (empty) volumes."
is "... and makes nothing" "$(inserts)" "$n0"
out=$(prov -force)
check "provision -force exits 0" $? 0 "$out"
contains "... the instance and the firewall rule are made again" "$(census)" "firewalls:mr-t-icm instances:mr-compute-t-0003 instances:mr-compute-t-0004"
is "... two inserts" "$(inserts)" "$((n0 + 2))"
sed -i 's/"Count": "2", "StartCount": "3"/"Count": "1", "StartCount": "3"/' definitions.json
out=$(printf 'no\n' | ICM_TEST_NO_NODE_PREP=1 gx "$ICM" provision 2>&1)
check "scale-in not confirmed: exit 1" $? 1 "$out"
out=$(prov -force)
check "scale-in with -force exits 0" $? 0 "$out"
lacks "... Mr-COMPUTE-T-0004 is gone" "$(census)" "instances:mr-compute-t-0004"
out=$(gx "$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
in_order "... ICM's destroy lines" "$out" "Starting destroy of Mr-DATA-T..." \
	"...completed destroy of Mr-COMPUTE-T" "Starting destroy of Mr-T..." "...completed destroy of Mr-T"
is "nothing of the deployment is left" "$(census)" ""
cd "$T" || exit 1

# -- a load balancer ---------------------------------------------------------------
mkdir lb && cd lb || exit 1
gdefaults Lb '{"Mirror": "true", "Zone": "us-east1-b,us-east1-c"}' > defaults.json
echo '[{"Role": "DM", "Count": "2"}, {"Role": "AM", "Count": "2", "StartCount": "3", "LoadBalancer": "true"}]' > definitions.json
out=$(prov)
check "provision with a load balancer exits 0" $? 0 "$out"
lbip=$(printf '%s\n' "$out" | awk '/^Lb-LB-T-/ {print $NF}')
is "target pool: the AM instances and the health check" \
	"$(g compute target-pools list --format='value(name,instances.map().basename().list(),healthChecks.map().basename().list())')" \
	"lb-lb-t-0002	lb-am-t-0003,lb-am-t-0004	lb-lb-t-0002-hc"
is "a forwarding rule per ForwardPort on the LB node's address" \
	"$(g compute forwarding-rules list --format='value(name,IPAddress,portRange)' | sort | tr '\t\n' ' ;')" \
	"lb-lb-t-0002-1972 $lbip 1972-1972;lb-lb-t-0002-52773 $lbip 52773-52773;"
out=$("$ICM" ps -role LB 2>&1)
check "ps -role LB: exit 1" $? 1 "$out"
contains "... a load balancer has no host or container" "$out" "-role LB: a load balancer is the provider's, with no host or container to act on"
is "inventory -role LB lists it" "$("$ICM" inventory -role LB 2>&1 | awk '/^Lb-/ {print $1}')" "Lb-LB-T-0002"
out=$(gx "$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
is "nothing of the deployment is left" "$(census)" ""
cd "$T" || exit 1

# -- errors, each followed by a provision that continues ---------------------------
mkdir er && cd er || exit 1
gdefaults Er > defaults.json
echo '[{"Role": "DATA", "Count": "3"}]' > definitions.json
control '{"quotas": {"us-east1": {"CPUS": 2}}}'
out=$(prov)
check "quota exceeded: exit 1" $? 1 "$out"
contains "... naming the quota and the region" "$out" "quota CPUS exceeded in region us-east1 (limit 2)"
control '{"quotas": {"us-east1": {"CPUS": 24}}, "exhausted_zones": ["us-east1-b"]}'
out=$(prov)
check "zone exhausted: exit 1" $? 1 "$out"
contains "... naming the zone" "$out" "zone us-east1-b does not have enough resources for this request now: try another Zone"
control '{"exhausted_zones": [], "fail_code": 429, "fail_every": 4}'
out=$(prov)
check "with every 4th call answered 429, provision continues and exits 0" $? 0 "$out"
is "... three instances" "$(census | tr ' ' '\n' | grep -c '^instances:')" 3
control '{"fail_code": 503, "fail_every": 3}'
out=$(gx "$ICM" unprovision -force 2>&1)
check "with every 3rd call answered 503, unprovision exits 0" $? 0 "$out"
control '{"fail_every": 0}'
is "nothing left" "$(census)" ""
cp defaults.json good.json
gdefaults Er '{"Project": "not-mine"}' > defaults.json
out=$(prov)
check "a project the account has no rights on: exit 1" $? 1 "$out"
contains "... naming the permission" "$out" "permission denied: Required 'compute.projects.get' permission"
gdefaults Er '{"Image": "ubuntu-os-cloud/no-such-image"}' > defaults.json
out=$(prov)
check "an image that does not exist: exit 1" $? 1 "$out"
contains "... named before anything is made" "$out" "Image 'ubuntu-os-cloud/no-such-image': project ubuntu-os-cloud has no image and no image family named no-such-image"
for v in 'Image:ubuntu-os-cloud/../../x' 'Network:net?x=1' 'Subnet:a,regions/r/subnetworks/b#c'; do
	gdefaults Er "{\"${v%%:*}\": \"${v#*:}\"}" > defaults.json
	out=$("$ICM" provision -plan 2>&1)
	is "${v%%:*} '${v#*:}' is refused" "$?" 1
	contains "... naming the file, line and field" "$out" "field '${v%%:*}': "
done
cp good.json defaults.json
out=$(g compute networks create er-t --subnet-mode custom)
out=$(prov)
check "a network named like icm's but not icm's: exit 1" $? 1 "$out"
contains "... a clear conflict" "$out" "global/networks/er-t already exists and is not icm's for Er-T"
g compute networks delete er-t --quiet >/dev/null
kid=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["private_key_id"])' "$GCE_KEY")
control "{\"revoked_kids\": [\"$kid\"], \"expire_tokens\": true}"
out=$(prov)
check "a revoked key: exit 1" $? 1 "$out"
contains "... naming the key" "$out" "$kid"
# the access token expires (is revoked) while provision runs: a 401, a new
# token, the provision goes on
control '{"revoked_kids": [], "op_delay": 1.0}'
: > icm.log
(sleep 2.5; control '{"expire_tokens": true}') &
out=$(prov)
check "after the errors, provision completes" $? 0 "$out"
wait
contains "... the token that expired on the way replaced" "$(grep 'GCE: ' icm.log)" "(2 tokens)"
control '{"op_delay": 0.1}'
is "... with exactly the planned instances" "$(census | tr ' ' '\n' | grep '^instances:' | tr '\n' ' ')" \
	"instances:er-data-t-0001 instances:er-data-t-0002 instances:er-data-t-0003 "
sed -i 's/"Count": "3"/"Count": "3", "DataVolumeSize": "20"/' definitions.json
out=$(prov)
check "a larger DataVolumeSize for existing instances: exit 1" $? 1 "$out"
contains "... naming node and field" "$out" "Er-DATA-T-0001: DataVolumeSize 10 -> 20: growing a disk of an existing instance is not supported on GCP"
gx "$ICM" unprovision -force >/dev/null 2>&1
cd "$T" || exit 1

# -- SIGKILL after every journal record, then provision again -----------------------
mkdir kl && cd kl || exit 1
gdefaults Kl '{"Zone": "us-east1-b,us-east1-c"}' > defaults.json
echo '[{"Role": "DM"}, {"Role": "AM", "Count": "2", "StartCount": "2", "LoadBalancer": "true"}]' > definitions.json
control '{"reset": true, "op_delay": 0.05}'
prov >/dev/null
FULL=$(census)
PLANNED=$(inserts)
NREC=$(grep -c '"rec":"done"' state/journal)
is "the deployment: network, subnet, firewall, 3 instances, LB address, health check, pool, 2 rules" "$PLANNED" 11
# kill_loop VAR: for n = 1, 2, ...: a fresh fake and state; VAR=n provision
# (killed), provision; the census and the fake's inserts must be exactly a
# whole provision's.  Prints the failures, then the first n not killed.
kill_loop() {
	local n bad=""
	for n in $(seq 1 $((NREC * 2))); do
		control '{"reset": true}'
		rm -rf state instances.json
		ICM_TEST_NO_NODE_PREP=1 env "$1=$n" "$TOP/tests/cloud/gce" exec --dir "$GCE_DIR" -- "$ICM" provision >/dev/null 2>&1
		[ $? = 137 ] || break
		prov >/dev/null || bad="$bad $n:provision-failed"
		[ "$(census)" = "$FULL" ] || bad="$bad $n:[$(census)]"
		[ "$(inserts)" = "$PLANNED" ] || bad="$bad $n:inserts=$(inserts)"
		[ -z "$(dup_inserts)" ] || bad="$bad $n:twice=$(dup_inserts)"
	done
	echo "$bad|$n"
}
r=$(kill_loop ICM_TEST_KILL_AFTER)
is "killed after each record: exactly the planned resources, each insert done once" "${r%|*}" ""
ok "... killed after each of ${r#*|} - 1 records (NREC $NREC)" test "${r#*|}" -gt "$NREC"
r=$(kill_loop ICM_TEST_KILL_BEFORE_RESULT)
is "killed before each answer was recorded: exactly the planned resources" "${r%|*}" ""
out=$(gx "$ICM" unprovision -force 2>&1)
check "unprovision after the kills exits 0" $? 0 "$out"
is "nothing left" "$(census)" ""
done_testing
