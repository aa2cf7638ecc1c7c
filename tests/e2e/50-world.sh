#!/bin/bash
# 50-world.sh: the test world itself (tests/world/world): hosts in
# namespaces answer SSH as ec2-user with the world key, have sudo, their own
# host keys, hostname, /etc and /home, no default route; `world down` leaves
# no process, link, namespace or mount; with --docker a dockerd per host that
# the systemctl stand-in restarts.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "the test world needs root (running as uid $(id -u))"
for t in /usr/sbin/ip /usr/bin/unshare /usr/bin/nsenter /usr/sbin/sshd /usr/bin/ssh /usr/bin/ssh-keygen; do
	[ -x "$t" ] || skip_all "$t is missing (Debian packages: iproute2, util-linux, openssh-server, openssh-client)"
done
[ -x /usr/bin/sudo ] || skip_all "sudo is not installed (Debian package: sudo)"
world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"
/usr/bin/unshare --mount --net true 2>/dev/null ||
	skip_all "mount/network namespaces are not available (unshare failed)"
if [ -n "$(/usr/sbin/ip -o link show 2>/dev/null | grep ': icmw')" ]; then
	skip_all "another test world is up on this machine (icmw link present)"
fi

unset "${!DOCKER_@}"
WORLD=$TOP/tests/world/world
WD=$T/world
KEY=$WD/id_ecdsa
SSH=(/usr/bin/ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR -i "$KEY")
trap '"$WORLD" down --dir "$WD" >/dev/null 2>&1; rm -rf "$T"' EXIT

plan 36

# ---- ssh-only world -------------------------------------------------------
out=$("$WORLD" up 3 --dir "$WD" 2>&1)
_result $? "world up 3"
contains "up prints the key path" "$out" "key: $KEY"
"$WORLD" up 1 --dir "$T/world2" >/dev/null 2>&1
is "a second world is refused while one is up" "$?" 1

for i in 1 2 3; do
	is "host$i answers ssh as ec2-user" \
		"$("${SSH[@]}" ec2-user@198.18.0.1$i hostname 2>&1)" "host$i"
done
is "passwordless sudo" "$("${SSH[@]}" ec2-user@198.18.0.12 'sudo -n true && echo yes' 2>&1)" yes
is "sudo gives root" "$("${SSH[@]}" ec2-user@198.18.0.13 'sudo -n id -u' 2>&1)" 0

fp() { /usr/bin/ssh-keygen -l -f "$WD/hosts/$1/etc.u/ssh/ssh_host_$2_key.pub" | cut -d' ' -f2; }
scanned=$(/usr/bin/ssh-keyscan -T 5 -t ed25519,ecdsa,rsa 198.18.0.11 2>/dev/null | wc -l)
is "host1 offers three host key types" "$scanned" 3
ok "hosts have distinct host keys" test "$(fp 1 ed25519)" != "$(fp 2 ed25519)" -a "$(fp 1 rsa)" != "$(fp 2 rsa)"
ok "known_hosts lists every host and key type" test "$(wc -l < "$WD/known_hosts")" = 9

# per-host /etc and /home
"$WORLD" exec 1 --dir "$WD" -- sh -c 'echo one > /etc/icmw-test-$PPID; echo x > /home/ec2-user/icmw-test' >/dev/null 2>&1
f=$("$WORLD" exec 1 --dir "$WD" -- sh -c 'ls /etc | grep icmw-test-')
ok "a file written in host1's /etc is there" test -n "$f"
ok "... and not in host2's /etc" "$WORLD" exec 2 --dir "$WD" -- test ! -e "/etc/$f"
ok "... nor in the root namespace" test ! -e "/etc/$f"
ok "host1's /home is not host2's" "$WORLD" exec 2 --dir "$WD" -- test ! -e /home/ec2-user/icmw-test
ok "ec2-user exists only in the hosts" sh -c '! getent passwd ec2-user'

# network: no default route, cross-host reachability
routes=$("$WORLD" exec 1 --dir "$WD" -- ip route 2>&1)
lacks "host1 has no default route" "$routes" default
t0=$(date +%s%N)
"$WORLD" exec 1 --dir "$WD" -- bash -c 'exec 3<>/dev/tcp/192.0.2.1/80' >/dev/null 2>&1
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "an address outside 198.18.0.0/24 is unreachable at once ($ms ms)" test "$rc" != 0 -a "$ms" -lt 2000
ok "host1 reaches host3's sshd" "$WORLD" exec 1 --dir "$WD" -- bash -c 'exec 3<>/dev/tcp/198.18.0.13/22'

# down leaves nothing
pids=$(cat "$WD"/hosts/*/*.pid)
"$WORLD" down --dir "$WD" >/dev/null 2>&1
_result $? "world down"
left=""
# a zombie has left its namespaces (init reaps it when it gets to it)
for p in $pids; do
	st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && left+=" $p($st)"
done
is "no recorded process is left" "$left" ""
is "no icmw link is left" "$(/usr/sbin/ip -o link show | grep -c ': icmw')" 0
is "no icmw netns is left" "$(/usr/sbin/ip netns list | grep -c icmw)" 0
is "no mount under the world dir" "$(grep -c " $WD" /proc/mounts)" 0
ok "the world dir is gone" test ! -e "$WD"
"$WORLD" down --dir "$WD" >/dev/null 2>&1
_result $? "world down again (idempotent)"

# ---- docker world ---------------------------------------------------------
if ! [ -x /usr/sbin/dockerd ] || ! [ -x /usr/bin/docker ]; then
	for n in $(seq 10); do echo "ok $((_n + n)) # SKIP dockerd/docker not installed (Debian package: docker.io)"; done
	_n=$((_n + 10))
else
	D=(/usr/bin/docker -H unix:///run/docker.sock)
	out=$("$WORLD" up 2 --docker --dir "$WD" 2>&1)
	rc=$?
	_result $rc "world up 2 --docker"
	[ $rc = 0 ] || echo "$out" | sed 's/^/#   /'
	is "dockerd answers inside host1" \
		"$("$WORLD" exec 1 --dir "$WD" -- "${D[@]}" version --format '{{.Server.Os}}' 2>&1)" linux
	p1=$(cat "$WD/hosts/1/dockerd.pid")
	out=$("${SSH[@]}" ec2-user@198.18.0.11 'sudo -n systemctl restart docker && systemctl is-active docker' 2>&1)
	is "systemctl restart docker inside host1" "$out" active
	p2=$("$WORLD" exec 1 --dir "$WD" -- cat /run/docker.pid)
	ok "... a new dockerd ($p1 -> $p2)" test -n "$p2" -a "$p1" != "$p2"
	is "... which answers" \
		"$("$WORLD" exec 1 --dir "$WD" -- "${D[@]}" info --format '{{.Name}}' 2>&1)" host1
	is "host2's dockerd is its own" \
		"$("$WORLD" exec 2 --dir "$WD" -- "${D[@]}" info --format '{{.Name}}' 2>&1)" host2
	kids=$(ps -o pid= --ppid "$p2" 2>/dev/null)
	pids="$(cat "$WD"/hosts/*/*.pid) $p2 $kids"
	"$WORLD" down --dir "$WD" >/dev/null 2>&1
	_result $? "world down (docker)"
	left=""
	for p in $pids; do
		st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
		[ -n "$st" ] && [ "$st" != Z ] && left+=" $p($st)"
	done
	is "no dockerd, containerd, sshd or holder is left" "$left" ""
	is "no icmw link is left (docker)" "$(/usr/sbin/ip -o link show | grep -c ': icmw')" 0
	ok "the world dir is gone (docker)" test ! -e "$WD"
fi

done_testing
