#!/usr/bin/env bash
# 86-vcsim: the vCenter simulator harness of the vSphere tests
# (tests/vsphere/, lib.sh's vcsim_up) does what icm's vSphere scenarios
# rely on, checked with hand-written SOAP over curl (the wire format icm
# speaks) and the govmomi reader vcprops, never icm:
# - https verifies with $VC_CA only; a wrong password gives InvalidLogin;
# - RecommendDatastores naming only the pod DC0_POD0 recommends one of its
#   datastores (simulator.patch);
# - a clone of ubuntu-2204-template with config (CPUs, memory, guestId, a
#   ParaVirtual SCSI controller on bus 1 and an eager-zeroed disk on it,
#   guestinfo extraConfig), LinuxPrep customization with a fixed IP and
#   powerOn comes out with all of that (simulator.patch), and vcprops
#   reads a custom attribute set on it by name;
# - with -datastore-free, a clone whose disks do not fit fails its task
#   with NoDiskSpace and leaves no VM.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip_all "curl is missing"
command -v python3 >/dev/null || skip_all "python3 is missing"
vcsim_up -datastore-free $((100 << 30))
plan 19

# soap BODY [curl options]: posts BODY in a SOAP envelope to $VC_URL with
# the session cookie in $JAR (default $T/jar); the response on stdout.
soap() {
	local body=$1; shift
	printf '%s' '<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'"$body"'</soapenv:Body></soapenv:Envelope>' |
	curl -sS -b "${JAR:-$T/jar}" -c "${JAR:-$T/jar}" -H 'Content-Type: text/xml; charset=utf-8' \
		-H 'SOAPAction: "urn:vim25/7.0"' --data-binary @- "$@" "$VC_URL"
}
login() {
	soap "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>$VC_USER</userName><password>$1</password></Login>" "${@:2}"
}
# ref PATH: the moref value of an inventory path (SearchIndex).
ref() {
	soap "<FindByInventoryPath xmlns=\"urn:vim25\"><_this type=\"SearchIndex\">SearchIndex</_this><inventoryPath>$1</inventoryPath></FindByInventoryPath>" |
		sed -n 's|.*<returnval type="[A-Za-z]*">\([^<]*\)</returnval>.*|\1|p'
}
# task_info TASK: the task's info.state and info.error, as XML.
task_info() {
	soap "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>Task</type><pathSet>info.state</pathSet><pathSet>info.error</pathSet></propSet><objectSet><obj type=\"Task\">$1</obj></objectSet></specSet><options/></RetrievePropertiesEx>"
}
# clone NAME DATASTORE DISK_KB: CloneVM_Task of the template into /DC0/vm
# on DATASTORE: 4 CPUs, 8192 MB, debian10_64Guest (the template: 1, 1024,
# ubuntu64Guest), a ParaVirtual SCSI
# controller on bus 1 with an eager-zeroed DISK_KB disk, guestinfo.icm.test,
# LinuxPrep NAME.example.test with 10.0.0.21/24 on NIC 0, powered on.
# Prints the task's moref.
clone() {
	soap "<CloneVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$TPL</_this>
<folder type=\"Folder\">$VMF</folder><name>$1</name><spec>
<location><datastore type=\"Datastore\">$2</datastore><pool type=\"ResourcePool\">$POOL</pool></location>
<template>false</template>
<config><guestId>debian10_64Guest</guestId><numCPUs>4</numCPUs><memoryMB>8192</memoryMB>
<deviceChange><operation>add</operation><device xsi:type=\"ParaVirtualSCSIController\"><key>-100</key><busNumber>1</busNumber><sharedBus>noSharing</sharedBus></device></deviceChange>
<deviceChange><operation>add</operation><fileOperation>create</fileOperation><device xsi:type=\"VirtualDisk\"><key>-101</key>
<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName></fileName><diskMode>persistent</diskMode><thinProvisioned>false</thinProvisioned><eagerlyScrub>true</eagerlyScrub></backing>
<controllerKey>-100</controllerKey><unitNumber>0</unitNumber><capacityInKB>$3</capacityInKB></device></deviceChange>
<extraConfig><key>guestinfo.icm.test</key><value xsi:type=\"xsd:string\">yes</value></extraConfig></config>
<customization><identity xsi:type=\"CustomizationLinuxPrep\"><hostName xsi:type=\"CustomizationFixedName\"><name>$1</name></hostName><domain>example.test</domain></identity>
<globalIPSettings></globalIPSettings>
<nicSettingMap><adapter><ip xsi:type=\"CustomizationFixedIp\"><ipAddress>10.0.0.21</ipAddress></ip><subnetMask>255.255.255.0</subnetMask><gateway>10.0.0.1</gateway></adapter></nicSettingMap></customization>
<powerOn>true</powerOn></spec></CloneVM_Task>" |
		sed -n 's|.*<returnval type="Task">\([^<]*\)</returnval>.*|\1|p'
}

# TLS and login.
out=$(login "$VC_PASS" --cacert "$VC_CA" 2>&1)
contains "login over https verified with VC_CA" "$out" "<userName>$VC_USER</userName>"
out=$(curl -sS --cacert /etc/ssl/certs/ca-certificates.crt "$VC_URL" 2>&1); st=$?
is_shown "without VC_CA the certificate does not verify (curl exit 60)" "$st" 60 "$out"
# (in a session of its own: vcsim refuses a second login in one session)
out=$(JAR=$T/jar2 login "wrong-$VC_PASS" --cacert "$VC_CA" -o "$T/bad" -w '%{http_code}' 2>&1)
contains "a wrong password: InvalidLogin" "$(cat "$T/bad")" 'xsi:type="InvalidLogin"'
export CURL_CA_BUNDLE=$VC_CA

# Inventory names of tests/vsphere/README.md.
TPL=$(ref /DC0/vm/ubuntu-2204-template) VMF=$(ref /DC0/vm) POOL=$(ref /DC0/host/DC0_C0/Resources)
POD=$(ref /DC0/datastore/DC0_POD0)
DS0=$(ref /DC0/datastore/DC0_POD0/LocalDS_0) DS1=$(ref /DC0/datastore/DC0_POD0/LocalDS_1)
ok "inventory: template, vm folder, pool, pod, its two datastores ($TPL $VMF $POOL $POD $DS0 $DS1)" \
	test -n "$TPL" -a -n "$VMF" -a -n "$POOL" -a -n "$POD" -a -n "$DS0" -a -n "$DS1"

# Storage DRS placement naming only the pod.
out=$(soap "<RecommendDatastores xmlns=\"urn:vim25\"><_this type=\"StorageResourceManager\">StorageResourceManager</_this><storageSpec>
<type>clone</type><vm type=\"VirtualMachine\">$TPL</vm>
<podSelectionSpec><storagePod type=\"StoragePod\">$POD</storagePod></podSelectionSpec>
<cloneSpec><location><pool type=\"ResourcePool\">$POOL</pool></location><template>false</template><powerOn>true</powerOn></cloneSpec>
<cloneName>vcsim-a</cloneName><folder type=\"Folder\">$VMF</folder></storageSpec></RecommendDatastores>")
DS=$(printf '%s' "$out" | sed -n 's|.*<destination type="Datastore">\([^<]*\)</destination>.*|\1|p' | head -1)
ok "RecommendDatastores for the pod alone: a datastore of the pod ($DS)" \
	test -n "$DS" -a \( "$DS" = "$DS0" -o "$DS" = "$DS1" \)

# A clone with config, customization and powerOn, on the recommended
# datastore (LocalDS_0 if there is none, so that the checks below stand alone).
CDS=${DS:-$DS0} CDS_NAME=LocalDS_0
[ "$CDS" = "$DS1" ] && CDS_NAME=LocalDS_1
task=$(clone vcsim-a "$CDS" $((20 << 20)))
contains "CloneVM_Task succeeds" "$(task_info "$task")" 'type="TaskInfoState">success</val>'
# icm's custom attribute on it, as icm sets it (CustomFieldsManager).
key=$(soap '<AddCustomFieldDef xmlns="urn:vim25"><_this type="CustomFieldsManager">CustomFieldsManager</_this><name>icm.deployment</name><moType>VirtualMachine</moType></AddCustomFieldDef>' |
	sed -n 's|.*<returnval><key>\([0-9]*\)</key>.*|\1|p')
soap "<SetField xmlns=\"urn:vim25\"><_this type=\"CustomFieldsManager\">CustomFieldsManager</_this><entity type=\"VirtualMachine\">$(ref /DC0/vm/vcsim-a)</entity><key>$key</key><value>Sample-TEST</value></SetField>" >/dev/null
json=$(vcprops -folder /DC0/vm -prefix vcsim-a)
get() { printf '%s' "$json" | python3 -c "import json,sys; v=json.load(sys.stdin); print(len(v) == 1 and $1)"; }
is "vcprops: one VM vcsim-a in /DC0/vm" "$(get 'v[0]["folder"]')" /DC0/vm
is "numCPU, memoryMB, guestId from the clone's config" \
	"$(get '(v[0]["numCPU"], v[0]["memoryMB"], v[0]["guestId"])')" "(4, 8192, 'debian10_64Guest')"
is "powered on" "$(get 'v[0]["powerState"]')" poweredOn
is "customization: guest IP, host name, domain" \
	"$(get '(v[0]["ipAddress"], v[0]["hostName"], v[0]["domain"])')" "('10.0.0.21', 'vcsim-a', 'example.test')"
is "SCSI controllers: the template's on bus 0, the added one on bus 1, both ParaVirtual" \
	"$(get '[(c["busNumber"], c["type"]) for c in v[0]["controllers"]]')" \
	"[(0, 'ParaVirtualSCSIController'), (1, 'ParaVirtualSCSIController')]"
is "disks: the template's (16 GiB thin, bus 0) and the added one (20 GiB eager-zeroed, bus 1) on the datastore" \
	"$(get "sorted((d['capacityKB'], d['controllerBus'], d['thinProvisioned'], d['eagerlyScrub'], d['datastore'] == '$CDS_NAME') for d in v[0]['disks'])")" \
	"[(16777216, 0, True, False, True), (20971520, 1, False, True, True)]"
is "guestinfo.icm.* extraConfig" "$(get 'v[0]["guestinfo"]')" "{'guestinfo.icm.test': 'yes'}"
is "custom attribute icm.deployment by name" "$(get 'v[0]["customValues"]')" "{'icm.deployment': 'Sample-TEST'}"
is "the template stays a powered-off template" \
	"$(vcprops -prefix ubuntu-2204-template | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v[0]["template"], v[0]["powerState"])')" \
	"True poweredOff"

# -datastore-free 100 GiB: 16 GiB + 200 GiB does not fit.
task=$(clone vcsim-b "$CDS" $((200 << 20)))
out=$(task_info "$task")
contains "a clone too big for the datastore's free space fails" "$out" 'type="TaskInfoState">error</val>'
contains "... with NoDiskSpace" "$out" ':type="NoDiskSpace"'
names=$(vcprops -names)
lacks "... and leaves no VM" "$names" vcsim-b
has_line "vcprops -names lists the clone" "$names" vcsim-a

done_testing
