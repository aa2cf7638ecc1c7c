#!/usr/bin/env bash
# 51-preexisting: icm provision on PreExisting hosts of the test world,
# then inventory, ssh (all nodes, one node, exit statuses, -interactive on a
# pseudo-terminal, scp, a stopped sshd,
# a changed host key, a host that never answers), provision killed and run
# again, and unprovision.
. "$(dirname "$0")/lib.sh"
WORLD=$TOP/tests/world/world
[ "$(id -u)" = 0 ] || skip_all "the test world needs root"
[ -x "$WORLD" ] || skip_all "tests/world/world is not in this tree"
world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"
W=$T/world
up=$("$WORLD" up 4 --dir "$W" 2>&1) || {
	case $up in
	*"already up"*) skip_all "another test world is up on this machine" ;;
	esac
	echo "1..1"; echo "not ok 1 - world up 4"; printf '%s\n' "$up" |
		sed 's/^/#   /'; exit 1
}
trap '"$WORLD" down --dir "$W" >/dev/null 2>&1; rm -rf "$T"' EXIT
KEY=$(printf '%s\n' "$up" | sed -n 's/^key: \([^ ]*\).*/\1/p' | tail -1)
plan 73
cd "$T"

cat > defaults.json <<JSON
{"Provider": "PreExisting", "Label": "Fan", "Tag": "T",
 "SSHUser": "ec2-user", "SSHPrivateKey": "$KEY",
 "RetryCount": "2", "RetryInterval": "200"}
JSON
printf '[' > definitions.json
for i in 1 2 3 4; do
	[ $i = 1 ] || printf ',' >> definitions.json
	printf '{"Role": "VM", "IPAddress": "198.18.0.%d", "StartCount": "%d"}' \
		$((10 + i)) $i >> definitions.json
done
printf ']\n' >> definitions.json
M=(Fan-VM-T-0001 Fan-VM-T-0002 Fan-VM-T-0003 Fan-VM-T-0004)
D=state/Fan-VM-T

out=$("$ICM" provision 2>&1); st=$?
is "provision exits 0" "$st" 0
[ "$st" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
has_line "Copying files line" "$out" "Copying files to Fan-VM-T-0003..."
has_line "Configuring line" "$out" "Configuring Fan-VM-T-0002..."
# PreExisting: no allocation phase (icm-reference 5.6), so no plan or apply
# lines; Overlay is host there, so no Weave warning
lacks "no plan or apply lines" "$out" "Starting plan of"
lacks "no Weave warning (Overlay host)" "$out" "Weave"
contains "inventory table" "$(echo "$out" | tr -s ' ')" \
	"Fan-VM-T-0004 198.18.0.14"
contains "closing line" "$out" \
	"To destroy: icm unprovision -stateDir $(pwd -P)/state [-cleanUp] [-force]"
ok "instances.json written" test -s instances.json
is "instances.json has 4 nodes" \
	"$(grep -c '"MachineName":' instances.json)" 4
contains "facts: architecture" "$(cat instances.json)" \
	"\"Architecture\":	\"$(uname -m)\""
contains "facts: OS" "$(cat instances.json)" '"OSRelease":'
contains "StateDir recorded" "$(cat instances.json)" \
	"\"StateDir\":	\"$(pwd -P)/state/Fan-VM-T\""
is "host keys pinned for 4 hosts" \
	"$(cut -d' ' -f1 state/known_hosts | sort -u | wc -l)" 4
ok "deployment CA made" test -s state/pki/ca.pem
is "payload on the node" "$("$WORLD" exec 2 --dir "$W" -- \
	su ec2-user -c 'ls ~/ICM ~/ICM/tls' 2>&1 | tr -s '\n' ' ')" \
	"/home/ec2-user/ICM: disable_password_login.done disable_password_login.sh tls /home/ec2-user/ICM/tls: ca.pem server-cert.pem server-key.pem "
contains "password login disabled on the node" \
	"$("$WORLD" exec 1 --dir "$W" -- cat /etc/ssh/sshd_config)" \
	"PasswordAuthentication no"
cp instances.json first.json

out=$("$ICM" inventory 2>&1)
is "inventory lists 4 nodes" "$(echo "$out" | grep -c Fan-VM-T-)" 4

out=$("$ICM" provision 2>&1); st=$?
is "provision again exits 0" "$st" 0
ok "provision again: same instances.json" cmp -s first.json instances.json

# icm ssh on all nodes
out=$("$ICM" ssh -command hostname 2>&1); st=$?
is "ssh on all: exit 0" "$st" 0
contains "Executing line" "$out" \
	"Executing command 'hostname' on Fan-VM-T-0001..."
contains "output-in line" "$out" "...output in $D/Fan-VM-T-0004/ssh.out"
n=0
for m in "${M[@]}"; do [ -s "$D/$m/ssh.out" ] && n=$((n + 1)); done
is "4 ssh.out files" "$n" 4
lacks "no echo with 4 nodes" "$out" "$(cat "$D/Fan-VM-T-0002/ssh.out")
"
a=$(cat "$D/Fan-VM-T-0001/ssh.out"); b=$(cat "$D/Fan-VM-T-0003/ssh.out")
ok "each host answered with its own name" test -n "$a" -a "$a" != "$b"

# one node: the output is echoed
out=$("$ICM" ssh -command 'echo one-$((6*7))' -machine Fan-VM-T-0002 2>&1)
st=$?
is "ssh on one: exit 0" "$st" 0
is "ssh on one: echoed" "$(echo "$out" | tail -1)" "one-42"

# exit statuses
out=$("$ICM" ssh -command 'echo oops >&2; exit 3' -json 2>&1); st=$?
is "remote exit 3: icm exits 1" "$st" 1
contains "names the node and its file" "$out" \
	"Fan-VM-T-0003: exit status 3; see $D/Fan-VM-T-0003/ssh.err"
is "stderr in ssh.err" "$(cat "$D/Fan-VM-T-0001/ssh.err")" "oops"
contains "response.json: remote-error shape" "$(cat response.json)" \
	'"exitValue":	3'
contains "response.json names the file" "$(cat response.json)" \
	"\"file\":	\"$D/Fan-VM-T-0004/ssh.err\""

# icm ssh -interactive, driven through a pseudo-terminal of 37x101
out=$(/usr/bin/python3 "$TOP/tests/ssh/pty-drive.py" 37 101 "$ICM" ssh \
	-interactive -machine Fan-VM-T-0001 -command 'echo hi-$((6*7)); stty size; exit 3' 2>&1)
st=$?
contains "interactive: the command ran on a PTY" "$out" "hi-42"
contains "interactive: the remote saw the window size" "$out" "37 101"
is "interactive: a remote exit 3 makes icm exit 1" "$st" 1
out=$("$ICM" ssh -interactive -role VM 2>&1); st=$?
is "interactive on 4 nodes: exit 1" "$st" 1
contains "interactive on 4 nodes: ICM's message" "$out" \
	"Interactive commands cannot match more than one instance"

# icm scp: a file, a directory, ICM's trailing-slash rules
echo payload-1 > f.txt
mkdir -p dir/sub && echo a > dir/a && echo b > dir/sub/b
out=$("$ICM" scp -localPath f.txt 2>&1); st=$?
is "scp file to home: exit 0" "$st" 0
contains "scp console line" "$out" "Copying f.txt to Fan-VM-T-0002:~..."
remote() { "$ICM" ssh -machine Fan-VM-T-0004 -command "$1" 2>&1 | tail -1; }
is "file landed in every home" "$("$ICM" ssh -command 'cat ~/f.txt' \
	>/dev/null 2>&1; cat "$D"/Fan-VM-T-000[1-4]/ssh.out | sort -u)" "payload-1"
"$ICM" scp -localPath f.txt -remotePath /tmp/x/ >/dev/null 2>&1
is "file to dir/: dir/BASENAME" "$(remote 'cat /tmp/x/f.txt')" "payload-1"
"$ICM" scp -localPath dir -remotePath /tmp/d/ >/dev/null 2>&1
is "dir to dir/: dir/BASENAME/..." "$(remote 'cat /tmp/d/dir/sub/b')" "b"
"$ICM" scp -localPath dir/ -remotePath /tmp/e >/dev/null 2>&1
is "dir/ to path: the contents" "$(remote 'cat /tmp/e/a')" "a"
out=$("$ICM" scp -localPath nowhere 2>&1); st=$?
is "scp of a missing file: exit 1" "$st" 1

# one host's sshd stopped
"$WORLD" exec 3 --dir "$W" -- sh -c 'kill $(cat /run/sshd.pid)' >/dev/null 2>&1
start=$(date +%s)
out=$("$ICM" ssh -command 'echo alive' 2>&1); st=$?
took=$(( $(date +%s) - start ))
is "sshd stopped on one: exit 1" "$st" 1
contains "names that host and its ssh.err" "$out" \
	"Fan-VM-T-0003: "
contains "and the file" "$out" "see $D/Fan-VM-T-0003/ssh.err"
is "the others answered" "$(cat "$D/Fan-VM-T-0001/ssh.out" \
	"$D/Fan-VM-T-0002/ssh.out" "$D/Fan-VM-T-0004/ssh.out" | tr '\n' ' ')" \
	"alive alive alive "
contains "ssh.err says why" "$(cat "$D/Fan-VM-T-0003/ssh.err")" \
	"198.18.0.13:22"
ok "a dead host costs little (${took}s)" test "$took" -le 10

# one host's key changed
"$WORLD" exec 4 --dir "$W" -- sh -c 'cd /etc/ssh && rm -f ssh_host_*_key* &&
	ssh-keygen -q -t ecdsa -N "" -f ssh_host_ecdsa_key &&
	ssh-keygen -q -t ed25519 -N "" -f ssh_host_ed25519_key &&
	ssh-keygen -q -t rsa -b 2048 -N "" -f ssh_host_rsa_key &&
	kill -HUP $(cat /run/sshd.pid)' >/dev/null 2>&1
sleep 0.5
out=$("$ICM" ssh -command true -machine 'Fan-VM-T-000[124]' 2>&1); st=$?
is "changed host key: exit 1" "$st" 1
is "both fingerprints shown" \
	"$(echo "$out" | grep '198.18.0.14' | grep -o 'SHA256:[A-Za-z0-9+/]*' |
	   sort -u | wc -l)" 2
contains "the node is named" "$out" "Fan-VM-T-0004: "
is "the others ran" "$(grep -c . "$D/Fan-VM-T-0001/ssh.err" \
	"$D/Fan-VM-T-0002/ssh.err" | awk -F: '{s+=$2} END {print s}')" 0

# a host that never answers (sshd frozen: TCP connects, no banner comes)
# costs at most the configured budget: RetryCount 2 x (RetryInterval 0.2 s
# + the 10 s connect timeout) = 20.4 s
"$WORLD" exec 2 --dir "$W" -- sh -c 'kill -STOP $(cat /run/sshd.pid)' >/dev/null 2>&1
start=$(date +%s)
out=$("$ICM" ssh -command true -machine Fan-VM-T-0002 2>&1); st=$?
took=$(( $(date +%s) - start ))
"$WORLD" exec 2 --dir "$W" -- sh -c 'kill -CONT $(cat /run/sshd.pid)' >/dev/null 2>&1
is "a silent host: exit 1" "$st" 1
contains "a silent host: named, with its file" "$out" "Fan-VM-T-0002: "
ok "a silent host costs at most the budget (${took}s <= 22s)" test "$took" -le 22

# provision killed with SIGKILL, then run again (host 3 and 4 are broken
# on purpose above; provision the two good ones)
cat > definitions.json <<JSON
[{"Role": "VM", "IPAddress": "198.18.0.11", "StartCount": "1"},
 {"Role": "VM", "IPAddress": "198.18.0.12", "StartCount": "2"}]
JSON
rm -rf state instances.json
"$ICM" provision > killed.out 2>&1 &
pid=$!
for i in $(seq 100); do
	grep -q 'Copying files' killed.out 2>/dev/null && break
	sleep 0.02
done
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
ok "killed in node preparation: instances.json lists the nodes already" \
	test -s instances.json
out=$("$ICM" provision 2>&1); st=$?
is "provision after SIGKILL exits 0" "$st" 0
contains "the stale lock was taken over" "$out" "stale"
cp instances.json again.json
rm -rf state instances.json
"$ICM" provision >/dev/null 2>&1
ok "same instances.json as an uninterrupted provision" \
	cmp -s again.json instances.json

# -stateDir alt: recorded in instances.json as an absolute path, used by
# later commands without -stateDir, and in ICM's closing line
rm -rf state instances.json
out=$("$ICM" provision -stateDir alt 2>&1); st=$?
is "provision -stateDir alt: exit 0" "$st" 0
ALT=$(pwd -P)/alt
is "the guide's closing line, with the real directory" \
	"$(echo "$out" | grep '^To destroy')" \
	"To destroy: icm unprovision -stateDir $ALT [-cleanUp] [-force]"
contains "MasterStateDir recorded" "$(cat instances.json)" \
	"\"MasterStateDir\":	\"$ALT\""
out=$("$ICM" ssh -command hostname 2>&1); st=$?
is "ssh without -stateDir: exit 0" "$st" 0
contains "... says which state directory" "$out" \
	"Using the state directory $ALT (recorded in instances.json)"
contains "... its files in the recorded one" "$out" \
	"...output in $ALT/Fan-VM-T/Fan-VM-T-0002/ssh.out"
ok "... and no ./state made" test ! -e state

# unprovision, without -stateDir: the recorded one
out=$(echo no | "$ICM" unprovision 2>&1); st=$?
is "unprovision not confirmed: exit 1" "$st" 1
out=$(echo yes | "$ICM" unprovision -cleanUp 2>&1); st=$?
is "unprovision -cleanUp: exit 0" "$st" 0
lacks "unprovision: no destroy lines (PreExisting destroys nothing)" "$out" "destroy of"
ok "instances.json and the recorded state directory removed" \
	test ! -e instances.json -a ! -e alt -a ! -e state

"$WORLD" down --dir "$W" >/dev/null 2>&1
is "world down leaves nothing" "$("$WORLD" status --dir "$W" 2>&1)" \
	"world: down (no state in $W)"
done_testing
