#!/usr/bin/env bash
# 64-aws-moto.sh: the AWS provider against moto's EC2 and ELB, with icm and
# moto in a network namespace that has only loopback (tests/cloud/moto), so
# no address moto invents can be reached.
#
#   - the guide's ECP (mirrored DMs, AMs behind a load balancer, an arbiter)
#     and sharded configurations provision (node preparation left out:
#     ICM_TEST_NO_NODE_PREP=1, the instances do not exist), provision again
#     changes nothing, unprovision leaves nothing that icm made
#     (tests/cloud/aws-census.py counts by tag);
#   - provision killed with SIGKILL after each result the journal records
#     (every kind of call: network, gateway, routes, security group, key
#     pair, launches, tags, load balancer) and run again ends with exactly
#     the planned resources;
#   - unprovision after a killed provision (no instances.json) removes all;
#   - throttling answers injected by a proxy are retried and provision
#     completes;
#   - scale out and in (confirmation refused without a terminal; -force);
#   - new volume sizes: growth refused without a terminal, grown with
#     -force (killed after the first ModifyVolume and run again), EBS sizes
#     checked (aws-census.py --sizes); a smaller size refused, nothing changed.
# Root only (network namespaces).
. "$(dirname "$0")/lib.sh"
CENSUS=$TOP/tests/cloud/aws-census.py
PROXY=$TOP/tests/cloud/throttle-proxy.py
moto_up "$T/moto"

census() { mx python3 "$CENSUS" "$1" 2>&1; }
show() { printf '%s\n' "$1" | tail -n 6 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
NONE="vpc=0 subnet=0 igw=0 rtb=0 sg=0 key=0 instance=0 volume=0 address=0 lb=0 tg=0"

"$ICM" keygen ssh "$T/ssh" >/dev/null 2>&1
printf '[default]\naws_access_key_id = AKIDTEST\naws_secret_access_key = test-secret-%s\n' "$$" > "$T/credentials"
# deploy NAME SAMPLE [ZONES]: the guide's sample in $T/NAME (lib.sh
# aws_sample: moto's region, an AMI it knows, our key and credentials).
deploy() { aws_sample "$2" "$T/$1" "${3:-}"; }
plan 59
export ICM_TEST_NO_NODE_PREP=1

# -- the guide's ECP and sharded configurations --------------------------------
deploy ecp ECP
deploy shard Sharding us-east-1a
ECP_FULL="vpc=1 subnet=2 igw=1 rtb=1 sg=1 key=1 instance=6 volume=26 address=0 lb=1 tg=2"
SHARD_FULL="vpc=1 subnet=1 igw=1 rtb=1 sg=1 key=1 instance=5 volume=25 address=0 lb=0 tg=0"
cd "$T/ecp"
out=$(mx "$ICM" provision 2>&1)
check "ECP: provision exits 0" $? 0 "$out"
contains "ECP: a launch per definition and zone" "$out" "Launching 2 instances of AM in us-east-1a..."
contains "ECP: load balancer" "$out" "Creating load balancer ECP-LB-TEST-0002..."
# ICM's phase lines (the guide's provision output): the deployment, then
# each definition's plan and apply
in_order "ECP: plan and apply of ECP-TEST, then of each definition" "$out" \
	"Starting plan of ECP-TEST..." "...completed plan of ECP-TEST" \
	"Starting apply of ECP-TEST..." "...completed apply of ECP-TEST" \
	"Starting plan of ECP-DM-TEST..." "...completed plan of ECP-DM-TEST" \
	"Starting apply of ECP-DM-TEST..." "Starting plan of ECP-AM-TEST..." \
	"...completed plan of ECP-AM-TEST" "Starting apply of ECP-AM-TEST..." \
	"Starting plan of ECP-AR-TEST..." "Starting apply of ECP-AR-TEST..." \
	"Creating load balancer ECP-LB-TEST-0002..." \
	"...completed apply of ECP-DM-TEST" "...completed apply of ECP-AM-TEST" \
	"...completed apply of ECP-AR-TEST"
is "ECP: the Weave warning, once" "$(printf '%s\n' "$out" | grep -cxF \
	'Warning: the Weave overlay (Overlay weave) and Weave Scope (Monitor scope) are not deployed: containers use host networking')" 1
contains "ECP: inventory names the LB" "$(echo "$out" | tr -s ' ')" "ECP-LB-TEST-0002 (virtual AM)"
is "ECP: moto holds the planned resources" "$(census ECP-TEST)" "$ECP_FULL"
ok "ECP: Terraform templates written" test -s state/ECP-TEST/infrastructure.tf
cp instances.json first.json
out=$(mx "$ICM" provision 2>&1)
check "ECP: provision again exits 0" $? 0 "$out"
lacks "ECP: provision again launches nothing" "$out" "Launching"
is "ECP: provision again: same resources" "$(census ECP-TEST)" "$ECP_FULL"
is "ECP: provision again: same instances" \
	"$(grep -o '"InstanceId":[^,]*' instances.json | sort | tr -d '\n')" \
	"$(grep -o '"InstanceId":[^,]*' first.json | sort | tr -d '\n')"
cd "$T/shard"
out=$(mx "$ICM" provision 2>&1)
check "sharded: provision exits 0" $? 0 "$out"
is "sharded: moto holds the planned resources" "$(census SHARDING-TEST)" "$SHARD_FULL"
out=$(mx "$ICM" unprovision -force 2>&1)
check "sharded: unprovision exits 0" $? 0 "$out"
is "sharded: nothing left" "$(census SHARDING-TEST)" "$NONE"
cd "$T/ecp"
out=$(echo no | mx "$ICM" unprovision 2>&1)
check "ECP: unprovision answered 'no' exits 1" $? 1 "$out"
is "ECP: ... and changes nothing" "$(census ECP-TEST)" "$ECP_FULL"
out=$(mx "$ICM" unprovision -force 2>&1)
check "ECP: unprovision -force exits 0" $? 0 "$out"
contains "ECP: the VPC deleted last" "$(echo "$out" | tail -3)" "Deleting vpc"
in_order "ECP: destroy of each definition, then of ECP-TEST" "$out" \
	"Starting destroy of ECP-DM-TEST..." "Starting destroy of ECP-AM-TEST..." \
	"Starting destroy of ECP-AR-TEST..." "...completed destroy of ECP-DM-TEST" \
	"...completed destroy of ECP-AM-TEST" "...completed destroy of ECP-AR-TEST" \
	"Starting destroy of ECP-TEST..." "...completed destroy of ECP-TEST" \
	"Removed instances.json"
is "ECP: nothing left" "$(census ECP-TEST)" "$NONE"

# -- killed after each kind of recorded call, run again ------------------------------
rm -rf state instances.json
mx "$ICM" provision >/dev/null 2>&1
# the result records of a full provision, in order, as their key's kind
sed -n 's/.*"rec":"\(done\|failed\)","key":"\([^/"]*\).*/\2/p' state/journal > "$T/kinds"
R=$(wc -l < "$T/kinds")
mx "$ICM" unprovision -force >/dev/null 2>&1
rm -rf state instances.json icm.log
[ "$R" -ge 20 ] && ok=0 || ok=1
is "a full ECP provision records at least 20 calls (got $R)" "$ok" 0
# kill points: the first and last record of each kind, and every third
POINTS=$(awk '{ k[NR] = $1 } END { for (i = 1; i <= NR; i++)
	if (k[i] != k[i-1] || k[i] != k[i+1] || i % 3 == 0) print i }' "$T/kinds")
np=$(echo $POINTS | wc -w)
[ "$np" -ge 20 ] && ok=0 || ok=1
is "at least 20 kill points ($np of $R)" "$ok" 0
bad_kill="" bad_count="" i=0
for n in $POINTS; do
	i=$((i + 1))
	ICM_TEST_KILL_AFTER=$n mx "$ICM" provision >/dev/null 2>&1
	st=$?
	[ "$st" = 137 ] || bad_kill="$bad_kill $n:$st"
	out=$(mx "$ICM" provision 2>&1) || bad_count="$bad_count $n:provision-failed"
	c=$(census ECP-TEST)
	[ "$c" = "$ECP_FULL" ] || bad_count="$bad_count $n:[$c]"
	[ $((i % 2)) = 0 ] && rm -f instances.json	# then from the configuration
	mx "$ICM" unprovision -force >/dev/null 2>&1 || bad_count="$bad_count $n:unprovision-failed"
	if [ $((i % 4)) = 0 ]; then
		c=$(census ECP-TEST)
		[ "$c" = "$NONE" ] || bad_count="$bad_count $n:left[$c]"
	fi
	rm -rf state instances.json
done
is "every kill point ended the process with SIGKILL" "$bad_kill" ""
is "after every kill point: exactly the planned resources, then none" "$bad_count" ""
is "nothing left after the kill points" "$(census ECP-TEST)" "$NONE"
echo "# kinds of call killed after: $(sort -u "$T/kinds" | tr '\n' ' ')"

# -- killed, then unprovision without instances.json -----------------------------
ICM_TEST_KILL_AFTER=$((R / 2)) mx "$ICM" provision >/dev/null 2>&1
ok "killed half-way: no instances.json" test ! -e instances.json
out=$(mx "$ICM" unprovision -force 2>&1)
check "unprovision without instances.json exits 0" $? 0 "$out"
contains "it says where the nodes came from" "$out" "instances.json is missing"
is "nothing left after the half-way kill" "$(census ECP-TEST)" "$NONE"
rm -rf state

# -- throttling ----------------------------------------------------------------------
mx /bin/sh -c "python3 '$PROXY' 5001 http://127.0.0.1:5000 3 '$T/throttled.log' >'$T/proxy.out' 2>&1 & echo \$! > '$T/proxy.pid'"
sleep 1
out=$(mx env AWS_ENDPOINT_URL=http://127.0.0.1:5001 "$ICM" provision 2>&1)
check "provision through a throttling proxy exits 0" $? 0 "$out"
n=$(wc -l < "$T/throttled.log" 2>/dev/null || echo 0)
[ "$n" -ge 5 ] && ok=0 || ok=1
is "the proxy throttled $n calls (at least 5)" "$ok" 0
is "throttled: exactly the planned resources" "$(census ECP-TEST)" "$ECP_FULL"
kill "$(cat "$T/proxy.pid")" 2>/dev/null

# -- scale out and in ------------------------------------------------------------------
/usr/bin/python3 - <<'PY'
import json
d = json.load(open("definitions.json"))
d[1]["Count"] = "4"
d[1]["ISCLicense"] = d[1]["ISCLicense"].split(",")[0]  # one key for every AM
json.dump(d, open("definitions.json", "w"), indent=1)
PY
out=$(mx "$ICM" provision 2>&1)
check "scale out (AM 3 -> 4) exits 0" $? 0 "$out"
contains "scale out launches one" "$out" "Launching 1 instance of AM"
is "scale out: 7 instances" "$(census ECP-TEST | grep -o 'instance=[0-9]*')" "instance=7"
is "scale out: the AM load balancer's target groups hold the 4 AMs" \
	"$(mx python3 "$CENSUS" ECP-TEST --targets 2>&1 | tr ' ' '\n' | sed 's/.*=//' | sort -u)" 4
/usr/bin/python3 - <<'PY'
import json
d = json.load(open("definitions.json"))
d[1]["Count"] = "2"
json.dump(d, open("definitions.json", "w"), indent=1)
PY
out=$(mx "$ICM" provision </dev/null 2>&1)
check "scale in without confirmation exits 1" $? 1 "$out"
is "... and terminates nothing" "$(census ECP-TEST | grep -o 'instance=[0-9]*')" "instance=7"
out=$(mx "$ICM" provision -force 2>&1)
check "scale in (AM 4 -> 2) with -force exits 0" $? 0 "$out"
is "scale in: 5 instances" "$(census ECP-TEST | grep -o 'instance=[0-9]*')" "instance=5"
lacks "scale in: the highest numbers went" "$(cat instances.json)" "ECP-AM-TEST-0005"
# -- new volume sizes: the guide's "change storage volume sizes ... and execute
# icm provision again" (grown with ModifyVolume; shrinking refused before any call)
sizes() { mx python3 "$CENSUS" ECP-TEST --sizes 2>&1; }
before=$(sizes)
/usr/bin/python3 - <<'PY'
import json
d = json.load(open("definitions.json"))
d[0]["DataVolumeSize"] = "20"
d[2]["OSVolumeSize"] = "8"
json.dump(d, open("definitions.json", "w"), indent=1)
PY
out=$(mx "$ICM" provision </dev/null 2>&1)
check "larger sizes without confirmation exit 1" $? 1 "$out"
contains "... listing the growth" "$out" "ECP-DM-TEST-0001: DataVolumeSize 15 -> 20 GB"
is "... and grow nothing" "$(sizes)" "$before"
ICM_TEST_KILL_AFTER=1 mx "$ICM" provision -force >/dev/null 2>&1
is "killed after the first modification's record" $? 137
out=$(mx "$ICM" provision -force 2>&1)
check "larger sizes with -force exit 0" $? 0 "$out"
contains "the other DM's data volume grown" "$out" \
	"Growing the Data volume of ECP-DM-TEST-0002 from 15 to 20 GB..."
is "the DMs' data and the arbiter's OS volume have the new sizes, the rest as they were" \
	"$(sizes)" "$(echo "$before" | sed 's,\(DM-TEST-000[12]:/dev/xvdd\)=15,\1=20,g; s,\(AR-TEST-0006:/dev/sda1\)=5,\1=8,')"
is "one ModifyVolume per volume across the kill" \
	"$(grep -c '"action":"ModifyVolume"' state/journal)" 3
before=$(sizes) full=$(census ECP-TEST) lines=$(wc -l < state/journal)
cp instances.json grown.json
/usr/bin/python3 - <<'PY'
import json
d = json.load(open("definitions.json"))
d[0]["DataVolumeSize"] = "10"
json.dump(d, open("definitions.json", "w"), indent=1)
PY
out=$(mx "$ICM" provision -force 2>&1)
check "a smaller size, even with -force, exits 1" $? 1 "$out"
contains "... naming the node and field" "$out" \
	"ECP-DM-TEST-0001: DataVolumeSize 20 -> 10: a volume cannot shrink"
is "... resources unchanged" "$(census ECP-TEST)" "$full"
is "... sizes unchanged" "$(sizes)" "$before"
ok "... no call recorded, instances.json unchanged" \
	sh -c "[ \$(wc -l < state/journal) = $lines ] && cmp -s instances.json grown.json"
out=$(mx "$ICM" unprovision -force -cleanUp 2>&1)
check "final unprovision -cleanUp exits 0" $? 0 "$out"
is "finally nothing left" "$(census ECP-TEST)" "$NONE"
ok "the credentials' secret is not in icm.log" sh -c "! grep -q 'test-secret-$$' icm.log"
done_testing
