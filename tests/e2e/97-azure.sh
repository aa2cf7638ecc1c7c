#!/usr/bin/env bash
# 97-azure.sh: the Azure provider (src/provider/azure/) against the FAKE
# Azure Resource Manager (tests/cloud/arm, in a loopback-only namespace;
# node preparation is left to 98-azure-world.sh: ICM_TEST_NO_NODE_PREP=1):
# - the sample as `icm samples` writes it, with README.txt's edits: 4 VMs,
#   the npm SDKs (tests/cloud/azure-sdk/list.mjs) read the VMs, disks, NICs,
#   public IPs and security rules icm reports; a second provision PUTs
#   nothing; a VM deleted behind icm's back: ICM's question (refused without
#   a terminal, nothing made), -force makes it again; scale-in; unprovision
#   leaves nothing tagged with the deployment
# - multi-location (Location list, LocationMap, ZoneMap) and a
#   LoadBalancer: a network per location, the LB's IP-based pool holds the
#   AM machines' private IPs
# - errors named, the next provision continuing: AllocationFailed and
#   QuotaExceeded in a VM's operation, a wrong and an expired ClientSecret,
#   a name taken by something not icm's, hostile values refused at load;
#   injected 429 (after Retry-After) and 503 retried
# - SIGKILL after every journal record (and before each answer is
#   recorded), then provision again: exactly the planned resources; a VM's
#   operation interrupted mid-poll is followed to its end.
# Root only (the fake's network namespace).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is missing"
command -v curl >/dev/null || skip_all "curl is missing"
arm_up "$T/arm" --op-delay 0.1 --retry-after 0
plan 92
. "$ARM_DIR/env"
NM=${AZURE_SDK_DIR:-$TOP/build/tests/azure-sdk}/node_modules
show() { printf '%s\n' "$1" | tail -n 8 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
control() { arm_fake control -X POST -d "$1" >/dev/null; }
puts() { arm_fake stats | python3 -c 'import json, sys; print(sum(json.load(sys.stdin)["puts"].values()))'; }
# where: "machine location zone;" of every machine of instances.json
where() {
	python3 -c '
import json
for n in json.load(open("instances.json")):
    print(n["MachineName"], n.get("Location", ""), n.get("Zone", ""), end=";")'
}
prov() { ICM_TEST_NO_NODE_PREP=1 az "$ICM" provision "$@" 2>&1; }
sdk() { ax timeout 120 node "$TOP/tests/cloud/azure-sdk/list.mjs" "$NM" "$@" 2>&1; }
have_sdk=true
{ command -v node >/dev/null && [ -d "$NM/@azure/arm-compute" ]; } || have_sdk=false

# -- the sample ---------------------------------------------------------------
cd "$T" && "$ICM" samples Samples >/dev/null 2>&1 && cd Samples/Azure || exit 1
out=$("$ICM" keygen ssh 2>&1)
check "icm keygen ssh beside the sample" $? 0 "$out"
# README.txt's edits: the subscription, the service principal, the password
json_edit defaults.json "{\"SubscriptionId\": \"$AZURE_SUBSCRIPTION_ID\",
  \"TenantId\": \"$AZURE_TENANT_ID\", \"ClientId\": \"$AZURE_CLIENT_ID\",
  \"ClientSecret\": \"$AZURE_CLIENT_SECRET\", \"SSHPassword\": \"Sample-Passw0rd\",
  \"SSHPublicKey\": \"$PWD/ssh/insecure.pub\", \"SSHPrivateKey\": \"$PWD/ssh/insecure\"}"
out=$(prov)
check "the sample provisions" $? 0 "$out"
in_order "ICM's phases" "$out" "Starting plan of Sample-TEST..." "Starting apply of Sample-TEST..." \
	"...completed apply of Sample-TEST" "Starting apply of Sample-DATA-TEST..." \
	"Starting apply of Sample-COMPUTE-TEST..." "...completed apply of Sample-COMPUTE-TEST"
is "inventory: 4 machines in eastus, zone 1" "$(where)" \
	"Sample-DATA-TEST-0001 eastus 1;Sample-DATA-TEST-0002 eastus 1;Sample-COMPUTE-TEST-0003 eastus 1;Sample-COMPUTE-TEST-0004 eastus 1;"
is "no secret in the state directory (Terraform files, journal) or icm.log" \
	"$(grep -rlF -e Sample-Passw0rd -e "$AZURE_CLIENT_SECRET" state icm.log)" ""
is "instances.json (it keeps the secrets, as ICM's does) is the owner's only" "$(stat -c %a instances.json)" 600
if $have_sdk; then
	js=$(sdk Sample-TEST Sample-TEST)
	check "the SDKs read the deployment" $? 0 "$js"
	want=$(python3 - "$js" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
for n in json.load(open("instances.json")):
    m = n["MachineName"]
    vm = d["vms"].get(m, {})
    print(m, n["IPAddress"] == d["ips"].get(m + "-ip"),
          n["PrivateIPAddress"] == d["nics"].get(vm.get("nic")),
          vm.get("size"), ",".join(vm.get("zones", [])), vm.get("admin"))
PY
)
	is "the SDKs list the VMs icm reports (public and private IPs, Size, Zone, SSHUser)" "$want" \
		"$(for m in Sample-DATA-TEST-0001 Sample-DATA-TEST-0002 Sample-COMPUTE-TEST-0003 Sample-COMPUTE-TEST-0004; do
			echo "$m True True Standard_DS2_v2 1 sample"; done)"
	is "... the OS and IRIS disks of a VM" "$(printf '%s' "$js" | python3 -c '
import json, sys; v = json.load(sys.stdin)["vms"]["Sample-DATA-TEST-0001"]; print(v["os"], *v["disks"])')" \
		"Sample-DATA-TEST-0001-os Sample-DATA-TEST-0001-data Sample-DATA-TEST-0001-wij Sample-DATA-TEST-0001-journal1 Sample-DATA-TEST-0001-journal2"
	rules=$(printf '%s' "$js" | python3 -c 'import json, sys; print(",".join(json.load(sys.stdin)["rules"]["Sample-TEST-eastus-nsg"]))')
	contains "... the security rules: SSH, Docker, the IRIS ports, ICMP" "$rules" "Tcp 22,Tcp 2376,Tcp 80"
	contains "... superserver, web server, ISC agent, license server" "$rules" "Tcp 1972,Tcp 52773,Tcp 2188,Tcp 4002,Udp 4002,Icmp *"
	is "... everything tagged icm-deployment=Sample-TEST, and the group" "$(printf '%s' "$js" | python3 -c '
import json, sys; d = json.load(sys.stdin); print(len(d["tagged"]), d["groups"])')" "14 ['Sample-TEST']"
else
	for i in 1 2 3 4 5 6; do ok "# SKIP the Azure SDK clients are not installed ($NM)" true; done
fi
n0=$(puts)
out=$(prov)
check "a second provision exits 0" $? 0 "$out"
is "... and PUTs nothing" "$(puts)" "$n0"
# behind icm's back: a VM deleted
arm_api DELETE "resourceGroups/Sample-TEST/providers/Microsoft.Compute/virtualMachines/Sample-COMPUTE-TEST-0004?api-version=2024-03-01" >/dev/null
sleep 0.3
lacks "a VM deleted with the API" "$(arm_census)" "virtualMachines:Sample-COMPUTE-TEST-0004 "
n0=$(puts)
out=$(prov)
check "a VM deleted behind icm's back: provision without -force exits 1" $? 1 "$out"
contains "... asking ICM's question" "$out" "1 node of Sample-TEST no longer exists (Sample-COMPUTE-TEST-0004): it will be created again with new (empty) volumes."
is "... and PUTs nothing" "$(puts)" "$n0"
out=$(prov -force)
check "provision -force exits 0" $? 0 "$out"
contains "... the VM is made again" "$(arm_census)" "virtualMachines:Sample-COMPUTE-TEST-0004"
python3 -c 'import json; d = json.load(open("definitions.json")); d[1]["Count"] = "1"; json.dump(d, open("definitions.json", "w"))'
out=$(printf 'no\n' | ICM_TEST_NO_NODE_PREP=1 az "$ICM" provision 2>&1)
check "scale-in not confirmed: exit 1" $? 1 "$out"
out=$(prov -force)
check "scale-in with -force exits 0" $? 0 "$out"
c=$(arm_census)
lacks "... the VM of Sample-COMPUTE-TEST-0004 is gone" "$c" "virtualMachines:Sample-COMPUTE-TEST-0004"
lacks "... with its NIC" "$c" "networkInterfaces:Sample-COMPUTE-TEST-0004-nic"
lacks "... and public IP" "$c" "publicIPAddresses:Sample-COMPUTE-TEST-0004-ip"
out=$(az "$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
in_order "... ICM's destroy lines" "$out" "Starting destroy of Sample-DATA-TEST..." \
	"...completed destroy of Sample-COMPUTE-TEST" "Starting destroy of Sample-TEST..." \
	"Deleting resource group Sample-TEST..." "...completed destroy of Sample-TEST"
is "nothing is left" "$(arm_census)" ""
cp defaults.json "$T/sample-defaults.json"
cd "$T" || exit 1

# ddefaults LABEL [JSON]: the sample's edited defaults with another Label
ddefaults() { cp "$T/sample-defaults.json" defaults.json; json_edit defaults.json "{\"Label\": \"$1\"}"; [ -z "${2:-}" ] || json_edit defaults.json "$2"; }

# -- multi-location, then a load balancer -------------------------------------------
mkdir ml && cd ml || exit 1
ddefaults Ml '{"Location": "eastus,westus", "Zone": "1,2", "Mirror": "true"}'
cat > definitions.json <<'JSON'
[{"Role": "DM", "Count": "2", "LocationMap": "0,1", "ZoneMap": "0,1"},
 {"Role": "AM", "Count": "1", "StartCount": "3", "LocationMap": "0", "ZoneMap": "1"}]
JSON
out=$(prov)
check "multi-location provision exits 0" $? 0 "$out"
is "inventory: locations and zones from LocationMap/ZoneMap" "$(where)" \
	"Ml-DM-TEST-0001 eastus 1;Ml-DM-TEST-0002 westus 2;Ml-AM-TEST-0003 eastus 2;"
contains "a network and a security group per location" "$(arm_census)" "networkSecurityGroups:Ml-TEST-eastus-nsg networkSecurityGroups:Ml-TEST-westus-nsg"
is "... 10.0.0.0/24 and 10.0.1.0/24" "$(arm_fake state | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted(r["properties"]["addressSpace"]["addressPrefixes"][0] for r in d["resources"].values() if r["type"].endswith("virtualNetworks"))))')" "10.0.0.0/24 10.0.1.0/24"
out=$(az "$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
cd "$T" && mkdir lb && cd lb || exit 1
ddefaults Lb '{"Zone": "1,2", "Mirror": "true"}'
echo '[{"Role": "DM", "Count": "2"}, {"Role": "AM", "Count": "2", "StartCount": "3", "LoadBalancer": "true"}]' > definitions.json
out=$(prov)
check "a LoadBalancer definition provisions" $? 0 "$out"
lbip=$(python3 -c '
import json; print([n["IPAddress"] for n in json.load(open("instances.json")) if n["Role"] == "LB"][0])')
LB=$(python3 -c '
import json; print([n["MachineName"] for n in json.load(open("instances.json")) if n["Role"] == "LB"][0])')
if $have_sdk; then
	js=$(sdk Lb-TEST Lb-TEST)
	want=$(python3 -c '
import json
print(",".join(sorted(n["PrivateIPAddress"] for n in json.load(open("instances.json")) if n["Role"] == "AM")))')
	is "the SDKs read the load balancer: the AM machines' private IPs, a rule per ForwardPort, the probe" \
		"$(printf '%s' "$js" | python3 -c '
import json, sys
lb = json.load(sys.stdin)["lbs"][sys.argv[1]]
print(",".join(lb["backend"]), lb["rules"], lb["probe"])' "$LB")" "$want [1972, 52773] 52773"
	is "... its public IP is the LB node's address" "$(printf '%s' "$js" | python3 -c '
import json, sys; print(json.load(sys.stdin)["ips"][sys.argv[1] + "-ip"])' "$LB")" "$lbip"
else
	for i in 1 2; do ok "# SKIP the Azure SDK clients are not installed ($NM)" true; done
fi
sed -i 's/"Count": "2", "StartCount": "3"/"Count": "3", "StartCount": "3"/' definitions.json
out=$(prov)
check "one more AM machine" $? 0 "$out"
is "... joins the load balancer's pool" "$(arm_fake state | python3 -c '
import json, sys
d = json.load(sys.stdin)
lb = [r for r in d["resources"].values() if r["type"].endswith("loadBalancers")][0]
print(len(lb["properties"]["backendAddressPools"][0]["properties"]["loadBalancerBackendAddresses"]))')" 3
out=$(az "$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
is "nothing is left" "$(arm_census)" ""
cd "$T" || exit 1

# -- errors, each followed by a provision that continues -------------------------
mkdir er && cd er || exit 1
ddefaults Er
echo '[{"Role": "DATA", "Count": "2"}]' > definitions.json
control '{"fail_ops": {"virtualMachines": "AllocationFailed"}}'
out=$(prov)
check "AllocationFailed in a VM's operation: exit 1" $? 1 "$out"
contains "... the machine and what to do" "$out" "Er-DATA-TEST-0001: "
contains "... in words" "$out" "another Size or Zone"
control '{"fail_ops": {"virtualMachines": "QuotaExceeded"}}'
out=$(prov)
check "QuotaExceeded: exit 1" $? 1 "$out"
contains "... naming the quota's location and limit" "$out" "eastus"
control '{"fail_code": 429, "fail_every": 4}'
: > icm.log
s=$(date +%s)
out=$(prov -verbose)
check "with every 4th call answered 429, provision continues and exits 0" $? 0 "$out"
ok "... after each 429's Retry-After (1 s)" test $(( $(date +%s) - s )) -ge 2
is "... two VMs" "$(arm_census | tr ' ' '\n' | grep -c '^virtualMachines:')" 2
control '{"fail_code": 503, "fail_every": 3}'
out=$(az "$ICM" unprovision -force 2>&1)
check "with every 3rd call answered 503, unprovision exits 0" $? 0 "$out"
control '{"fail_every": 0}'
is "nothing left" "$(arm_census)" ""
cp defaults.json good.json
json_edit defaults.json '{"ClientSecret": "not-the-secret"}'
out=$(prov)
check "a wrong ClientSecret: exit 1" $? 1 "$out"
contains "... named" "$out" "ClientSecret"
json_edit defaults.json "{\"ClientSecret\": \"$AZURE_CLIENT_SECRET_EXPIRED\"}"
out=$(prov)
check "an expired ClientSecret: exit 1" $? 1 "$out"
contains "... named, with what to do" "$out" "expired"
lacks "... the secret never in a message" "$out$(cat icm.log)" "$AZURE_CLIENT_SECRET_EXPIRED"
for v in 'Size:Standard/../x' 'Location:eastus/../x' 'ResourceGroupName:rg?x=1' 'CustomImage:/subscriptions/../x'; do
	cp good.json defaults.json
	json_edit defaults.json "{\"${v%%:*}\": \"${v#*:}\"}"
	out=$("$ICM" provision -plan 2>&1)
	is "${v%%:*} '${v#*:}' is refused" "$?" 1
	contains "... naming the file and field" "$out" "${v%%:*}"
done
cp good.json defaults.json
json_edit defaults.json '{"SSHPassword": "short"}'
out=$(prov)
check "an SSHPassword Azure refuses: exit 1 before any call" $? 1 "$out"
contains "... Azure's rule, not the password" "$out" "SSHPassword does not meet Azure's rule"
cp good.json defaults.json
control '{"restrict_sizes": {"eastus": ["Standard_DS2_v2"]}}'
out=$(prov)
check "a Size not available in the Location: exit 1" $? 1 "$out"
contains "... naming the Size and the Location" "$out" "Standard_DS2_v2"
contains "... and the Location" "$out" "eastus"
control '{"restrict_sizes": {}}'
json_edit defaults.json '{"Sku": "no-such-sku"}'
n0=$(puts)
out=$(prov)
check "a marketplace image that does not exist: exit 1" $? 1 "$out"
contains "... named before anything is made" "$out" "no marketplace image Canonical:0001-com-ubuntu-server-jammy:no-such-sku:latest in Location 'eastus'"
is "... nothing PUT" "$(puts)" "$n0"
# the managed identity, through the fake's instance metadata service
python3 -c 'import json; d = json.load(open("good.json")); d.pop("ClientSecret"); d["UseMSI"] = "true"; json.dump(d, open("defaults.json", "w"))'
out=$(ICM_TEST_NO_NODE_PREP=1 az env AZURE_POD_IDENTITY_AUTHORITY_HOST="$ARM_FAKE_IMDS" "$ICM" provision 2>&1)
check "UseMSI: provision as the managed identity exits 0" $? 0 "$out"
is "... its token from the instance metadata service" "$(arm_fake stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["imds_tokens"] > 0)')" True
out=$(ICM_TEST_NO_NODE_PREP=1 az env AZURE_POD_IDENTITY_AUTHORITY_HOST="$ARM_FAKE_IMDS" "$ICM" unprovision -force 2>&1)
check "... and unprovision" $? 0 "$out"
out=$(prov)
check "UseMSI where there is no managed identity: exit 1" $? 1 "$out"
contains "... said so" "$out" "UseMSI"
cp good.json defaults.json
arm_api PUT "resourcegroups/Er-TEST?api-version=2022-09-01" '{"location": "eastus"}' >/dev/null
out=$(prov)
check "a resource group by icm's name that is not icm's: exit 1" $? 1 "$out"
contains "... a clear conflict" "$out" "resource group Er-TEST already exists and is not icm's for Er-TEST"
arm_api DELETE "resourcegroups/Er-TEST?api-version=2022-09-01" >/dev/null
sleep 0.3
out=$(prov)
check "after the errors, provision completes" $? 0 "$out"
is "... with exactly the planned VMs" "$(arm_census | tr ' ' '\n' | grep '^virtualMachines:' | tr '\n' ' ')" \
	"virtualMachines:Er-DATA-TEST-0001 virtualMachines:Er-DATA-TEST-0002 "
az "$ICM" unprovision -force >/dev/null 2>&1
cd "$T" || exit 1

# -- SIGKILL after every journal record, then provision again ------------------------
mkdir kl && cd kl || exit 1
ddefaults Kl
echo '[{"Role": "DATA"}, {"Role": "COMPUTE", "Count": "1", "StartCount": "2"}]' > definitions.json
control '{"reset": true, "op_delay": 0.05}'
prov >/dev/null
FULL=$(arm_census)
NREC=$(grep -c '"rec":"done"' state/journal)
is "the deployment: group, network, security group, 2 public IPs, NICs, VMs and their disks" \
	"$(printf '%s\n' "$FULL" | tr ' ' '\n' | sed 's/:.*//' | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
	"disks=10 group=1 networkInterfaces=2 networkSecurityGroups=1 publicIPAddresses=2 securityRules=14 subnets=1 virtualMachines=2 virtualNetworks=1 "
# kill_loop VAR: for n = 1, 2, ...: a fresh fake and state; VAR=n provision
# (killed), provision; the census must be exactly a whole provision's.
# Prints the failures, then the first n not killed.
kill_loop() {
	local n bad=""
	for n in $(seq 1 $((NREC * 2))); do
		control '{"reset": true}'
		rm -rf state instances.json
		ICM_TEST_NO_NODE_PREP=1 env "$1=$n" "$TOP/tests/cloud/arm" exec --dir "$ARM_DIR" -- \
			env ARM_ENDPOINT=https://localhost:8443 AZURE_AUTHORITY_HOST=https://localhost:8443 \
			"$ICM" provision >/dev/null 2>&1
		[ $? = 137 ] || break
		prov >/dev/null || bad="$bad $n:provision-failed"
		[ "$(arm_census)" = "$FULL" ] || bad="$bad $n:[$(arm_census)]"
	done
	echo "$bad|$n"
}
r=$(kill_loop ICM_TEST_KILL_AFTER)
is "killed after each record: exactly the planned resources" "${r%|*}" ""
ok "... killed after each of ${r#*|} - 1 records (NREC $NREC)" test "${r#*|}" -gt "$NREC"
r=$(kill_loop ICM_TEST_KILL_BEFORE_RESULT)
is "killed before each answer was recorded: exactly the planned resources" "${r%|*}" ""
# a VM's operation interrupted mid-poll: killed after its lro/ record (the
# 4th result: group, network, security group, then the first VM's
# operation), followed to its end by the next provision
control '{"reset": true, "kind_delay": {"virtualMachines": 5}}'
rm -rf state instances.json
ICM_TEST_NO_NODE_PREP=1 ICM_TEST_KILL_AFTER=4 "$TOP/tests/cloud/arm" exec --dir "$ARM_DIR" -- \
	env ARM_ENDPOINT=https://localhost:8443 AZURE_AUTHORITY_HOST=https://localhost:8443 \
	"$ICM" provision >/dev/null 2>&1
is "killed after the VM's operation was recorded" "$?" 137
is "... the record is the operation's URL" "$(tail -1 state/journal | python3 -c '
import json, sys; r = json.loads(sys.stdin.read()); print(r["key"], "/operations/" in r.get("id", ""))')" \
	"lro/Kl-DATA-TEST-0001 True"
polls0=$(arm_fake stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["polls"])')
out=$(prov -verbose)
check "the next provision exits 0" $? 0 "$out"
contains "... following the operation of the killed run" "$(cat icm.log)" "Kl-DATA-TEST-0001: following the operation of a previous run"
ok "... polled to its end" test "$(arm_fake stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["polls"])')" -gt "$polls0"
is "... exactly the planned resources" "$(arm_census)" "$FULL"
control '{"kind_delay": {"virtualMachines": 0.05}}'
out=$(az "$ICM" unprovision -force 2>&1)
check "unprovision after the kills exits 0" $? 0 "$out"
is "nothing left" "$(arm_census)" ""
done_testing
