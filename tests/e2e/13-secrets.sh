#!/usr/bin/env bash
# 13-secrets: passwords given in the configuration never reach icm.log,
# response.json, the state directory or an error message; masking them
# never garbles other text: a secret under 6 characters is not masked
# (warned once, and no code path prints it), a numeric one is masked in
# the form written, and the guide's placeholder '...' is refused.
. "$(dirname "$0")/lib.sh"
plan 42
cd "$T"
cp "$DATA"/e2e/pre/*.json .
"$ICM" keygen ssh keys >/dev/null
secrets="Iris-E2E-pw-1 Reg-pw-E2E-2 ssh-pw-E2E-3 Cli-pw-E2E-4"

out=$("$ICM" provision -iscPassword Cli-pw-E2E-4 -verbose 2>&1)
ok "provision wrote icm.log" test -s icm.log
log=$(cat icm.log)
for s in $secrets; do lacks "icm.log lacks $s" "$log" "$s"; done
for s in $secrets; do lacks "console lacks $s" "$out" "$s"; done

"$ICM" provision -plan -json >/dev/null 2>&1
r=$(cat response.json)
for s in Iris-E2E-pw-1 Reg-pw-E2E-2 ssh-pw-E2E-3; do
	lacks "response.json (-plan -json) lacks $s" "$r" "$s"
done
# Every file icm wrote (icm.log, response.json, state/): none holds one,
# but instances.json, which holds the deployment's fields as ICM's does
# (written before node preparation, so also after a failed provision):
# it is readable by its owner alone.
found=$(grep -rlF $(printf -- '-e %s ' $secrets) . \
	--exclude=defaults.json --exclude=definitions.json \
	--exclude=instances.json)
is "no file icm wrote holds a secret" "$found" ""
is "instances.json is mode 0600" "$(stat -c %a instances.json 2>&1)" 600

# The pre world with its defaults.json changed by sed expression $2, in
# directory $1 (made here; the caller cds into it).
variant() {
	mkdir "$T/$1" && cp "$DATA"/e2e/pre/*.json "$T/$1" &&
		cp -r "$T/keys" "$T/$1" && sed -i "$2" "$T/$1/defaults.json"
}

# TEST as ISCPassword in a Tag TEST deployment: the names stay whole.
variant weak 's/"Tag": "E2E"/"Tag": "TEST"/; s/"Iris-E2E-pw-1"/"TEST"/'
cd "$T/weak"
out=$("$ICM" provision -plan 2>&1); st=$?
is "a weak ISCPassword does not stop provision -plan" "$st" 0
contains "machine names intact (not ECP-DM-********-0001)" "$out" \
	"Lab-DM-TEST-0001"
lacks "nothing in the plan is masked" "$out" "********"
weak="Warning: ISCPassword is shorter than 6 characters; it is weak and cannot be masked in output"
is "warned once, naming the field" \
	"$(printf '%s\n' "$out" | grep -cxF "$weak")" 1
out=$("$ICM" provision -plan -json -iscPassword TEST 2>&1)
is "-iscPassword TEST as well: still one warning" \
	"$(printf '%s\n' "$out" | grep -cF 'is shorter than 6')" 1
r=$(cat response.json)
contains "response.json: machine names intact" "$r" \
	'"MachineName":	"Lab-DM-TEST-0001"'
contains "response.json: the weak password shown as ********" "$r" \
	'"ISCPassword":	"********"'
lacks "response.json: the weak password itself nowhere" "$r" \
	'"ISCPassword":	"TEST"'

# The lock record (state/lock, and the message a second icm gets) while
# provision waits on an SSH server that never answers.
lport=$T/weak/port
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []; s.settimeout(1); end = time.time() + 20
while time.time() < end:
    try: held.append(s.accept())
    except OSError: pass
' "$lport" &
listener=$!
for _ in $(seq 50); do [ -s "$lport" ] && break; sleep 0.1; done
ICM_TEST_SSH_PORT=$(cat "$lport") "$ICM" provision -iscPassword TEST \
	-override '{"DockerPassword": "sh0rt", "Namespace": "NS1"}' \
	>held.out 2>&1 &
holder=$!
for _ in $(seq 100); do grep -q '^command=' state/lock 2>/dev/null && break; sleep 0.1; done
lock=$(sed -n 's/^command=//p' state/lock 2>/dev/null)
contains "the lock records the command" "$lock" "icm provision"
contains "with -iscPassword's value as ********" "$lock" \
	"-iscPassword ********"
contains "and the override's secret field as ********" "$lock" \
	'"DockerPassword":"********"'
lacks "no weak secret in the lock record" "$lock" "sh0rt"
kill "$holder" "$listener" 2>/dev/null
wait "$holder" "$listener" 2>/dev/null
cd "$T"

# The guide's placeholder: refused, naming file, line and field; nothing
# is written.
variant placeholder 's/"Reg-pw-E2E-2"/"..."/'
cd "$T/placeholder"
before=$(snapshot .)
out=$("$ICM" provision 2>&1); st=$?
is "DockerPassword '...': exit 1" "$st" 1
contains "the error says it is the placeholder" "$out" \
	"Error: defaults.json:13:23: field 'DockerPassword' is the guide's placeholder '...'; set the real value"
is "nothing was written" "$(snapshot .)" "$before"
cd "$T"
out=$("$ICM" provision -plan -iscPassword ... 2>&1); st=$?
is "-iscPassword ...: exit 1" "$st" 1
contains "-iscPassword '...' refused as the placeholder" "$out" \
	"Error: option '-iscPassword' is the guide's placeholder '...'; give the real password"
out=$("$ICM" provision -plan -override '{"WeavePassword": "..."}' 2>&1); st=$?
contains "an override '...' refused the same way" "$out" \
	"Error: command line: field 'WeavePassword' is the guide's placeholder '...'"

# A numeric password (a JSON number in defaults.json) is kept and masked
# as written: 1234567890123456, never 1.23456789012346e+15.
variant numeric 's/"Iris-E2E-pw-1"/1234567890123456/; s/"ssh-pw-E2E-3"/98765432.125/'
cd "$T/numeric"
"$ICM" provision -plan -json >/dev/null 2>&1
r=$(cat response.json)
contains "-plan -json shows the numeric password as ********" "$r" \
	'"ISCPassword":	"********"'
for s in 1234567890123456 1.23456789012346e+15 98765432.125; do
	lacks "-plan -json lacks $s" "$r" "$s"
done
out=$("$ICM" provision -json -verbose 2>&1); st=$?
is "provision fails (no sshd on loopback)" "$st" 1
contains "response.json holds the error" "$(cat response.json)" '"error":'
found=$(grep -rlF -e 1234567890123456 -e 1.23456789012346e+15 \
	-e 98765432.125 -e 9.8765432125e+07 . \
	--exclude=defaults.json --exclude=definitions.json \
	--exclude=instances.json)
is "no file icm wrote holds the numeric passwords, in any form" "$found" ""
for s in 1234567890123456 1.23456789012346e+15 98765432.125; do
	lacks "console lacks $s" "$out" "$s"
done
done_testing
