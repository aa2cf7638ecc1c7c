# lib-dockerd.sh: a private `dockerd --tlsverify` for the Docker scenarios
# (tests/e2e/34-docker-api.sh), sourced after tests/e2e/lib.sh and
# tests/tls/lib-tls.sh.  Private data-root, exec-root, pidfile and config
# under $T, listening on 127.0.0.1 only (and a unix socket under $T for
# the docker CLI), no iptables, no bridge, no IP forwarding changes; it is
# stopped by PID and what it mounted below $T is unmounted.
#
#   dockerd_start DIR PKI NAME   starts it; PKI as tls_pki made it for
#                                NAME; sets DPORT, DPID, DSOCK; 1 when it
#                                did not answer within 20 s (log: DIR/dockerd.log)
#   dockerd_stop                 removes its containers, stops it and its
#                                containerd, unmounts

DPID=
DPORT=
DSOCK=
_DDIR=

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

dockerd_start() {
	local d=$1 p=$2 name=$3 try i
	_DDIR=$d
	DSOCK=$d/docker.sock
	mkdir -p "$d/data" "$d/exec"
	echo '{}' >"$d/daemon.json"
	for try in 1 2 3; do
		DPORT=$(tls_free_port) || return 1
		env -u DOCKER_HOST -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH -u DOCKER_CONFIG \
			dockerd --config-file "$d/daemon.json" \
			--data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
			--host "tcp://127.0.0.1:$DPORT" --host "unix://$DSOCK" \
			--tlsverify --tlscacert "$p/ca.crt" --tlscert "$p/server.crt" --tlskey "$p/server.key" \
			--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
			--storage-driver vfs --log-level warn \
			>"$d/dockerd.log" 2>&1 </dev/null &
		DPID=$!
		for i in $(seq 100); do
			kill -0 "$DPID" 2>/dev/null || break
			if "$CLIENT" --resolve "$name:$DPORT:127.0.0.1" --cacert "$p/ca.crt" \
				--cert "$p/rsa.crt" --key "$p/rsa.key" "https://$name:$DPORT/_ping" >/dev/null 2>&1; then
				return 0
			fi
			sleep 0.2
		done
		stop_pid "$DPID"
		wait "$DPID" 2>/dev/null
		DPID=
		grep -q 'address already in use' "$d/dockerd.log" || break
	done
	return 1
}

dockerd_stop() {
	local d=$_DDIR cpid m ids
	[ -n "$d" ] || return 0
	# containerd is dockerd's child; remember it before dockerd goes
	cpid=$(cat "$d/exec/containerd/containerd.pid" 2>/dev/null)
	if [ -n "$DPID" ]; then
		ids=$(docker -H "unix://$DSOCK" ps -aq 2>/dev/null)
		[ -n "$ids" ] && docker -H "unix://$DSOCK" rm -f $ids >/dev/null 2>&1
		stop_pid "$DPID"
		wait "$DPID" 2>/dev/null
		DPID=
	fi
	# dockerd stops its containerd itself; not if it had to be killed
	if [ -n "$cpid" ] && [ -d "/proc/$cpid" ] &&
		grep -qa "containerd" "/proc/$cpid/cmdline" 2>/dev/null &&
		grep -qa "$d" "/proc/$cpid/cmdline" 2>/dev/null; then
		stop_pid "$cpid"
	fi
	# anything dockerd mounted below its directory (deepest first)
	awk -v d="$d/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo 2>/dev/null |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
}
