#!/usr/bin/env bash
# 59-iris-configure.sh: icm run configures the guide's two clusters on
# PreExisting hosts of the test world, checked against the IRIS stand-in's
# record of every session line (tests/images/iris-standin: a TEST STAND-IN
# for the proprietary engine) and the golden files in tests/data/iris-golden:
#   the sharded cluster (a shard master DM with namespace MASTER, four shard
#   data servers with namespace SHARD): each node gets exactly its role's
#   steps in ICM's order; run again sends nothing;
#   the ECP configuration (two mirrored DMs, an arbiter, three AMs, and a
#   Web Gateway with an application path in front of the AMs): run is
#   killed after the 4th configuration step, run again completes every node
#   without wiping anything (durable %SYS reused, each step once);
#   ICM's progress lines, the portal line, the password nowhere.
# UPDATE_GOLDEN=1 rewrites the golden files from this run.  Root only.
. "$(dirname "$0")/lib.sh"
GOLD=$TOP/tests/data/iris-golden
world_docker_up 7
plan 53
show() { printf '%s\n' "$1" | tail -n 12 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
registry_push iris:iris arbiter:arbiter webgateway:webgateway

IRISPW="iris-pw-$$-$RANDOM"
# The session lines node I (1-based host) received, times dropped.
received() { sed 's/^[^ ]* //' "$W/hosts/$1/home/ec2-user/$2/data/IRIS/standin/commands.log" 2>/dev/null; }
# The same with a session sent again after a kill (the block up to and
# including halt equal to the one before it) counted once.
received_once() {
	received "$1" "$2" | awk '{ blk = blk $0 "\n" } /^%SYS halt$/ { if (blk != last) printf "%s", blk; last = blk; blk = "" } END { printf "%s", blk }'
}
# check_golden CONFIG SUBDIR FN HOST:MACHINE...: each node's record against
# tests/data/iris-golden/CONFIG/MACHINE.log
check_golden() {
	local config=$1 sub=$2 fn=$3 hm h m bad=""
	shift 3
	for hm in "$@"; do
		h=${hm%%:*} m=${hm#*:}
		if [ -n "${UPDATE_GOLDEN:-}" ]; then
			mkdir -p "$GOLD/$config"
			"$fn" "$h" "$sub" > "$GOLD/$config/$m.log"
		fi
		if ! diff -u "$GOLD/$config/$m.log" <("$fn" "$h" "$sub") > "$T/diff" 2>&1; then
			bad="$bad $m"
			sed 's/^/#   /' "$T/diff" | head -n 20
		fi
	done
	is "$config: every node received exactly its golden steps" "${bad:-none}" none
}

# ------------------------------------------------------ the sharded cluster
mkdir -p "$T/sharded" && cd "$T/sharded" || exit 1
world_defaults SHARDING TEST shard "$IRISPW" > defaults.json
cat > definitions.json <<JSON
[{"Role": "DM", "IPAddress": "198.18.0.11", "Namespace": "master",
  "ISCglobals": "0,0,40960,0,0,0"},
 {"Role": "DS", "IPAddress": "198.18.0.12", "StartCount": "2", "Namespace": "shard", "ISCglobals": "0,0,143360,0,0,0"},
 {"Role": "DS", "IPAddress": "198.18.0.13", "StartCount": "3", "Namespace": "shard", "ISCglobals": "0,0,143360,0,0,0"},
 {"Role": "DS", "IPAddress": "198.18.0.14", "StartCount": "4", "Namespace": "shard", "ISCglobals": "0,0,143360,0,0,0"},
 {"Role": "DS", "IPAddress": "198.18.0.15", "StartCount": "5", "Namespace": "shard", "ISCglobals": "0,0,143360,0,0,0"}]
JSON
SH=(1:SHARDING-DM-TEST-0001 2:SHARDING-DS-TEST-0002 3:SHARDING-DS-TEST-0003
    4:SHARDING-DS-TEST-0004 5:SHARDING-DS-TEST-0005)
out=$("$ICM" provision 2>&1)
check "sharded: provision exits 0" $? 0 "$out"
out=$("$ICM" run 2>&1)
check "sharded: run exits 0" $? 0 "$out"
contains "ICM's progress line: SSL" "$out" "Configuring SSL on SHARDING-DS-TEST-0004..."
contains "... ECP" "$out" "Enabling ECP on SHARDING-DS-TEST-0003..."
contains "... the shard service" "$out" "Enabling shard service on SHARDING-DM-TEST-0001..."
contains "... the namespace" "$out" "Creating namespace 'SHARD' on SHARDING-DS-TEST-0002..."
contains "... assigning shards" "$out" "Assigning shards on SHARDING-DM-TEST-0001..."
is "the portal line is the last, on the shard master" "$(printf '%s\n' "$out" | tail -1)" \
	"Management Portal available at: http://198.18.0.11:52773/csp/sys/UtilHome.csp"
check_golden sharded shard received "${SH[@]}"
p=$(printf '%s\n' "$out" | grep -n 'Creating namespace .SHARD. on SHARDING-DS-TEST-0005' | cut -d: -f1)
a=$(printf '%s\n' "$out" | grep -n 'Assigning shards' | cut -d: -f1)
ok "shards are assigned after every data server has its namespace" test "${p:-99}" -lt "${a:-0}"
merge=$(cat "$W/hosts/2/home/ec2-user/shard/data/icm/merge.cpf" 2>&1)
contains "a DS's first start enables sharding" "$merge" "EnableSharding=1"
contains "... with room for the cluster's ECP connections" "$merge" "MaxServerConn=64"
contains "... and its ISCglobals" "$merge" "globals=0,0,143360,0,0,0"
is "every node is marked fully deployed" \
	"$(for h in 1 2 3 4 5; do tail -1 "$W/hosts/$h/home/ec2-user/shard/data/icm/progress"; done | sort -u)" deployed
before=$(received 1 shard | wc -l)
out=$("$ICM" run 2>&1)
check "sharded: run again exits 0" $? 0 "$out"
lacks "... configures nothing again" "$out" "Assigning shards"
is "... and sends no session line" "$(received 1 shard | wc -l)" "$before"
# scale out by one DS while the shard master's instance fails the
# assignment: the error names the node, the step and the output file; once
# the instance works again, run completes (the DM assigns all five DS)
SD1=$W/hosts/1/home/ec2-user/shard/data/IRIS/standin
echo VerifyShards > "$SD1/fail-on"
sed -i 's/}]$/},\n {"Role": "DS", "IPAddress": "198.18.0.16", "StartCount": "6", "Namespace": "shard"}]/' definitions.json
out=$("$ICM" provision 2>&1)
check "sharded: a fifth DS provisioned" $? 0 "$out"
out=$("$ICM" run 2>&1)
check "... run with the shard master failing: exit 1" $? 1 "$out"
contains "... naming the node, the step and the output file" "$out" \
	"SHARDING-DM-TEST-0001: step assign (Assigning shards on SHARDING-DM-TEST-0001...) failed: iris session exit status 1; see state/SHARDING-DM-TEST/SHARDING-DM-TEST-0001/iris.err"
contains "... the output holds the instance's error" \
	"$(cat state/SHARDING-DM-TEST/SHARDING-DM-TEST-0001/iris.out 2>&1)" "ERROR #5001"
lacks "... and no portal line" "$out" "Management Portal available at"
contains "... the new DS was configured before the failing stage" "$out" \
	"Creating namespace 'SHARD' on SHARDING-DS-TEST-0006..."
rm -f "$SD1/fail-on"
out=$("$ICM" run 2>&1)
check "... run again once the instance works: exit 0" $? 0 "$out"
is "... only the failed step is sent again" "$(printf '%s\n' "$out" | grep -v -e '^Executing' -e '^Pulling' -e '^Container' -e '^Waiting')" \
"Assigning shards on SHARDING-DM-TEST-0001...
Management Portal available at: http://198.18.0.11:52773/csp/sys/UtilHome.csp"
is "... the DM assigned the five data servers" "$(received 1 shard | grep -c 'AssignShard("MASTER","198.18.0.16"')" 2
out=$("$ICM" stop 2>&1 && "$ICM" rm 2>&1)
check "sharded: containers stopped and removed (the hosts are reused)" $? 0 "$out"

# ---------------------------------------------------- the ECP configuration
mkdir -p "$T/ecp" && cd "$T/ecp" || exit 1
mkdir -p "$T/ecp/license" && echo "[ConfigFile] TEST STAND-IN KEY" > "$T/ecp/license/iris.key"
world_defaults ECP TEST ecp "$IRISPW" ', "Mirror": "true", "SystemMode": "TEST",
 "LicenseDir": "'"$T/ecp/license"'", "LicenseKey": "iris.key"' > defaults.json
cat > definitions.json <<JSON
[{"Role": "DM", "IPAddress": "198.18.0.11", "StartCount": "1"},
 {"Role": "DM", "IPAddress": "198.18.0.12", "StartCount": "2"},
 {"Role": "AM", "IPAddress": "198.18.0.13", "StartCount": "3"},
 {"Role": "AM", "IPAddress": "198.18.0.14", "StartCount": "4"},
 {"Role": "AM", "IPAddress": "198.18.0.15", "StartCount": "5"},
 {"Role": "AR", "IPAddress": "198.18.0.16", "StartCount": "6",
  "DockerImage": "198.18.0.1:5000/icm/arbiter:standin-v1"},
 {"Role": "WS", "IPAddress": "198.18.0.17", "StartCount": "7",
  "DockerImage": "198.18.0.1:5000/icm/webgateway:standin-v1",
  "ApplicationPath": "/csp/app"}]
JSON
EC=(1:ECP-DM-TEST-0001 2:ECP-DM-TEST-0002 3:ECP-AM-TEST-0003
    4:ECP-AM-TEST-0004 5:ECP-AM-TEST-0005)
out=$("$ICM" provision 2>&1)
check "ECP: provision exits 0" $? 0 "$out"
inv=$("$ICM" inventory 2>&1)
contains "... the intended mirror primary (+)" "$inv" "ECP-DM-TEST-0001+"
contains "... and backup (-): one mirror over two definitions" "$inv" "ECP-DM-TEST-0002-"
out=$(ICM_TEST_KILL_AFTER_STEP=4 "$ICM" run 2>&1)
check "ECP: run killed midway (after the 4th configuration step)" $? 137 "$out"
lacks "... before it finished" "$out" "Management Portal available at"
out=$("$ICM" run 2>&1)
check "ECP: run again exits 0" $? 0 "$out"
contains "... creates the mirror on the intended primary" "$out" "Creating mirror MIRRORDM01 on ECP-DM-TEST-0001..."
contains "... adds the backup" "$out" "Adding ECP-DM-TEST-0002 to mirror MIRRORDM01 as backup..."
contains "... configures the application servers" "$out" "Configuring application server on ECP-AM-TEST-0005..."
contains "... and the license server" "$(received 4 ecp)" 'p("Address")="198.18.0.11",p("Port")=4002,p("KeyDirectory")=""'
is "... and ends with the portal of the DM primary" "$(printf '%s\n' "$out" | tail -1)" \
	"Management Portal available at: http://198.18.0.11:52773/csp/sys/UtilHome.csp"
check_golden ecp ecp received_once "${EC[@]}"
is "the resumed run reused every durable %SYS (nothing wiped)" \
	"$(for h in 1 2 3 4 5; do grep -c ' durable-init' "$W/hosts/$h/home/ec2-user/ecp/data/IRIS/standin/events.log"; done | sort -u)" 1
is "every IRIS node is marked fully deployed" \
	"$(for h in 1 2 3 4 5; do tail -1 "$W/hosts/$h/home/ec2-user/ecp/data/icm/progress"; done | sort -u)" deployed
ok "the arbiter got no configuration" test ! -e "$W/hosts/6/home/ec2-user/ecp/data/icm/progress"
t1=$(sed -n '/CreateNewMirrorSet/{s/ .*//;p;q}' "$W/hosts/1/home/ec2-user/ecp/data/IRIS/standin/commands.log")
t2=$(sed -n '/JoinMirrorAsFailoverMember/{s/ .*//;p;q}' "$W/hosts/2/home/ec2-user/ecp/data/IRIS/standin/commands.log")
ok "the backup joined after the primary created the mirror" eval '[[ -n $t1 && -n $t2 && ! $t2 < $t1 ]]'
contains "the Web Gateway is configured last" "$(printf '%s\n' "$out" | tail -2 | head -1)" \
	"Configuring web gateway on ECP-WS-TEST-0007..."
# what the stand-in gateway loaded (it polls the staged file each second)
ws() { "$ICM" exec -machine ECP-WS-TEST-0007 -command "$1" >/dev/null 2>&1; cat state/ECP-WS-TEST/ECP-WS-TEST-0007/docker.out; }
for i in $(seq 30); do ws "cat /tmp/standin/events.log" | grep -q 'csp-ini staged' && break; sleep 1; done
contains "the gateway loaded icm's CSP.ini" "$(ws "cat /tmp/standin/events.log")" \
	"servers=ECP_AM_TEST_0003,ECP_AM_TEST_0004,ECP_AM_TEST_0005"
is "... its servers are the application servers" "$(ws "cat /opt/webgateway/www/standin/servers.txt")" \
"ECP_AM_TEST_0003 198.18.0.13 1972
ECP_AM_TEST_0004 198.18.0.14 1972
ECP_AM_TEST_0005 198.18.0.15 1972"
ini=$(ws "cat /opt/webgateway/bin/CSP.ini")
contains "... the application path load-balances over the others" "$ini" \
"[APP_PATH:/csp/app]
Default_Server=ECP_AM_TEST_0003
Alternative_Servers=LoadBalancing
Alternative_Server_0=1~~~~~~ECP_AM_TEST_0004
Alternative_Server_1=1~~~~~~ECP_AM_TEST_0005"
contains "... as CSPSystem with the IRIS password (hashed by the gateway)" "$ini" \
	"Password=]]]standin-sha256:$(printf %s "$IRISPW" | sha256sum | cut -d' ' -f1)"
is "... and the staged file is the gateway's copy (no plain password left)" \
	"$(ws "cat /opt/webgateway/icm/CSP.ini" | sha256sum)" "$(printf '%s\n' "$ini" | sha256sum)"
ok "... the IRIS password is in no file of the gateway's container" sh -c \
	"! env -i PATH=/usr/bin:/bin docker --tlsverify --tlscacert state/pki/ca.pem --tlscert state/pki/client/cert.pem --tlskey state/pki/client/key.pem -H tcp://198.18.0.17:2376 exec iris grep -rqF -- '$IRISPW' /opt /tmp /etc"
ok "the TLS key is on the volume for irisowner only" sh -c \
	"[ \"\$(stat -c '%u %a' '$W/hosts/3/home/ec2-user/ecp/data/icm/tls/PrivateKeyFile.pem')\" = '51773 600' ]"
ok "the IRIS password is in no record, progress or output file" sh -c \
	"! grep -rqF -- '$IRISPW' '$W/hosts/1/home/ec2-user/ecp' '$W/hosts/3/home/ec2-user/ecp' state icm.log"
done_testing
