#!/usr/bin/env bash
# 31-mtls-dockerd.sh: libcurl's BearSSL backend with a client certificate
# against a real `dockerd --tlsverify` (the daemons icm manages all demand
# mutual TLS). dockerd runs with a private data-root, exec-root, pidfile and
# config file under the test's temp dir, no iptables, no bridge, no IP
# forwarding changes, listening on 127.0.0.1 only; it is stopped by PID.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/tls/lib-tls.sh"

[ "$(id -u)" = 0 ] || skip_all "dockerd needs root (running as uid $(id -u))"
DOCKERD=$(command -v dockerd) ||
	skip_all "dockerd is not installed (Debian package: docker.io)"
command -v openssl >/dev/null 2>&1 ||
	skip_all "the openssl command-line tool is not installed (Debian package: openssl)"

NAME=docker-node-1
D=$T/docker
DPID=
# stop_pid PID: TERM, wait up to 20 s, then KILL.
stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	sleep 0.2
}
cleanup() {
	local cpid m
	# containerd is dockerd's child; remember it before dockerd goes
	cpid=$(cat "$D/exec/containerd/containerd.pid" 2>/dev/null)
	if [ -n "$DPID" ]; then
		stop_pid "$DPID"
		wait "$DPID" 2>/dev/null
	fi
	# dockerd stops its containerd itself; not if it had to be killed
	if [ -n "$cpid" ] && [ -d "/proc/$cpid" ] &&
		grep -qa "containerd" "/proc/$cpid/cmdline" 2>/dev/null &&
		grep -qa "$D" "/proc/$cpid/cmdline" 2>/dev/null; then
		stop_pid "$cpid"
	fi
	# anything dockerd mounted below the temp dir (deepest first)
	awk -v d="$T/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo 2>/dev/null |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

tls_client || { echo "1..1"; echo "not ok 1 - the test client builds against build/sysroot"; exit 1; }
tls_pki "$T/pki" "$NAME" || { echo "1..1"; echo "not ok 1 - test PKI generated with openssl"; exit 1; }
P=$T/pki

# start_dockerd: on a free port; ready when /_ping answers with our client
# certificate (poll <= 20 s). Retries a few ports when it loses a race.
PORT=
start_dockerd() {
	local try i
	mkdir -p "$D/data" "$D/exec"
	echo '{}' >"$D/daemon.json"
	for try in 1 2 3; do
		PORT=$(tls_free_port) || return 1
		env -u DOCKER_HOST -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH -u DOCKER_CONFIG \
			"$DOCKERD" --config-file "$D/daemon.json" \
			--data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/dockerd.pid" \
			--host "tcp://127.0.0.1:$PORT" \
			--tlsverify --tlscacert "$P/ca.crt" --tlscert "$P/server.crt" --tlskey "$P/server.key" \
			--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
			--storage-driver vfs --log-level warn \
			>"$D/dockerd.log" 2>&1 </dev/null &
		DPID=$!
		for i in $(seq 100); do
			kill -0 "$DPID" 2>/dev/null || break
			if "$CLIENT" --resolve "$NAME:$PORT:127.0.0.1" --cacert "$P/ca.crt" \
				--cert "$P/rsa.crt" --key "$P/rsa.key" "https://$NAME:$PORT/_ping" >/dev/null 2>&1; then
				return 0
			fi
			sleep 0.2
		done
		stop_pid "$DPID"
		wait "$DPID" 2>/dev/null
		DPID=
		grep -q 'address already in use' "$D/dockerd.log" || break
	done
	return 1
}
if ! start_dockerd; then
	reason=$(grep -v '^\s*$' "$D/dockerd.log" 2>/dev/null | tail -n 1 | cut -c1-200)
	skip_all "dockerd did not start within 20 s: ${reason:-no log output}"
fi

plan 11

URL=https://$NAME:$PORT
get() { # get PATH ARGS...
	local path=$1; shift
	OUT=$("$CLIENT" --resolve "$NAME:$PORT:127.0.0.1" --body "$@" "$URL$path" 2>&1)
	RC=$?
}

get /_ping --cacert "$P/ca.crt" --cert "$P/rsa.crt" --key "$P/rsa.key"
is "GET /_ping with an RSA client certificate: 200 OK" "$RC:$OUT" "0:status 200
OK"
get /version --cacert "$P/ca.crt" --cert "$P/rsa.crt" --key "$P/rsa.key"
is "GET /version with an RSA client certificate: 200" "$RC:${OUT%%$'\n'*}" "0:status 200"
contains "  ... and JSON with the API version" "$OUT" '"ApiVersion":"'
get /_ping --cacert "$P/ca.crt" --cert "$P/ec.crt" --key "$P/ec.p8"
is "GET /_ping with an EC client certificate (PKCS#8 key): 200 OK" "$RC:$OUT" "0:status 200
OK"
get /version --cacert-blob "$P/ca.crt" --cert-blob "$P/chain.pem" --key-blob "$P/leaf.key"
is "GET /version with a chain via an intermediate, all blobs: 200" "$RC:${OUT%%$'\n'*}" "0:status 200"
get /_ping --cacert "$P/ca.crt" --cert "$P/ec.crt" --key "$P/ec.key" --threads 4 --count 3
is "4 threads x 3 pings: all 200" "$RC:$(printf '%s\n' "$OUT" | grep -c '^status 200')" "0:4"

get /_ping --cacert "$P/ca.crt"
case $RC in 35|56) r=0 ;; *) r=1 ;; esac
_result "$r" "without a client certificate dockerd refuses the handshake (curl 35/56)"
echo "#   exit $RC: ${OUT%%$'\n'*}"
get /_ping --cacert "$P/ca.crt" --cert "$P/leaf.crt" --key "$P/leaf.key"
case $RC in 35|56) r=0 ;; *) r=1 ;; esac
_result "$r" "a leaf sent without its intermediate is refused (curl 35/56)"
echo "#   exit $RC: ${OUT%%$'\n'*}"
get /_ping --cacert "$P/other-ca.crt" --cert "$P/rsa.crt" --key "$P/rsa.key"
is "wrong CA on the client side: 60" "$RC" 60
get /_ping --cacert "$P/ca.crt" --cert "$P/rsa.crt" --key "$P/rsa.key" --cert-type P12
is "an unsupported certificate type is a clear error (58)" "$RC" 58
contains "  ... message" "$OUT" "certificate type 'P12' is not supported"

done_testing
