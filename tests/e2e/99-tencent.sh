#!/usr/bin/env bash
# 99-tencent.sh: the Tencent provider (src/provider/tencent/) against the
# FAKE Tencent Cloud API (tests/cloud/tencent: CVM, VPC, CLB with the real
# host names inside a loopback-only namespace; node preparation is left
# out: ICM_TEST_NO_NODE_PREP=1):
# - the sample as `icm samples` writes it with its README.txt's edits: 4
#   instances, the official SDK (tests/cloud/tencent-sdk/list.mjs) lists the
#   same instances, IPs, types and disks as icm's inventory, the security
#   group's ports; a second provision launches nothing; an instance
#   terminated behind icm's back: ICM's question, -force makes it again;
#   scale-in; unprovision leaves nothing tagged
# - ElasticIP: an EIP bound to each DATA instance, its address the node's
# - errors named, the next provision continuing: a sold-out type (which,
#   where), a low balance, the instance quota, an OSName no image matches;
#   RequestLimitExceeded on every 3rd call retried
# - SIGKILL after every journal record (and before each answer is
#   recorded), then provision again: exactly the planned resources, one
#   launch per ClientToken.
# Root only (the fake's network and mount namespaces).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is missing"
tc_up "$T/tc" --pending 0.2
plan 46
. "$TC_DIR/env"
NM=${TENCENT_SDK_DIR:-$TOP/build/tests/tencent-sdk}/node_modules
show() { printf '%s\n' "$1" | tail -n 8 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
# inns CMD...: CMD inside the fake's namespaces, in this directory
inns() { tx sh -c 'cd "$1" && shift && exec "$@"' sh "$PWD" "$@"; }
fake() { inns curl -sS --cacert "$TC_DIR/ca.pem" "https://cvm.tencentcloudapi.com/_fake/$1" "${@:2}"; }
control() { fake control -X POST -d "$1" >/dev/null; }
# census: every instance, VPC, subnet, group, key pair, EIP and CLB,
# "kind:name"
census() {
	fake state | python3 -c '
import json, sys
d = json.load(sys.stdin)
out = []
for k in ("instances", "vpcs", "subnets", "sgs", "keypairs", "eips", "clbs"):
    for r in d[k].values():
        out.append(k + ":" + (r.get("name") or r["id"]))
print(" ".join(sorted(out)))'
}
launches() { fake stats | python3 -c 'import json, sys; print(sum(json.load(sys.stdin)["launches"].values()))'; }
twice() { fake stats | python3 -c '
import json, sys; print(" ".join(t for t, n in json.load(sys.stdin)["launches"].items() if n > 1))'; }
prov() { ICM_TEST_NO_NODE_PREP=1 inns "$ICM" provision "$@" 2>&1; }
have_sdk=true
{ command -v node >/dev/null && [ -d "$NM/tencentcloud-sdk-nodejs" ]; } || have_sdk=false

# -- the sample ---------------------------------------------------------------
cd "$T" && "$ICM" samples Samples >/dev/null 2>&1 && cd Samples/Tencent || exit 1
out=$("$ICM" keygen ssh 2>&1)
check "icm keygen ssh beside the sample" $? 0 "$out"
json_edit defaults.json "{\"SecretID\": \"$TENCENTCLOUD_SECRET_ID\", \"SecretKey\": \"$TENCENTCLOUD_SECRET_KEY\",
  \"SSHPublicKey\": \"$PWD/ssh/insecure.pub\", \"SSHPrivateKey\": \"$PWD/ssh/insecure\"}"
out=$(prov)
check "the sample provisions" $? 0 "$out"
in_order "ICM's phases" "$out" "Starting apply of Sample-TEST..." "...completed apply of Sample-TEST" \
	"Starting apply of Sample-DATA-TEST..." "Waiting for 4 instances to run..." \
	"...completed apply of Sample-COMPUTE-TEST"
is "no secret in the state directory or icm.log" \
	"$(grep -rlF -e "$TENCENTCLOUD_SECRET_KEY" state icm.log)" ""
if $have_sdk; then
	js=$(inns timeout 120 node "$TOP/tests/cloud/tencent-sdk/list.mjs" "$NM" na-siliconvalley Sample-TEST 2>&1)
	check "the SDK reads the deployment" $? 0 "$js"
	want=$(python3 - "$js" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
for n in json.load(open("instances.json")):
    i = d["instances"].get(n["MachineName"], {})
    print(n["MachineName"], i.get("id") == n["InstanceId"], i.get("public") == n["IPAddress"],
          i.get("private") == n["PrivateIPAddress"], i.get("type"), i.get("zone"), i.get("disks"))
PY
)
	is "the SDK lists the instances icm reports (IDs, public and private IPs, type, zone, disks)" "$want" \
		"$(for m in Sample-DATA-TEST-0001 Sample-DATA-TEST-0002 Sample-COMPUTE-TEST-0003 Sample-COMPUTE-TEST-0004; do
			echo "$m True True True S2.MEDIUM4 na-siliconvalley-1 [50, 60, 10, 10, 10]"; done)"
	is "... the security group's ports" "$(printf '%s' "$js" | python3 -c '
import json, sys; print(",".join(json.load(sys.stdin)["sgs"]["Sample-TEST"]))')" \
		"TCP 22,TCP 2376,TCP 80,TCP 443,TCP 53,UDP 53,TCP 6783,UDP 6783-6784,TCP 1972,TCP 52773,TCP 2188,TCP 4002,UDP 4002,ICMP ALL"
	is "... one VPC and one subnet" "$(printf '%s' "$js" | python3 -c '
import json, sys; d = json.load(sys.stdin); print(d["vpcs"], d["subnets"])')" \
		"['Sample-TEST'] {'Sample-TEST-na-siliconvalley-1': '10.0.0.0/24'}"
else
	for i in 1 2 3 4; do ok "# SKIP the Tencent SDK is not installed ($NM)" true; done
fi
n0=$(launches)
out=$(prov)
check "a second provision exits 0" $? 0 "$out"
is "... and launches nothing" "$(launches)" "$n0"
id=$(python3 -c 'import json; print([n["InstanceId"] for n in json.load(open("instances.json")) if n["MachineName"].endswith("0004")][0])')
# behind icm's back: an instance terminated (the SDK, as a user would)
if $have_sdk; then
	inns node -e '
const tc = require(process.argv[1] + "/tencentcloud-sdk-nodejs");
new tc.cvm.v20170312.Client({credential: {secretId: process.env.TENCENTCLOUD_SECRET_ID,
  secretKey: process.env.TENCENTCLOUD_SECRET_KEY}, region: "na-siliconvalley"})
  .TerminateInstances({InstanceIds: [process.argv[2]]}).then(() => {}, (e) => { console.error(e.message); process.exit(1); });' "$NM" "$id"
	sleep 0.5
	n0=$(launches)
	out=$(prov)
	check "an instance terminated behind icm's back: provision without -force exits 1" $? 1 "$out"
	contains "... asking ICM's question" "$out" "1 node of Sample-TEST no longer exists (Sample-COMPUTE-TEST-0004): it will be created again with new (empty) volumes."
	is "... and launches nothing" "$(launches)" "$n0"
	out=$(prov -force)
	check "provision -force exits 0" $? 0 "$out"
	is "... one launch" "$(launches)" "$((n0 + 1))"
else
	for i in 1 2 3 4 5; do ok "# SKIP the Tencent SDK is not installed ($NM)" true; done
fi
python3 -c 'import json; d = json.load(open("definitions.json")); d[1]["Count"] = "1"; json.dump(d, open("definitions.json", "w"))'
out=$(printf 'no\n' | ICM_TEST_NO_NODE_PREP=1 inns "$ICM" provision 2>&1)
check "scale-in not confirmed: exit 1" $? 1 "$out"
out=$(prov -force)
check "scale-in with -force exits 0" $? 0 "$out"
lacks "... Sample-COMPUTE-TEST-0004 is gone" "$(census)" "instances:Sample-COMPUTE-TEST-0004"
out=$(inns "$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
in_order "... ICM's destroy lines" "$out" "Starting destroy of Sample-DATA-TEST..." \
	"...completed destroy of Sample-COMPUTE-TEST" "Starting destroy of Sample-TEST..." "...completed destroy of Sample-TEST"
is "nothing is left" "$(census)" ""
cp defaults.json "$T/good.json"
cd "$T" || exit 1

# -- ElasticIP and errors, each followed by a provision that continues -----------
mkdir er && cd er || exit 1
cp "$T/good.json" defaults.json
json_edit defaults.json '{"Label": "Er", "Region": "ap-guangzhou", "Zone": "ap-guangzhou-3"}'
echo '[{"Role": "DATA", "Count": "2", "ElasticIP": "true", "InstanceType": "S5.MEDIUM4"}]' > definitions.json
control '{"sold_out": [{"zone": "ap-guangzhou-3", "type": "S5.MEDIUM4"}]}'
out=$(prov)
check "a sold-out instance type: exit 1" $? 1 "$out"
contains "... naming the type and the zone" "$out" "S5.MEDIUM4"
contains "... and the zone" "$out" "ap-guangzhou-3"
control '{"sold_out": [], "balance_low": true}'
out=$(prov)
check "a low balance: exit 1" $? 1 "$out"
contains "... said so" "$out" "balance"
control '{"balance_low": false, "quota": {"instances": 1}}'
out=$(prov)
check "the instance quota: exit 1" $? 1 "$out"
contains "... named" "$out" "quota"
control '{"quota": {}, "fail_every": 3}'
out=$(prov)
check "with every 3rd call RequestLimitExceeded, provision continues and exits 0" $? 0 "$out"
control '{"fail_every": 0}'
eips=$(fake state | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted(e["ip"] + "=" + d["instances"][e["instance"]]["name"] for e in d["eips"].values() if e["instance"])))')
want=$(python3 -c '
import json
print(" ".join(sorted(n["IPAddress"] + "=" + n["MachineName"] for n in json.load(open("instances.json")))))')
is "ElasticIP: an EIP bound to each instance, its address the node's" "$eips" "$want"
out=$(inns "$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
is "... the EIPs released too: nothing left" "$(census)" ""
json_edit defaults.json '{"OSName": "^plan9"}'
out=$(prov)
check "an OSName no public image matches: exit 1" $? 1 "$out"
contains "... named" "$out" "no public image in ap-guangzhou has an OsName matching OSName '^plan9'"
cd "$T" || exit 1

# -- a load balancer ---------------------------------------------------------------
mkdir lb && cd lb || exit 1
cp "$T/good.json" defaults.json
json_edit defaults.json '{"Label": "Lb", "Mirror": "true"}'
echo '[{"Role": "DM", "Count": "2"}, {"Role": "AM", "Count": "2", "StartCount": "3", "LoadBalancer": "true"}]' > definitions.json
out=$(prov)
check "provision with a load balancer exits 0" $? 0 "$out"
lb=$(fake state | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = list(d["clbs"].values())[0]
names = {i["id"]: i["name"] for i in d["instances"].values()}
print(c["name"], c["vips"][0], " ".join(sorted("%d:%s" % (l["Port"], ",".join(sorted(names[t["InstanceId"]] for t in l["targets"])))
                                      for l in c["listeners"].values())))')
lbip=$(python3 -c 'import json; print([n["IPAddress"] for n in json.load(open("instances.json")) if n["Role"] == "LB"][0])')
is "a CLB with a TCP listener per ForwardPort, the AM instances its targets, its VIP the LB node's" "$lb" \
	"Lb-LB-TEST-0002 $lbip 1972:Lb-AM-TEST-0003,Lb-AM-TEST-0004 52773:Lb-AM-TEST-0003,Lb-AM-TEST-0004"
sed -i 's/"Count": "2", "StartCount": "3"/"Count": "3", "StartCount": "3"/' definitions.json
out=$(prov)
check "one more AM instance" $? 0 "$out"
contains "... becomes a target of each listener" "$(fake state | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sorted(len(l["targets"]) for c in d["clbs"].values() for l in c["listeners"].values()))')" "[3, 3]"
out=$(inns "$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
is "... the CLB gone with the rest" "$(census)" ""
cd "$T" || exit 1

# -- SIGKILL after every journal record, then provision again -----------------------
mkdir kl && cd kl || exit 1
cp "$T/good.json" defaults.json
json_edit defaults.json '{"Label": "Kl", "Zone": "na-siliconvalley-1,na-siliconvalley-2", "Mirror": "true"}'
echo '[{"Role": "DM", "Count": "2", "ZoneMap": "0,1"}, {"Role": "AM", "Count": "1", "LoadBalancer": "true", "ForwardPort": "1972"}]' > definitions.json
control '{"reset": true, "pending_s": 0.05}'
prov >/dev/null
FULL=$(census)
NREC=$(grep -c '"rec":"done"' state/journal)
is "the deployment: VPC, 2 subnets, group, key pair, 3 instances, a CLB" \
	"$(printf '%s\n' "$FULL" | tr ' ' '\n' | sed 's/:.*//' | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
	"clbs=1 instances=3 keypairs=1 sgs=1 subnets=2 vpcs=1 "
kill_loop() {
	local n bad=""
	for n in $(seq 1 $((NREC * 2))); do
		control '{"reset": true}'
		rm -rf state instances.json
		ICM_TEST_NO_NODE_PREP=1 env "$1=$n" "$TOP/tests/cloud/tencent" exec --dir "$TC_DIR" -- \
			sh -c 'cd "$1" && shift && exec "$@"' sh "$PWD" "$ICM" provision >/dev/null 2>&1
		[ $? = 137 ] || break
		prov >/dev/null || bad="$bad $n:provision-failed"
		[ "$(census)" = "$FULL" ] || bad="$bad $n:[$(census)]"
		[ -z "$(twice)" ] || bad="$bad $n:twice=$(twice)"
	done
	echo "$bad|$n"
}
r=$(kill_loop ICM_TEST_KILL_AFTER)
is "killed after each record: exactly the planned resources, one launch per ClientToken" "${r%|*}" ""
ok "... killed after each of ${r#*|} - 1 records (NREC $NREC)" test "${r#*|}" -gt "$NREC"
r=$(kill_loop ICM_TEST_KILL_BEFORE_RESULT)
is "killed before each answer was recorded: exactly the planned resources" "${r%|*}" ""
out=$(inns "$ICM" unprovision -force 2>&1)
check "unprovision after the kills exits 0" $? 0 "$out"
is "nothing left" "$(census)" ""
done_testing
