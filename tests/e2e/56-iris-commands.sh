#!/usr/bin/env bash
# 56-iris-commands.sh: session (2018: terminal), iscos and sql against the
# IRIS stand-in (tests/images/iris-standin: a TEST STAND-IN for the
# proprietary engine that records every line it receives and answers
# `write "TEXT",!`).  A world of 2 Docker hosts and the TLS registry; a
# PreExisting deployment of two DATA nodes and one CN node; icm run puts the
# stand-in in container iris; then:
#   session -command on every IRIS node (the CN node is left out), its
#   output in docker.out and the record of what the instance received;
#   iscos (the 2018 name) the same; session on one node echoes;
#   the cluster's namespace IRISCLUSTER (made by run) is the default; an
#   unknown namespace fails naming the node (exit 1);
#   sql -command: the statement through %SQL.Statement, output in jdbc.out
#   as the guide's CSV (its %SYS.PhoneProviders example; values with
#   commas, quotes and line ends quoted; an SQL error fails naming the node);
#   session -interactive and terminal on a pseudo-terminal (one node only;
#   several refused with ICM's message); the guide's
#   `icm terminal -namespace %SYS -command ^MIRROR` runs the routine in the
#   interactive Terminal; a -command that is no routine is refused;
#   ISCLicense (the guide's 2018 field), one key file per DATA node: each
#   container got its own file as its key (iris-main --key, mgr/iris.key),
#   the license server on DATA node 1 reads that key's directory, a
#   missing file is refused before anything changes, and a changed file
#   gives that node a new container with the new key.
# Root only.
. "$(dirname "$0")/lib.sh"
PTY=$TOP/tests/ssh/pty-drive.py
world_docker_up 3
plan 78
show() { printf '%s\n' "$1" | tail -n 8 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
registry_push iris:iris

cd "$T"
IRISPW="iris-pw-$$-$RANDOM"
# The world hosts share the machine's file system but /home (test-world.md):
# each node's IRIS volumes must be its own, so they live under /home.
MP=/home/ec2-user/irissys
world_defaults Iris T irissys "$IRISPW" > defaults.json
mkdir -p "$T/License"
for k in 1 2; do printf '[ConfigFile]\nTEST STAND-IN KEY isc%s %s\n' $k $$ > "$T/License/isc$k.key"; done
cat > definitions.json <<JSON
[{"Role": "DATA", "IPAddress": "198.18.0.11", "StartCount": "1", "ISCLicense": "$T/License/isc1.key"},
 {"Role": "DATA", "IPAddress": "198.18.0.12", "StartCount": "2", "ISCLicense": "$T/License/isc2.key"},
 {"Role": "CN", "IPAddress": "198.18.0.13", "StartCount": "3"}]
JSON
M=(Iris-DATA-T-0001 Iris-DATA-T-0002 Iris-CN-T-0003)
S1=state/Iris-DATA-T
out=$("$ICM" provision 2>&1)
check "provision exits 0" $? 0 "$out"
out=$(setsid "$ICM" run -override '{"ISCPassword": ""}' </dev/null 2>&1)
check "run without ISCPassword and no terminal: exit 1" $? 1 "$out"
contains "... naming ISCPassword" "$out" "ISCPassword is not set and there is no terminal"
# the docker CLI against node IP's engine, as icm's client
dk() { local ip=$1; shift; env -i PATH=/usr/bin:/bin docker --tlsverify --tlscacert state/pki/ca.pem --tlscert state/pki/client/cert.pem --tlskey state/pki/client/key.pem -H "tcp://$ip:2376" "$@"; }
out=$("$ICM" run -override "{\"ISCLicense\": \"$T/License/none.key\"}" 2>&1)
check "run with an ISCLicense file that is not there: exit 1" $? 1 "$out"
contains "... naming the node, the field and the file" "$out" \
	"${M[0]}: field 'ISCLicense': cannot read the license key '$T/License/none.key': No such file or directory"
is "... before any container was made" "$(dk 198.18.0.11 ps -aq)" ""
out=$("$ICM" run 2>&1)
check "run puts the stand-in on every node" $? 0 "$out"
contains "run copies each node's own ISCLicense key" "$out" \
	"Copying license key $T/License/isc2.key to ${M[1]}..."
is "node 1's container got isc1.key as its license (mgr/iris.key)" \
	"$(dk 198.18.0.11 exec iris cat $MP/data/IRIS/mgr/iris.key 2>&1)" "$(cat "$T/License/isc1.key")"
is "node 2's got isc2.key" \
	"$(dk 198.18.0.12 exec iris cat $MP/data/IRIS/mgr/iris.key 2>&1)" "$(cat "$T/License/isc2.key")"
is "... given to iris-main as --key" "$(dk 198.18.0.12 inspect -f '{{json .Args}}' iris 2>&1)" \
	"[\"--key\",\"$MP/data/icm/license/iris.key\"]"
contains "run acquires the license on each node" "$out" "Acquiring license on ${M[1]}..."
contains "run waits for IRIS" "$out" "Waiting for InterSystems IRIS to start on ${M[1]}..."
contains "run ends with the portal of DATA node 1" "$out" \
	"Management Portal available at: http://198.18.0.11:52773/csp/sys/UtilHome.csp"
# the stand-in's record of session lines, on node I (durable %SYS)
record() { "$ICM" exec -machine "${M[$1]}" -command "cat $MP/data/IRIS/standin/commands.log" >/dev/null 2>&1; cat "$S1/${M[$1]}/docker.out"; }
contains "the license server (DATA node 1) reads node 1's key directory" "$(record 0)" \
	"p(\"Address\")=\"198.18.0.11\",p(\"Port\")=4002,p(\"KeyDirectory\")=\"$MP/data/icm/license\""
contains "node 2 uses that server" "$(record 1)" \
	"p(\"Address\")=\"198.18.0.11\",p(\"Port\")=4002,p(\"KeyDirectory\")=\"\""
"$ICM" exec -machine "${M[0]}" -command "cat $MP/data/IRIS/iris.cpf" >/dev/null 2>&1
ph=$(sed -n 's/^PasswordHash=//p' "$S1/${M[0]}/docker.out" | head -1)
want=$(/usr/bin/python3 -c 'import hashlib,sys; s=sys.argv[2]; print(hashlib.pbkdf2_hmac("sha1", sys.argv[1].encode(), s.encode(), 1024).hex().upper() + "," + s)' "$IRISPW" "${ph#*,}")
is "the instance got ICM's PasswordHash of ISCPassword" "$ph" "$want"
ok "the IRIS password is in no file of the container" sh -c "! grep -qF -- '$IRISPW' '$S1/${M[0]}/docker.out' && ! env -i PATH=/usr/bin:/bin docker --tlsverify --tlscacert state/pki/ca.pem --tlscert state/pki/client/cert.pem --tlskey state/pki/client/key.pem -H tcp://198.18.0.11:2376 exec iris grep -rqF -- '$IRISPW' $MP"
ok "... nor in its inspect output" sh -c "! env -i PATH=/usr/bin:/bin docker --tlsverify --tlscacert state/pki/ca.pem --tlscert state/pki/client/cert.pem --tlskey state/pki/client/key.pem -H tcp://198.18.0.11:2376 inspect iris | grep -qF -- '$IRISPW'"
ok "... nor in icm.log" sh -c "! grep -qF -- '$IRISPW' icm.log"

out=$("$ICM" session -namespace %SYS -command 'write "ICM-HELLO",!' 2>&1)
check "session -command exits 0" $? 0 "$out"
has_line "session: the guide's Executing line" "$out" "Executing command in container iris on ${M[1]}..."
lacks "session: the CN node is left out" "$out" "${M[2]}"
is "session: node 1's docker.out" "$(cat "$S1/${M[0]}/docker.out")" "ICM-HELLO"
is "session: node 2's docker.out" "$(cat "$S1/${M[1]}/docker.out")" "ICM-HELLO"
contains "the instance received the snippet, then halt" "$(record 1)" '%SYS write "ICM-HELLO",!'

out=$("$ICM" iscos -namespace USER -machine "${M[0]}" -command 'write "ICM-ISCOS",!' 2>&1)
check "iscos on one node exits 0" $? 0 "$out"
contains "iscos on one node echoes" "$out" "ICM-ISCOS"
has_line "iscos: the guide's Executing line" "$out" "Executing command in container iris on ${M[0]}..."
contains "iscos: in namespace USER" "$(record 0)" 'USER write "ICM-ISCOS",!'

out=$("$ICM" session -command 'write "X",!' 2>&1)
check "the default namespace IRISCLUSTER (run made the cluster) works: exit 0" $? 0 "$out"
contains "... the line ran there" "$(record 0)" 'IRISCLUSTER write "X",!'
out=$("$ICM" session -namespace NOPE -command 'write "X",!' 2>&1)
check "an unknown namespace: exit 1" $? 1 "$out"
contains "the failure names the node and its file" "$out" "${M[0]}: iris session exit status 1; see $S1/${M[0]}/docker.err"

# a table of the stand-in (TSV, \n for a line end) with values CSV must quote
dkx() { env -i PATH=/usr/bin:/bin docker --tlsverify --tlscacert state/pki/ca.pem --tlscert state/pki/client/cert.pem --tlskey state/pki/client/key.pem -H "tcp://198.18.0.1$1:2376" exec -i iris sh -c "$2"; }
for i in 1 2; do
	printf 'Name\tNote\nO'"'"'Brien\tsays "hi", then\\nline 2\nSmith\tplain\n' |
		dkx $i "mkdir -p $MP/data/IRIS/standin/tables/USER && cat > $MP/data/IRIS/standin/tables/USER/Sample.Person.tsv"
done
out=$("$ICM" sql -namespace USER -command "SELECT Name FROM Sample.Person WHERE Name = 'O''Brien'" 2>&1)
check "sql -command exits 0" $? 0 "$out"
has_line "sql: the guide's Executing line" "$out" "Executing command in container iris on ${M[1]}..."
is "sql: jdbc.out holds the header and the one row that matched" "$(cat "$S1/${M[1]}/jdbc.out")" "Name
O'Brien"
contains "sql: the statement reached the instance as a %SQL.Statement" "$(record 1)" \
	"%ExecDirect(,\"SELECT Name FROM Sample.Person WHERE Name = 'O''Brien'\")"

# the guide's example: Name,SMSGateway then the rows, in jdbc.out
out=$("$ICM" sql -command "SELECT Name,SMSGateway FROM %SYS.PhoneProviders" -machine "${M[1]}" 2>&1)
check "sql: the guide's example exits 0" $? 0 "$out"
GUIDE_CSV='Name,SMSGateway
AT&T Wireless,txt.att.net
Alltel,message.alltel.com
Cellular One,mobile.celloneusa.com
Nextel,messaging.nextel.com
Sprint PCS,messaging.sprintpcs.com
T-Mobile,tmomail.net
Verizon,vtext.com'
is "sql: jdbc.out is the guide's CSV" "$(cat "$S1/${M[1]}/jdbc.out")" "$GUIDE_CSV"
contains "sql on one node echoes the CSV" "$out" "$GUIDE_CSV"
contains "sql: ...output in jdbc.out" "$out" "...output in $S1/${M[1]}/jdbc.out"
out=$("$ICM" sql -namespace USER -command "SELECT * FROM Sample.Person" 2>&1)
check "sql on both DATA nodes exits 0" $? 0 "$out"
for i in 0 1; do
	is "sql: node $((i + 1))'s jdbc.out quotes commas, quotes and line ends" "$(cat "$S1/${M[$i]}/jdbc.out")" 'Name,Note
O'"'"'Brien,"says ""hi"", then
line 2"
Smith,plain'
done
out=$("$ICM" sql -namespace USER -command "SELECT Name FROM Nope" -machine "${M[0]}" 2>&1)
check "sql: an SQL error exits 1" $? 1 "$out"
contains "... naming the node and the error" "$out" "${M[0]}: SQLCODE -30: Table 'Nope' not found"

out=$(/usr/bin/python3 "$PTY" --input 'write "ICM-TTY",!\nhalt\n' 30 100 "$ICM" session \
	-interactive -namespace %SYS -machine "${M[0]}" 2>&1)
check "session -interactive exits 0" $? 0 "$out"
contains "session -interactive: ICM's header" "$out" "Node: iris-${M[0]}, Instance: IRIS"
contains "session -interactive: the typed line ran" "$out" "ICM-TTY"
out=$(/usr/bin/python3 "$PTY" --input 'halt\n' 30 100 "$ICM" terminal -namespace %SYS -machine "${M[1]}" 2>&1)
check "terminal (2018 name) exits 0" $? 0 "$out"
contains "terminal: ICM's header" "$out" "Node: iris-${M[1]}, Instance: IRIS"
# the guide: icm terminal -namespace %SYS -command ^MIRROR
events() { "$ICM" exec -machine "${M[$1]}" -command "cat $MP/data/IRIS/standin/events.log" >/dev/null 2>&1; cat "$S1/${M[$1]}/docker.out"; }
out=$(/usr/bin/python3 "$PTY" --input '1\n\n' 30 100 "$ICM" terminal -namespace %SYS -command ^MIRROR -machine "${M[0]}" 2>&1)
check "terminal -command ^MIRROR exits 0" $? 0 "$out"
contains "... ICM's header" "$out" "Node: iris-${M[0]}, Instance: IRIS"
contains "... the routine ran in the Terminal (the stand-in's ^MIRROR)" "$out" "^MIRROR of the ICM TEST STAND-IN: mirror none, status Not Initialized"
contains "... and took the typed option" "$out" "This member's status: Not Initialized"
contains "the instance ran ^MIRROR as the session's routine" "$(record 0)" "%SYS do ^MIRROR"
contains "... and got option 1 from the terminal" "$(record 0)" "%SYS ^MIRROR option 1"
is "... on a terminal (tty=yes), not as a snippet" "$(events 0 | grep 'session-begin' | tail -n 1 | sed 's/.* //')" "tty=yes"
out=$("$ICM" terminal -namespace %SYS -command ^MIRROR 2>&1)
check "terminal on 2 IRIS nodes is refused" $? 1 "$out"
contains "... with ICM's message" "$out" "Interactive commands cannot match more than one instance"
lacks "... and runs nothing" "$out" "Node:"
out=$("$ICM" terminal -machine "${M[0]}" -command 'write 1' 2>&1)
check "terminal -command that is no routine: exit 1" $? 1 "$out"
contains "... the error says what a routine is" "$out" "-command: 'write 1' is not a routine for the Terminal"
out=$("$ICM" terminal -machine "${M[0]}" -command '^X;rm -rf /' 2>&1)
check "terminal -command with shell text: exit 1" $? 1 "$out"
out=$(/usr/bin/python3 "$PTY" 30 100 "$ICM" terminal -namespace USER -command ^MIRROR -machine "${M[0]}" 2>&1)
check "terminal: ^MIRROR outside %SYS fails as IRIS would (exit 1)" $? 1 "$out"
contains "... <NOROUTINE>" "$out" "<NOROUTINE> *MIRROR"
out=$("$ICM" session -interactive -namespace %SYS 2>&1)
check "session -interactive on 2 nodes is refused" $? 1 "$out"
contains "... with ICM's message" "$out" "Interactive commands cannot match more than one instance"
out=$("$ICM" session -role CN -namespace %SYS -command 'write "ICM-CN",!' 2>&1)
check "-role CN names the CN node explicitly: exit 0" $? 0 "$out"
contains "... and it ran there" "$out" "ICM-CN"

# a new key file for node 2: run gives it a new container with that key
id1=$(dk 198.18.0.11 inspect -f '{{.Id}}' iris) id2=$(dk 198.18.0.12 inspect -f '{{.Id}}' iris)
printf '[ConfigFile]\nTEST STAND-IN KEY isc2 renewed %s\n' $$ > "$T/License/isc2.key"
out=$("$ICM" run 2>&1)
check "run after node 2's key file changed: exit 0" $? 0 "$out"
is "... node 1's container is left alone" "$(dk 198.18.0.11 inspect -f '{{.Id}}' iris)" "$id1"
new2=$(dk 198.18.0.12 inspect -f '{{.Id}}' iris)
ok "... node 2 has a new container" test -n "$new2" -a "$new2" != "$id2"
is "... with the new key" "$(dk 198.18.0.12 exec iris cat $MP/data/IRIS/mgr/iris.key 2>&1)" "$(cat "$T/License/isc2.key")"
# After every command: no file icm wrote here (icm.log, state/, ...; the
# world's and the registry's directories are the test's) holds the IRIS or
# the registry password; instances.json keeps the configuration's secrets
# as ICM's own does, readable by the owner only.
found=$(grep -rlF -e "$IRISPW" -e "$(cat "$R/password")" . \
	--exclude-dir="${W##*/}" --exclude-dir="${R##*/}" \
	--exclude=defaults.json --exclude=instances.json)
is "no file icm wrote holds a password" "$found" ""
is "instances.json is the owner's only" "$(stat -c %a instances.json)" 600
done_testing
