#!/usr/bin/env bash
# 54-containers.sh: the container lifecycle on real Docker hosts.
#
# A world of 3 Docker hosts and the TLS registry with a password
# (tests/world/registry) holding icm/app v1 and v2 (tests/images/mkimage);
# a PreExisting deployment provisioned on the hosts (node preparation
# configures each dockerd for mutual TLS with the deployment's PKI); then
# run, ps, exec, cp both ways (the guide's: from the node into the container), stop, start, upgrade v1 -> v2, docker, rm,
# each result checked with the real docker CLI and the deployment's client
# certificate.  Also: run again converges (nothing recreated), run killed
# with SIGKILL at several points and run again leaves exactly the wanted
# container, a node whose dockerd is down fails alone (named, exit 1),
# -imageArchive deploys on hosts that cannot reach the registry, bad
# -options are refused by name, and the registry password appears in no
# log, output file or command line on the nodes.  Root only.
. "$(dirname "$0")/lib.sh"
WORLD=$TOP/tests/world/world
REG=$TOP/tests/world/registry
MK=$TOP/tests/images/mkimage
[ "$(id -u)" = 0 ] || skip_all "the test world needs root (running as uid $(id -u))"
for t in /usr/bin/docker-registry /usr/bin/htpasswd /usr/sbin/dockerd /usr/bin/docker /bin/busybox /usr/sbin/iptables /usr/bin/curl; do
	[ -x "$t" ] || skip_all "$t is missing (Debian packages: docker-registry, apache2-utils, docker.io, busybox-static, iptables, curl)"
done
world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"
unset "${!DOCKER_@}"

W=$T/world
R=$T/registry
IMG=198.18.0.1:5000/icm/app
cleanup() {
	[ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null
	"$REG" down --dir "$R" >/dev/null 2>&1
	"$WORLD" down --dir "$W" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
up=$("$WORLD" up 3 --docker --dir "$W" 2>&1) || {
	case $up in *"already up"*) skip_all "another test world is up on this machine" ;; esac
	echo "1..1"; echo "not ok 1 - world up 3 --docker"; printf '%s\n' "$up" | sed 's/^/#   /'; exit 1
}
KEY=$(printf '%s\n' "$up" | sed -n 's/^key: \([^ ]*\).*/\1/p' | tail -1)
plan 131
_result 0 "world up 3 --docker"
show() { printf '%s\n' "$1" | tail -n 8 | sed 's/^/#   /'; }
check() {		# check NAME STATUS WANT OUTPUT
	is "$1" "$2" "$3"
	[ "$2" = "$3" ] || show "$4"
}

out=$("$REG" up --dir "$R" --world "$W" 2>&1)
check "registry up" $? 0 "$out"
for v in v1 v2; do
	out=$("$MK" push 198.18.0.1:5000 icm/app $v --version $v --user icmtest \
		--password-file "$R/password" --cacert "$R/ca.crt" 2>&1)
	check "push icm/app:$v" $? 0 "$out"
done
out=$("$MK" save "$T/app-v1.tar" "$IMG:v1" --version v1 2>&1)
check "save the v1 archive" $? 0 "$out"
PW=$(cat "$R/password")

cd "$T"
# The world hosts share the machine's file system but /home (test-world.md):
# volumes under /home are each node's own and leave nothing on the machine.
MP=/home/ec2-user/irissys
cat > defaults.json <<JSON
{"Provider": "PreExisting", "Label": "Ctr", "Tag": "T",
 "SSHUser": "ec2-user", "SSHPrivateKey": "$KEY",
 "DockerImage": "$IMG:v1", "DockerRegistry": "198.18.0.1:5000",
 "DockerUsername": "icmtest", "DockerPassword": "$PW",
 "DataDeviceName": "create", "WIJDeviceName": "create",
 "Journal1DeviceName": "create", "Journal2DeviceName": "create",
 "DataMountPoint": "$MP/data", "WIJMountPoint": "$MP/wij",
 "Journal1MountPoint": "$MP/journal1", "Journal2MountPoint": "$MP/journal2",
 "RetryCount": "2", "RetryInterval": "200"}
JSON
printf '[' > definitions.json
for i in 1 2 3; do
	[ $i = 1 ] || printf ',' >> definitions.json
	printf '{"Role": "CN", "IPAddress": "198.18.0.%d", "StartCount": "%d"}' \
		$((10 + i)) $i >> definitions.json
done
printf ']\n' >> definitions.json
M=(Ctr-CN-T-0001 Ctr-CN-T-0002 Ctr-CN-T-0003)
S=state/Ctr-CN-T

# dk I ARGS: the real docker CLI against host I's daemon over TLS with the
# deployment's client certificate (a clean environment: no DOCKER_*).
dk() {
	local i=$1; shift
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$T" docker --tlsverify \
		--tlscacert state/pki/ca.pem --tlscert state/pki/client/cert.pem \
		--tlskey state/pki/client/key.pem -H "tcp://198.18.0.$((10 + i)):2376" "$@"
}
image_of() {	# DockerImage of machine $1 in instances.json
	/usr/bin/python3 -c 'import json,sys; print([n.get("DockerImage") for n in json.load(open("instances.json")) if n["MachineName"] == sys.argv[1]][0])' "$1"
}
page() { curl -s --max-time 5 "http://198.18.0.$((10 + $1)):8080/"; }
# containers named like NAME on host I (exact names, sorted)
names() { dk "$1" ps -a --format '{{.Names}}' 2>&1 | sort | tr '\n' ' '; }

# Watch every process's command line (world hosts share the machine's
# PID namespace) for the registry password while icm works.
: > "$T/seen"
sampler() {
	while :; do
		for f in /proc/[0-9]*/cmdline; do
			tr '\0' ' ' < "$f" 2>/dev/null | grep -qF -- "$PW" && echo "$f" >> "$T/seen"
		done
		sleep 0.05
	done
}
sampler &
SAMPLER=$!

out=$("$ICM" provision 2>&1)
check "provision exits 0" $? 0 "$out"
ok "docker CLI with the client certificate reaches host 1" dk 1 info
ok "without a client certificate host 1 refuses" \
	sh -c "! env -i PATH=/usr/bin:/bin docker --tlsverify --tlscacert state/pki/ca.pem -H tcp://198.18.0.11:2376 info"

# -- run ------------------------------------------------------------------
out=$("$ICM" run 2>&1); st=$?
check "run exits 0" $st 0 "$out"
contains "run: docker login line" "$out" "Executing command 'docker login' on ${M[1]}..."
contains "run: pulling line" "$out" "Pulling image $IMG:v1 on ${M[2]}..."
contains "run: creating line" "$out" "Creating container iris on ${M[0]}..."
contains "run: starting line" "$out" "Starting container iris on ${M[0]}..."
has_line "run: the guide's running line" "$out" "Running container iris on ${M[0]}..."
lacks "run: no Weave warning (PreExisting: Overlay host)" "$out" "Weave"
for i in 1 2 3; do
	is "host $i serves v1" "$(page $i)" "icm-test-app v1"
done
is "run: container state" "$(dk 1 inspect -f '{{.State.Running}} {{.Config.Image}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.NetworkMode}} {{.HostConfig.Init}}' iris 2>&1)" \
	"true $IMG:v1 unless-stopped host true"
is "run: hostname iris-<machine>" "$(dk 2 inspect -f '{{.Config.Hostname}}' iris 2>&1)" "iris-${M[1]}"
contains "run: IRIS volumes bound" "$(dk 1 inspect -f '{{json .HostConfig.Binds}}' iris 2>&1)" \
	"\"$MP/data:$MP/data\""
ok "run: docker.out written" test -s "$S/${M[0]}/docker.out"
id1=$(dk 1 inspect -f '{{.Id}}' iris 2>&1)

out=$("$ICM" run -override '{"Overlay": "weave"}' 2>&1)
check "run again exits 0" $? 0 "$out"
contains "run again: up to date" "$out" "Container iris on ${M[0]} is up to date"
is "run with Overlay weave: one warning line" "$(printf '%s\n' "$out" | grep -cxF \
	'Warning: the Weave overlay (Overlay weave) is not deployed: containers use host networking')" 1
is "run again: same container" "$(dk 1 inspect -f '{{.Id}}' iris 2>&1)" "$id1"

out=$("$ICM" run -options "--pid host" 2>&1)
check "run -options --pid is refused" $? 1 "$out"
contains "run: refusal names the flag" "$out" "'--pid' is not a docker run option icm accepts"
is "refused run changed nothing" "$(dk 1 inspect -f '{{.Id}}' iris 2>&1)" "$id1"

# another container beside iris, with -options
out=$("$ICM" run -machine "${M[1]}" -container extra -image "$IMG:v2" -options "--env APP_PORT=8081 --label team=ops --memory 64m" 2>&1)
check "run -container extra -options exits 0" $? 0 "$out"
is "extra serves v2 on its port" "$(curl -s --max-time 5 http://198.18.0.12:8081/)" "icm-test-app v2"
is "extra: -options applied" "$(dk 2 inspect -f '{{index .Config.Labels "team"}} {{.HostConfig.Memory}}' extra 2>&1)" "ops 67108864"
is "extra: no IRIS volumes" "$(dk 2 inspect -f '{{len .HostConfig.Binds}}' extra 2>&1)" "0"
dk 2 rm -f extra >/dev/null 2>&1

# -- ps -------------------------------------------------------------------
out=$("$ICM" ps 2>&1)
check "ps exits 0" $? 0 "$out"
contains "ps: header" "$(echo "$out" | tr -s ' ')" "Machine IP Address Container Status Health Image"
contains "ps: a row" "$(echo "$out" | tr -s ' ')" "${M[2]} 198.18.0.13 iris Up"
rm -f response.json
out=$("$ICM" ps -json -container iris 2>&1)
check "ps -json exits 0" $? 0 "$out"
is "ps -json: 3 entries for iris" "$(grep -c '"Container":[[:space:]]*"iris"' response.json)" 3
contains "ps -json: image" "$(cat response.json)" "\"DockerImage\":"

# -- exec -----------------------------------------------------------------
out=$("$ICM" exec -command 'echo out-$(hostname); echo err >&2' 2>&1)
check "exec on all exits 0" $? 0 "$out"
has_line "exec: the guide's Executing line" "$out" "Executing command in container iris on ${M[0]}..."
is "exec: stdout in docker.out" "$(cat "$S/${M[1]}/docker.out")" "out-iris-${M[1]}"
is "exec: stderr in docker.err" "$(cat "$S/${M[1]}/docker.err")" "err"
out=$("$ICM" exec -machine "${M[0]}" -options "--env GREETING=hello" -command 'echo $GREETING' 2>&1)
check "exec -options --env exits 0" $? 0 "$out"
contains "exec on one node echoes" "$out" "hello"
out=$("$ICM" exec -machine "${M[2]}" -command 'exit 3' 2>&1)
check "exec exit 3: icm exits 1" $? 1 "$out"
contains "exec failure names the node and status" "$out" "${M[2]}: exit status 3"

out=$(/usr/bin/python3 "$TOP/tests/ssh/pty-drive.py" 37 101 "$ICM" exec \
	-interactive -machine "${M[0]}" -command 'echo hi-$((6*7)); [ -t 0 ] && echo on-a-tty; exit 3' 2>&1)
st=$?
contains "exec -interactive: the command ran" "$out" "hi-42"
contains "exec -interactive: on a TTY" "$out" "on-a-tty"
contains "exec -interactive: the guide's line" "$out" "Executing command 'echo hi-\$((6*7)); [ -t 0 ] && echo on-a-tty; exit 3' in container iris on ${M[0]}..."
is "exec -interactive: exit 3 makes icm exit 1" "$st" 1
out=$("$ICM" exec -interactive -command sh 2>&1)
check "exec -interactive on 3 nodes is refused" $? 1 "$out"
contains "exec -interactive: ICM's message" "$out" "Interactive commands cannot match more than one instance"

# -- cp -------------------------------------------------------------------
# The guide: cp copies "a local file or directory on the specified node into
# the specified container"; remotePath defaults to /tmp, a trailing / names a
# directory, otherwise a file name.  The files are put on the nodes as a user
# would (icm scp into SSHUser's home, icm ssh), each node's its own.
printf 'payload %s\n' "$$" > "$T/note.txt"
out=$("$ICM" scp -localPath "$T/note.txt" 2>&1)
check "scp note.txt to the nodes' home" $? 0 "$out"
for i in 1 2 3; do
	"$ICM" ssh -machine "${M[$((i - 1))]}" -command "mkdir -p conf/sub && echo node-$i > conf/a.txt && echo deep-$i > conf/sub/b.txt && echo node-$i > own.txt" >/dev/null 2>&1
done
out=$("$ICM" cp -localPath note.txt 2>&1)
check "cp of the node's file, default remotePath: exit 0" $? 0 "$out"
is "cp: in host 3's container, /tmp/note.txt" "$(dk 3 exec iris cat /tmp/note.txt 2>&1)" "payload $$"
out=$("$ICM" cp -localPath own.txt -remotePath /tmp/renamed.txt 2>&1)
check "cp to a file name exits 0" $? 0 "$out"
for i in 1 2 3; do
	is "cp: host $i's container has its node's file as /tmp/renamed.txt" "$(dk $i exec iris cat /tmp/renamed.txt 2>&1)" "node-$i"
done
out=$("$ICM" cp -machine "${M[1]}" -localPath /home/ec2-user/own.txt -remotePath /opt/new/dir/ 2>&1)
check "cp of an absolute path into dir/ (missing directories made): exit 0" $? 0 "$out"
is "cp: dir/ gets the file under its name" "$(dk 2 exec iris cat /opt/new/dir/own.txt 2>&1)" "node-2"
out=$("$ICM" cp -machine "${M[1]}" -localPath conf -remotePath /etc/icmconf/ 2>&1)
check "cp of a directory into dir/ exits 0" $? 0 "$out"
is "cp: dir -> dir/ copies the contents" "$(dk 2 exec iris sh -c 'cat /etc/icmconf/a.txt /etc/icmconf/sub/b.txt; ls /etc/icmconf' 2>&1 | tr '\n' ' ')" "node-2 deep-2 a.txt sub "
out=$("$ICM" cp -machine "${M[1]}" -localPath conf/ -remotePath /srv/conf2 2>&1)
check "cp of a directory to a name without / exits 0" $? 0 "$out"
is "cp: the directory itself under that name" "$(dk 2 exec iris cat /srv/conf2/sub/b.txt 2>&1)" "deep-2"
out=$("$ICM" cp -machine "${M[1]}" -localPath conf 2>&1)
check "cp of a directory to the default /tmp exits 0" $? 0 "$out"
is "cp: its contents in /tmp, whose mode is left alone" "$(dk 2 exec iris sh -c 'cat /tmp/a.txt; stat -c %a /tmp' 2>&1 | tr '\n' ' ')" "node-2 1777 "
out=$("$ICM" cp -machine "${M[0]}" -localPath no-such-file 2>&1)
check "cp of a path missing on the node: exit 1" $? 1 "$out"
contains "... naming the path and the node" "$out" "no-such-file: no such file or directory on ${M[0]}"
out=$("$ICM" cp -localPath note.txt -remotePath tmp/x 2>&1)
check "cp to a relative remotePath: exit 1" $? 1 "$out"
contains "... said why" "$out" "-remotePath 'tmp/x': a path in the container starts with /"
printf 'from icm %s\n' "$$" > "$T/here.txt"
out=$("$ICM" cp -machine "${M[2]}" -localPath "$T/here.txt" -remotePath /tmp/from-here.txt -options --fromIcm 2>&1)
check "cp -options --fromIcm (read on this machine) exits 0" $? 0 "$out"
is "cp --fromIcm: the file of the machine running icm" "$(dk 3 exec iris cat /tmp/from-here.txt 2>&1)" "from icm $$"
mkdir -p "$T/back"
out=$("$ICM" cp -machine "${M[1]}" -localPath "$T/back" -remotePath /app/www/index.html -options --retrieve 2>&1)
check "cp --retrieve exits 0" $? 0 "$out"
is "cp --retrieve: the file came back" "$(cat "$T/back/index.html" 2>&1)" "icm-test-app v1"

# -- stop, start ------------------------------------------------------------
out=$("$ICM" stop -machine "${M[0]}" 2>&1)
check "stop exits 0" $? 0 "$out"
is "stop: not running" "$(dk 1 inspect -f '{{.State.Running}}' iris 2>&1)" "false"
in_order "stop: the guide's lines" "$out" "Stopping container iris on ${M[0]}..." \
	"...completed stop of container iris on ${M[0]}"
is "stop: other nodes untouched" "$(dk 2 inspect -f '{{.State.Running}}' iris 2>&1)" "true"
out=$("$ICM" start -machine "${M[0]}" 2>&1)
check "start exits 0" $? 0 "$out"
is "start: running" "$(dk 1 inspect -f '{{.State.Running}}' iris 2>&1)" "true"
in_order "start: the guide's lines" "$out" "Starting container iris on ${M[0]}..." \
	"...completed start of container iris on ${M[0]}"

# -- upgrade v1 -> v2 -------------------------------------------------------
out=$("$ICM" upgrade -image "$IMG:v2" 2>&1)
check "upgrade -image v2 exits 0" $? 0 "$out"
for i in 1 2 3; do
	is "host $i serves v2" "$(page $i)" "icm-test-app v2"
done
is "upgrade: one container iris on host 2" "$(names 2)" "iris "
contains "upgrade: instances.json has v2" "$(cat instances.json)" "\"DockerImage\":	\"$IMG:v2\""
lacks "upgrade: no v1 left in instances.json" "$(cat instances.json)" "$IMG:v1"
in_order "upgrade: the guide's sequence" "$out" \
	"Pulling ${M[1]} image $IMG:v2..." "...pulled ${M[1]} image $IMG:v2" \
	"Stopping container ${M[1]}..." "...completed stop of container ${M[1]}" \
	"Removing container ${M[1]}..." "...removed container ${M[1]}" \
	"Running image $IMG:v2 in container ${M[1]}..." \
	"...running image $IMG:v2 in container ${M[1]}"

# -- pull -------------------------------------------------------------------------
out=$("$ICM" pull -machine "${M[2]}" 2>&1)
check "pull exits 0" $? 0 "$out"
in_order "pull: the guide's lines" "$out" "Pulling ${M[2]} image $IMG:v2..." \
	"...pulled ${M[2]} image $IMG:v2"

# -- docker -------------------------------------------------------------------
out=$("$ICM" docker -command "ps -a --format '{{.Names}} {{.Image}}'" 2>&1)
check "docker -command exits 0" $? 0 "$out"
contains "docker: output in docker.out" "$(cat "$S/${M[0]}/docker.out")" "iris $IMG:v2"
has_line "docker: the guide's line names the -command" "$out" \
	"Executing command 'ps -a --format '{{.Names}} {{.Image}}'' on ${M[0]}..."

# -- rm -------------------------------------------------------------------------
out=$("$ICM" rm -machine "${M[2]}" 2>&1)
check "rm of a running container exits 1" $? 1 "$out"
contains "rm: says to stop first" "$out" "stop it first"
"$ICM" stop -machine "${M[2]}" >/dev/null 2>&1
out=$("$ICM" rm -machine "${M[2]}" 2>&1)
check "rm after stop exits 0" $? 0 "$out"
is "rm: no container on host 3" "$(names 3)" ""
in_order "rm: the lines" "$out" "Removing container iris on ${M[2]}..." \
	"...removed container iris on ${M[2]}"
ok "rm: the image stays" dk 3 image inspect "$IMG:v2"

# -- run killed midway, run again -------------------------------------------------
for delay in 0.3 0.8 1.5; do
	for i in 1 2 3; do dk $i rm -f iris >/dev/null 2>&1; done
	"$ICM" run -image "$IMG:v1" >"$T/killed.out" 2>&1 &
	p=$!
	sleep "$delay"
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	out=$("$ICM" run -image "$IMG:v1" 2>&1)
	check "run killed after ${delay}s, run again: exit 0" $? 0 "$out"
	ok=0
	for i in 1 2 3; do
		[ "$(names $i)" = "iris " ] || ok=1
		[ "$(dk $i inspect -f '{{.State.Running}} {{.Config.Image}}' iris 2>&1)" = "true $IMG:v1" ] || ok=1
	done
	is "after the kill at ${delay}s: exactly iris (v1, running) on every node" "$ok" 0
done

# -- a node whose dockerd is down --------------------------------------------------
"$WORLD" exec 3 --dir "$W" -- systemctl stop docker >/dev/null 2>&1
out=$("$ICM" run -image "$IMG:v2" 2>&1); st=$?
check "run with host 3's dockerd down exits 1" $st 1 "$out"
contains "the failure names the node and its file" "$out" "${M[2]}: cannot reach Docker on ${M[2]}"
contains "the failure points to docker.err" "$out" "see $S/${M[2]}/docker.err"
is "the other nodes were upgraded" "$(page 1) $(page 2)" "icm-test-app v2 icm-test-app v2"
is "instances.json: host 3 still recorded as v1" "$(image_of "${M[2]}")" "$IMG:v1"
"$WORLD" exec 3 --dir "$W" -- systemctl start docker >/dev/null 2>&1
out=$("$ICM" run -image "$IMG:v2" 2>&1)
check "run again with dockerd back exits 0" $? 0 "$out"
is "host 3 serves v2" "$(page 3)" "icm-test-app v2"

# -- air-gapped: -imageArchive -------------------------------------------------------
for i in 1 2 3; do
	"$REG" block $i --world "$W" >/dev/null 2>&1
	dk $i rm -f iris >/dev/null 2>&1
	dk $i rmi -f "$IMG:v1" "$IMG:v2" >/dev/null 2>&1
done
out=$("$ICM" run -image "$IMG:v1" -machine "${M[0]}" 2>&1)
check "blocked from the registry: run without the archive fails" $? 1 "$out"
out=$("$ICM" run -image "$IMG:v1" -imageArchive "$T/app-v1.tar" 2>&1)
check "run -imageArchive exits 0" $? 0 "$out"
contains "run -imageArchive: loading line" "$out" "Loading image archive $T/app-v1.tar on ${M[1]}..."
lacks "run -imageArchive: no pull" "$out" "Pulling image"
for i in 1 2 3; do
	is "air-gapped host $i serves v1" "$(page $i)" "icm-test-app v1"
done
out=$("$ICM" run -image "$IMG:v2" -imageArchive "$T/app-v1.tar" -machine "${M[0]}" 2>&1)
check "an archive without the image: exit 1" $? 1 "$out"
contains "the error names what the archive holds" "$out" "does not hold $IMG:v2"

# -- no password, no terminal -------------------------------------------------------
for i in 1 2 3; do "$REG" unblock $i --world "$W" >/dev/null 2>&1; done
out=$(setsid "$ICM" pull -override '{"DockerPassword": ""}' </dev/null 2>&1)
check "pull without DockerPassword and no terminal: exit 1" $? 1 "$out"
contains "the error names DockerPassword" "$out" "DockerPassword is not set and there is no terminal"

# -- the password appears nowhere ------------------------------------------------------
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=
is "no process command line held the password" "$(sort -u "$T/seen" | head -3)" ""
ok "the password is not in icm.log" sh -c "! grep -qF -- '$PW' icm.log"
ok "the password is not in state/ output files" sh -c "! grep -rqF -- '$PW' state --include='*.out' --include='*.err'"
ok "the password is not in response.json" sh -c "! grep -qF -- '$PW' response.json"
ok "the password is not in the containers' inspect output" \
	sh -c "! (for i in 1 2 3; do env -i PATH=/usr/bin:/bin docker --tlsverify --tlscacert state/pki/ca.pem --tlscert state/pki/client/cert.pem --tlskey state/pki/client/key.pem -H tcp://198.18.0.1\$i:2376 inspect iris; done) | grep -qF -- '$PW'"
done_testing
