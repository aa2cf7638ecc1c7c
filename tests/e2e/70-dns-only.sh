#!/usr/bin/env bash
# 70-dns-only.sh: a PreExisting node given by DNSName alone (no IPAddress),
# a name only /etc/hosts knows.  icm runs in a private mount namespace
# (unshare -m) with a copy of /etc/hosts that has the name bind-mounted
# over it (the machine's own /etc/hosts is never edited).  provision, run
# (the IRIS stand-in from the world's registry), ps, exec and session all
# reach the node by that name: SSH connects to it, and the Docker TLS peer
# (addressed by machine name) is pinned to what the name resolved to.
# Outside the namespace the name does not resolve: the container commands
# fail naming the node and the name.  Root only; a world of 1 Docker host.
. "$(dirname "$0")/lib.sh"
command -v unshare >/dev/null || skip_all "unshare (util-linux) is missing"
world_docker_up 1
plan 17
registry_push iris:iris

cd "$T"
NAME=icm-dns-only-$$.test
cp /etc/hosts "$T/hosts"
printf '198.18.0.11 %s\n' "$NAME" >> "$T/hosts"
# icm with $NAME in /etc/hosts, in a mount namespace of its own
icmd() {
	unshare -m -- sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' \
		sh "$T/hosts" "$ICM" "$@"
}
world_defaults Dns T irissys "dns-pw-$$-$RANDOM" > defaults.json
cat > definitions.json <<JSON
[{"Role": "DM", "DNSName": "$NAME", "StartCount": "1"}]
JSON
M=Dns-DM-T-0001
S=state/Dns-DM-T

out=$(icmd provision 2>&1)
is_shown "provision of a DNS-only node exits 0" $? 0 "$out"
lacks "instances.json: no IPAddress" "$(cat instances.json)" '"IPAddress"'
contains "instances.json: the DNSName" "$(cat instances.json)" "\"DNSName\":	\"$NAME\""
is "the host key is pinned under the name" "$(cut -d' ' -f1 state/known_hosts | sort -u)" "$NAME"

out=$(icmd run 2>&1)
is_shown "run exits 0" $? 0 "$out"
lacks "run: no 'has no IPAddress'" "$out" "has no IPAddress"
contains "run: the portal named by the DNS name" "$out" \
	"Management Portal available at: http://$NAME:52773/csp/sys/UtilHome.csp"

out=$(icmd ps 2>&1)
is_shown "ps exits 0" $? 0 "$out"
contains "ps: the iris container is up" "$(echo "$out" | tr -s ' ')" "$M iris Up"

out=$(icmd exec -command 'echo out-$(hostname)' 2>&1)
is_shown "exec exits 0" $? 0 "$out"
is "exec: its output" "$(cat "$S/$M/docker.out")" "out-iris-$M"

out=$(icmd session -command 'write "ICM-DNS-ONLY",!' 2>&1)
is_shown "session exits 0" $? 0 "$out"
contains "session: its output" "$out" "ICM-DNS-ONLY"

out=$(icmd ssh -command 'echo ssh-ok' 2>&1)
is_shown "ssh exits 0" $? 0 "$out"

# without the name in /etc/hosts: one line naming the node and the name
out=$("$ICM" ps 2>&1)
is "ps where the name does not resolve: exit 1" $? 1
contains "... naming the node and the name" "$out" \
	"$M: cannot resolve DNSName '$NAME'"
done_testing
