#!/usr/bin/env bash
# 33-ssh-features: the SSH layer's features beyond exec (src/node/ssh.c,
# upload.c, pty.c through tests/ssh/ssh-probe) against OpenSSH's sshd on
# 127.0.0.1: password login after a refused key (a throw-away user with a
# known password, created only as root), retries with backoff while sshd
# starts late and the bound on a host that never answers, keepalives,
# sudo with stdin, uploads (files, trees, trailing slashes, modes; SFTP and
# the SCP fallback) and an interactive PTY session driven through a
# pseudo-terminal.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/ssh/sshd-lib.sh"
sshd_require_probe
PWUSER=''
BG=()
cleanup() {
	sshd_stop
	local p; for p in "${BG[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "$PWUSER" ] && userdel -r "$PWUSER" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }
me=$(id -un)
cd "$T" || exit 1
ssh-keygen -q -t ecdsa -b 256 -N '' -C hk -f hk_ec256 &
ssh-keygen -q -t ecdsa -b 256 -N '' -C user -f user &
ssh-keygen -q -t ecdsa -b 256 -N '' -C stranger -f stranger &
wait
cat user.pub > authorized_keys
SFTP_SERVER=/usr/lib/openssh/sftp-server
[ -x "$SFTP_SERVER" ] || SFTP_SERVER=internal-sftp

SSHD_EXTRA="Subsystem sftp $SFTP_SERVER
PasswordAuthentication yes" sshd_start "$T" main hk_ec256 || exit 1
MAIN=$SSHD_PORT
sshd_start "$T" nosftp hk_ec256 || exit 1       # no Subsystem: SCP only
NOSFTP=$SSHD_PORT
# sshd -e -d sends its debug lines to the sessions' stderr as well
SSHD_EXTRA="LogLevel DEBUG1" sshd_start "$T" debug hk_ec256 || exit 1
DEBUG=$SSHD_PORT
for p in "$MAIN" "$NOSFTP" "$DEBUG"; do sshd_pins "$T" "$p" hk_ec256; done > kh

probe() { # probe PORT ARGS... -- CMD   (stdout+stderr in $out, status $rc)
	local p=$1; shift
	out=$("$PROBE" -h 127.0.0.1 -p "$p" -k "$T/kh" --timeout 10000 "$@" 2>&1)
	rc=$?
}
KEY=(-u "$me" -i "$T/user")

# --- password login ------------------------------------------------------------
pw=Icm-pw-$RANDOM-Probe
printf '%s\n' "$pw" > pwfile
printf 'wrong-%s\n' "$pw" > badpw
if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null; then
	for c in "key refused, password accepted" "password only" \
		"wrong password after a refused key" "wrong password alone" \
		"the password is never printed"; do
		skip "$c" "needs root to create a user with a known password"
	done
else
	PWUSER=icmpw$$
	useradd -m -s /bin/sh "$PWUSER" && echo "$PWUSER:$pw" | chpasswd
	probe "$MAIN" -u "$PWUSER" -i "$T/stranger" --password-file "$T/pwfile" -- whoami
	is "key refused, password accepted" "$rc:$out" "0:$PWUSER"
	probe "$MAIN" -u "$PWUSER" --password-file "$T/pwfile" -- whoami
	is "password only" "$rc:$out" "0:$PWUSER"
	probe "$MAIN" -u "$PWUSER" -i "$T/stranger" --password-file "$T/badpw" -- true
	contains "wrong password after a refused key" "$rc $out" \
		"255 Error: 127.0.0.1:$MAIN: permission denied for user '$PWUSER': key '$T/stranger' refused, password refused (is the public key in ~$PWUSER/.ssh/authorized_keys? is SSHPassword right?)"
	all=$out
	probe "$MAIN" -u "$PWUSER" --password-file "$T/badpw" -- true
	contains "wrong password alone" "$rc $out" \
		"255 Error: 127.0.0.1:$MAIN: permission denied (password) for user '$PWUSER': password refused (is SSHPassword right?)"
	all=$all$out
	lacks "the password is never printed" "$all$(cat "$T"/main.log)" "$pw"
fi
probe "$NOSFTP" -u "$me" -i "$T/stranger" --password-file "$T/pwfile" -- true
contains "key refused and the server takes no passwords" "$rc $out" \
	"255 Error: 127.0.0.1:$NOSFTP: permission denied for user '$me': key '$T/stranger' refused, and the server takes no passwords (it offers: publickey)"
probe "$MAIN" "${KEY[@]}" --password-file "$T/badpw" -- 'echo key-first'
is "the key is tried first (a wrong password does not matter)" "$rc:$out" "0:key-first"

# --- retries -------------------------------------------------------------------
free_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + RANDOM % 20000)); _sshd_port_free "$p" && break
	done
	echo "$p"
}
LATE=$(free_port)
sed -e "s/^Port .*/Port $LATE/" -e "s|^PidFile .*|PidFile $T/late.pid|" \
	main.conf > late.conf
(sleep 2; exec /usr/sbin/sshd -D -e -f "$T/late.conf" 2> "$T/late.log") &
SSHD_PIDS+=("$!")
sshd_pins "$T" "$LATE" hk_ec256 >> kh
t0=$(date +%s%N)
probe "$LATE" "${KEY[@]}" --retry 20,300 -- 'echo late-ok'
ms=$((($(date +%s%N) - t0) / 1000000))
is "sshd started 2 s late: connected after retries" "$rc:$out" "0:late-ok"
ok "... after about 2 s ($ms ms)" test "$ms" -ge 1500 -a "$ms" -lt 8000
REFUSED=$(free_port)
t0=$(date +%s%N)
probe "$REFUSED" "${KEY[@]}" --retry 3,200 -- true
ms=$((($(date +%s%N) - t0) / 1000000))
contains "refused 3 times: the last failure, and how many attempts" "$rc $out" \
	"255 Error: 127.0.0.1:$REFUSED: connection refused (is sshd running and listening on port $REFUSED?) (gave up after 3 attempts in"
ok "... 2 pauses of 150-250 ms ($ms ms)" test "$ms" -ge 300 -a "$ms" -lt 2000
# A blackhole: the kernel completes the TCP handshake (backlog), nobody
# ever reads or writes.
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True); time.sleep(120)' > bh.port &
BG+=("$!")
for _ in $(seq 50); do [ -s bh.port ] && break; sleep 0.1; done
BH=$(cat bh.port)
sshd_pins "$T" "$BH" hk_ec256 >> kh
t0=$(date +%s%N)
out=$("$PROBE" -h 127.0.0.1 -p "$BH" -k "$T/kh" --timeout 1000 --retry 3,500 \
	"${KEY[@]}" -- true 2>&1)
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
contains "a host that never answers: no handshake" "$rc $out" \
	"255 Error: 127.0.0.1:$BH: no SSH handshake within"
contains "... after 3 attempts" "$out" "(gave up after 3 attempts"
ok "... within the bound 3 x (500 + 1000) ms ($ms ms)" test "$ms" -le 4700
probe "$MAIN" -u "$me" -i "$T/stranger" --retry 5,1000 -- true
contains "authentication failures are not retried" "$rc $out" "permission denied (publickey)"
lacks "... (one attempt)" "$out" "gave up"

# --- keepalives, sudo -------------------------------------------------------------
out=$("$PROBE" -h 127.0.0.1 -p "$DEBUG" -k "$T/kh" "${KEY[@]}" --keepalive 1 \
	-- 'sleep 3; echo slept' 2>/dev/null)
is "a long command with 1 s keepalives" "$?:$out" "0:slept"
sleep 0.3
n=$(grep -c "rtype keepalive@" "$T/debug.log")
ok "... the server saw keepalives ($n)" test "$n" -ge 2
if command -v sudo >/dev/null; then
	printf 'through sudo\n' > in.txt
	probe "$MAIN" "${KEY[@]}" --stdin "$T/in.txt" -- 'sudo -n cat'
	is "sudo reads the command's stdin" "$rc:$out" "0:through sudo"
	probe "$MAIN" "${KEY[@]}" -- 'sudo -n true < /dev/null; echo $?'
	is "sudo -n without stdin" "$rc:$out" "0:0"
else
	skip "sudo reads the command's stdin" "sudo is not installed"
	skip "sudo -n without stdin" "sudo is not installed"
fi

# --- uploads ---------------------------------------------------------------------
mkdir -p src/sub/deeper dst
printf 'one\n' > src/a.txt; printf '#!/bin/sh\n' > src/run.sh; chmod 755 src/run.sh
printf 'ro\n' > src/sub/ro.txt; chmod 400 src/sub/ro.txt; chmod 750 src/sub
head -c 300000 /dev/urandom > src/sub/deeper/big.bin; chmod 604 src/sub/deeper/big.bin
printf 'single\n' > file.txt; chmod 640 file.txt
modes() { (cd "$1" && find . -printf '%P %m\n' | sort); }
same_tree() { # same_tree NAME A B: contents and modes
	if diff -r "$2" "$3" >/dev/null && [ "$(modes "$2")" = "$(modes "$3")" ]; then
		_result 0 "$1"
	else
		_result 1 "$1"; diff -r "$2" "$3" | head -3 | sed 's/^/#   /'
		diff <(modes "$2") <(modes "$3") | head -5 | sed 's/^/#   /'
	fi
}
up() { # up NAME PORT LOCAL REMOTE [--no-sftp]
	local name=$1 p=$2 l=$3 r=$4; shift 4
	out=$("$PROBE" -h 127.0.0.1 -p "$p" -k "$T/kh" "${KEY[@]}" "$@" \
		--upload "$l" -- "$r" 2>&1)
	rc=$?
	[ "$rc" = 0 ] || { _result 1 "$name: upload (exit $rc)"; echo "#   $out"; }
}
for via in sftp scp; do
	P=$MAIN; f=(); [ $via = scp ] && { P=$NOSFTP; f=(--no-sftp); }
	D=$T/dst/$via; mkdir -p "$D/exists" "$D/home"
	up x "$P" "$T/file.txt" "$D/newname" "${f[@]}"
	is "$via: file -> path: written as path, mode kept" \
		"$(cat "$D/newname"):$(stat -c %a "$D/newname")" "single:640"
	up x "$P" "$T/file.txt" "$D/exists" "${f[@]}"
	is "$via: file -> existing dir: into it" "$(cat "$D/exists/file.txt")" single
	up x "$P" "$T/file.txt" "$D/made/by/slash/" "${f[@]}"
	is "$via: file -> missing dir/: created, into it" "$(cat "$D/made/by/slash/file.txt")" single
	up x "$P" "$T/src/" "$D/contents" "${f[@]}"
	same_tree "$via: dir/ -> path: path gets the contents" "$T/src" "$D/contents"
	up x "$P" "$T/src" "$D/exists/" "${f[@]}"
	same_tree "$via: dir -> dir/: dir/src" "$T/src" "$D/exists/src"
	up x "$P" "$T/src" "$D/exists" "${f[@]}"
	same_tree "$via: dir -> existing dir (no slash): dir/src, again" "$T/src" "$D/exists/src"
	up x "$P" "$T/src/" "$D/exists/" "${f[@]}"
	ok "$via: dir/ -> existing dir/: contents merged into it" \
		cmp "$T/src/sub/deeper/big.bin" "$D/exists/sub/deeper/big.bin"
	up x "$P" "$T/src" "$D/scp-like" "${f[@]}"
	same_tree "$via: dir -> missing path: path gets the contents (scp -r)" "$T/src" "$D/scp-like"
	out=$("$PROBE" -h 127.0.0.1 -p "$P" -k "$T/kh" "${KEY[@]}" "${f[@]}" \
		--upload "$T/src" -- "$D/newname" 2>&1)
	contains "$via: dir -> a file: refused" "$? $out" \
		"255 Error: 127.0.0.1:$P: cannot copy directory '$T/src' onto file '$D/newname'"
	out=$("$PROBE" -h 127.0.0.1 -p "$P" -k "$T/kh" "${KEY[@]}" "${f[@]}" \
		--upload "$T/nonesuch" -- "$D/" 2>&1)
	contains "$via: a missing local file is named" "$? $out" \
		"255 Error: cannot read '$T/nonesuch': No such file or directory"
	out=$("$PROBE" -h 127.0.0.1 -p "$P" -k "$T/kh" "${KEY[@]}" "${f[@]}" \
		--upload "$T/file.txt" -- "/proc/no/such/dir/x" 2>&1)
	contains "$via: an unwritable remote path is named" "$? $out" "'/proc/no/such/dir/x'"
done
# a name with a newline: SFTP carries it; SCP's protocol line cannot
mkdir -p "$T/nl"
echo nl > "$T/nl/a
b"
up x "$MAIN" "$T/nl" "$T/dst/nl-sftp"
ok "sftp: a file name with a newline is copied as it is" test -f "$T/dst/nl-sftp/a
b"
out=$("$PROBE" -h 127.0.0.1 -p "$NOSFTP" -k "$T/kh" "${KEY[@]}" --no-sftp \
	--upload "$T/nl" -- "$T/dst/nl-scp" 2>&1)
contains "scp: a file name with a newline is refused, named" "$? $out" \
	"255 Error: 127.0.0.1:$NOSFTP: cannot copy '$T/nl/a
b' with SCP (the host has no SFTP): its name has a newline"
ok "... and nothing is written under a part of it" test ! -e "$T/dst/nl-scp/a"
out=$("$PROBE" -h 127.0.0.1 -p "$MAIN" -k "$T/kh" "${KEY[@]}" \
	--upload "$T/file.txt" -- "" 2>&1)
is "no remote path: the user's home" "$?:$(cmp "$T/file.txt" ~/file.txt && echo same)" "0:same"
rm -f ~/file.txt
[ "$(id -u)" = 0 ] && chmod -R u+w "$T/dst"

# --- interactive PTY ---------------------------------------------------------------
DRIVE=$TOP/tests/ssh/pty-drive.py
IPROBE=("$PROBE" -h 127.0.0.1 -p "$MAIN" -k "$T/kh" "${KEY[@]}" --interactive)
out=$(TERM=vt100 /usr/bin/python3 "$DRIVE" 37 101 "${IPROBE[@]}" -- \
	'echo hi; echo "term=$TERM"; stty size; exit 3')
rc=$?
out=$(printf '%s' "$out" | tr -d '\r')
is "interactive: the exit status comes through" "$rc" 3
contains "interactive: the output" "$out" "hi"
contains "interactive: \$TERM is passed" "$out" "term=vt100"
contains "interactive: the remote sees the window size" "$out" "37 101"
out=$(printf 'echo from-stdin-$((6*7))\nexit 5\n' | /usr/bin/python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
os.write(fd, sys.stdin.buffer.read())
out = b""
while True:
    try: d = os.read(fd, 4096)
    except OSError: break
    if not d: break
    out += d
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))' "${IPROBE[@]}" -- -)
rc=$?
is "interactive login shell: typed commands run, exit status 5" "$rc" 5
contains "... their output comes back" "$out" "from-stdin-42"

plan "$_n"
done_testing
