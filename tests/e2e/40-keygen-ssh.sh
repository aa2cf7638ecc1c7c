#!/usr/bin/env bash
# 40-keygen-ssh: `icm keygen ssh [DIR]` writes one key pair under ICM's
# names (insecure, secure-ssh2: PEM private keys 0600; insecure.pub:
# OpenSSH; insecure-ssh2.pub, secure-ssh2.pub: RFC 4716), checked with the
# real tools: ssh-keygen reads every public key and derives the same public
# key from the private one, and an OpenSSH sshd (started here on
# 127.0.0.1, own host key, config and authorized_keys) lets the `ssh`
# client log in with it, RSA and ECDSA.  ssh-keygen -l does not read
# RFC 4716 files (not even those ssh-keygen -e writes), so those go
# through ssh-keygen -i first, which is how OpenSSH reads them.
# `icm keygen state [FILE]` (the key that seals the state's secrets) is
# checked here too: 32 bytes, 0600, never replaced.
. "$(dirname "$0")/lib.sh"
for tool in ssh-keygen ssh sshd; do
	command -v "$tool" >/dev/null ||
		[ -x "/usr/sbin/$tool" ] || skip_all "$tool is not installed"
done
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
plan 47
cd "$T" || exit 1
umask 022

mode() { stat -c %a "$1" 2>/dev/null; }
# The key type and base64 of an OpenSSH public key line.
blob() { awk '{print $1, $2}' "$@"; }

"$ICM" keygen ssh >out.txt 2>err.txt
is "keygen ssh exits 0" $? 0
is "nothing on stderr" "$(cat err.txt)" ""
is "the five files, in ./ssh by default" "$(cat out.txt)" \
"ssh/insecure
ssh/insecure.pub
ssh/insecure-ssh2.pub
ssh/secure-ssh2
ssh/secure-ssh2.pub"
is "private keys 0600, public keys 0644, directory 0700" \
	"$(mode ssh/insecure) $(mode ssh/secure-ssh2) $(mode ssh/insecure.pub) $(mode ssh/insecure-ssh2.pub) $(mode ssh)" \
	"600 600 644 644 700"
is "private key is PKCS#1 PEM" "$(head -1 ssh/insecure)" \
	"-----BEGIN RSA PRIVATE KEY-----"
ok "both private key names hold the same key" cmp ssh/insecure ssh/secure-ssh2
is "RFC 4716 header" "$(head -1 ssh/insecure-ssh2.pub)" \
	"---- BEGIN SSH2 PUBLIC KEY ----"
is "RFC 4716 lines at most 72 characters" \
	"$(awk 'length > 72' ssh/insecure-ssh2.pub ssh/secure-ssh2.pub)" ""
fp=$(ssh-keygen -l -f ssh/insecure.pub 2>&1)
contains "ssh-keygen -l reads insecure.pub: 2048-bit RSA" "$fp" "2048 SHA256:"
for f in insecure-ssh2.pub secure-ssh2.pub; do
	is "ssh-keygen -i reads $f: the same key" \
		"$(ssh-keygen -i -f ssh/$f 2>&1 | blob)" "$(blob ssh/insecure.pub)"
	is "ssh-keygen -l of $f (through -i): the same fingerprint" \
		"$(ssh-keygen -i -f ssh/$f | ssh-keygen -l -f - | awk '{print $2}')" \
		"$(echo "$fp" | awk '{print $2}')"
done
for f in insecure secure-ssh2; do
	is "ssh-keygen -y on $f reproduces insecure.pub" \
		"$(ssh-keygen -y -f ssh/$f 2>&1 | blob)" "$(blob ssh/insecure.pub)"
done

"$ICM" keygen ssh -type ecdsa ec >out.txt 2>err.txt
is "keygen ssh -type ecdsa exits 0" $? 0
is "EC private key is SEC1 PEM" "$(head -1 ec/insecure)" \
	"-----BEGIN EC PRIVATE KEY-----"
contains "ssh-keygen -l: 256-bit ECDSA" "$(ssh-keygen -l -f ec/insecure.pub)" \
	"(ECDSA)"
is "ssh-keygen -y on the EC key reproduces insecure.pub" \
	"$(ssh-keygen -y -f ec/insecure 2>&1 | blob)" "$(blob ec/insecure.pub)"
is "EC RFC 4716 key reads back" \
	"$(ssh-keygen -i -f ec/secure-ssh2.pub 2>&1 | blob)" "$(blob ec/insecure.pub)"

"$ICM" keygen ssh -bits 3072 big >/dev/null 2>&1
contains "-bits 3072" "$(ssh-keygen -l -f big/insecure.pub)" "3072 SHA256:"

# Refusals: nothing is written.
before=$(snapshot ssh)
"$ICM" keygen ssh >out.txt 2>err.txt
is "an existing key is refused with exit 1" $? 1
contains "the refusal names the file and -force" "$(cat err.txt)" \
	"'ssh/insecure' already exists (use -force to overwrite)"
is "nothing changed" "$(snapshot ssh)" "$before"
rm ssh/insecure.pub
"$ICM" keygen ssh >/dev/null 2>&1
is "one existing file is enough to refuse" "$(ls ssh | wc -l)" 4
old=$(cat ssh/secure-ssh2.pub)
"$ICM" keygen ssh -force >/dev/null 2>&1
is "-force writes a new key" $? 0
ok "-force: every file holds the new key" sh -c '[ "$(cat ssh/secure-ssh2.pub)" != "$0" ] &&
	[ "$(ssh-keygen -y -f ssh/secure-ssh2 | cut -d" " -f2)" = "$(cut -d" " -f2 ssh/insecure.pub)" ]' "$old"
"$ICM" keygen ssh -type dsa x >/dev/null 2>err.txt
is "-type dsa refused" "$? $(cat err.txt)" \
	"1 Error: -type: expected rsa or ecdsa, got 'dsa'"
"$ICM" keygen ssh -bits 1024 x >/dev/null 2>err.txt
is "-bits 1024 refused" "$?" 1
"$ICM" keygen ssh -type ecdsa -bits 384 x >/dev/null 2>err.txt
is "ECDSA is P-256 only" "$?" 1
"$ICM" keygen ssh -days 3 x >/dev/null 2>err.txt
is "-days is for tls" "$?" 1
"$ICM" keygen rsa >/dev/null 2>err.txt
is "keygen of something else refused" "$? $(cat err.txt)" \
	"1 Error: 'icm keygen' makes ssh, tls or state keys, not 'rsa'"
ok "nothing written by the refusals" test ! -e x

# keygen state: 32 random bytes, owner-only, never overwritten.
"$ICM" keygen state >out.txt 2>err.txt
is "keygen state exits 0, nothing on stderr" "$? $(cat err.txt)" "0 "
is "it names the file (./state.key) and how to use it" "$(cat out.txt)" \
"state.key
Give it to icm with the StateKeyFile field or ICM_STATE_KEY_FILE; keep a copy: without it the state's secrets cannot be read"
is "32 bytes, mode 0600 (umask 022)" \
	"$(stat -c '%s %a' state.key 2>&1)" "32 600"
"$ICM" keygen state other.key >/dev/null 2>&1
ok "a second key (FILE given) differs from the first" \
	sh -c '! cmp -s state.key other.key'
sum=$(sha256sum state.key)
"$ICM" keygen state >out.txt 2>err.txt
is "a second run refuses with exit 1, prints nothing on stdout" \
	"$? $(cat out.txt)" "1 "
contains "the refusal says why" "$(cat err.txt)" \
	"'state.key' already exists; it is not replaced (not even with -force): a state key replaced is a state lost"
"$ICM" keygen state -force >/dev/null 2>&1
is "-force refuses as well" "$?" 1
is "the key is unchanged" "$(sha256sum state.key)" "$sum"

# Log in through a real sshd with each key.  Its host key is an icm key too.
mkdir -p sshd && "$ICM" keygen ssh -type ecdsa sshd/host >/dev/null 2>&1
cat ssh/insecure.pub ec/insecure.pub >sshd/authorized_keys
chmod 600 sshd/authorized_keys
[ -d /run/sshd ] || [ "$(id -u)" != 0 ] || mkdir -p /run/sshd
me=$(id -un)
start_sshd() {
	local try
	for try in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 30000))
		cat >sshd/config <<-CONF
		ListenAddress 127.0.0.1:$port
		HostKey $T/sshd/host/insecure
		AuthorizedKeysFile $T/sshd/authorized_keys
		PidFile $T/sshd/pid
		UsePAM no
		StrictModes no
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PermitRootLogin prohibit-password
		AllowUsers $me
		CONF
		"$SSHD" -D -e -f "$T/sshd/config" 2>>sshd/log &
		sshd_pid=$!
		for _ in $(seq 50); do
			grep -q "Server listening" sshd/log 2>/dev/null && return 0
			kill -0 "$sshd_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$sshd_pid" 2>/dev/null
		wait "$sshd_pid" 2>/dev/null
	done
	return 1
}
trap 'kill "$sshd_pid" 2>/dev/null; rm -rf "$T"' EXIT
if ! start_sshd; then
	_result 1 "sshd starts"
	sed 's/^/#   /' sshd/log
	for _ in 1 2 3 4 5; do _result 1 "login (no sshd)"; done
	done_testing; exit
fi
_result 0 "sshd starts on 127.0.0.1:$port with an icm host key"
echo "[127.0.0.1]:$port $(blob sshd/host/insecure.pub)" >known_hosts
login() {
	ssh -F /dev/null -p "$port" -i "$1" -o IdentitiesOnly=yes \
		-o BatchMode=yes -o PasswordAuthentication=no \
		-o UserKnownHostsFile="$T/known_hosts" \
		-o StrictHostKeyChecking=yes -o ConnectTimeout=10 \
		"$me@127.0.0.1" echo logged-in-as-'$(id -un)' 2>>ssh.log
}
is "ssh logs in with the RSA key (insecure)" "$(login ssh/insecure)" \
	"logged-in-as-$me"
is "ssh logs in with the same key as secure-ssh2" \
	"$(login ssh/secure-ssh2)" "logged-in-as-$me"
is "ssh logs in with the ECDSA key" "$(login ec/insecure)" \
	"logged-in-as-$me"
is "a key not in authorized_keys is refused" "$(login big/insecure)" ""
contains "refused by the server, after the host key (icm's) was accepted" \
	"$(cat ssh.log)" "Permission denied (publickey)"
done_testing
