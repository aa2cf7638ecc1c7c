#!/usr/bin/env bash
# 89-vsphere-sample.sh: the user's path with the vSphere sample: `icm
# samples`, `icm keygen ssh` and `icm keygen tls`, the sample's /Samples
# paths pointed at what those wrote, Server and the password of the vcsim
# it names; against vcsim with its own stock inventory (vcsim -stock: no
# pod, no template of ours), as the sample's README.txt says.  provision
# warns that vCenter's certificate is not verified (the sample's
# VSphereAllowUnverifiedSSL), clones, customizes and powers on the four
# VMs at the sample's fixed addresses (read back with vcprops), then fails
# at node preparation naming a node: the sample's 10.0.0.x addresses lead
# nowhere, by construction, as everything here runs in a network namespace
# with only loopback.  unprovision removes the VMs.  Root only.
# into a network namespace of its own first (before lib.sh makes $T)
if [ -z "${ICM_E2E_NONET:-}" ] && [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	ICM_E2E_NONET=1 exec unshare -n -- "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root for a loopback-only network namespace"
[ -n "${ICM_E2E_NONET:-}" ] || skip_all "cannot make a network namespace (unshare -n)"
ip link set lo up 2>/dev/null || skip_all "cannot bring up loopback in a new network namespace"
vcsim_up -stock
plan 13
show() { printf '%s\n' "$1" | tail -n 8 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }

cd "$T" || exit 1
"$ICM" samples S >/dev/null 2>&1
cd S/vSphere || exit 1
"$ICM" keygen ssh >/dev/null 2>&1 && "$ICM" keygen tls >/dev/null 2>&1
ok "icm keygen ssh and tls beside the sample" test -s ssh/insecure.pub -a -d tls
# the edits README.txt asks for: the vCenter and its user; the key paths
sed -i -e "s|\"localhost:8989\"|\"$VC_SERVER\"|" -e "s|\"user\"|\"$VC_USER\"|" \
	-e "s|/Samples/ssh|$PWD/ssh|" \
	-e "s|/Samples/tls|$PWD/tls|" -e "s|/Samples/license|$PWD|" \
	-e 's|"Provider": "vSphere",|"Provider": "vSphere", "RetryCount": "1", "RetryInterval": "100",|' \
	defaults.json
out=$(setsid "$ICM" provision -force </dev/null 2>&1)
check "no password and no terminal to ask on: exit 1" $? 1 "$out"
contains "... saying so" "$out" "VSpherePassword is not set and there is no terminal to ask for it"
# the password as the README says: asked for on the terminal, or added
sed -i "s|\"VSphereUser\": \"$VC_USER\",|&\n    \"VSpherePassword\": \"$VC_PASS\",|" defaults.json
out=$("$ICM" provision -force 2>&1)
check "provision: exit 1 at node preparation (no network)" $? 1 "$out"
contains "the lab-only switch is warned about" "$out" \
	"VSphereAllowUnverifiedSSL is true: the identity of vCenter $VC_SERVER is not verified"
has_line "the four VMs were waited for" "$out" "Waiting for 4 virtual machines to report their address..."
contains "node preparation failed naming a node" "$out" "provision on Sample-DATA-TEST-0001 failed"
vms=$(vcprops -prefix Sample- | python3 -c '
import json, sys
for v in json.load(sys.stdin):
    print(v["name"], v["numCPU"], v["memoryMB"], v["powerState"], v["ipAddress"], len(v["controllers"]))' 2>&1)
is "vcprops: the sample's four VMs, 2 vCPU, 4096 MB, on, fixed IPs, two SCSI controllers" "$vms" \
"Sample-COMPUTE-TEST-0003 2 4096 poweredOn 10.0.0.13 2
Sample-COMPUTE-TEST-0004 2 4096 poweredOn 10.0.0.14 2
Sample-DATA-TEST-0001 2 4096 poweredOn 10.0.0.11 2
Sample-DATA-TEST-0002 2 4096 poweredOn 10.0.0.12 2"
out=$("$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
is "no VM of the sample left" "$(vcprops -names | grep -c '^Sample-')" 0
# the stock inventory's distributed port group as NetworkInterface
sed -i 's|"VM Network"|"DC0_DVPG0"|' defaults.json
out=$("$ICM" provision -force 2>&1)
contains "a distributed port group: the clones are made (then node preparation fails)" "$out" \
	"Waiting for 4 virtual machines to report their address..."
lacks "... no vSphere error" "$out" "Error: vSphere"
"$ICM" unprovision -force >/dev/null 2>&1
is "... and removed" "$(vcprops -names | grep -c '^Sample-')" 0
done_testing
