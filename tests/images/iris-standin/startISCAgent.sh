#!/bin/sh
# /usr/local/etc/irissys/startISCAgent.sh [PORT]: the stand-in arbiter
# (ISCAgent) image's command.
# THIS IS A TEST STAND-IN FOR THE PROPRIETARY INTERSYSTEMS IRIS ENGINE
# (here: its ISCAgent as mirror arbiter); it implements only what icm calls
# and records.  It accepts TCP connections on PORT (default 2188) with
# busybox httpd, records its start and stop in /tmp/standin/events.log, and
# exits 0 at once on SIGTERM/SIGINT.
set -u
while [ $# -gt 0 ] && [ "${1##*/}" = startISCAgent.sh ]; do shift; done
port=${1:-${ISC_AGENT_PORT:-2188}}
case $port in ''|*[!0-9]*) echo "startISCAgent.sh: bad port '$port'" >&2; exit 1 ;; esac
mkdir -p /tmp/standin /var/www
log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $*" >> /tmp/standin/events.log; }
echo "ISCAgent (ICM TEST STAND-IN arbiter) listening on port $port"
log iscagent-start "port=$port"
httpd -f -p "$port" -h /var/www &
pid=$!
trap 'kill $pid 2>/dev/null; log iscagent-stop; exit 0' TERM INT
wait $pid
log iscagent-exit "status=$?"
