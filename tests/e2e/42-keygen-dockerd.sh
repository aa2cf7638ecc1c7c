#!/usr/bin/env bash
# 42-keygen-dockerd: a real `dockerd --tlsverify` serving an icm server
# certificate made for a machine name accepts the docker CLI with icm's
# client certificate when it connects *by that name*, and refuses a
# client certificate from another icm CA and a name the certificate does
# not carry.  The name is mapped to 127.0.0.1 by a private /etc/hosts
# (unshare -m, bind mount), so nothing on the host changes.  dockerd runs
# with its own data-root, exec-root and pidfile in the temp dir, no
# iptables and no bridge, on 127.0.0.1:<free port>, and is stopped by PID.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "dockerd and unshare -m need root"
for tool in dockerd docker unshare openssl; do
	command -v "$tool" >/dev/null || skip_all "$tool is not installed"
done
plan 9
cd "$T" || exit 1
machine=icm-DM-TEST-0001

"$ICM" keygen tls -bits 2048 -names "$machine" good >/dev/null 2>&1
is "icm keygen tls -names $machine" $? 0
"$ICM" keygen tls -type ecdsa other >/dev/null 2>&1
is "a second, unrelated icm CA" $? 0

dockerd_pid=
stop_dockerd() {
	[ -n "$dockerd_pid" ] || return 0
	kill "$dockerd_pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$dockerd_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$dockerd_pid" 2>/dev/null
	wait "$dockerd_pid" 2>/dev/null
	dockerd_pid=
}
trap 'stop_dockerd; rm -rf "$T"' EXIT
start_dockerd() {
	local try
	for try in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 30000))
		: >dockerd.log
		dockerd --tlsverify --tlscacert good/ca.pem \
			--tlscert good/server-cert.pem --tlskey good/server-key.pem \
			-H "tcp://127.0.0.1:$port" --data-root "$T/data" \
			--exec-root "$T/exec" --pidfile "$T/dockerd.pid" \
			--iptables=false --ip6tables=false --bridge=none \
			>dockerd.log 2>&1 &
		dockerd_pid=$!
		for _ in $(seq 300); do
			grep -q "API listen on 127.0.0.1:$port" dockerd.log &&
				return 0
			kill -0 "$dockerd_pid" 2>/dev/null || break
			sleep 0.1
		done
		stop_dockerd
		grep -q "address already in use" dockerd.log || return 1
	done
	return 1
}
if start_dockerd; then
	_result 0 "dockerd --tlsverify starts with the icm node certificate"
else
	_result 1 "dockerd --tlsverify starts with the icm node certificate"
	tail -20 dockerd.log | sed 's/^/#   /'
	for _ in $(seq 6); do _result 1 "(no dockerd)"; done
	done_testing; exit
fi

printf '127.0.0.1 localhost\n127.0.0.1 %s\n127.0.0.1 not-in-cert\n' \
	"$machine" >hosts
# docker with the given client set, against the given name, in a mount
# namespace where /etc/hosts maps the names to 127.0.0.1.
dock() {
	local set=$1 name=$2; shift 2
	timeout 60 unshare -m sh -c 'mount --bind "$0/hosts" /etc/hosts &&
		exec "$@"' "$T" docker --tlsverify --tlscacert good/ca.pem \
		--tlscert "$set/cert.pem" --tlskey "$set/key.pem" \
		-H "tcp://$name:$port" "$@" 2>>docker.err
}
is "docker by machine name with icm's client certificate" \
	"$(dock good "$machine" version --format '{{.Server.Os}}')" linux
is "... and the API answers (docker ps)" \
	"$(dock good "$machine" ps --format '{{.ID}}'; echo $?)" 0
: >docker.err
dock other "$machine" version --format '{{.Server.Os}}' >/dev/null
is "a client certificate from another CA is refused" $? 1
contains "... by the daemon (bad certificate)" "$(cat docker.err)" \
	"bad certificate"
: >docker.err
dock good not-in-cert version --format '{{.Server.Os}}' >/dev/null
is "a name the certificate does not carry is refused" $? 1
contains "... by the client's name check" "$(cat docker.err)" \
	"certificate is valid for $machine, localhost"
stop_dockerd
done_testing
