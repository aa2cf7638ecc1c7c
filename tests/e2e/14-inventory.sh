#!/usr/bin/env bash
# 14-inventory: icm inventory from instances.json: table, filters, -json.
. "$(dirname "$0")/lib.sh"
plan 24
cd "$T"
cp "$DATA/e2e/aws/instances.json" .

out=$("$ICM" inventory 2>&1); st=$?
is "inventory exits 0" "$st" 0
is "header row" "$(echo "$out" | sed -n 1p | tr -s ' ')" \
	"Machine IP Address DNS Name Region Zone"
is "dash row" "$(echo "$out" | sed -n 2p | tr -s ' ')" \
	"------- ---------- -------- ------ ----"
contains "intended primary marked +" "$out" "ECP-DM-TEST-0001+ "
contains "intended backup marked -" "$out" "ECP-DM-TEST-0002- "
contains "load balancer row" "$(echo "$out" | grep LB- | tr -s ' ')" \
	"ECP-LB-TEST-0002 (virtual AM) ECP-AM-TEST-1687579230.us-west-1.elb.amazonaws.com us-west-1 c"
is "one row per node" "$(echo "$out" | grep -c ECP-)" 6

out=$("$ICM" inventory -role AM 2>&1)
is "-role AM keeps two rows" "$(echo "$out" | grep -c ECP-AM-)" 2
is "and nothing else" "$(echo "$out" | grep -c ECP-)" 2
out=$("$ICM" --inventory 2>&1); st=$?
is "a goal with dashes is unknown" "$st" 1
out=$("$ICM" inventory --machine 'ECP-.*-000(2|4)' 2>&1)
is "-machine is a whole-name regexp" \
	"$(echo "$out" | grep ECP- | awk '{print $1}' | tr '\n' ' ')" \
	"ECP-DM-TEST-0002- ECP-AM-TEST-0004 ECP-LB-TEST-0002 "
out=$("$ICM" inventory -role QM 2>&1); st=$?
is "unknown role exits 1" "$st" 1
is "unknown role message (ICM's wording)" "$out" "Unrecognized role 'QM'"

rm -f response.json
"$ICM" inventory -json >/dev/null 2>&1; st=$?
is "-json exits 0" "$st" 0
j=$(cat response.json)
contains "response.json has MachineName" "$j" '"MachineName":	"ECP-DM-TEST-0001"'
contains "response.json has Provider" "$j" '"Provider":	"AWS"'
lacks "response.json has no secret" "$j" "Inst-secret-pw-9"
lacks "icm.log has no secret" "$(cat icm.log)" "Inst-secret-pw-9"

# the state directory provision recorded (MasterStateDir): used without
# -stateDir and named; -stateDir wins; a recorded one that is gone: ./state
mkdir elsewhere && E=$(cd elsewhere && pwd -P)
sed "s|\"MachineName\":|\"MasterStateDir\": \"$E\", &|" instances.json > rec.json
out=$("$ICM" inventory -instances rec.json 2>&1); st=$?
is "recorded state directory: exit 0" "$st" 0
is "... named first" "$(echo "$out" | sed -n 1p)" \
	"Using the state directory $E (recorded in rec.json)"
out=$("$ICM" inventory -instances rec.json -stateDir state 2>&1)
lacks "-stateDir given: it wins" "$out" "Using the state directory"
rmdir elsewhere
out=$("$ICM" inventory -instances rec.json 2>&1); st=$?
is "recorded one gone: exit 0" "$st" 0
is "... a warning, ./state used" "$(echo "$out" | sed -n 1p)" \
	"Warning: the state directory $E recorded in rec.json is not there; using ./state (give -stateDir to choose)"

rm instances.json
out=$("$ICM" inventory 2>&1); st=$?
is "without instances.json: exit 1" "$st" 1
done_testing
