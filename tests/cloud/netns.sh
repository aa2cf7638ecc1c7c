# netns.sh: helpers of the cloud harnesses that run a fake server and its
# clients in a network namespace with only loopback (sourced by
# tests/cloud/gce; tests/cloud/moto has the same functions inline).  The
# sourcing script sets DIR (its state directory) and defines say().
# D/holder.pid holds the PID of the `sleep infinity` that keeps the
# namespace, D/ns.net that namespace's inode.

# alive PID: exists and is not a zombie
alive() {
	local s
	[ -n "${1:-}" ] && read -r s 2>/dev/null < "/proc/$1/stat" || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}

# readf FILE: the first line of FILE (empty if none)
readf() { local v=; read -r v 2>/dev/null < "$1"; printf '%s' "$v"; }

# ns_ino PID: the inode of PID's network namespace
ns_ino() { stat -L -c %i "/proc/$1/ns/net" 2>/dev/null; }

# holder_ok [FILE]: the process in D/holder.pid (or FILE) runs and has the
# recorded namespace (so its PID was not reused); sets H to its PID, the
# process through which the namespace is entered and compared.
H=
holder_ok() {
	local h
	h=$(readf "${1:-$DIR/holder.pid}")
	alive "$h" && [ "$(ns_ino "$h")" = "$(readf "$DIR/ns.net")" ] ||
		return 1
	H=$h
}

# ours PID: PID is alive and in the recorded namespace (whose inode cannot
# name another namespace while a process is in it)
ours() {
	alive "$1" && [ "$(ns_ino "$1")" = "$(readf "$DIR/ns.net")" ]
}

# inside CMD...: CMD in the namespace (network only)
inside() { nsenter -t "$H" -n -- "$@"; }

# stop_pid PID: TERM, wait up to ~5 s, then KILL and wait up to ~2 s
stop_pid() {
	local p=$1
	ours "$p" || return 0
	kill -TERM "$p" 2>/dev/null
	for _ in $(seq 100); do ours "$p" || return 0; sleep 0.05; done
	kill -KILL "$p" 2>/dev/null
	for _ in $(seq 40); do ours "$p" || return 0; sleep 0.05; done
	say "warning: process $p did not stop"
	return 1
}

# procs_inside: PIDs in the recorded namespace other than the holder (one
# stat over /proc; works after the holder is gone too)
procs_inside() {
	local ino
	ino=$(readf "$DIR/ns.net")
	[ -n "$ino" ] || return 0
	stat -L -c '%i %n' /proc/[0-9]*/ns/net 2>/dev/null |
		awk -v i="$ino" -v h="$(readf "$DIR/holder.pid")" '$1 == i { split($2, a, "/");
			if (a[3] != h) print a[3] }'
	return 0
}

