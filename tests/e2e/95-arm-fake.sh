#!/usr/bin/env bash
# 95-arm-fake: the FAKE Azure Resource Manager of the Azure tests
# (tests/cloud/arm, arm-fake.py, lib.sh's arm_up) is honest with the official
# clients and does what icm's Azure scenarios rely on, never running icm:
# - @azure/identity's ClientSecretCredential and @azure/arm-resources,
#   arm-network and arm-compute (tests/cloud/azure-sdk/conformance.mjs, over
#   https with the fake's CA in NODE_EXTRA_CA_CERTS) create, read, list and
#   delete every kind icm uses, list by tag, see a failed operation's error
#   and retry a 429, follow nextLink through every list paged by 2, list
#   marketplace images and VM sizes, make a load balancer with an IP-based
#   backend pool, custom images, and see a VM PUT refused at once for an
#   unknown or restricted size, an unknown image, a weak or changed password,
#   and a failed VM provisioned again by a second PUT;
# - curl: the token endpoint's AADSTS errors (wrong secret 7000215, expired
#   secret 7000222, unknown app 700016, unknown tenant 90002) in Entra ID's
#   shape; IMDS's managed-identity token and its Metadata header; ARM's 401s
#   and MissingApiVersionParameter; a PUT's 201 + Azure-AsyncOperation +
#   Retry-After, InProgress then Succeeded; a disk's 202 + Location only; a
#   DELETE's 202 + Location, 202 then 204; an operation Failed on demand;
#   429 and 503 with Retry-After; an expired token; the resource group's
#   delete taking its resources; /_fake/stats's calls per kind and verb.
. "$(dirname "$0")/lib.sh"
NM=${AZURE_SDK_DIR:-$TOP/build/tests/azure-sdk}/node_modules
command -v curl >/dev/null || skip_all "curl is missing"
command -v node >/dev/null || skip_all "node is missing (Node.js 20 or later runs the Azure SDK clients)"
[ -d "$NM/@azure/arm-compute" ] ||
	skip_all "the Azure SDK clients are not installed in $NM (build.sh's npm ci of tests/cloud/azure-sdk)"
arm_up "$T/arm" --op-delay 0.3
. "$ARM_DIR/env"

# js EXPR: EXPR (Python, the JSON of stdin as d) printed
js() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
# jv KEY: the first value of "KEY" in the (indented, one key a line) JSON
# of stdin, quotes removed: quicker than a python3 per value
jv() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" | head -n 1; }
H=$(cat "$ARM_DIR/holder.pid")
ins() { nsenter -t "$H" -n -- "$@"; }
U=$ARM_FAKE_URL
S=/subscriptions/$AZURE_SUBSCRIPTION_ID
c() { ins curl -sS --noproxy "*" --cacert "$ARM_FAKE_CA" "$@"; }
# hc ARGS: headers and body (-i), CRs removed
hc() { c -i "$@" | tr -d '\r'; }
# hdr NAME TEXT: the value of header NAME in TEXT (curl -i output)
hdr() { printf '%s\n' "$2" | sed -n "s/^$1: //Ip" | head -1; }
status() { printf '%s\n' "$1" | sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p'; }
body() { printf '%s\n' "$1" | sed '1,/^$/d'; }
tok() {
	c -d grant_type=client_credentials -d "client_id=$2" --data-urlencode "client_secret=$3" \
		--data-urlencode scope=https://management.azure.com/.default -w '\n%{http_code}' \
		"$U/$1/oauth2/v2.0/token"
}
ctl() { c -o /dev/null -d "$1" "$U/_fake/control"; }

is "the fake's namespace has only loopback" "$(ins ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" "lo "

# --- the official clients ---
out=$(ax timeout 120 node "$TOP/tests/cloud/azure-sdk/conformance.mjs" "$NM" 2>&1)
sdk_checks "$out" 56

# --- the catalogue's password rule at its edges (arm_catalog.py) ---
is "a Linux adminPassword: 6-72 characters, 3 kinds of 4, no control characters" "$(cd "$TOP/tests/cloud" &&
	python3 -B -c 'import arm_catalog as c
print([c.password_ok(p) for p in ("Ab1de", "Ab1def", "abcdef1!", "ABCDEF1!", "abcdefG!", "abcdefgh1",
	"Ab1" + "x" * 69, "Ab1" + "x" * 70, "Ab1\tdef", "Ab1\x7fdef", None)])')" \
	"[False, True, True, True, True, False, True, False, False, False, False]"

# --- Entra ID's token endpoint ---
out=$(tok "$AZURE_TENANT_ID" "$AZURE_CLIENT_ID" "$AZURE_CLIENT_SECRET")
is "client credentials: a Bearer token for an hour" "$(printf '%s\n' "$out" | sed '$d' |
	js 'd["token_type"], d["expires_in"], len(d["access_token"]) > 40')" "Bearer 3599 True"
ARM_TOKEN=$(printf '%s\n' "$out" | sed '$d' | js 'd["access_token"]')
aad() { printf '%s\n' "$1" | sed '$d' | js 'd["error"], d["error_codes"], d["error_description"].split(":")[0]'; }
out=$(tok "$AZURE_TENANT_ID" "$AZURE_CLIENT_ID" wrong)
is "a wrong secret: 401 invalid_client AADSTS7000215" "$(printf '%s\n' "$out" | tail -1) $(aad "$out")" \
	"401 invalid_client [7000215] AADSTS7000215"
out=$(tok "$AZURE_TENANT_ID" "$AZURE_CLIENT_ID" "$AZURE_CLIENT_SECRET_EXPIRED")
is "an expired secret: AADSTS7000222" "$(printf '%s\n' "$out" | tail -1) $(aad "$out")" \
	"401 invalid_client [7000222] AADSTS7000222"
out=$(tok "$AZURE_TENANT_ID" 00000000-0000-0000-0000-000000000001 "$AZURE_CLIENT_SECRET")
is "an unknown app: AADSTS700016" "$(printf '%s\n' "$out" | tail -1) $(aad "$out")" \
	"400 unauthorized_client [700016] AADSTS700016"
out=$(tok 00000000-0000-0000-0000-0000000000aa "$AZURE_CLIENT_ID" "$AZURE_CLIENT_SECRET")
is "an unknown tenant: AADSTS90002" "$(printf '%s\n' "$out" | tail -1) $(aad "$out")" \
	"400 invalid_request [90002] AADSTS90002"
out=$(printf '%s\n' "$out" | sed '$d' | js 'd["error_description"]')
contains "the description names the tenant" "$out" "Tenant '00000000-0000-0000-0000-0000000000aa' not found"

# --- IMDS ---
M="$ARM_FAKE_IMDS_URL?api-version=2018-02-01&resource=https://management.azure.com/"
contains "IMDS is plain http" "$M" "http://127.0.0.1:8480/metadata/identity/oauth2/token?"
out=$(c "$M")
contains "IMDS without 'Metadata: true' refuses" "$out" "Required metadata header not specified"
out=$(c -w '\n%{http_code}' "${ARM_FAKE_IMDS_URL%%/metadata/*}$S/resourcegroups?api-version=2021-04-01")
is "IMDS's port serves nothing of ARM" "$(printf '%s\n' "$out" | tail -1)" 404
out=$(c -H "Metadata: true" "$M")
is "IMDS: a managed-identity token, its numbers as strings" \
	"$(printf '%s' "$out" | js 'd["token_type"], d["resource"], type(d["expires_on"]).__name__, len(d["access_token"]) > 40')" \
	"Bearer https://management.azure.com/ str True"
contains "the https port answers IMDS's path too" \
	"$(c -H "Metadata: true" "$U/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/")" '"access_token": '

# --- ARM: authentication, api-version ---
A=(-H "Authorization: Bearer $ARM_TOKEN" -H "Content-Type: application/json")
out=$(hc "$U$S/resourcegroups?api-version=2021-04-01")
is "no token: 401 AuthenticationFailed in ARM's error shape" \
	"$(status "$out") $(body "$out" | js 'd["error"]["code"], sorted(d["error"])')" \
	"401 AuthenticationFailed ['code', 'details', 'message']"
contains "with WWW-Authenticate" "$(hdr www-authenticate "$out")" 'Bearer authorization_uri='
out=$(hc "${A[@]}" "$U$S/resourcegroups")
is "no api-version: 400 MissingApiVersionParameter" "$(status "$out") $(body "$out" | jv code)" \
	"400 MissingApiVersionParameter"

# --- long-running operations ---
ctl '{"op_delay": 1.5, "retry_after": 2}'
out=$(hc "${A[@]}" -X PUT -d '{"location": "eastus", "tags": {"icm": "e2e"}}' "$U$S/resourcegroups/rg95?api-version=2021-04-01")
is "resource group: 201, Succeeded at once" "$(status "$out") $(body "$out" | jv provisioningState)" "201 Succeeded"
out=$(hc "${A[@]}" -X PUT -d '{"location": "westus"}' "$U$S/resourcegroups/rg95?api-version=2021-04-01")
is "the same group in another location: 409 InvalidResourceGroupLocation" "$(status "$out") $(body "$out" | jv code)" "409 InvalidResourceGroupLocation"
V=$S/resourceGroups/rg95/providers/Microsoft.Network/virtualNetworks/v95
out=$(hc "${A[@]}" -X PUT -d '{"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}, "subnets": [{"name": "s", "properties": {"addressPrefix": "10.9.0.0/24"}}]}}' "$U$V?api-version=2024-05-01")
AO=$(hdr azure-asyncoperation "$out")
poll=$(c "${A[@]}" "$AO")
is "network PUT: 201 Updating, Retry-After 2" "$(status "$out") $(body "$out" | jv provisioningState) $(hdr retry-after "$out")" "201 Updating 2"
contains "with Azure-AsyncOperation under the location's operations" "$AO" "$U$S/providers/Microsoft.Network/locations/eastus/operations/"
is "the operation: InProgress" "$(printf '%s' "$poll" | jv status)" InProgress
sleep 1.6
is "then Succeeded, and so is the network" "$(c "${A[@]}" "$AO" | jv status) $(c "${A[@]}" "$U$V?api-version=2024-05-01" | jv provisioningState)" "Succeeded Succeeded"
D=$S/resourceGroups/rg95/providers/Microsoft.Compute/disks/d95
out=$(hc "${A[@]}" -X PUT -d '{"location": "eastus", "sku": {"name": "Premium_LRS"}, "properties": {"diskSizeGB": 8, "creationData": {"createOption": "Empty"}}}' "$U$D?api-version=2024-03-02")
LO=$(hdr location "$out")
poll=$(hc "${A[@]}" "$LO")
is "disk PUT: 202 with Location only and no body" "$(status "$out") [$(hdr azure-asyncoperation "$out")] [$(body "$out")]" "202 [] []"
is "its Location: 202 while InProgress" "$(status "$poll")" 202
sleep 1.6
out=$(hc "${A[@]}" "$LO")
is "then 200 with the disk" "$(status "$out") $(body "$out" | js 'd["properties"]["diskSizeGB"], d["properties"]["provisioningState"]')" "200 8 Succeeded"
out=$(hc "${A[@]}" -X DELETE "$U$D?api-version=2024-03-02")
LO=$(hdr location "$out")
poll=$(hc "${A[@]}" "$LO")
is "DELETE: 202 with Location" "$(status "$out") ${LO:+Location}" "202 Location"
is "its Location: 202, then 204 when done" "$(status "$poll") $(sleep 1.6; status "$(hc "${A[@]}" "$LO")")" "202 204"
out=$(hc "${A[@]}" "$U$D?api-version=2024-03-02")
is "the disk is gone: 404 ResourceNotFound" "$(status "$out") $(body "$out" | jv code)" "404 ResourceNotFound"
is "a DELETE of what is not there: 204" "$(status "$(hc "${A[@]}" -X DELETE "$U$D?api-version=2024-03-02")")" 204

ctl '{"op_delay": 0.2, "fail_ops": {"disks": "QuotaExceeded", "networkInterfaces": "AllocationFailed"}}'
out=$(hc "${A[@]}" -X PUT -d '{"location": "eastus", "properties": {"diskSizeGB": 8, "creationData": {"createOption": "Empty"}}}' "$U$D?api-version=2024-03-02")
sleep 0.3
out=$(hc "${A[@]}" "$(hdr location "$out")")
is "an operation Failed on demand: its Location 400 with QuotaExceeded naming the location" \
	"$(status "$out") $(body "$out" | js 'd["error"]["code"], "Location: eastus" in d["error"]["message"]')" "400 QuotaExceeded True"
N=$S/resourceGroups/rg95/providers/Microsoft.Network/networkInterfaces/n95
out=$(hc "${A[@]}" -X PUT -d "{\"location\": \"eastus\", \"properties\": {\"ipConfigurations\": [{\"name\": \"c\", \"properties\": {\"subnet\": {\"id\": \"$V/subnets/s\"}}}]}}" "$U$N?api-version=2024-05-01")
is "a NIC takes .11 of its subnet" "$(body "$out" | jv privateIPAddress)" 10.9.0.11
sleep 0.3
is "its operation Failed: AllocationFailed, the NIC Failed" \
	"$(c "${A[@]}" "$(hdr azure-asyncoperation "$out")" | js 'd["status"], d["error"]["code"]') $(c "${A[@]}" "$U$N?api-version=2024-05-01" | jv provisioningState)" \
	"Failed AllocationFailed Failed"
out=$(hc "${A[@]}" -X PUT -d "{\"location\": \"eastus\", \"properties\": {\"ipConfigurations\": [{\"name\": \"c\", \"properties\": {\"subnet\": {\"id\": \"$V/subnets/nope\"}}}]}}" "$U$N-2?api-version=2024-05-01")
is "a NIC on a subnet that does not exist: 400 InvalidResourceReference" "$(status "$out") $(body "$out" | jv code)" "400 InvalidResourceReference"
out=$(hc "${A[@]}" -X DELETE "$U$V?api-version=2024-05-01")
is "a network in use cannot be deleted" "$(status "$out") $(body "$out" | jv code)" "400 InUseResourceCannotBeDeleted"

# --- throttling, tokens, tags ---
ctl '{"fail_code": 429, "fail_next": 1}'
out=$(hc "${A[@]}" "$U$V?api-version=2024-05-01")
is "an injected 429: SubscriptionRequestsThrottled with Retry-After" "$(status "$out") $(body "$out" | jv code) $(hdr retry-after "$out")" "429 SubscriptionRequestsThrottled 1"
is "the next call passes" "$(status "$(hc "${A[@]}" "$U$V?api-version=2024-05-01")")" 200
ctl '{"fail_code": 503, "fail_next": 1}'
out=$(hc "${A[@]}" "$U$V?api-version=2024-05-01")
is "an injected 503 with Retry-After" "$(status "$out") $(hdr retry-after "$out")" "503 1"
contains "every answer says it is a FAKE" "$(hdr x-fake "$out")" "not Azure"
contains "and carries x-ms-ratelimit-remaining-subscription-reads" "$(hc "${A[@]}" "$U$V?api-version=2024-05-01")" "x-ms-ratelimit-remaining-subscription-reads: "
out=$(c "${A[@]}" "$U$S/resources?api-version=2021-04-01&%24filter=tagName%20eq%20%27icm%27%20and%20tagValue%20eq%20%27e2e%27")
is "nothing but the group is tagged icm=e2e: no resource listed" "$(printf '%s' "$out" | jv value)" "[]"
out=$(hc "${A[@]}" "$U$S/resources?api-version=2021-04-01&%24filter=tagname%20ne%20%27x%27")
is "a \$filter ARM does not know: 400 InvalidFilterInQueryString" "$(status "$out") $(body "$out" | jv code)" "400 InvalidFilterInQueryString"
is "stats count the PUTs per resource" "$(c "$U/_fake/stats" | js "d['puts']['$V'], d['puts']['$D']")" "1 2"
P=$S/resourceGroups/rg95/providers/Microsoft.Network/publicIPAddresses/p95
c "$U/_fake/stats" > "$T/s0"
out=$(hc "${A[@]}" -X PUT -d '{"location": "eastus", "sku": {"name": "Standard"}}' "$U$P?api-version=2024-05-01")
c "${A[@]}" "$(hdr azure-asyncoperation "$out")" > /dev/null
c "${A[@]}" "$U$P?api-version=2024-05-01" > /dev/null
c "${A[@]}" -X DELETE "$U$P?api-version=2024-05-01" > /dev/null
c "$U/_fake/stats" > "$T/s1"
is "stats: PUT, poll, GET, DELETE per kind, and every ARM call" "$(python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
k = "Microsoft.Network/publicIPAddresses"
ka, kb = a["kinds"].get(k, {}), b["kinds"][k]
print(sorted((v, kb[v] - ka.get(v, 0)) for v in kb), b["arm_calls"] - a["arm_calls"])' "$T/s0" "$T/s1")" \
	"[('DELETE', 1), ('GET', 1), ('PUT', 1), ('poll', 1)] 4"
out=$(hc "${A[@]}" -X DELETE "$U$S/resourcegroups/rg95?api-version=2021-04-01")
LO=$(hdr location "$out")
is "resource group DELETE: 202 with Location only" "$(status "$out") ${LO:+Location} [$(hdr azure-asyncoperation "$out")]" "202 Location []"
sleep 0.3
is "when done: 204, the group and its resources gone" "$(status "$(hc "${A[@]}" "$LO")") $(c "${A[@]}" "$U$S/resourcegroups/rg95?api-version=2021-04-01" | jv code) $(c "$U/_fake/state" | js 'len(d["resources"])')" \
	"204 ResourceGroupNotFound 0"
ctl '{"expire_tokens": true}'
out=$(hc "${A[@]}" "$U$S/resourcegroups?api-version=2021-04-01")
is "an expired token: 401 ExpiredAuthenticationToken" "$(status "$out") $(body "$out" | jv code)" "401 ExpiredAuthenticationToken"

echo "1..$_n"
done_testing
