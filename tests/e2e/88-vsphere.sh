#!/usr/bin/env bash
# 88-vsphere.sh: the vSphere provider against vcsim (tests/vsphere: govmomi's
# simulator, patched, TLS with a CA of its own and one user), continuing on
# the test world.  A deployment of three DATA nodes (one definition of two,
# one of one) with DiskPolicy thin, two SCSI controllers, the data disk on
# controller 2, a datastore cluster (storage DRS placement), and fixed IPs
# that are the world's Docker hosts: provision clones and customizes the
# VMs, and vcprops (a govmomi reader of its own, not icm) shows each VM's
# CPUs, memory, controllers, disks, guest address, host name, folder and
# custom attributes; node preparation and `icm run` (the IRIS stand-in
# from the world's TLS registry) continue on the hosts the fixed IPs name,
# each data disk being a loop device of this machine there; `icm ps`
# lists them; unprovision leaves no VM of the deployment and no folder.
# Then: SIGKILL after every journal record, provision again: exactly the
# planned VMs, none twice; a wrong password, a missing template, a full
# datastore and an IP wait that times out each give one clear error and
# leave a state the next provision continues from.  Root only.
. "$(dirname "$0")/lib.sh"
command -v losetup >/dev/null && command -v mkfs.ext4 >/dev/null ||
	skip_all "losetup and mkfs.ext4 are needed (util-linux, e2fsprogs)"
world_docker_up 3
vcsim_up
LOOPS=()
_on_exit 'for l in "${LOOPS[@]}"; do losetup -d "$l"; done'
plan 58
show() { printf '%s\n' "$1" | tail -n 8 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
registry_push iris:iris

cd "$T" || exit 1
for i in 1 2 3; do
	truncate -s 64M "disk$i.img" && l=$(losetup -f --show "$T/disk$i.img") &&
		mkfs.ext4 -q "$l" && LOOPS+=("$l")
done
is "three loop devices for the data disks" "${#LOOPS[@]}" 3
MP=/home/ec2-user/irissys
IRISPW="iris-pw-$$-$RANDOM"
vdefaults() {	# $1: Label, $2: extra fields
	cat <<JSON
{"Provider": "vSphere", "Label": "$1", "Tag": "T",
 "Server": "$VC_SERVER", "VSphereCAFile": "$VC_CA",
 "VSphereUser": "$VC_USER", "VSpherePassword": "$VC_PASS",
 "Datacenter": "DC0", "ComputeCluster": "DC0_C0",
 "DatastoreCluster": "DC0_POD0", "NetworkInterface": "VM Network",
 "Template": "ubuntu-2204-template", "GuestID": "ubuntu64Guest",
 "VCPU": "2", "Memory": "2048", "DiskPolicy": "thin",
 "SCSIControllerCount": "2", "DataVolumeSCSIController": "2",
 "DataVolumeSize": "1", "FileSystem": "ext4",
 "DNSServers": "198.18.0.1", "DNSSuffixes": "example.com", "Domain": "example.com",
 "IPv4Netmask": "24", "IPv4Gateway": "198.18.0.1", "WaitForGuestNetTimeout": "1",
 "SSHUser": "ec2-user", "SSHPublicKey": "$KEY.pub", "SSHPrivateKey": "$KEY",
 "DockerImage": "198.18.0.1:5000/icm/iris:standin-v1",
 "DockerRegistry": "198.18.0.1:5000", "DockerUsername": "icmtest",
 "DockerPassword": "$(cat "$R/password")", "ISCPassword": "$IRISPW",
 "WIJDeviceName": "create", "Journal1DeviceName": "create", "Journal2DeviceName": "create",
 "DataMountPoint": "$MP/data", "WIJMountPoint": "$MP/wij",
 "Journal1MountPoint": "$MP/journal1", "Journal2MountPoint": "$MP/journal2",
 "RetryCount": "2", "RetryInterval": "200"${2:-}}
JSON
}
# each definition's nodes get their data disk as DataDeviceName: the world's
# hosts share this machine's /dev, so each definition names its own loop
vdefaults Vs > defaults.json
cat > definitions.json <<JSON
[{"Role": "DATA", "Count": "2", "IPv4Addresses": "198.18.0.11, 198.18.0.12",
  "DataDeviceName": "${LOOPS[0]}"},
 {"Role": "DATA", "Count": "1", "IPv4Addresses": "198.18.0.13",
  "DataDeviceName": "${LOOPS[2]}"}]
JSON
M=(Vs-DATA-T-0001 Vs-DATA-T-0002 Vs-DATA-T-0003)
# vcprops: the deployment's VMs as "name cpus memory ip host ctrls disks"
census() {
	vcprops -prefix "$1-" 2>/dev/null | python3 -c '
import json, sys
for v in json.load(sys.stdin):
    print(v["name"], v["numCPU"], v["memoryMB"], v["powerState"], v["ipAddress"] or "-")'
}

# The two nodes of definition 1 share one DataDeviceName, and the hosts
# share /dev: node 2 gets its own loop at that name in its mount namespace.
out=$("$TOP/tests/world/world" exec 2 --dir "$W" -- mount --bind "${LOOPS[1]}" "${LOOPS[0]}" 2>&1)
check "host 2 sees its own disk at ${LOOPS[0]}" $? 0 "$out"

out=$("$ICM" provision 2>&1)
check "provision on vSphere (vcsim) exits 0" $? 0 "$out"
has_line "the folder's apply line" "$out" "...completed apply of Vs-T"
has_line "the VMs are waited for" "$out" "Waiting for 3 virtual machines to report their address..."
contains "node preparation ran on the world hosts" "$out" "Mounting volumes on ${M[1]}..."
contains "the inventory shows the fixed IPs" "$(echo "$out" | tr -s ' ')" "${M[2]} 198.18.0.13"
lacks "no warning about unverified TLS (VSphereCAFile given)" "$out" "not verified"
props=$(vcprops -prefix Vs- 2>&1)
summary=$(printf '%s' "$props" | python3 -c '
import json, sys
for v in json.load(sys.stdin):
    c = sorted((x["busNumber"], x["type"]) for x in v["controllers"])
    d = sorted((x["controllerBus"], x["capacityKB"], x["thinProvisioned"], x["eagerlyScrub"]) for x in v["disks"])
    print(v["name"], v["folder"], v["numCPU"], v["memoryMB"], v["guestId"], v["powerState"],
          v["ipAddress"], v["hostName"], v["domain"], v["customValues"].get("icm.deployment"),
          v["customValues"].get("icm.machine"), c, d, sorted({x["datastore"] for x in v["disks"]}))
' 2>&1)
for i in 0 1 2; do
	contains "vcprops: ${M[$i]}: folder, 2 CPUs, 2048 MB, guest, on, its IP and host name, marks" \
		"$summary" "${M[$i]} /DC0/vm/Vs-T 2 2048 ubuntu64Guest poweredOn 198.18.0.1$((i + 1)) ${M[$i]} example.com Vs-T ${M[$i]}"
done
contains "vcprops: two paravirtual SCSI controllers" "$summary" \
	"[(0, 'ParaVirtualSCSIController'), (1, 'ParaVirtualSCSIController')]"
contains "vcprops: the template's disk on bus 0, a thin 1 GB data disk on bus 1" "$summary" \
	"[(0, 16777216, True, False), (1, 1048576, True, False)]"
contains "vcprops: placed on a datastore of the pod" "$summary" "['LocalDS_"
ok "the Terraform templates are in the state directory" \
	test -s state/Vs-DATA-T/infrastructure.tf -a -s state/Vs-T/terraform.tfvars
# (instances.json holds the deployment's fields, as ICM's does: mode 0600)
is "the vCenter password is in no file of the state directory" "$(grep -rl "$VC_PASS" state)" ""
lacks "... nor in icm.log" "$(cat icm.log state/icm.log 2>/dev/null)" "$VC_PASS"

out=$("$ICM" run 2>&1)
check "icm run on the VMs' hosts exits 0" $? 0 "$out"
contains "run waits for IRIS on node 3" "$out" "Waiting for InterSystems IRIS to start on ${M[2]}..."
out=$("$ICM" ps 2>&1)
check "icm ps exits 0" $? 0 "$out"
contains "ps lists node 2 at its fixed IP" "$(echo "$out" | tr -s ' ')" "${M[1]} 198.18.0.12 iris"
is "the data disk is mounted on host 2 (its own loop)" \
	"$("$TOP/tests/world/world" exec 2 --dir "$W" -- findmnt -no MAJ:MIN "$MP/data" 2>&1 | tr -d ' ')" \
	"$(lsblk -dno MAJ:MIN "${LOOPS[1]}" | tr -d ' ')"

out=$("$ICM" unprovision -force 2>&1)
check "unprovision exits 0" $? 0 "$out"
is "no VM of the deployment left" "$(vcprops -names | grep -c '^Vs-')" 0
names=$(vcprops -names 2>&1)
lacks "... and no folder Vs-T (no VM is in it either)" "$(vcprops 2>&1)" '"folder": "/DC0/vm/Vs-T"'
contains "the template is still there" "$names" "ubuntu-2204-template"

# -- SIGKILL after every journal record, then provision again -----------------------
# (the world's hosts stay prepared: node preparation repeats quickly)
vdefaults Vk > defaults.json
cat > definitions.json <<JSON
[{"Role": "DATA", "Count": "2", "IPv4Addresses": "198.18.0.11, 198.18.0.12",
  "DataDeviceName": "create"},
 {"Role": "DATA", "Count": "1", "StartCount": "3", "IPv4Addresses": "198.18.0.13",
  "DataDeviceName": "create"}]
JSON
rm -rf state instances.json
"$ICM" provision >/dev/null 2>&1
NREC=$(grep -c '"rec":"done"' state/journal)
"$ICM" unprovision -force >/dev/null 2>&1
rm -rf state instances.json
FULL="Vk-DATA-T-0001 2 2048 poweredOn 198.18.0.11
Vk-DATA-T-0002 2 2048 poweredOn 198.18.0.12
Vk-DATA-T-0003 2 2048 poweredOn 198.18.0.13"
bad=""
for n in $(seq 1 $((NREC * 2))); do
	ICM_TEST_KILL_AFTER=$n "$ICM" provision >/dev/null 2>&1
	st=$?
	[ "$st" = 137 ] || break
	"$ICM" provision >/dev/null 2>&1 || bad="$bad $n:provision-failed"
	c=$(census Vk)
	[ "$c" = "$FULL" ] || bad="$bad $n:[$c]"
	"$ICM" unprovision -force >/dev/null 2>&1 || bad="$bad $n:unprovision-failed"
	rm -rf state instances.json
done
"$ICM" unprovision -force >/dev/null 2>&1	# the provision no kill stopped
rm -rf state instances.json
[ "$n" -ge 5 ] && ok=0 || ok=1
is "killed after each of $((n - 1)) records (a full provision ends before record $n)" "$ok" 0
is "after every kill: exactly the planned VMs, then none" "$bad" ""
# killed after each call but before its answer is recorded (a lost answer:
# the clones exist, the journal says PENDING): adopted by name, none twice
bad=""
for m in $(seq 1 $((NREC * 2))); do
	ICM_TEST_KILL_BEFORE_RESULT=$m "$ICM" provision >/dev/null 2>&1
	[ $? = 137 ] || break
	"$ICM" provision >/dev/null 2>&1 || bad="$bad $m:provision-failed"
	c=$(census Vk)
	[ "$c" = "$FULL" ] || bad="$bad $m:[$c]"
	"$ICM" unprovision -force >/dev/null 2>&1 || bad="$bad $m:unprovision-failed"
	rm -rf state instances.json
done
"$ICM" unprovision -force >/dev/null 2>&1
rm -rf state instances.json
is "killed before each of $((m - 1)) answers was recorded: exactly the planned VMs" "$bad" ""
is "nothing of Vk left" "$(census Vk)" ""

# -- the engine's reconcile and scale-in ----------------------------------------------
"$ICM" provision >/dev/null 2>&1
out=$(vcprops -destroy Vk-DATA-T-0002 2>&1)
check "a VM destroyed behind icm's back (vcprops)" $? 0 "$out"
out=$("$ICM" provision </dev/null 2>&1)
check "provision asks before making it again: exit 1 unconfirmed" $? 1 "$out"
contains "... naming it" "$out" "1 node of Vk-T no longer exists (Vk-DATA-T-0002): it will be created again"
out=$("$ICM" provision -force 2>&1)
check "provision -force makes it again" $? 0 "$out"
is "... exactly the planned VMs" "$(census Vk)" "$FULL"
sed 's/"Count": "2", "IPv4Addresses": "198.18.0.11, 198.18.0.12"/"Count": "1", "IPv4Addresses": "198.18.0.11"/' \
	definitions.json > fewer.json
out=$("$ICM" provision -force -definitions fewer.json 2>&1)
check "one node fewer: provision -force scales in" $? 0 "$out"
is "... its VM is gone, the others kept" "$(census Vk | cut -d' ' -f1 | tr '\n' ' ')" \
	"Vk-DATA-T-0001 Vk-DATA-T-0003 "
"$ICM" unprovision -force -definitions fewer.json >/dev/null 2>&1
rm -rf state instances.json
is "nothing of Vk left after unprovision" "$(census Vk)" ""

# -- errors, each followed by the provision that continues -----------------------------
out=$("$ICM" provision -override '{"VSpherePassword": "wrong"}' 2>&1)
check "a wrong password: exit 1" $? 1 "$out"
contains "... one line naming the fields" "$out" "the user name or password is wrong (VSphereUser, VSpherePassword)"
lacks "... and never the password" "$out" "$VC_PASS"
out=$("$ICM" provision -override '{"Template": "no-such-template"}' 2>&1)
check "a missing template: exit 1" $? 1 "$out"
contains "... naming the field and the value" "$out" "Template 'no-such-template': no VirtualMachine of that name in DC0"
out=$("$ICM" provision -override '{"VSphereCAFile": ""}' 2>&1)
check "vCenter's CA neither given nor trusted: exit 1" $? 1 "$out"
contains "... the TLS failure named" "$out" "cannot reach vCenter $VC_SERVER (Server): RetrieveServiceContent"
out=$(SSL_CERT_FILE=$VC_CA "$ICM" provision -override '{"VSphereCAFile": "", "Template": "no-such-template"}' 2>&1)
check "SSL_CERT_FILE trusts it instead (then the missing template stops it)" $? 1 "$out"
contains "... past TLS and login" "$out" "Template 'no-such-template': no VirtualMachine"
echo '[{"Role": "DATA", "Count": "1", "StartCount": "4"}]' > dhcp.json
out=$("$ICM" provision -definitions dhcp.json 2>&1)
check "DHCP that never answers: exit 1 after WaitForGuestNetTimeout" $? 1 "$out"
contains "... naming the node and the field" "$out" \
	"Vk-DATA-T-0004 reported no IP address within 1 minute (WaitForGuestNetTimeout)"
out=$("$ICM" unprovision -force -definitions dhcp.json 2>&1)
check "... and unprovision removes it" $? 0 "$out"
rm -rf state instances.json
out=$("$ICM" provision 2>&1)
check "after the errors, provision continues and completes" $? 0 "$out"
is "... with exactly the planned VMs" "$(census Vk)" "$FULL"
out=$("$ICM" provision -force -override '{"OSVolumeSize": "40"}' 2>&1)
check "a larger disk for existing VMs: exit 1" $? 1 "$out"
contains "... refused naming the node and the field, nothing changed" "$out" \
	"Vk-DATA-T-0001: OSVolumeSize 32 -> 40: growing a disk of an existing VM is not supported on vSphere"
"$ICM" unprovision -force >/dev/null 2>&1
rm -rf state instances.json

# a full datastore: a vCenter whose datastores have 4 GB free each
vcsim_up -datastore-free $((4 << 30))
vdefaults Vf > defaults.json
out=$("$ICM" provision 2>&1)
check "a full datastore: exit 1 before any clone" $? 1 "$out"
contains "... naming the datastore, its field and the need" "$out" "(DatastoreCluster) is full: 4 GB free"
is "... no VM made" "$(census Vf)" ""
done_testing
