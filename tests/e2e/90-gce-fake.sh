#!/usr/bin/env bash
# 90-gce-fake: the FAKE Compute Engine of the GCP tests (tests/cloud/gce,
# gce-fake.py, lib.sh's gce_up) is honest with the official client and
# does what icm's GCP scenarios rely on, never running icm:
# - /token gives an access token for a JWT signed with openssl (RS256) and
#   refuses a forged one, a revoked key and a clock far off (invalid_grant
#   in Google's words); the API refuses a call without a token (401);
# - gcloud creates, lists (labels filter), describes and deletes a network,
#   a subnet, a firewall rule, a disk and instances, and its tables render:
#   instances on subnet 198.18.0.0/24 get .11 and .12;
# - plain HTTP: an operation is PENDING, then DONE after .../wait; the same
#   requestId twice makes one disk (GET /_fake/stats counts both calls);
#   409 alreadyExists and 404 notFound in Google's error shape; a server
#   filter labels.K=V; QUOTA_EXCEEDED and ZONE_RESOURCE_POOL_EXHAUSTED as
#   operation errors; an injected 429 rateLimitExceeded; a health check,
#   target pool (addInstance), static address and forwarding rule made and
#   deleted in order.
. "$(dirname "$0")/lib.sh"
command -v gcloud >/dev/null || skip_all "gcloud is missing"
command -v curl >/dev/null || skip_all "curl is missing"
gce_up "$T/gce" --op-delay 0.15
plan 38
P=icm-test
Z=us-east1-b

# js EXPR: EXPR (Python, the JSON of stdin as d) printed
js() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
# ins CMD...: CMD in the fake's namespace, without gx's set-up (quicker)
H=$(cat "$GCE_DIR/holder.pid")
ins() { nsenter -t "$H" -n -- "$@"; }
U=http://127.0.0.1:8089
# api METHOD PATH [JSON]: the API with the token; body, then the status on a line of its own
api() {
	ins curl -sS -X "$1" -H "Authorization: Bearer $(cat "$GCE_DIR/token")" \
		-H "Content-Type: application/json" ${3:+--data-binary "$3"} -w "\n%{http_code}" \
		"$U/compute/v1/projects/$P/$2"
}
body() { printf '%s\n' "$1" | sed '$d'; }
code() { printf '%s\n' "$1" | tail -n 1; }
token() { ins curl -sS -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d "assertion=$1" "$U/token"; }
g() { gx timeout 60 gcloud "$@" 2>&1; }
# has_re NAME OUTPUT ERE: a line of OUTPUT matches ERE (OUTPUT shown if not)
has_re() {
	if printf '%s\n' "$2" | grep -qE -- "$3"; then
		_result 0 "$1"
	else
		_result 1 "$1"; printf '%s\n' "$2" | tail -n 8 | sed 's/^/#   /'
	fi
}
GT=$TOP/tests/cloud/gce

is "the fake's namespace has only loopback" "$(ins ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" "lo "
# --- the token endpoint ---
jwt=$("$GT" jwt --key "$GCE_DIR/key.json")
out=$(token "$jwt")
contains "a JWT signed with openssl gets an access token" "$out" '"access_token": "ya29.'
# forged: the same signature over claims naming another scope
h=${jwt%%.*}; s=${jwt##*.}
c=$(printf '%s' "$jwt" | cut -d. -f2 | tr -- '-_' '+/' | base64 -d 2>/dev/null |
	sed 's|auth/compute|auth/cloud-platform|' | openssl base64 -A | tr '+/' '-_' | tr -d '=')
out=$(token "$h.$c.$s")
contains "a forged JWT is refused" "$out" '"error_description": "Invalid JWT Signature."'
out=$(token "$("$GT" jwt --key "$GCE_DIR/key.json" --iat $(( $(date +%s) - 7200 )))")
contains "a clock two hours off: invalid_grant saying to check iat and exp" "$out" 'Check your iat and exp values'
kid=$(js 'd["private_key_id"]' < "$GCE_DIR/key.json")
ins curl -sS -o /dev/null -d "{\"revoked_kids\": [\"$kid\"]}" "$U/_fake/control"
out=$(token "$jwt")
contains "a revoked key: invalid_grant" "$out" '"error": "invalid_grant"'
ins curl -sS -o /dev/null -d '{"revoked_kids": []}' "$U/_fake/control"
js 'd["private_key"]' < "$GCE_DIR/key.json" > "$T/k8.pem"
openssl pkey -in "$T/k8.pem" -pubout -out "$T/pub.pem" 2>/dev/null
openssl rsa -in "$T/k8.pem" -traditional -out "$T/k1.pem" 2>/dev/null
out=$(python3 -B -c '
import importlib.util as u, sys
s = u.spec_from_file_location("f", sys.argv[1]); f = u.module_from_spec(s); s.loader.exec_module(f)
print(len({f.rsa_pub_from_pem(open(p).read()) for p in sys.argv[2:]}),
      f.rsa_pub_from_pem(open(sys.argv[2]).read())[1])' "$TOP/tests/cloud/gce-fake.py" "$T"/k8.pem "$T"/k1.pem "$T"/pub.pem)
is "the DER reader finds one key (e 65537) in PKCS#8, PKCS#1 and public-key PEMs" "$out" "1 65537"
out=$(ins curl -sS -w '\n%{http_code}' "$U/compute/v1/projects/$P/zones")
is "the API without a token: 401" "$(code "$out")" 401

# --- gcloud ---
out=$(g compute networks create icm-net --subnet-mode=custom)
contains "gcloud creates a custom-mode network" "$out" "Created [http://127.0.0.1:8089/compute/v1/projects/$P/global/networks/icm-net]"
out=$(g compute networks subnets create icm-sub --network=icm-net --region=us-east1 --range=198.18.0.0/24)
has_re "gcloud creates a subnet" "$out" "^icm-sub +us-east1 +icm-net +198.18.0.0/24"
out=$(g compute firewall-rules create icm-ports --network=icm-net --allow=tcp:22,tcp:52773)
has_re "gcloud creates a firewall rule" "$out" "^icm-ports +icm-net +INGRESS +1000 +tcp:22,tcp:52773"
out=$(g compute disks create icm-data --zone=$Z --size=20GB --type=pd-ssd --labels=icm=d1)
has_re "gcloud creates a pd-ssd disk" "$out" "^icm-data +$Z +20 +pd-ssd +READY"
out=$(g compute instances create icm-vm1 icm-vm2 --zone=$Z --machine-type=e2-standard-2 \
	--subnet=icm-sub --image-family=ubuntu-2204-lts --image-project=ubuntu-os-cloud \
	--boot-disk-size=20GB --boot-disk-type=pd-balanced --labels=icm=d1)
has_re "gcloud creates two instances; the first gets 198.18.0.11" "$out" "^icm-vm1 +$Z +e2-standard-2 +198.18.0.11 +203.0.113.[0-9]+ +RUNNING"
out=$(g compute instances list --filter=labels.icm=d1)
has_re "gcloud lists them by label: name, zone, machine type, internal IP, status" "$out" "^icm-vm2 +$Z +e2-standard-2 +198.18.0.12 +203.0.113.[0-9]+ +RUNNING"
is "... and no other" "$(printf '%s\n' "$out" | grep -c '^icm-')" 2
out=$(g compute instances describe icm-vm1 --zone=$Z --format='value(networkInterfaces[0].networkIP,disks[0].diskSizeGb,labels.icm)')
is "gcloud describes an instance" "$out" "198.18.0.11	20	d1"
out=$(g compute disks list --filter=labels.icm=d1 --format='value(name,sizeGb,type.basename())')
is "gcloud lists disks by label" "$out" "icm-data	20	pd-ssd"
out=$(api GET "zones/$Z/disks/icm-vm1")
is "the boot disk: pd-balanced, used by its instance" "$(body "$out" | js 'd["type"].split("/")[-1], d["users"][0].split("/")[-1]')" "pd-balanced icm-vm1"

# --- plain HTTP ---
rid=6a7f3b0e-0000-4000-8000-000000000001
d='{"name": "icm-twice", "sizeGb": "10", "type": "zones/'$Z'/diskTypes/pd-standard", "labels": {"icm": "d2"}}'
out=$(api POST "zones/$Z/disks?requestId=$rid" "$d")
op=$(body "$out" | js 'd["name"]')
is "an insert answers an operation, PENDING" "$(body "$out" | js 'd["status"]')" PENDING
out2=$(api POST "zones/$Z/disks?requestId=$rid" "$d")
is "the same requestId again: the same operation" "$(body "$out2" | js 'd["name"]')" "$op"
out=$(api POST "zones/$Z/operations/$op/wait")
is "operations/wait: DONE" "$(body "$out" | js 'd["status"]')" DONE
out=$(ins curl -sS $U/_fake/stats)
is "stats: two calls with the requestId, one insert done" "$(printf '%s' "$out" | js "d['requests']['$rid']['calls'], d['requests']['$rid']['done']")" "2 1"
out=$(api GET "zones/$Z/disks?filter=labels.icm%3Dd2")
is "a list filtered by labels.icm=d2 on the server" "$(body "$out" | js '[i["name"] for i in d["items"]]')" "['icm-twice']"
out=$(api POST "zones/$Z/disks?requestId=6a7f3b0e-0000-4000-8000-000000000002" "$d")
is "a name taken: 409" "$(code "$out")" 409
is "... reason alreadyExists" "$(body "$out" | js 'd["error"]["errors"][0]["reason"]')" alreadyExists
out=$(api GET "zones/$Z/instances/icm-none")
is "a missing instance: 404 notFound" "$(code "$out") $(body "$out" | js 'd["error"]["errors"][0]["reason"]')" "404 notFound"
ins curl -sS -o /dev/null -d '{"quotas": {"us-east1": {"CPUS": 4}}, "exhausted_zones": ["us-east1-c"]}' "$U/_fake/control"
vm='{"name": "NAME", "machineType": "zones/ZONE/machineTypes/e2-standard-2", "networkInterfaces": [{"subnetwork": "regions/us-east1/subnetworks/icm-sub"}], "disks": [{"boot": true, "autoDelete": true, "initializeParams": {"sourceImage": "projects/debian-cloud/global/images/family/debian-12"}}]}'
vmj() { printf '%s' "$vm" | sed "s/NAME/$1/; s/ZONE/$2/"; }
op=$(body "$(api POST "zones/$Z/instances" "$(vmj icm-vm3 $Z)")" | js 'd["name"]')
out=$(api POST "zones/$Z/operations/$op/wait")
is "over the CPUS quota: the operation fails with QUOTA_EXCEEDED" "$(body "$out" | js 'd["error"]["errors"][0]["code"]')" QUOTA_EXCEEDED
contains "... naming the quota and the region" "$(body "$out")" "Quota 'CPUS' exceeded.  Limit: 4.0 in region us-east1."
op=$(body "$(api POST "zones/us-east1-c/instances" "$(vmj icm-vm4 us-east1-c)")" | js 'd["name"]')
out=$(api POST "zones/us-east1-c/operations/$op/wait")
is "an exhausted zone: ZONE_RESOURCE_POOL_EXHAUSTED" "$(body "$out" | js 'd["error"]["errors"][0]["code"]')" ZONE_RESOURCE_POOL_EXHAUSTED
ins curl -sS -o /dev/null -d '{"fail_code": 429, "fail_next": 1}' "$U/_fake/control"
out=$(api GET "zones/$Z")
is "an injected 429: rateLimitExceeded, then the call passes" \
	"$(code "$out") $(body "$out" | js 'd["error"]["errors"][0]["reason"]') $(code "$(api GET "zones/$Z")")" \
	"429 rateLimitExceeded 200"

# the load balancer's resources and a static address, on icm-vm1
# wait_op ANSWER: "STATUS ERROR" of its operation after .../wait
# (sed, not js: a Python start costs much on a loaded machine)
wait_op() {
	local l
	l=$(printf '%s' "$1" | sed -n 's|.*"selfLink": "[^"]*/projects/'$P'/\([^"]*\)".*|\1|p')
	api POST "$l/wait" | sed -n '1{s/.*"status": "\([A-Z]*\)".*/\1/; /"error": /!s/$/ None/; p}'
}
R=regions/us-east1
st=
for c in "global/httpHealthChecks {\"name\": \"icm-hc\", \"port\": 52773}" \
	"$R/targetPools {\"name\": \"icm-tp\", \"healthChecks\": [\"global/httpHealthChecks/icm-hc\"]}" \
	"$R/targetPools/icm-tp/addInstance {\"instances\": [{\"instance\": \"zones/$Z/instances/icm-vm1\"}]}" \
	"$R/addresses {\"name\": \"icm-ip\", \"labels\": {\"icm\": \"d1\"}}" \
	"$R/forwardingRules {\"name\": \"icm-fr\", \"target\": \"$R/targetPools/icm-tp\", \"IPAddress\": \"$R/addresses/icm-ip\", \"portRange\": \"52773\", \"labels\": {\"icm\": \"d1\"}}"; do
	st="$st$(wait_op "$(api POST "${c%% *}" "${c#* }")");"
done
is "a health check, a target pool, addInstance, an address, a forwarding rule: DONE" "$st" "DONE None;DONE None;DONE None;DONE None;DONE None;"
out=$(api GET "$R/forwardingRules/icm-fr")
ip=$(body "$(api GET "$R/addresses/icm-ip")" | js 'd["address"], d["status"]')
is "the rule holds the static address, now IN_USE" "$(body "$out" | js 'd["IPAddress"]') IN_USE" "$ip"
is "the pool holds icm-vm1" "$(body "$(api GET "$R/targetPools/icm-tp")" | js 'd["instances"][0].split("/")[-1]')" icm-vm1
st=
for c in "$R/targetPools/icm-tp" "$R/forwardingRules/icm-fr" "$R/targetPools/icm-tp" "global/httpHealthChecks/icm-hc" "$R/addresses/icm-ip"; do
	out=$(api DELETE "$c")
	case $(code "$out") in 200) st="$st$(wait_op "$out");" ;; *) st="$st$(body "$out" | js 'd["error"]["errors"][0]["reason"]');" ;; esac
done
is "a pool in use is not deleted; then rule, pool, check, address are" "$st" "resourceInUseByAnotherResource;DONE None;DONE None;DONE None;DONE None;"

# --- gcloud deletes ---
out=$(g compute instances delete icm-vm1 icm-vm2 --zone=$Z)
contains "gcloud deletes the instances" "$out" "Deleted [http://127.0.0.1:8089/compute/v1/projects/$P/zones/$Z/instances/icm-vm2]"
out=$(g compute disks delete icm-data icm-twice --zone=$Z)
contains "gcloud deletes the disks" "$out" "Deleted [http://127.0.0.1:8089/compute/v1/projects/$P/zones/$Z/disks/icm-twice]"
out=$(api GET "zones/$Z/disks")
is "... the boot disks went with their instances (autoDelete)" "$(body "$out" | js 'd["items"]')" "[]"
g compute firewall-rules delete icm-ports >/dev/null
g compute networks subnets delete icm-sub --region=us-east1 >/dev/null
out=$(g compute networks delete icm-net)
contains "gcloud deletes the firewall rule, the subnet and the network" "$out" "Deleted [http://127.0.0.1:8089/compute/v1/projects/$P/global/networks/icm-net]"
out=$(ins curl -sS $U/_fake/stats)
is "nothing is left" "$(printf '%s' "$out" | js 'sum(v for k, v in d["resources"].items() if k != "images")')" 0
done_testing
