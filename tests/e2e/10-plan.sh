#!/usr/bin/env bash
# 10-plan: icm provision -plan on the guide's two AWS deployments (the
# samples icm ships): ICM's node names, the load balancer, no changes.
# Then the guide's tables transcribed as written (tests/data/guide: Label
# and Tag in every definition, values as strings, the DS without a
# StartCount) plan to the guide's machine names.  The vSphere sample plans
# without any network (in a namespace with none, where one can be made).
. "$(dirname "$0")/lib.sh"
plan 24

names() { echo "$1" | awk 'NR>2 && /-TEST-/ {print $1}' | tr '\n' ' '; }

cp -r "$TOP/samples/AWS/ECP" "$T/ecp"
cd "$T/ecp"
before=$(snapshot .)
out=$("$ICM" provision -plan 2>&1); st=$?
is "ECP: exit 0" "$st" 0
is "ECP: ICM's node names, mirror marks and the LB" "$(names "$out")" \
	"ECP-DM-TEST-0001+ ECP-DM-TEST-0002- ECP-AM-TEST-0003 ECP-AM-TEST-0004 ECP-AM-TEST-0005 ECP-LB-TEST-0002 ECP-AR-TEST-0006 "
contains "ECP: the LB fronts AM" "$(echo "$out" | grep ECP-LB | tr -s ' ')" \
	"ECP-LB-TEST-0002 LB"
contains "ECP: (virtual AM)" "$out" "(virtual AM)"
contains "ECP: the DM machine type from the definition" \
	"$(echo "$out" | grep ECP-DM-TEST-0001)" "m4.xlarge"
contains "ECP: the zone" "$(echo "$out" | grep ECP-AR-TEST-0006)" "us-west-1c"
is "ECP: nothing written" "$(snapshot .)" "$before"

"$ICM" provision --plan -json >/dev/null 2>&1; st=$?
is "ECP: -plan -json exits 0" "$st" 0
contains "ECP: response.json lists the instances" "$(cat response.json)" \
	'"MachineName":	"ECP-LB-TEST-0002"'
rm -f response.json

cp -r "$TOP/samples/AWS/Sharding" "$T/shard"
cd "$T/shard"
before=$(snapshot .)
out=$("$ICM" provision -plan 2>&1); st=$?
is "Sharding: exit 0" "$st" 0
contains "Sharding: the DM" "$(names "$out")" "SHARDING-DM-TEST-0001"
is "Sharding: four DS nodes" "$(names "$out" | tr ' ' '\n' | grep -c SHARDING-DS-TEST-)" 4
is "Sharding: nothing written" "$(snapshot .)" "$before"

cd "$T"
out=$("$ICM" provision -plan -defaults shard/defaults.json \
	-definitions shard/definitions.json 2>&1); st=$?
is "-defaults/-definitions name the files" "$st" 0

# the guide's `-defaults ./config_files`: a directory means the file of the
# standard name inside it
mkdir config_files nofile && cp shard/*.json config_files/
out=$("$ICM" provision -plan -defaults ./config_files \
	-definitions config_files/ 2>&1); st=$?
is "-defaults/-definitions a directory: its defaults.json, definitions.json" \
	"$st" 0
out=$("$ICM" provision -plan -defaults nofile -definitions config_files 2>&1)
st=$?
is "a directory without defaults.json: exit 1" "$st" 1
is "... naming the missing file" "$out" \
	"Error: cannot read 'nofile/defaults.json': No such file or directory"

cp -r "$DATA/guide" "$T/guide"
cd "$T/guide/ecp"
out=$("$ICM" provision -plan 2>&1); st=$?
is "guide ECP table: exit 0" "$st" 0
is "guide ECP table: the guide's machine names" "$(names "$out")" \
	"ECP-DM-TEST-0001+ ECP-DM-TEST-0002- ECP-AM-TEST-0003 ECP-AM-TEST-0004 ECP-AM-TEST-0005 ECP-LB-TEST-0002 ECP-AR-TEST-0006 "
cd "$T/guide/sharding"
out=$("$ICM" provision -plan 2>&1); st=$?
is "guide sharded table: exit 0" "$st" 0
is "guide sharded table: the guide's machine names" "$(names "$out")" \
	"SHARDING-DM-TEST-0001 SHARDING-DS-TEST-0002 SHARDING-DS-TEST-0003 SHARDING-DS-TEST-0004 SHARDING-DS-TEST-0005 "

# the vSphere sample, written by icm samples, with no network at all
cd "$T" && "$ICM" samples vs >/dev/null 2>&1 && cd vs/vSphere || exit 1
nonet=; unshare -rn true 2>/dev/null && nonet="unshare -rn"
out=$($nonet "$ICM" provision -plan 2>&1); st=$?
is "vSphere sample: -plan exits 0${nonet:+ with no network}" "$st" 0
is "vSphere sample: four machines of 2 vCPU, 4096 MB" \
	"$(echo "$out" | grep -c '2 vCPU, 4096 MB')" 4
ok "vSphere sample: -plan made no state directory" test ! -e state
done_testing
