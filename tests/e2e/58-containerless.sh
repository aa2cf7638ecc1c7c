#!/usr/bin/env bash
# 58-containerless.sh: a Containerless deployment (icm-reference §7.6):
# icm install / uninstall and the Containerless ps, with the TEST STAND-IN
# kit of tests/images/mkkit (not InterSystems IRIS: its irisinstall_silent
# checks the ISC_PACKAGE_* variables and installs the container stand-in's
# `iris` command).  A world of 2 hosts (no Docker); a PreExisting
# deployment of two DATA nodes with Containerless true; then
#   the kit copied with icm scp and installed from file:// (console lines,
#   ssh.out, the values irisinstall_silent got, the merge file's
#   PasswordHash, qlist running, the portal line; each node's ISCLicense
#   key as its mgr/iris.key before the first start, a missing key file
#   refused before anything is installed);
#   icm ps (Instance, Kit, Status, Health);
#   install again from http:// on 198.18.0.1 (re-entrant: the first
#   instance stopped, deleted and removed, the kit downloaded on the node);
#   session -command and -interactive on the kit's instance (over SSH);
#   terminal -command ^MIRROR (the guide's) in the kit's Terminal; sql's CSV;
#   stop, start and upgrade (the kit reinstalled); icm run refused; uninstall not confirmed changes nothing; uninstall
#   -force removes both; ps says not installed;
#   the password on no process command line (sampled), in no file of the
#   state directory, icm.log or the nodes.
# Root only.
. "$(dirname "$0")/lib.sh"
WORLD=$TOP/tests/world/world
MKKIT=$TOP/tests/images/mkkit
[ "$(id -u)" = 0 ] || skip_all "the test world needs root (running as uid $(id -u))"
[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 is missing"
[ -x /usr/bin/curl ] || [ -x /usr/bin/wget ] || skip_all "neither curl nor wget for the nodes"
world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"
W=$T/world
HTTPD= SAMPLER=
cleanup() {
	[ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
	[ -n "$HTTPD" ] && kill "$HTTPD" 2>/dev/null
	"$WORLD" down --dir "$W" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
up=$("$WORLD" up 2 --dir "$W" 2>&1) || {
	case $up in *"already up"*) skip_all "another test world is up on this machine" ;; esac
	echo "1..1"; echo "not ok 1 - world up 2"; printf '%s\n' "$up" | sed 's/^/#   /'; exit 1
}
KEY=$(printf '%s\n' "$up" | sed -n 's/^key: \([^ ]*\).*/\1/p' | tail -1)
plan 90
show() { printf '%s\n' "$1" | tail -n 8 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
node() { "$WORLD" exec "$1" --dir "$W" -- "${@:2}"; }

cd "$T"
mkdir www
KIT=$("$MKKIT" "$T/www")
check "mkkit makes the stand-in kit" "$(basename "$KIT")" "IRIS-2024.1.0.267.2-lnxubuntux64.tar.gz" "$KIT"
# the kit over HTTP on the world's bridge
PORT=18058
/usr/bin/python3 -m http.server --bind 198.18.0.1 --directory "$T/www" "$PORT" \
	> "$T/httpd.log" 2>&1 &
HTTPD=$!

PW="kit-pw-$$-$RANDOM"
IDIR=/home/ec2-user/irissys
# the world hosts share the machine's file system but /home
# (test-world.md): install directory and volumes live there
MP=/home/ec2-user/volumes
cat > defaults.json <<JSON
{"Provider": "PreExisting", "Label": "Kit", "Tag": "T",
 "SSHUser": "ec2-user", "SSHPrivateKey": "$KEY",
 "Containerless": "true",
 "KitURL": "file:///home/ec2-user/kit.tar.gz", "ISCInstallDir": "$IDIR",
 "ISCPassword": "$PW", "SuperServerPort": "1973",
 "DataDeviceName": "create", "WIJDeviceName": "create",
 "Journal1DeviceName": "create", "Journal2DeviceName": "create",
 "DataMountPoint": "$MP/data", "WIJMountPoint": "$MP/wij",
 "Journal1MountPoint": "$MP/journal1", "Journal2MountPoint": "$MP/journal2",
 "RetryCount": "2", "RetryInterval": "200"}
JSON
mkdir -p "$T/License"
for k in 1 2; do printf '[ConfigFile]\nTEST STAND-IN KEY kit%s %s\n' $k $$ > "$T/License/kit$k.key"; done
cat > definitions.json <<JSON
[{"Role": "DATA", "IPAddress": "198.18.0.11", "StartCount": "1", "ISCLicense": "$T/License/kit1.key"},
 {"Role": "DATA", "IPAddress": "198.18.0.12", "StartCount": "2", "ISCLicense": "$T/License/kit2.key"}]
JSON
M=(Kit-DATA-T-0001 Kit-DATA-T-0002)
S=state/Kit-DATA-T

# every process command line, sampled while icm runs (the pattern comes
# from a file, so the sampling grep's own command line does not hold it)
printf '%s\n' "$PW" > "$T/pw"
: > "$T/seen"
sampler() {
	while :; do
		grep -laF -f "$T/pw" /proc/[0-9]*/cmdline >> "$T/seen" 2>/dev/null
		sleep 0.05
	done
}
sampler &
SAMPLER=$!
sh -c 'sleep 2; :' control "$PW" &
CONTROL=$!
wait "$CONTROL"
sleep 0.5	# the sampler's round that saw it has ended
ok "control: the sampler sees a command line with the password" \
	grep -qx "/proc/$CONTROL/cmdline" "$T/seen"
: > "$T/seen"

out=$("$ICM" provision 2>&1)
check "provision exits 0" $? 0 "$out"
lacks "Containerless: no Docker on the nodes" "$out" "Installing Docker"
out=$("$ICM" scp -localPath "$KIT" -remotePath /home/ec2-user/kit.tar.gz 2>&1)
check "icm scp puts the kit on the nodes" $? 0 "$out"

out=$(setsid "$ICM" install -override '{"ISCPassword": ""}' </dev/null 2>&1)
check "install without ISCPassword and no terminal: exit 1" $? 1 "$out"
contains "... naming ISCPassword" "$out" "ISCPassword is not set and there is no terminal"
out=$("$ICM" install -override "{\"ISCLicense\": \"$T/License/none.key\"}" 2>&1)
check "install with an ISCLicense file that is not there: exit 1" $? 1 "$out"
contains "... naming the node, the field and the file" "$out" \
	"${M[0]}: field 'ISCLicense': cannot read the license key '$T/License/none.key': No such file or directory"
ok "... before anything was installed" node 1 test ! -e "$IDIR"
out=$("$ICM" install 2>&1)
check "install exits 0" $? 0 "$out"
contains "Downloading kit line" "$out" "Downloading kit on ${M[0]}..."
contains "Installing kit line" "$out" "Installing kit on ${M[1]}..."
contains "Starting line" "$out" "Starting InterSystems IRIS on ${M[0]}..."
contains "the portal line of DATA node 1" "$out" \
	"Management Portal available at: http://198.18.0.11:52773/csp/sys/UtilHome.csp"
contains "install copies each node's own ISCLicense key" "$out" \
	"Copying license key $T/License/kit2.key to ${M[1]}..."
is "node 1's instance got kit1.key as its license (mgr/iris.key)" \
	"$(node 1 cat "$IDIR/mgr/iris.key" 2>&1)" "$(cat "$T/License/kit1.key")"
contains "... which its first start activated" "$(node 1 cat "$IDIR/mgr/messages.log" 2>&1)" \
	"Activating license key $IDIR/mgr/iris.key: present"
contains "node 2's ssh.out ends with qlist running" "$(tail -1 "$S/${M[1]}/ssh.out")" "IRIS^$IDIR^2024.1.0.267.2^running, since"
env1=$(node 1 cat "$IDIR/standin/install.env" 2>&1)
for v in INSTANCENAME=IRIS INSTALLDIR=$IDIR INITIAL_SECURITY=Normal STARTIRIS=N \
	SUPERSERVER_PORT=1973 UNICODE=Y MGRUSER=irisowner IRISUSER=irisusr; do
	contains "irisinstall_silent got ISC_PACKAGE_$v" "$env1" "ISC_PACKAGE_$v"$'\n'
done
is "irisinstall_silent got the password (its SHA-256)" \
	"$(node 2 cat "$IDIR/standin/password.sha256" 2>&1)" \
	"$(printf %s "$PW" | sha256sum | cut -d' ' -f1)"
cpf=$(node 1 cat "$IDIR/iris.cpf" 2>&1)
ph=$(printf '%s\n' "$cpf" | sed -n 's/^PasswordHash=//p' | head -1)
# (the password goes to python in its environment: the sampler watches argv)
want=$(ICM_T_PW=$PW /usr/bin/python3 -c 'import hashlib,os,sys; s=sys.argv[1]; print(hashlib.pbkdf2_hmac("sha1", os.environ["ICM_T_PW"].encode(), s.encode(), 1024).hex().upper() + "," + s)' "${ph#*,}")
is "the first start merged ICM's PasswordHash of ISCPassword" "$ph" "$want"
contains "... and the superserver port" "$cpf" "DefaultPort=1973"
contains "... from ISC_CPF_MERGE_FILE ~/ICM/merge.cpf" "$cpf" "stand-in merge record: /home/ec2-user/ICM/merge.cpf"
is "the WIJ and journal directories are irisowner's" \
	"$(node 1 stat -c %U "$MP/wij" "$MP/journal1" "$MP/journal2" 2>&1 | tr '\n' ' ')" "irisowner irisowner irisowner "
is "qlist on node 2 says running" \
	"$(node 2 "$IDIR/bin/iris" qlist IRIS 2>&1 | cut -d^ -f4 | cut -d, -f1)" running

out=$("$ICM" ps 2>&1)
check "ps exits 0" $? 0 "$out"
row=$(printf '%s\n' "$out" | grep "^${M[1]} " | tr -s ' ')
is "ps: Machine, IP Address, Instance, Kit, Status, Health" "$row" \
	"${M[1]} 198.18.0.12 IRIS 2024.1.0.267.2 running ok"
contains "ps: ICM's containerless columns" "$(printf '%s\n' "$out" | head -1 | tr -s ' ')" \
	"Machine IP Address Instance Kit Status Health"

"$ICM" ps -json >/dev/null 2>&1
is "ps -json: ICM's containerless fields" "$(/usr/bin/python3 -c 'import json; r = json.load(open("response.json"))[0]; print(" ".join(k + "=" + r[k] for k in ("MachineName", "Role", "IPAddress", "ISCInstance", "Kit", "Status", "Health")))' 2>&1)" \
	"MachineName=${M[0]} Role=DATA IPAddress=198.18.0.11 ISCInstance=IRIS Kit=2024.1.0.267.2 Status=running Health=ok"

# again, from http:// on the bridge: re-entrant
URL=http://198.18.0.1:$PORT/$(basename "$KIT")
node 1 "$IDIR/bin/iris" stop IRIS quietly >/dev/null 2>&1
out=$("$ICM" install -override "{\"KitURL\": \"$URL\"}" 2>&1)
check "install again (http://) exits 0" $? 0 "$out"
contains "the stopped instance was removed first" "$(cat "$S/${M[0]}/ssh.out")" "InterSystems IRIS removed from $IDIR"
contains "the running one too" "$(cat "$S/${M[1]}/ssh.out")" "Stopping IRIS"
is "each node fetched the kit over HTTP" \
	"$(grep -c "GET /$(basename "$KIT") HTTP/1.1\" 200" "$T/httpd.log")" 2
ok "the kit is kept in ~/ICM/kit on the node" node 2 test -s "/home/ec2-user/ICM/kit/$(basename "$KIT")"
is "a fresh instance: one install event" "$(node 1 grep -c ' install ' "$IDIR/standin/events.log" 2>&1)" 1
is "running again" "$(node 1 "$IDIR/bin/iris" qlist IRIS 2>&1 | cut -d^ -f4 | cut -d, -f1)" running

out=$("$ICM" install -override '{"KitURL": "http://198.18.0.1:'"$PORT"'/missing.tar.gz"}' -machine "${M[0]}" 2>&1)
check "a kit that is not there: exit 1" $? 1 "$out"
contains "... naming the node, the step and the file" "$out" "${M[0]}: download failed (exit status 1): cannot download"

out=$("$ICM" run 2>&1)
check "run is refused in a Containerless deployment" $? 1 "$out"
contains "... with the message" "$out" "run is not available with Containerless: true; use icm install"

out=$("$ICM" session -namespace %SYS -command 'write "ICM-KIT",!' 2>&1)
check "session -command on the kit instances exits 0" $? 0 "$out"
contains "... ICM's console line" "$out" "Executing command 'write \"ICM-KIT\",!' on ${M[1]}..."
is "... the instance answered (docker.out)" "$(cat "$S/${M[0]}/docker.out" 2>&1)" "ICM-KIT"
contains "... iris session on the host received it" "$(node 1 cat "$IDIR/standin/commands.log" 2>&1)" '%SYS write "ICM-KIT",!'
out=$(/usr/bin/python3 "$TOP/tests/ssh/pty-drive.py" --input 'write "ICM-KTTY",!\nhalt\n' 30 100 \
	"$ICM" session -interactive -namespace %SYS -machine "${M[1]}" 2>&1)
check "session -interactive on a kit instance exits 0" $? 0 "$out"
contains "... the typed line ran there" "$out" "ICM-KTTY"
out=$(/usr/bin/python3 "$TOP/tests/ssh/pty-drive.py" --input '1\n\n' 30 100 \
	"$ICM" terminal -namespace %SYS -command ^MIRROR -machine "${M[1]}" 2>&1)
check "terminal -command ^MIRROR on a kit instance exits 0" $? 0 "$out"
contains "... the routine ran in the kit's Terminal" "$out" "^MIRROR of the ICM TEST STAND-IN: mirror none"
contains "... as the session's routine" "$(node 2 cat "$IDIR/standin/commands.log" 2>&1)" "%SYS do ^MIRROR"
out=$("$ICM" sql -namespace %SYS -command "SELECT Name,SMSGateway FROM %SYS.PhoneProviders" -machine "${M[0]}" 2>&1)
check "sql on a kit instance exits 0" $? 0 "$out"
is "... jdbc.out is the guide's CSV" "$(head -n 2 "$S/${M[0]}/jdbc.out" 2>&1)" "Name,SMSGateway
AT&T Wireless,txt.att.net"

state1() { node 1 "$IDIR/bin/iris" qlist IRIS 2>&1 | cut -d^ -f4 | cut -d, -f1; }
out=$("$ICM" stop -machine "${M[0]}" 2>&1)
check "stop on a kit instance exits 0" $? 0 "$out"
contains "... ICM's line" "$out" "Stopping InterSystems IRIS on ${M[0]}..."
is "... iris stop: down" "$(state1)" down
out=$("$ICM" start -machine "${M[0]}" 2>&1)
check "start exits 0" $? 0 "$out"
is "... running again" "$(state1)" running
out=$("$ICM" upgrade -machine "${M[0]}" 2>&1)
check "upgrade (Containerless: the kit downloaded and reinstalled) exits 0" $? 0 "$out"
contains "... downloads the kit" "$out" "Downloading kit on ${M[0]}..."
is "... a fresh instance, running" "$(node 1 grep -c ' install ' "$IDIR/standin/events.log" 2>&1) $(state1)" "1 running"

out=$(echo no | "$ICM" uninstall 2>&1)
check "uninstall not confirmed: exit 1" $? 1 "$out"
contains "... asks ICM's question" "$out" 'Type "yes" to confirm:'
is "... and IRIS still runs" "$(node 2 "$IDIR/bin/iris" qlist IRIS 2>&1 | cut -d^ -f4 | cut -d, -f1)" running
out=$("$ICM" uninstall -force 2>&1)
check "uninstall -force exits 0" $? 0 "$out"
ok "the install directory is gone on node 1" node 1 test ! -e "$IDIR"
is "the registry entry is gone on node 2" "$(node 2 cat /etc/irissys-standin/iris.reg 2>&1)" ""
out=$("$ICM" ps 2>&1)
check "ps after uninstall exits 0" $? 0 "$out"
is "ps: not installed" "$(printf '%s\n' "$out" | grep -c "not installed")" 2
out=$("$ICM" uninstall -force 2>&1)
check "uninstall again: nothing to remove, exit 0" $? 0 "$out"

# nonroot: installed and run by ec2-user (no sudo), registry in IRISSYS;
# node 2 made nonroot in instances.json, as ICM's users edit it
/usr/bin/python3 - "${M[1]}" <<'PY'
import json, sys
nodes = json.load(open("instances.json"))
for n in nodes:
    if n["MachineName"] == sys.argv[1]:
        n["nonroot"] = "true"
        for v in ("WIJ", "Journal1", "Journal2"):
            n[v + "MountPoint"] = "/home/ec2-user/nonroot/" + v.lower()
json.dump(nodes, open("instances.json", "w"), indent="\t")
PY
out=$("$ICM" install -machine "${M[1]}" 2>&1)
check "nonroot install exits 0" $? 0 "$out"
contains "nonroot: installed as the SSH user" "$(node 2 cat "$IDIR/standin/events.log" 2>&1)" "user=ec2-user"
is "nonroot: the WIJ directory is the SSH user's" "$(node 2 stat -c %U /home/ec2-user/nonroot/wij 2>&1)" ec2-user
contains "nonroot: MGRUSER is the SSH user" "$(node 2 cat "$IDIR/standin/install.env" 2>&1)" "ISC_PACKAGE_MGRUSER=ec2-user"
contains "nonroot: the registry is IRISSYS=~/ICM/irissys" "$(node 2 cat /home/ec2-user/ICM/irissys/iris.reg 2>&1)" "IRIS^$IDIR^"
out=$("$ICM" ps -machine "${M[1]}" 2>&1)
contains "nonroot: ps says running" "$(printf '%s\n' "$out" | tr -s ' ')" "${M[1]} 198.18.0.12 IRIS 2024.1.0.267.2 running ok"
out=$("$ICM" install -machine "${M[0]}" -override '{"nonroot": "true", "ISCInstallDir": "/usr/irissys-icm-e2e"}' 2>&1)
check "nonroot with an ISCInstallDir the SSH user cannot write: exit 1" $? 1 "$out"
contains "... saying so" "$out" "ISCInstallDir '/usr/irissys-icm-e2e' is not writable by ec2-user"
out=$("$ICM" uninstall -force -machine "${M[1]}" 2>&1)
check "nonroot uninstall exits 0" $? 0 "$out"
ok "... the install directory is gone" node 2 test ! -e "$IDIR"

kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=
is "no process command line held the password" "$(sort -u "$T/seen" | head -3)" ""
ok "the password is not in icm.log" sh -c "test -s icm.log && ! grep -qF -- '$PW' icm.log"
ok "... nor in any file of the state directory" sh -c "! grep -rqF -- '$PW' state"
ok "... nor in any file of the nodes' homes or /tmp" sh -c \
	"! '$WORLD' exec 1 --dir '$W' -- grep -rqF -- '$PW' /home /tmp && ! '$WORLD' exec 2 --dir '$W' -- grep -rqF -- '$PW' /home /tmp"
done_testing
