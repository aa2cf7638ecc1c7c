#!/usr/bin/env bash
# 55-iris-standin.sh: the stand-in IRIS image (tests/images/mkimage --flavor
# iris; THE STAND-IN IS NOT INTERSYSTEMS IRIS: it implements only what icm
# calls and records) on a real dockerd: a world of 1 Docker host and the TLS
# registry; the image pushed, pulled and run with durable %SYS volumes,
# ISC_CPF_MERGE_FILE, --key and --password-file; then iris qlist/list, iris
# session on a here-document (records, the write protocol, namespaces and
# their errors, exit statuses), iris merge, the password kept only as its
# SHA-256 (the plaintext nowhere in the container or on the volumes),
# docker stop quick and clean, a second run reusing durable %SYS, a kill
# detected as an unclean shutdown, a data directory without mgr/ refused,
# the arbiter stand-in answering on 2188, and the Web Gateway stand-in
# loading a staged CSP.ini (plain passwords hashed), then a rewrite of it.  Root only; takes the world
# lock; always tears the world and the registry down.
. "$(dirname "$0")/lib.sh"
WORLD=$TOP/tests/world/world
REG=$TOP/tests/world/registry
MK=$TOP/tests/images/mkimage
[ "$(id -u)" = 0 ] || skip_all "the test world needs root (running as uid $(id -u))"
for t in /usr/bin/docker-registry /usr/bin/htpasswd /usr/sbin/dockerd /usr/bin/docker /bin/busybox; do
	[ -x "$t" ] || skip_all "$t is missing (Debian packages: docker-registry, apache2-utils, docker.io, busybox-static)"
done
world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"
unset "${!DOCKER_@}"

W=$T/world
R=$T/registry
IMG=198.18.0.1:5000/icm/iris:standin-v1
ARB=198.18.0.1:5000/icm/arbiter:standin
WG=198.18.0.1:5000/icm/webgateway:standin
cleanup() {
	"$REG" down --dir "$R" >/dev/null 2>&1
	"$WORLD" down --dir "$W" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
up=$("$WORLD" up 1 --docker --dir "$W" 2>&1) || {
	case $up in *"already up"*) skip_all "another test world is up on this machine" ;; esac
	echo "1..1"; echo "not ok 1 - world up 1 --docker"; printf '%s\n' "$up" | sed 's/^/#   /'; exit 1
}
# the plan is printed at the end (the count depends on the stand-in's flavours)
_result 0 "world up 1 --docker"
wx() { "$WORLD" exec 1 --dir "$W" -- "$@"; }
show() { printf '%s\n' "$1" | tail -n 8 | sed 's/^/#   /'; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
dx() { wx docker exec -i iris "$@"; }		# in the running stand-in
# wait_running: up to ~10 s for qlist to say running
wait_running() {
	local q
	for _ in $(seq 50); do
		q=$(dx iris qlist IRIS 2>/dev/null) && case $q in *"^running, since "*) return 0 ;; esac
		sleep 0.2
	done
	return 1
}

out=$("$REG" up --dir "$R" --world "$W" 2>&1)
check "registry up" $? 0 "$out"
out=$("$MK" push 198.18.0.1:5000 icm/iris standin-v1 --flavor iris --version v1 --user icmtest \
	--password-file "$R/password" --cacert "$R/ca.crt" 2>&1)
check "push icm/iris:standin-v1" $? 0 "$out"
out=$("$MK" push 198.18.0.1:5000 icm/arbiter standin --flavor arbiter --version v1 --user icmtest \
	--password-file "$R/password" --cacert "$R/ca.crt" 2>&1)
check "push icm/arbiter:standin" $? 0 "$out"
out=$("$MK" push 198.18.0.1:5000 icm/webgateway standin --flavor webgateway --version v1 --user icmtest \
	--password-file "$R/password" --cacert "$R/ca.crt" 2>&1)
check "push icm/webgateway:standin" $? 0 "$out"
out=$(wx docker login -u icmtest --password-stdin 198.18.0.1:5000 < "$R/password" 2>&1)
contains "docker login" "$out" "Login Succeeded"
out=$(wx docker pull "$IMG" 2>&1)
check "pull the stand-in" $? 0 "$out"
is "labels" "$(wx docker inspect -f '{{index .Config.Labels "org.icm.test.standin"}} {{index .Config.Labels "com.intersystems.product-name"}} {{index .Config.Labels "com.intersystems.ports.default.superserver"}} {{index .Config.Labels "com.intersystems.ports.default.webserver"}} {{index .Config.Labels "com.intersystems.ports.default.arbiter"}} {{index .Config.Labels "com.intersystems.ports.default.license-server"}} {{json .Config.Entrypoint}}' "$IMG" 2>&1)" \
	'true IRIS 1972 52773 2188 4002 ["/iris-main"]'

# the volumes live in the host's private /tmp; files go in on stdin
PW="standin-Pw-$$-$RANDOM"
PWSHA=$(printf %s "$PW" | sha256sum | cut -d' ' -f1)
printf '%s\n' "$PW" | wx sh -c 'mkdir -p /tmp/v/data/license /tmp/v/data/merge /tmp/v/wij /tmp/v/j1 /tmp/v/j2 && cat > /tmp/v/data/pw'
printf 'ICM-TEST-KEY standin\n' | wx sh -c 'cat > /tmp/v/data/license/iris.key'
printf '[Startup]\nSystemMode=TEST\n[Actions]\nCreateNamespace:Name=APPNS,Globals=APPNS,Routines=APPNS\n' |
	wx sh -c 'cat > /tmp/v/data/merge/node.cpf'
run_iris() {	# run_iris [extra iris-main options]: the canonical run line
	wx docker run -d --name iris --hostname iris-node1 --network host \
		-v /tmp/v/data:/irissys/data -v /tmp/v/wij:/irissys/wij \
		-v /tmp/v/j1:/irissys/journal1 -v /tmp/v/j2:/irissys/journal2 \
		-e ISC_DATA_DIRECTORY=/irissys/data/IRIS \
		-e ISC_CPF_MERGE_FILE=/irissys/data/merge/node.cpf \
		"$IMG" --key /irissys/data/license/iris.key "$@"
}
out=$(run_iris --password-file /irissys/data/pw -a 'echo after-ran' 2>&1)
check "docker run the stand-in" $? 0 "$out"
ok "qlist says running" wait_running
q=$(dx iris qlist IRIS 2>&1)
is "qlist fields 1-3, 5-10, 13-14" "$(printf '%s\n' "$q" | cut -d^ -f1-3,5-10,13-14)" \
	"IRIS^/usr/irissys^2024.1.0.267.2^iris.cpf^1972^52773^0^ok^IRIS^/irissys/data/IRIS^1972"
contains "iris list" "$(dx iris list 2>&1)" "status:       running, since"
ev=$(wx cat /tmp/v/data/IRIS/standin/events.log 2>&1)
contains "first start: durable %SYS created" "$ev" "durable-init /irissys/data/IRIS"
contains "the merge file applied" "$ev" "merge /irissys/data/merge/node.cpf sha256="
contains "the merge text is in iris.cpf" "$(wx cat /tmp/v/data/IRIS/iris.cpf 2>&1)" "SystemMode=TEST"
is "the key copied to mgr/" "$(wx cat /tmp/v/data/IRIS/mgr/iris.key 2>&1)" "ICM-TEST-KEY standin"
contains "the password recorded as its SHA-256" "$ev" "password sha256=$PWSHA "
is "password.sha256" "$(wx cat /tmp/v/data/IRIS/standin/password.sha256 2>&1)" "$PWSHA"
ok "the password file deleted" wx test ! -e /tmp/v/data/pw
contains "--after ran" "$(wx docker logs iris 2>&1)" "after-ran"
contains "docker logs streams messages.log" "$(wx docker logs iris 2>&1)" "Startup of InterSystems IRIS [ICM TEST STAND-IN]"
n=$(wx sh -c "grep -rlF '$PW' /tmp/v; docker export iris | grep -caF '$PW'; docker inspect iris | grep -cF '$PW'; docker logs iris 2>&1 | grep -cF '$PW'" 2>&1)
is "the plaintext password: nowhere on the volumes, in the container, inspect or logs" "$(echo $n)" "0 0 0"

# iris session on a here-document
out=$(dx iris session IRIS -U %SYS 2>&1 <<'OS'
write "ICM-READY",!
set p("Password")="not-plain" set sc=##class(Security.Users).Modify("SuperUser",.p)
write "say ""hi""",!
write $zv,!
set sc=##class(Config.Namespaces).Create("NEWNS",.p)
zn "NEWNS"
write "in NEWNS",!
halt
write "never",!
OS
); st=$?
check "session -U %SYS exits 0" $st 0 "$out"
is "session output: only the write protocol's answers" "$out" "ICM-READY
say \"hi\"
IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2024.1.0.267.2 (ICM TEST STAND-IN, not InterSystems IRIS)
in NEWNS"
log=$(wx cat /tmp/v/data/IRIS/standin/commands.log 2>&1)
is "commands.log: one record per line up to halt" "$(printf '%s\n' "$log" | wc -l)" 8
contains "record format: time, namespace, line as sent" "$log" ' %SYS set p("Password")="not-plain" set sc=##class(Security.Users).Modify("SuperUser",.p)'
ok "record time is ISO UTC" sh -c "printf '%s\n' '$(printf '%s\n' "$log" | head -1 | cut -d' ' -f1)' | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'"
contains "records follow zn" "$log" ' NEWNS write "in NEWNS",!'
lacks "nothing after halt is recorded" "$log" "never"
out=$(printf 'write "Y",!\n' | dx iris session IRIS -U NEWNS 2>&1)
check "a namespace created in a session" $? 0 "$out"
out=$(printf 'write "A",!\n' | dx iris terminal IRIS -U appns 2>&1)
check "terminal: a namespace created by the merge" $? 0 "$out"
is "terminal answers" "$out" "A"
out=$(printf 'write "Z",!\nhalt\n' | dx iris session IRIS -U NOSUCH 2>&1); st=$?
is "unknown namespace: exit 1" $st 1
is "unknown namespace: the error" "$out" "<NAMESPACE>Namespace NOSUCH does not exist"
lacks "unknown namespace: nothing read or recorded" "$(wx cat /tmp/v/data/IRIS/standin/commands.log 2>&1)" 'write "Z"'
out=$(printf 'zn "NOPE"\nwrite "still here",!\nhalt\n' | dx iris session IRIS 2>&1); st=$?
is "an error line: exit 1, session continues" "$st $(echo $out)" "1 <NAMESPACE>Namespace NOPE does not exist still here"
out=$(printf 'do $SYSTEM.Process.Terminate(,3)\n' | dx iris session IRIS -U %SYS 2>&1)
is "Terminate(,3): exit 3" $? 3
out=$(printf '[Actions]\nCreateNamespace:Name=LATER\n' | wx sh -c 'cat > /tmp/v/data/merge/later.cpf && docker exec iris iris merge IRIS /irissys/data/merge/later.cpf' 2>&1)
check "iris merge exits 0" $? 0 "$out"
contains "iris merge reports success" "$out" "IRIS Merge completed successfully"
out=$(printf 'halt\n' | dx iris session IRIS -U LATER 2>&1)
check "a namespace created by iris merge" $? 0 "$out"
contains "the image carries the README" "$(dx cat /README.standin 2>&1)" \
	"THIS IS A TEST STAND-IN FOR THE PROPRIETARY INTERSYSTEMS IRIS ENGINE"

# docker stop: quick and clean; a second run reuses durable %SYS
t0=$(date +%s%N)
wx docker stop iris >/dev/null 2>&1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "docker stop is quick ($ms ms)" test "$ms" -lt 5000
is "exit code 0 after SIGTERM" "$(wx docker inspect -f '{{.State.ExitCode}}' iris 2>&1)" 0
is "iris stop ran: status down" "$(wx cut -d^ -f1 /tmp/v/data/IRIS/standin/status 2>&1)" down
wx docker rm iris >/dev/null 2>&1
out=$(run_iris 2>&1)
check "second docker run on the same volumes" $? 0 "$out"
ok "running again" wait_running
ev=$(wx cat /tmp/v/data/IRIS/standin/events.log 2>&1)
is "durable %SYS initialised once" "$(printf '%s\n' "$ev" | grep -c durable-init)" 1
contains "durable %SYS reused" "$ev" "durable-reuse /irissys/data/IRIS"
is "health ok after a clean stop" "$(dx iris qlist IRIS 2>&1 | cut -d^ -f9)" ok
out=$(printf 'write "kept",!\nhalt\n' | dx iris session IRIS -U NEWNS 2>&1)
is "namespaces survive the restart" "$out" "kept"
wx docker kill iris >/dev/null 2>&1; wx docker rm iris >/dev/null 2>&1
run_iris >/dev/null 2>&1
ok "running after a kill" wait_running
is "a kill is seen as an unclean shutdown: health alert" "$(dx iris qlist IRIS 2>&1 | cut -d^ -f9)" alert
wx docker rm -f iris >/dev/null 2>&1

# a data directory with data but no mgr/ is refused
wx sh -c 'mkdir -p /tmp/v/data/BAD && echo x > /tmp/v/data/BAD/junk'
wx docker run -d --name bad --network host -v /tmp/v/data:/irissys/data \
	-e ISC_DATA_DIRECTORY=/irissys/data/BAD "$IMG" >/dev/null 2>&1
for _ in $(seq 50); do [ "$(wx docker inspect -f '{{.State.Running}}' bad 2>&1)" = false ] && break; sleep 0.1; done
is "no mgr/: the container exits 1" "$(wx docker inspect -f '{{.State.Running}} {{.State.ExitCode}}' bad 2>&1)" "false 1"
contains "no mgr/: the reason" "$(wx docker logs bad 2>&1)" "contains data but no mgr/ directory; refusing to start"
wx docker rm -f bad >/dev/null 2>&1

# the arbiter stand-in
out=$(wx docker run -d --name arbiter --network host "$ARB" 2>&1)
check "docker run the arbiter stand-in" $? 0 "$out"
ok "the arbiter accepts TCP on 198.18.0.11:2188" sh -c \
	'for i in $(seq 50); do timeout 2 bash -c "exec 3<>/dev/tcp/198.18.0.11/2188" 2>/dev/null && exit 0; sleep 0.1; done; exit 1'
t0=$(date +%s%N)
wx docker stop arbiter >/dev/null 2>&1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "the arbiter stops at once ($ms ms), exit 0" test "$ms" -lt 5000 -a "$(wx docker inspect -f '{{.State.ExitCode}}' arbiter 2>&1)" = 0

# the Web Gateway stand-in: a staged CSP.ini, then a rewrite of it
printf '[SYSTEM]\n[SYSTEM_INDEX]\nAM1=Enabled\nAM2=Enabled\n[AM1]\nIp_Address=198.18.0.11\nTCP_Port=1972\nPassword=%s\n[AM2]\nIp_Address=198.18.0.11\nTCP_Port=1973\n' "$PW" |
	wx sh -c 'mkdir -p /tmp/w && cat > /tmp/w/staged.ini'
out=$(wx docker run -d --name ws --network host -v /tmp/w:/dur -e ISC_DATA_DIRECTORY=/dur \
	-e ISC_CSP_INI_FILE=/dur/staged.ini "$WG" 2>&1)
check "docker run the web gateway stand-in" $? 0 "$out"
servers() {	# WANT: wait up to ~6 s for the served server list to be WANT
	local s
	for _ in $(seq 60); do
		s=$(curl -s --max-time 2 http://198.18.0.11/standin/servers.txt | tr '\n' ' ')
		[ "$s" = "$1" ] && break
		sleep 0.1
	done
	echo "$s"
}
is "the gateway serves the staged server list" "$(servers "AM1 198.18.0.11 1972 AM2 198.18.0.11 1973 ")" \
	"AM1 198.18.0.11 1972 AM2 198.18.0.11 1973 "
is "the active CSP.ini keeps only a hash of the password" \
	"$(wx grep '^Password=' /tmp/w/webgateway/CSP.ini 2>&1)" "Password=]]]standin-sha256:$PWSHA"
printf '[SYSTEM]\n[SYSTEM_INDEX]\nAM3=Enabled\n[AM3]\nIp_Address=198.18.0.11\nTCP_Port=1974\n' |
	wx sh -c 'cat > /tmp/w/staged.ini'
is "a rewritten staged CSP.ini is picked up" "$(servers "AM3 198.18.0.11 1974 ")" "AM3 198.18.0.11 1974 "
contains "each load recorded" "$(wx cat /tmp/w/standin/events.log 2>&1)" "csp-ini staged-changed:/dur/staged.ini sha256="
t0=$(date +%s%N)
wx docker stop ws >/dev/null 2>&1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "the gateway stops at once ($ms ms), exit 0" test "$ms" -lt 5000 -a "$(wx docker inspect -f '{{.State.ExitCode}}' ws 2>&1)" = 0

out=$("$REG" down --dir "$R" 2>&1)
check "registry down" $? 0 "$out"
out=$("$WORLD" down --dir "$W" 2>&1)
check "world down" $? 0 "$out"
plan "$_n"
done_testing
