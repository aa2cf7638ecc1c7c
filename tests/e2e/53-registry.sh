#!/bin/bash
# 53-registry.sh: the test registry (tests/world/registry) and the test image
# (tests/images/mkimage) against real dockerd: a world of 2 Docker hosts, the
# registry up with TLS and a password, v1 and v2 of icm/app pushed without
# any Docker daemon, then on host 1 `docker login` (password on stdin), pull
# of both tags, v1 and v2 run with host networking and serve their version;
# an anonymous pull and a wrong password are refused; `registry block 2`
# makes pulls on host 2 fail while ssh to host 2 still works, and a
# `docker save` archive made by mkimage loads and runs there; registry down
# and world down leave nothing.  Root only.
#
# The test world is shared on this machine: the test takes
# /tmp/icm-world.lock for its whole run (or runs under a caller that holds
# it: `flock /tmp/icm-world.lock prove -v tests/e2e/53-registry.sh`).
: "${ICM:=unused}"      # this test does not run icm
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "the test world needs root (running as uid $(id -u))"
for t in /usr/bin/docker-registry /usr/bin/htpasswd /usr/sbin/dockerd /usr/bin/docker /bin/busybox /usr/sbin/iptables /usr/bin/curl; do
	[ -x "$t" ] || skip_all "$t is missing (Debian packages: docker-registry, apache2-utils, docker.io, busybox-static, iptables, curl)"
done

world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"

unset "${!DOCKER_@}"
WORLD=$TOP/tests/world/world
REG=$TOP/tests/world/registry
MK=$TOP/tests/images/mkimage
W=$T/world
D=$T/registry
IMG=198.18.0.1:5000/icm/app
SSH=(/usr/bin/ssh -F /dev/null -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$W/known_hosts"
	-o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR -i "$W/id_ecdsa")
cleanup() {
	"$REG" down --dir "$D" >/dev/null 2>&1
	"$WORLD" down --dir "$W" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

up=$("$WORLD" up 2 --docker --dir "$W" 2>&1) || {
	case $up in *"already up"*) skip_all "another test world is up on this machine" ;; esac
	echo "1..1"; echo "not ok 1 - world up 2 --docker"; printf '%s\n' "$up" | sed 's/^/#   /'; exit 1
}
plan 37
_result 0 "world up 2 --docker"

wx() { local i=$1; shift; "$WORLD" exec "$i" --dir "$W" -- "$@"; }
show() { printf '%s\n' "$1" | tail -n 5 | sed 's/^/#   /'; }

out=$("$REG" up --dir "$D" --world "$W" 2>&1); st=$?
is "registry up" "$st" 0
[ "$st" = 0 ] || show "$out"
contains "up names the password file" "$out" "password: $D/password"
is "password file is 0600" "$(stat -c %a "$D/password" 2>&1)" 600
ok "the CA is in host 2's /etc overlay" \
	cmp "$D/ca.crt" "$W/hosts/2/etc.u/docker/certs.d/198.18.0.1:5000/ca.crt"
ok "registry status: up" "$REG" status --dir "$D"
out=$("$REG" up --dir "$D" --world "$W" 2>&1)
contains "a second up is refused" "$out" "already running"
pid=$(cat "$D/registry.pid")
ok "the password is not on the registry's command line" \
	sh -c "! tr '\0' ' ' < /proc/$pid/cmdline | grep -qF '$(cat "$D/password")'"

push() {
	"$MK" push 198.18.0.1:5000 icm/app "$1" --version "$1" --user icmtest \
		--password-file "$D/password" --cacert "$D/ca.crt" 2>&1
}
out=$(push v1); st=$?
is "mkimage push v1" "$st" 0; [ "$st" = 0 ] || show "$out"
out=$(push v2); st=$?
is "mkimage push v2" "$st" 0; [ "$st" = 0 ] || show "$out"
out=$(push v1); contains "a second push of v1 uploads nothing new" "$out" "0 of 3 blobs uploaded"

# the registry refuses strangers: no credentials, a wrong password
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$D/ca.crt" \
	"https://198.18.0.1:5000/v2/icm/app/manifests/v1")
is "anonymous GET of a manifest: 401" "$code" 401
code=$(printf 'user = "icmtest:wrong-password"\n' | curl -s -o /dev/null -w '%{http_code}' \
	--max-time 5 --cacert "$D/ca.crt" -K - "https://198.18.0.1:5000/v2/icm/app/tags/list")
is "wrong password: 401" "$code" 401
tags=$(curl -s --max-time 5 --cacert "$D/ca.crt" -K <(printf 'user = "icmtest:%s"\n' "$(cat "$D/password")") \
	"https://198.18.0.1:5000/v2/icm/app/tags/list")
is "tags list with the password" "$tags" '{"name":"icm/app","tags":["v1","v2"]}'

# host 1: docker login (password on stdin), pull both, run both
out=$(wx 1 docker login -u icmtest --password-stdin 198.18.0.1:5000 < "$D/password" 2>&1)
contains "host 1: docker login" "$out" "Login Succeeded"
out=$(wx 1 docker pull "$IMG:v1" 2>&1); st=$?
is "host 1: docker pull v1" "$st" 0; [ "$st" = 0 ] || show "$out"
out=$(wx 1 docker pull "$IMG:v2" 2>&1); st=$?
is "host 1: docker pull v2" "$st" 0; [ "$st" = 0 ] || show "$out"
is "v2's label" "$(wx 1 docker inspect -f '{{index .Config.Labels "org.icm.test.version"}}' "$IMG:v2" 2>&1)" v2
ok "host 1: run v1 with host networking" wx 1 docker run -d --name app1 --network host "$IMG:v1"
ok "host 1: run v2 on APP_PORT 8082" wx 1 docker run -d --name app2 --network host -e APP_PORT=8082 "$IMG:v2"
get() {	# URL: the body, retried for up to ~5 s while the app starts
	local b
	for _ in $(seq 50); do
		b=$(curl -s --max-time 2 "$1") && [ -n "$b" ] && { echo "$b"; return 0; }
		sleep 0.1
	done
	return 1
}
is "v1 serves its version" "$(get http://198.18.0.11:8080/)" "icm-test-app v1"
is "v2 serves its version" "$(get http://198.18.0.11:8082/)" "icm-test-app v2"
t0=$(date +%s%N)
wx 1 docker stop app1 >/dev/null 2>&1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "the app stops at once on SIGTERM ($ms ms)" test "$ms" -lt 5000

# host 2 has not logged in: an anonymous pull is refused
out=$(wx 2 docker pull "$IMG:v1" 2>&1); st=$?
ok "host 2: an anonymous pull fails" test "$st" != 0
contains "... for want of credentials" "$out" "no basic auth credentials"

# air gap: host 2 cannot reach the registry; ssh still works; a saved
# archive loads and runs
"$MK" save "$T/app-v1.tar" "$IMG:v1" --version v1 >/dev/null 2>&1
ok "registry block 2" "$REG" block 2 --world "$W"
out=$(wx 2 docker login -u icmtest --password-stdin 198.18.0.1:5000 < "$D/password" 2>&1); st=$?
ok "blocked host 2: docker login fails" test "$st" != 0
ok "blocked host 2: ssh to it still works" test "$("${SSH[@]}" ec2-user@198.18.0.12 hostname 2>&1)" = host2
out=$(wx 2 docker load < "$T/app-v1.tar" 2>&1); st=$?
contains "blocked host 2: docker load of a saved archive" "$out" "Loaded image: $IMG:v1"
wx 2 docker run -d --name app --network host "$IMG:v1" >/dev/null 2>&1
is "... and the loaded image serves v1" "$(get http://198.18.0.12:8080/)" "icm-test-app v1"
"$REG" unblock 2 --world "$W" >/dev/null 2>&1
out=$(wx 2 docker login -u icmtest --password-stdin 198.18.0.1:5000 < "$D/password" 2>&1)
contains "unblocked host 2: docker login works again" "$out" "Login Succeeded"

# teardown leaves nothing
"$REG" down --dir "$D" >/dev/null 2>&1
is "registry down" "$?" 0
# a zombie has exited (init reaps it when it gets to it)
st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
ok "the registry process is gone" test -z "$st" -o "$st" = Z
ok "the registry state is removed" test ! -e "$D"
is "nothing listens on port 5000" "$(ss -Hltn 'sport = :5000')" ""
"$WORLD" down --dir "$W" >/dev/null 2>&1; st=$?
is "world down leaves nothing" "$st" 0
out=$("$REG" up --dir "$D" --world "$W" 2>&1); st=$?
contains "registry up without a world is refused" "$st $out" "1 registry: error: the test world is not up"
done_testing
