#!/usr/bin/env bash
# 66-guide.sh: "Using ICM" (../shared/seed), followed as a new user would,
# with icm where the guide runs the ICM container, on PreExisting hosts of
# the test world and nothing prepared by hand:
#   icm keygen ssh and icm keygen tls with their defaults; a defaults.json
#   that names their files as the guide's does (SSHKey = secure-ssh2.pub,
#   KeyFile = secure-ssh2, TLSKeyDir = ./tls), the hosts' password for the
#   first login (icm puts the key in authorized_keys, then turns password
#   login off); definitions with "Label": "ECP" and "Tag": "TEST" in each
#   row, as the guide's tables write them; ISCLicense on every IRIS node;
#   provision -stateDir X (the guide's console lines and its "To destroy"
#   line), inventory, ssh, run, ps, terminal -command ^MIRROR, scp then cp
#   (a file on the node into the container), sql (CSV in jdbc.out), and
#   unprovision with the very line provision printed.
# The IRIS engine is tests/images/iris-standin, a TEST STAND-IN.  Root only.
. "$(dirname "$0")/lib.sh"
PTY=$TOP/tests/ssh/pty-drive.py
world_docker_up 3
plan 42
show() { printf '%s\n' "$1" | tail -n 12 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
registry_push iris:iris

mkdir -p "$T/Samples" && cd "$T/Samples" || exit 1
out=$("$ICM" keygen ssh 2>&1)
check "icm keygen ssh (defaults) exits 0" $? 0 "$out"
out=$("$ICM" keygen tls 2>&1)
check "icm keygen tls (defaults) exits 0" $? 0 "$out"
ok "keygen wrote the guide's file names" test -f ssh/secure-ssh2 -a -f ssh/secure-ssh2.pub -a -f tls/ca.pem

# The licenses: one master key for the DM, one key per AM (guide: "ISCLicense").
mkdir -p License/master
for f in master/license.key isc1.key isc2.key; do
	printf '[ConfigFile]\nFileType=License 2018\n[License]\nLicenseCapacity=guide %s %s\n' "$f" "$RANDOM" > "License/$f"
done
IRISPW="guide-iris-$$-$RANDOM"
MP=/home/ec2-user/guide
cat > defaults.json <<JSON
{"Provider": "PreExisting",
 "SSHUser": "ec2-user", "SSHPassword": "$(cat "$W/password")",
 "SSHKey": "$T/Samples/ssh/secure-ssh2.pub", "KeyFile": "$T/Samples/ssh/secure-ssh2",
 "TLSKeyDir": "$T/Samples/tls", "Monitor": "scope",
 "DockerImage": "198.18.0.1:5000/icm/iris:standin-v1",
 "DockerRegistry": "198.18.0.1:5000", "DockerUsername": "icmtest",
 "DockerPassword": "$(cat "$R/password")",
 "DataDeviceName": "create", "WIJDeviceName": "create",
 "Journal1DeviceName": "create", "Journal2DeviceName": "create",
 "DataMountPoint": "$MP/data", "WIJMountPoint": "$MP/wij",
 "Journal1MountPoint": "$MP/journal1", "Journal2MountPoint": "$MP/journal2",
 "RetryCount": "2", "RetryInterval": "200"}
JSON
cat > definitions.json <<JSON
[{"Role": "DM", "Label": "ECP", "Tag": "TEST", "IPAddress": "198.18.0.11",
  "ISCLicense": "$T/Samples/License/master/license.key"},
 {"Role": "AM", "Label": "ECP", "Tag": "TEST", "IPAddress": "198.18.0.12", "StartCount": "2",
  "ISCLicense": "$T/Samples/License/isc1.key"},
 {"Role": "AM", "Label": "ECP", "Tag": "TEST", "IPAddress": "198.18.0.13", "StartCount": "3",
  "ISCLicense": "$T/Samples/License/isc2.key"}]
JSON
M=(ECP-DM-TEST-0001 ECP-AM-TEST-0002 ECP-AM-TEST-0003)
LIC=(master/license.key isc1.key isc2.key)
X=$T/Samples/ICM-guide

out=$("$ICM" provision -stateDir ./ICM-guide 2>&1)
check "provision -stateDir ./ICM-guide exits 0" $? 0 "$out"
contains "provision: the guide's copying line" "$out" "Copying files to ${M[1]}..."
contains "provision: the guide's mounting line" "$out" "Mounting volumes on ${M[0]}..."
contains "provision: Weave Scope is said not to be deployed, not dropped silently" "$out" \
	"Weave Scope (Monitor scope) is not deployed: containers use host networking"
ok "provision: the inventory table" sh -c "printf '%s\n' \"\$1\" | grep -q '^${M[2]}  *198.18.0.13'" - "$out"
destroy=$(printf '%s\n' "$out" | sed -n 's/^To destroy: //p')
is "provision ends with the guide's line and the real directory" "$destroy" \
	"icm unprovision -stateDir $X [-cleanUp] [-force]"
ok "the state directory is X, recorded in instances.json" grep -q "\"MasterStateDir\":[[:space:]]*\"$X\"" instances.json
ok "no ./state was made" test ! -e state
is "password login is off on the hosts after provision (the key was put in place first)" \
	"$("$TOP/tests/world/world" exec 2 --dir "$W" -- sshd -T -C user=ec2-user,host=h,addr=198.18.0.1 2>&1 | grep -i '^passwordauthentication')" \
	"passwordauthentication no"

out=$("$ICM" inventory 2>&1)
check "inventory (no -stateDir) exits 0" $? 0 "$out"
is "inventory lists the guide's machine names" \
	"$(printf '%s\n' "$out" | awk '/^ECP-/ {print $1}' | tr '\n' ' ')" "${M[*]} "

out=$("$ICM" ssh -command "df -k" -machine "${M[0]}" 2>&1)
check "ssh -command 'df -k' on one node exits 0" $? 0 "$out"
contains "ssh: the guide's Executing line" "$out" "Executing command 'df -k' on ${M[0]}..."
contains "ssh: output in the state directory X" "$out" "...output in $X/ECP-DM-TEST/${M[0]}/ssh.out"
contains "ssh: one node: the output on the console" "$out" "Filesystem"

out=$("$ICM" run -iscPassword "$IRISPW" 2>&1)
check "run (no -stateDir: the recorded one) exits 0" $? 0 "$out"
contains "run: the guide's waiting line" "$out" "Waiting for InterSystems IRIS to start on ${M[0]}..."
contains "run: the portal line" "$out" "Management Portal available at: http://198.18.0.11:52773/csp/sys/UtilHome.csp"

out=$("$ICM" ps 2>&1)
check "ps exits 0" $? 0 "$out"
is "ps: iris Up on every node" "$(printf '%s\n' "$out" | awk '/^ECP-/ && $3 == "iris" && $4 == "Up" {n++} END {print n+0}')" 3

for i in 0 1 2; do
	"$ICM" exec -machine "${M[$i]}" -command "cat $MP/data/IRIS/mgr/iris.key" >/dev/null 2>&1
	is "${M[$i]}'s container has its ISCLicense file as its key" \
		"$(cat "$X/ECP-${M[$i]:4:2}-TEST/${M[$i]}/docker.out" 2>&1)" "$(cat "License/${LIC[$i]}")"
done

out=$(timeout 120 /usr/bin/python3 "$PTY" --input '1\n\n' 30 100 "$ICM" terminal -namespace %SYS -command ^MIRROR -machine "${M[0]}" 2>&1)
check "terminal -namespace %SYS -command ^MIRROR exits 0" $? 0 "$out"
contains "terminal: the Terminal's header" "$out" "Node: iris-${M[0]}, Instance: IRIS"
contains "terminal: the routine ran in it (the stand-in's ^MIRROR menu)" "$out" \
	"^MIRROR of the ICM TEST STAND-IN: mirror none, status Not Initialized"

printf 'guide cp %s\n' "$RANDOM" > note.txt
out=$("$ICM" scp -localPath note.txt -machine "${M[1]}" 2>&1)
check "scp note.txt to the node (default remotePath) exits 0" $? 0 "$out"
out=$("$ICM" cp -localPath /home/ec2-user/note.txt -remotePath /tmp/copied.txt -machine "${M[1]}" 2>&1)
check "cp the node's file into the container under a file name exits 0" $? 0 "$out"
out=$("$ICM" exec -command "cat /tmp/copied.txt" -machine "${M[1]}" 2>&1)
contains "cp: the container has the node's file" "$out" "$(cat note.txt)"

out=$("$ICM" sql -command "SELECT Name,SMSGateway FROM %SYS.PhoneProviders" -role DM 2>&1)
check "sql -role DM exits 0" $? 0 "$out"
contains "sql: the guide's Executing line" "$out" "Executing command in container iris on ${M[0]}..."
contains "sql: output in jdbc.out" "$out" "...output in $X/ECP-DM-TEST/${M[0]}/jdbc.out"
is "sql: jdbc.out starts with the CSV header" "$(head -1 "$X/ECP-DM-TEST/${M[0]}/jdbc.out")" "Name,SMSGateway"

ok "the IRIS password is in no file icm wrote" sh -c "! grep -rqF -- '$IRISPW' '$T/Samples'"
ok "nor the registry's or the hosts' passwords" sh -c "! grep -rqF -e '$(cat "$R/password")' -e '$(cat "$W/password")' '$T/Samples' --exclude=defaults.json --exclude=instances.json"

eval "set -- $(printf '%s' "$destroy" | tr -d '[]')"
out=$("$ICM" "${@:2}" 2>&1)
check "unprovision with the line provision printed exits 0" $? 0 "$out"
ok "unprovision -cleanUp removed X" test ! -e "$X"
ok "... and instances.json" test ! -e instances.json
done_testing
