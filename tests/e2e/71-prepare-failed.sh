#!/usr/bin/env bash
# 71-prepare-failed: a node whose preparation fails is still in
# instances.json (provision writes it before node preparation), so
# inventory lists it and icm ssh reaches it to see why; the next provision
# prepares only that node (the others keep their "prepared" marker and
# their facts), and the one after it, every node prepared, converges all
# of them again.  One host of three loses passwordless sudo, the first
# step of node preparation.
. "$(dirname "$0")/lib.sh"
WORLD=$TOP/tests/world/world
[ "$(id -u)" = 0 ] || skip_all "the test world needs root"
[ -x "$WORLD" ] || skip_all "tests/world/world is not in this tree"
world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"
W=$T/world
up=$("$WORLD" up 3 --dir "$W" 2>&1) || {
	case $up in
	*"already up"*) skip_all "another test world is up on this machine" ;;
	esac
	echo "1..1"; echo "not ok 1 - world up 3"; printf '%s\n' "$up" |
		sed 's/^/#   /'; exit 1
}
trap '"$WORLD" down --dir "$W" >/dev/null 2>&1; rm -rf "$T"' EXIT
KEY=$(printf '%s\n' "$up" | sed -n 's/^key: \([^ ]*\).*/\1/p' | tail -1)
plan 17
cd "$T"

cat > defaults.json <<JSON
{"Provider": "PreExisting", "Label": "Prep", "Tag": "T",
 "SSHUser": "ec2-user", "SSHPrivateKey": "$KEY",
 "RetryCount": "2", "RetryInterval": "200"}
JSON
printf '[' > definitions.json
for i in 1 2 3; do
	[ $i = 1 ] || printf ',' >> definitions.json
	printf '{"Role": "VM", "IPAddress": "198.18.0.%d", "StartCount": "%d"}' \
		$((10 + i)) $i >> definitions.json
done
printf ']\n' >> definitions.json
M1=Prep-VM-T-0001 M2=Prep-VM-T-0002 M3=Prep-VM-T-0003
hx() { local h=$1; shift; "$WORLD" exec "$h" --dir "$W" -- "$@"; }
marks() { hx "$1" su ec2-user -c 'cd ~/ICM && stat -c "%n %y" * tls/*' 2>&1; }
SUDOERS=/etc/sudoers.d/90-icm-world

# host 2 loses passwordless sudo: its preparation fails at the first step
hx 2 mv "$SUDOERS" /root/sudoers.saved
out=$("$ICM" provision 2>&1); st=$?
is "one node's preparation fails: exit 1" "$st" 1
contains "names the node and why" "$out" \
	"provision on $M2 failed: passwordless sudo ('sudo -n true') is not available to SSHUser"
contains "ICM's failure line" "$out" \
	"Errors occurred during execution; aborting operation"
is "instances.json lists the 3 nodes" \
	"$(grep -c '"MachineName":' instances.json 2>/dev/null)" 3
is "... with the facts of the 2 prepared ones" \
	"$(grep -c '"OSRelease":' instances.json 2>/dev/null)" 2
out=$("$ICM" inventory 2>&1); st=$?
is "inventory: exit 0" "$st" 0
is "inventory lists the 3 nodes, the failed one too" \
	"$(echo "$out" | grep -c -e "$M1" -e "$M2" -e "$M3")" 3
out=$("$ICM" ssh -machine "$M2" -command 'sudo -n true || echo no-sudo' 2>&1); st=$?
is "icm ssh reaches the failed node: exit 0" "$st" 0
contains "... and shows why" "$out" "no-sudo"

# the cause fixed: the next provision prepares host 2 only
before1=$(marks 1); before3=$(marks 3)
hx 2 mv /root/sudoers.saved "$SUDOERS"
out=$("$ICM" provision 2>&1); st=$?
is "provision again: exit 0" "$st" 0
[ "$st" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
contains "host 2 is prepared" "$out" "Copying files to $M2..."
lacks "host 1 is not prepared again" "$out" "to $M1..."
lacks "host 3 is not prepared again" "$out" "to $M3..."
ok "hosts 1 and 3: ~/ICM untouched" \
	test "$(marks 1)" = "$before1" -a "$(marks 3)" = "$before3"
is "instances.json: the facts of all 3 nodes" \
	"$(grep -c '"OSRelease":' instances.json)" 3

# every node prepared: no marker left, the next provision converges all
is "no 'prepared' marker is left" \
	"$(find state -name prepared | wc -l)" 0
out=$("$ICM" provision 2>&1); st=$?
ok "a provision after a complete one visits every node (exit $st)" \
	test "$st" = 0 -a "$(echo "$out" | grep -c 'Copying files to')" = 3

"$WORLD" down --dir "$W" >/dev/null 2>&1
done_testing
