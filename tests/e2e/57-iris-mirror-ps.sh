#!/usr/bin/env bash
# 57-iris-mirror-ps.sh: ps's Mirror column and upgrade's order of mirror
# members, against the IRIS stand-in (tests/images/iris-standin: a TEST
# STAND-IN for the proprietary engine; it keeps a member's mirror status
# from the session lines that make the mirror, and qlist shows it in fields
# 11/12).  A world of 3 Docker hosts and the TLS registry; a PreExisting
# deployment with "Mirror": "true": two DM nodes and one AM node; icm run;
# the mirror made by session lines (CreateNewMirrorSet on the first DM,
# JoinMirrorAsFailoverMember on the second; icm run may already have sent
# them: only the resulting status is checked); then:
#   ps shows Primary/Backup in the Mirror column (blank for the AM node),
#   ps -json carries MirrorStatus; the stand-in answers GetMemberStatus();
#   an upgrade whose first wave fails leaves the primary alone;
#   upgrade -image v2 goes in waves: the backup (and the AM node) first,
#   waits for the backup to report Backup again, then the primary; the
#   console order and the stand-in's event times say so; the status lives
#   on in the new containers (durable %SYS); a deployment without Mirror
#   has no Mirror column.
# Root only.
. "$(dirname "$0")/lib.sh"
world_docker_up 3
plan 36
show() { printf '%s\n' "$1" | tail -n 12 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
IMG=198.18.0.1:5000/icm/iris
registry_push iris:iris:v1 iris:iris:v2

cd "$T"
MP=/home/ec2-user/irissys	# each host's own (test-world.md)
world_defaults Mir T irissys "mirror-pw-$$" ', "Mirror": "true"' > defaults.json
cat > definitions.json <<JSON
[{"Role": "DM", "IPAddress": "198.18.0.11", "StartCount": "1"},
 {"Role": "DM", "IPAddress": "198.18.0.12", "StartCount": "2"},
 {"Role": "AM", "IPAddress": "198.18.0.13", "StartCount": "3"}]
JSON
M=(Mir-DM-T-0001 Mir-DM-T-0002 Mir-AM-T-0003)
out=$("$ICM" provision 2>&1)
check "provision exits 0" $? 0 "$out"
out=$("$ICM" run 2>&1)
check "run exits 0" $? 0 "$out"

# the mirror, as ICM's configuration makes it (a second time is harmless)
out=$("$ICM" session -machine "${M[0]}" -namespace %SYS \
	-command 'do ##class(SYS.Mirror).CreateNewMirrorSet("MIRRORDM01","MIRDM1",.i,.s)' 2>&1)
check "session: CreateNewMirrorSet on DM 1" $? 0 "$out"
out=$("$ICM" session -machine "${M[1]}" -namespace %SYS \
	-command 'do ##class(SYS.Mirror).JoinMirrorAsFailoverMember("MIRRORDM01","MIRDM2","IRIS","198.18.0.11",2188,.l,.s)' 2>&1)
check "session: JoinMirrorAsFailoverMember on DM 2" $? 0 "$out"
out=$("$ICM" session -machine "${M[1]}" -namespace %SYS \
	-command 'write $LIST($SYSTEM.Mirror.GetMemberStatus(),1),!' 2>&1)
check "session: GetMemberStatus() on DM 2 exits 0" $? 0 "$out"
is "... answers Backup" "$(cat "state/Mir-DM-T/${M[1]}/docker.out")" Backup
out=$("$ICM" session -machine "${M[2]}" -namespace %SYS \
	-command 'write $LIST($SYSTEM.Mirror.GetMemberStatus(),1),!' 2>&1)
is "... and on the AM node Not Initialized" "$(cat "state/Mir-AM-T/${M[2]}/docker.out")" "Not Initialized"

# ps: the row of machine $1 in the table, spaces squeezed
row() { printf '%s\n' "$2" | tr -s ' ' | grep "^$1[+-]* "; }
mstatus() {	# MirrorStatus of machine $1 in response.json
	/usr/bin/python3 -c 'import json,sys; print(",".join(o.get("MirrorStatus", "(none)") for o in json.load(open("response.json")) if o["MachineName"] == sys.argv[1]))' "$1"
}
out=$("$ICM" ps 2>&1)
check "ps exits 0" $? 0 "$out"
contains "ps: ICM's columns with Mirror" "$(echo "$out" | tr -s ' ')" \
	"Machine IP Address Container Status Health Mirror Image"
contains "ps: DM 1 is the primary" "$(row "${M[0]}" "$out")" " Primary $IMG:standin-v1"
contains "ps: DM 2 is the backup" "$(row "${M[1]}" "$out")" " Backup $IMG:standin-v1"
am=$(row "${M[2]}" "$out")
[[ $am =~ \ (healthy|starting|unhealthy)\ $IMG:standin-v1$ ]]
_result $? "ps: the AM node's Mirror cell is blank"; [[ $am =~ Up ]] || show "$out"
rm -f response.json
out=$("$ICM" ps -json 2>&1)
check "ps -json exits 0" $? 0 "$out"
is "ps -json: MirrorStatus of DM 1" "$(mstatus "${M[0]}")" Primary
is "ps -json: MirrorStatus of DM 2" "$(mstatus "${M[1]}")" Backup
is "ps -json: the AM node's MirrorStatus is empty" "$(mstatus "${M[2]}")" ""

# a first wave that fails leaves the primary alone
out=$("$ICM" upgrade -image "$IMG:standin-v9" 2>&1)
check "upgrade to an image that is not there: exit 1" $? 1 "$out"
contains "... the primaries are not upgraded, by name" "$out" \
	"not upgrading the mirror primaries (${M[0]}) after the failures above"
contains "... the backup's pull was tried" "$out" "Pulling ${M[1]} image $IMG:standin-v9..."
lacks "... nothing is pulled on the primary" "$out" "Pulling ${M[0]} image"

# upgrade: the backup first, then the primary
out=$("$ICM" upgrade -image "$IMG:standin-v2" 2>&1)
check "upgrade -image v2 exits 0" $? 0 "$out"
contains "upgrade: the first wave" "$out" "Upgrading mirror backups first: ${M[1]}, ${M[2]}"
contains "upgrade: the primaries' wave" "$out" "Upgrading mirror primaries: ${M[0]}"
contains "upgrade: waits for the backup" "$out" "Waiting for ${M[1]} to report mirror status Backup..."
line_of() { printf '%s\n' "$out" | grep -nF -- "$1" | head -1 | cut -d: -f1; }
order=$(for s in "Upgrading mirror backups first" "Running image $IMG:standin-v2 in container ${M[1]}..." \
	"Waiting for ${M[1]} to report mirror status Backup" "Upgrading mirror primaries" \
	"Running image $IMG:standin-v2 in container ${M[0]}..."; do line_of "$s"; done | tr '\n' ' ')
ok "upgrade: backup made, waited for, then primary made (lines $order)" \
	sh -c "[ \"\$(echo $order | wc -w)\" = 5 ] && echo $order | tr ' ' '\n' | sort -nc"
lacks "upgrade: DM 1 is not in the first wave" "$(sed -n "$(line_of 'Upgrading mirror backups first'),$(line_of 'Upgrading mirror primaries')p" <<<"$out")" \
	"Running image $IMG:standin-v2 in container ${M[0]}..."
# stand-in events (durable %SYS): DM 2's new instance started before
# (or in the same second as) DM 1's old one stopped
ev() { "$ICM" exec -machine "${M[$1]}" -command "cat $MP/data/IRIS/standin/events.log" >/dev/null 2>&1
	grep " $2\( \|\$\)" "state/Mir-DM-T/${M[$1]}/docker.out" | tail -1 | cut -d' ' -f1; }
b_start=$(ev 1 start) p_stop=$(ev 0 stop)
ok "events.log: DM 2 restarted ($b_start) no later than DM 1 stopped ($p_stop)" \
	test -n "$b_start" -a -n "$p_stop" -a ! "$b_start" \> "$p_stop"
out=$("$ICM" ps 2>&1)
check "ps after the upgrade exits 0" $? 0 "$out"
contains "ps: DM 1 still the primary, on v2" "$(row "${M[0]}" "$out")" " Primary $IMG:standin-v2"
contains "ps: DM 2 still the backup, on v2" "$(row "${M[1]}" "$out")" " Backup $IMG:standin-v2"
contains "ps: the AM node on v2" "$(row "${M[2]}" "$out")" "$IMG:standin-v2"
"$ICM" exec -machine "${M[1]}" -command "iris qlist IRIS" >/dev/null 2>&1
is "qlist on DM 2: running, member type and status" \
	"$(cut -d^ -f4,11,12 "state/Mir-DM-T/${M[1]}/docker.out" | sed 's/, since [^^]*//')" "running^Failover^Backup"

# without Mirror: no Mirror column, no MirrorStatus
/usr/bin/python3 -c 'import json; n=json.load(open("instances.json"))
for o in n: o["Mirror"] = "false"
json.dump(n, open("plain.json", "w"))'
rm -f response.json
out=$("$ICM" ps -json -instances plain.json 2>&1)
check "ps of the deployment with Mirror false exits 0" $? 0 "$out"
contains "... the plain columns" "$(echo "$out" | tr -s ' ')" "Machine IP Address Container Status Health Image"
lacks "... and no MirrorStatus" "$(cat response.json)" MirrorStatus
done_testing
