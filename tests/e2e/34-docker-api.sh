#!/usr/bin/env bash
# 34-docker-api.sh: icm's Docker Engine API client (src/docker/api.c,
# exec.c, tar.c) through tests/docker/dapi against a real
# `dockerd --tlsverify`, results checked with the docker CLI over the
# daemon's private unix socket.  dockerd runs as in 31-mtls-dockerd.sh:
# private data-root, exec-root, pidfile and config, 127.0.0.1 only, no
# iptables, no bridge; stopped by PID.  The test image is made without any
# registry: Debian's static busybox and its applet links, imported with
# `docker import`.  The one registry the test names is 127.0.0.1 on a
# port where nothing listens.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/tls/lib-tls.sh"

[ "$(id -u)" = 0 ] || skip_all "dockerd needs root (running as uid $(id -u))"
DOCKERD=$(command -v dockerd) ||
	skip_all "dockerd is not installed (Debian package: docker.io)"
DOCKER=$(command -v docker) ||
	skip_all "the docker CLI is not installed (Debian package: docker.io)"
command -v openssl >/dev/null 2>&1 ||
	skip_all "the openssl command-line tool is not installed (Debian package: openssl)"
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] ||
	skip_all "no $BUSYBOX (Debian package: busybox-static)"
command -v readelf >/dev/null 2>&1 ||
	skip_all "readelf is not installed (Debian package: binutils)"
readelf -l "$BUSYBOX" 2>/dev/null | grep -q 'program interpreter' &&
	skip_all "$BUSYBOX is dynamically linked (Debian package: busybox-static)"
DAPI=${DAPI:-$(dirname "$ICM")/tests/dapi}
[ -x "$DAPI" ] || { echo "1..1"; echo "not ok 1 - dapi is built ($DAPI)"; exit 1; }

. "$TOP/tests/docker/lib-dockerd.sh"

NAME=docker-node-34
REG_PID=
FAKE_PID=
cleanup() {
	[ -n "$REG_PID" ] && { stop_pid "$REG_PID"; wait "$REG_PID" 2>/dev/null; }
	[ -n "$FAKE_PID" ] && { stop_pid "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null; }
	dockerd_stop
	rm -rf "$T"
}
trap cleanup EXIT

tls_client || { echo "1..1"; echo "not ok 1 - the test client builds against build/sysroot"; exit 1; }
tls_pki "$T/pki" "$NAME" || { echo "1..1"; echo "not ok 1 - test PKI generated with openssl"; exit 1; }
P=$T/pki
if ! dockerd_start "$T/docker" "$P" "$NAME"; then
	reason=$(grep -v '^\s*$' "$T/docker/dockerd.log" 2>/dev/null | tail -n 1 | cut -c1-200)
	skip_all "dockerd did not start within 20 s: ${reason:-no log output}"
fi
PORT=$DPORT
D=$T/docker

# the docker CLI on the private unix socket, no user configuration
dk() { env -u DOCKER_HOST -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH \
	DOCKER_CONFIG="$T/docker-cli" "$DOCKER" -H "unix://$D/docker.sock" "$@"; }
# dapi VERB ARGS...: OUT (stdout), ERR (stderr), RC
api() {
	"$DAPI" --name "$NAME" --ip 127.0.0.1 --port "$PORT" --ca "$P/ca.crt" \
		--cert "$P/ec.crt" --key "$P/ec.key" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(tr -d '\000' <"$T/out")
	ERR=$(cat "$T/err")
}

# The test image: busybox and its applets in a rootfs, imported.
IMG=icm-test/busybox:34
mkdir -p "$T/rootfs/bin" "$T/rootfs/tmp" "$T/rootfs/etc"
cp "$BUSYBOX" "$T/rootfs/bin/busybox"
for a in sh cat echo sleep ls id env head tail wc printf stat mkdir rm \
	true false test tr sed kill pwd ps touch chmod readlink stty; do
	ln -s busybox "$T/rootfs/bin/$a"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/rootfs/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$T/rootfs/etc/passwd"
echo 'root:x:0:' >"$T/rootfs/etc/group"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" . &&
	dk import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' "$T/rootfs.tar" "$IMG" >/dev/null 2>"$T/import.err" || {
	echo "1..1"; echo "not ok 1 - the busybox test image imports"
	sed 's/^/# /' "$T/import.err"; exit 1; }

# a create body: the image, sleeping; no network (dockerd has no bridge)
body() { # body FILE CMD...
	local f=$1; shift
	local args="" a
	for a in "$@"; do args="$args${args:+,}\"$a\""; done
	printf '{"Image":"%s","Cmd":[%s],"Labels":{"icm.test":"34"},"HostConfig":{"NetworkMode":"none"}}\n' \
		"$IMG" "$args" >"$f"
}

# dk_state CONTAINER: "running exitcode" as the docker CLI sees it
dk_state() { dk inspect -f '{{.State.Running}} {{.State.ExitCode}}' "$1" 2>&1; }
# a pseudo-terminal for the interactive exec (rows, cols, input after a prompt)
ptydrive() { # ptydrive INPUT CMD...
	/usr/bin/python3 - "$@" <<'PY'
import fcntl, os, pty, select, struct, sys, termios, time
inp = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 97, 0, 0))
    os.execvp(sys.argv[2], sys.argv[2:])
out, sent, end = b"", not inp, time.time() + 30
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if not sent and b"# " in out:
        os.write(fd, inp)
        sent = True
sys.stdout.write(out.decode(errors="replace"))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
PY
}

plan 84

# --- connection, version negotiation
api version
is "version: the negotiated API version (the daemon's 1.41, our maximum)" \
	"$RC:$(printf '%s\n' "$OUT" | head -n 1)" "0:api 1.41"
is "  ... and the daemon's version, as the docker CLI reports it" \
	"$(printf '%s\n' "$OUT" | sed -n 2p)" "server $(dk version -f '{{.Server.Version}}')"
# an older daemon, and one older than we support: a fake on 127.0.0.1
fake() { # fake APIVERSION VERB ARGS...: OUT, ERR, RC against a fake daemon
	local v=$1; shift
	rm -f "$T/fake.port"
	/usr/bin/python3 "$TOP/tests/docker/fake-dockerd.py" "$T/fake.port" "$P/ca.crt" \
		"$P/server.crt" "$P/server.key" "$v" 2>"$T/fake.log" &
	FAKE_PID=$!
	for i in $(seq 50); do [ -s "$T/fake.port" ] && break; sleep 0.1; done
	"$DAPI" --name "$NAME" --ip 127.0.0.1 --port "$(cat "$T/fake.port" 2>/dev/null)" \
		--ca "$P/ca.crt" --cert "$P/ec.crt" --key "$P/ec.key" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	stop_pid "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
}
fake 1.30 call GET /containers/json
is "version: a daemon speaking 1.30 is spoken to in 1.30" "$RC:$(printf '%s' "$OUT" | tr -d ' \t\n')" \
	'0:status200{"path":"/v1.30/containers/json"}'
fake 1.23 version
is "version: a daemon older than 1.24 is refused" "$RC" 1
contains "  ... naming both versions" "$ERR" "Docker API 1.23, older than 1.24"
"$DAPI" --name "$NAME" --ip 127.0.0.1 --port "$PORT" --ca "$P/other-ca.crt" \
	--cert "$P/ec.crt" --key "$P/ec.key" version >/dev/null 2>"$T/err"
RC=$?
is "open: a daemon whose certificate our CA did not sign is refused" "$RC" 1
contains "  ... with curl's reason" "$(cat "$T/err")" "cannot open $NAME:"
"$DAPI" --name other-name --ip 127.0.0.1 --port "$PORT" --ca "$P/ca.crt" \
	--cert "$P/ec.crt" --key "$P/ec.key" version >/dev/null 2>"$T/err"
is "open: a certificate without the name we connect by is refused" "$?" 1
"$DAPI" --name "$NAME" --ip 127.0.0.1 --port "$PORT" --ca "$P/ca.crt" \
	--cert "$P/ec.crt" --key "$P/ec.key" call GET /_ping >"$T/out" 2>&1
is "call: any path below /v1.41" "$(head -n 1 "$T/out")" "status 200"

# --- containers
body "$T/sleep.json" sleep 1000
api create c34 "$T/sleep.json"
is "create: the container's ID, as the CLI sees it" "$RC:$OUT" "0:$(dk inspect -f '{{.Id}}' c34 2>&1)"
api create c34 "$T/sleep.json"
is "create: a taken name fails" "$RC" 1
contains "  ... with the daemon's message" "$ERR" "is already in use"
api start c34
is "start: running" "$RC:$(dk_state c34)" "0:true 0"
api start c34
is "start: already running is success (304)" "$RC" 0
api create c34x "$T/sleep.json"
api list --all c34
is "list: the name filter is exact (c34, not c34x)" "$RC:$OUT" "0:/c34 running"
api list
is "list: running only" "$(printf '%s\n' "$OUT" | sort | tr '\n' ' ')" "/c34 running "
api list --all
is "list --all: stopped too" "$(printf '%s\n' "$OUT" | sort | tr '\n' ' ')" "/c34 running /c34x created "
api inspect c34
contains "inspect: the inspect object" "$OUT" '"Running":	true'
api inspect nosuch34
is "inspect: no such container is 'not found', not a failure" "$RC:$OUT" "0:absent"
api stop --time 1 c34
is "stop: stopped" "$RC:$(dk_state c34 | cut -d' ' -f1)" "0:false"
api stop c34
is "stop: already stopped is success (304)" "$RC" 0
api start c34
api kill c34
is "kill: SIGKILL by default (exit code 137)" "$RC:$(dk_state c34)" "0:false 137"
api kill c34
is "kill: a stopped container fails" "$RC" 1
contains "  ... with the daemon's message" "$ERR" "is not running"
api start c34
api kill --signal SIGTERM c34
sleep 0.5
is "kill --signal SIGTERM: sleep (pid 1) ignores it, still running" "$(dk_state c34)" "true 0"
api rename c34x c34y
is "rename: the CLI sees the new name" "$RC:$(dk ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" "0:c34 c34y "
api start nosuch34
is "start: no such container fails" "$RC" 1
is "  ... with the daemon's message, on one line" "$ERR" "dapi: start: No such container: nosuch34"
api rm c34
is "rm: a running container is not removed without force" "$RC" 1
contains "  ... the daemon says why" "$ERR" "Stop the container before attempting removal"
api rm c34y
is "rm: a stopped container is removed" "$RC:$OUT" "0:removed"
api rm c34y
is "rm: none there is 'absent', not a failure" "$RC:$OUT" "0:absent"

# --- exec
api exec c34 -- sh -c 'echo out; echo err >&2; exit 3'
is "exec: stdout apart" "$OUT" "out"
is "  ... stderr apart" "$ERR" "err"
is "  ... exit code 3" "$RC" 3
api exec c34 -- true
is "exec: exit code 0, no output" "$RC:$OUT:$ERR" "0::"
api exec --env A=1 --env 'B=two words' --user nobody --workdir /tmp c34 -- \
	sh -c 'echo "$A|$B|$(id -u)|$(pwd)"'
is "exec: --env, --user, --workdir" "$RC:$OUT" "0:1|two words|65534|/tmp"
api exec --tty c34 -- sh -c 'echo out; echo err >&2; tty'
is "exec --tty: one stream, a terminal" "$RC:$(printf '%s' "$OUT" | tr -d '\r' | paste -sd' ')" \
	"0:out err /dev/pts/0"
printf 'line one\nline two\n' >"$T/in"
api exec --stdin "$T/in" c34 -- head -n 2
is "exec --stdin: the input reaches the command" "$RC:$OUT" "0:line one
line two"
api exec --stdin "$T/in" c34 -- sh -c 'cat; echo end; exit 4'
is "exec --stdin: the input is closed after it (cat ends)" "$RC:$OUT" "4:line one
line two
end"
head -c 2000000 /dev/urandom >"$T/rand"
api exec --stdin "$T/rand" c34 -- cat
is "exec --stdin: 2 MB through cat and back, intact" "$RC:$(cksum <"$T/out")" "0:$(cksum <"$T/rand")"
api exec c34 -- sh -c 'head -c 3000000 /bin/busybox'
is "exec: 3 MB of output intact (frames split across reads)" \
	"$(head -c 3000000 "$BUSYBOX" | cksum)" "$(head -c 3000000 "$T/out" | cksum)"
api exec c34 -- no-such-command
is "exec: a missing command: 127 or 126 (runc's)" "$(case $RC in 126|127) echo y;; *) echo "$RC";; esac)" y
api exec --timeout 1000 c34 -- sleep 30
is "exec --timeout: a command that does not end in time fails" "$RC" 1
contains "  ... and says so" "$ERR" "did not end in time"
api create c34s "$T/sleep.json" && api exec c34s -- true
is "exec: a container that is not running fails" "$RC" 1
contains "  ... with the daemon's message" "$ERR" "is not running"
api rm c34s
api exec nosuch34 -- true
is "exec: no such container" "$RC:$ERR" "1:dapi: exec: No such container: nosuch34"
out=$(ptydrive $'echo typed-$((40+2)); busybox stty size\rexit 5\r' "$DAPI" --name "$NAME" \
	--ip 127.0.0.1 --port "$PORT" --ca "$P/ca.crt" --cert "$P/ec.crt" --key "$P/ec.key" \
	exec --interactive c34 -- sh)
rc=$?
out=$(printf '%s' "$out" | tr -d '\r')
is "exec --interactive: the exit code comes through" "$rc" 5
contains "  ... typed input reaches the shell" "$out" "typed-42"
contains "  ... the window size is passed on" "$out" "33 97"

# --- archives (icm cp)
mkdir -p "$T/cp/tree/sub" "$T/back"
printf 'alpha\n' >"$T/cp/tree/a.txt"; chmod 640 "$T/cp/tree/a.txt"
printf '#!/bin/sh\necho run\n' >"$T/cp/tree/sub/run.sh"; chmod 755 "$T/cp/tree/sub/run.sh"
ln -s a.txt "$T/cp/tree/link"
long=$(printf 'n%.0s' $(seq 140))
printf 'long\n' >"$T/cp/tree/sub/$long"
touch -d '2021-02-03 04:05:06' "$T/cp/tree/a.txt"
api put-archive c34 /tmp "$T/cp/tree"
is "put-archive: a tree into /tmp" "$RC" 0
is "  ... contents, as the CLI sees them" \
	"$(dk exec c34 sh -c 'cat /tmp/tree/a.txt /tmp/tree/sub/run.sh /tmp/tree/sub/n*')" \
	"$(cat "$T/cp/tree/a.txt" "$T/cp/tree/sub/run.sh" "$T/cp/tree/sub/$long")"
is "  ... modes, mtime and the symlink" \
	"$(dk exec c34 stat -c '%a %Y' /tmp/tree/a.txt /tmp/tree/sub/run.sh; dk exec c34 readlink /tmp/tree/link)" \
	"$(stat -c '%a %Y' "$T/cp/tree/a.txt" "$T/cp/tree/sub/run.sh"; readlink "$T/cp/tree/link")"
api put-archive c34 /tmp "$T/cp/tree/a.txt"
is "put-archive: a single file" "$RC:$(dk exec c34 cat /tmp/a.txt)" "0:alpha"
dk exec c34 sh -c 'mkdir -p /srv/made && echo made-inside >/srv/made/f && chmod 604 /srv/made/f'
api get-archive c34 /srv/made "$T/back"
is "get-archive: a tree made in the container" "$RC:$(cat "$T/back/made/f")" "0:made-inside"
is "  ... its mode" "$(stat -c %a "$T/back/made/f")" 604
api get-archive c34 /tmp/tree "$T/back"
ok "get-archive: what put-archive sent comes back identical" diff -r "$T/cp/tree" "$T/back/tree"
is "  ... modes, mtime" "$(stat -c '%a %Y' "$T/back/tree/a.txt" "$T/back/tree/sub/run.sh")" \
	"$(stat -c '%a %Y' "$T/cp/tree/a.txt" "$T/cp/tree/sub/run.sh")"
api get-archive --cap 4096 c34 /tmp/tree "$T/back"
is "get-archive: over the caller's cap fails, never truncates" \
	"$RC:$ERR" "1:dapi: get-archive: the archive is larger than 4096 bytes"
api exec --cap 1000 c34 -- head -c 5000 /bin/busybox
is "exec: output over the cap fails, never truncates" \
	"$RC:$ERR" "1:dapi: exec: the standard output of the command is larger than 1000 bytes"
api get-archive c34 /no/such/path "$T/back"
is "get-archive: a missing path fails" "$RC" 1
contains "  ... with the daemon's message" "$ERR" "Could not find the file /no/such/path"
api put-archive c34 /no/such/dir "$T/cp/tree"
is "put-archive: into a missing directory fails" "$RC" 1

# --- images: load, exists, pull
dk tag "$IMG" icm-test/saved:34 && dk save -o "$T/saved.tar" icm-test/saved:34 &&
	dk rmi icm-test/saved:34 >/dev/null
api exists icm-test/saved:34
is "exists: an image the daemon does not have" "$RC:$OUT" "0:no"
api load "$T/saved.tar"
is "load: a \`docker save\` tarball, streamed" "$RC:$(printf '%s\n' "$OUT" | grep '^loaded')" \
	"0:loaded icm-test/saved:34"
api exists icm-test/saved:34
is "exists: now it does, with its ID" "$RC:$OUT" "0:yes $(dk image inspect -f '{{.Id}}' icm-test/saved:34)"
head -c 3000 "$T/saved.tar" >"$T/cut.tar"
api load "$T/cut.tar"
is "load: a truncated tarball fails" "$RC" 1
contains "  ... with the daemon's message" "$ERR" "dapi: load:"
api load "$T/missing.tar"
is "load: a missing file fails" "$RC:$ERR" "1:dapi: load: cannot read '$T/missing.tar': No such file or directory"
NOPORT=$(tls_free_port)
api pull "127.0.0.1:$NOPORT/icm/none:1"
is "pull: a registry where nothing listens fails" "$RC" 1
contains "  ... with the daemon's reason" "$ERR" "connection refused"

# a registry on 127.0.0.1 with a password (htpasswd), if installed
if command -v docker-registry >/dev/null 2>&1 && command -v htpasswd >/dev/null 2>&1; then
	REG=$T/registry
	mkdir -p "$REG/data"
	PW="pw-\$34-$RANDOM"
	htpasswd -Bbn icmuser "$PW" >"$REG/htpasswd" 2>/dev/null
	RPORT=$(tls_free_port)
	printf '%s\n' 'version: 0.1' 'log: {level: error}' \
		"storage: {filesystem: {rootdirectory: $REG/data}}" \
		"http: {addr: 127.0.0.1:$RPORT}" \
		"auth: {htpasswd: {realm: icm-test, path: $REG/htpasswd}}" >"$REG/config.yml"
	docker-registry serve "$REG/config.yml" >"$REG/log" 2>&1 &
	REG_PID=$!
	for i in $(seq 50); do
		"$CLIENT" "http://127.0.0.1:$RPORT/v2/" >/dev/null 2>&1 && break
		sleep 0.1
	done
	RIMG=127.0.0.1:$RPORT/icm/busybox:34
	printf '%s' "$PW" | dk login -u icmuser --password-stdin "127.0.0.1:$RPORT" >/dev/null 2>&1 &&
		dk tag "$IMG" "$RIMG" && dk push "$RIMG" >/dev/null 2>&1 && dk rmi "$RIMG" >/dev/null
	pushed=$?
	is "registry: the CLI pushed the test image to 127.0.0.1:$RPORT" "$pushed" 0
	ICM_TEST_REGISTRY_PASSWORD=$PW api login --registry "127.0.0.1:$RPORT" --user icmuser
	is "login: right password" "$RC:$OUT" "0:login ok"
	ICM_TEST_REGISTRY_PASSWORD=wrong api login --registry "127.0.0.1:$RPORT" --user icmuser
	is "login: wrong password fails" "$RC" 1
	ICM_TEST_REGISTRY_PASSWORD=$PW api pull --registry "127.0.0.1:$RPORT" --user icmuser "$RIMG"
	is "pull: with credentials (X-Registry-Auth)" "$RC:$(dk image inspect -f '{{.Id}}' "$RIMG" 2>&1)" \
		"0:$(dk image inspect -f '{{.Id}}' "$IMG")"
	contains "  ... progress lines" "$OUT" "progress Status: Downloaded newer image"
	lacks "  ... the password appears nowhere in the output" "$OUT$ERR" "$PW"
	dk rmi "$RIMG" >/dev/null 2>&1
	ICM_TEST_REGISTRY_PASSWORD=wrong api pull --registry "127.0.0.1:$RPORT" --user icmuser "$RIMG"
	is "pull: a wrong password fails" "$RC" 1
	contains "  ... with the registry's reason" "$ERR" "authentication required"
	api pull "$RIMG"
	is "pull: anonymous where a password is needed fails" "$RC" 1
else
	for i in 1 2 3 4 5 6 7 8 9; do _n=$((_n + 1)); echo "ok $_n # SKIP no docker-registry/htpasswd"; done
fi

api parallel 8 "$IMG"
is "parallel: 8 threads, each its own connection: create, start, exec, rm" \
	"$RC:$(printf '%s\n' "$OUT" | grep -c ' ok$')" "0:8"
is "  ... and none of their containers is left" "$(dk ps -aq --filter name=dapi-par | wc -l)" 0

api rm --force c34
is "rm --force: a running container is removed" "$RC:$OUT:$(dk ps -aq | wc -l)" "0:removed:0"

done_testing
