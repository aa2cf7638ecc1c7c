#!/usr/bin/env bash
# 32-ssh-interop: icm's SSH layer (src/node/ssh.c, through tests/ssh/
# ssh-probe) against a real OpenSSH sshd on 127.0.0.1: every key exchange,
# host-key type, cipher and MAC the linked libssh2 offers, RSA and ECDSA
# user keys in PEM and OpenSSH format with and without passphrase and in
# PKCS#8 (RSA 2048-4096, ECDSA P-256/384/521), an RSA 8192 OpenSSH key
# (BearSSL as vendor/patches builds it signs up to 8192), host-key
# pinning, several channels, stdin and exit status; and the failures, each
# with the message a person acts on.
#
# Two sshd processes: the main one (RSA + ECDSA P-256/384/521 host keys,
# CBC ciphers allowed) and an Ed25519-only one.  Algorithms are chosen per
# case on the client side, so neither is restarted.  Cases the linked
# libssh2 does not offer are skipped (and named), except that a libssh2
# 1.11 build (the release's BearSSL one) must offer the whole list.
. "$(dirname "$0")/lib.sh"

PROBE=${SSH_PROBE:-$(dirname "$ICM")/tests/ssh-probe}
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"
command -v ssh-keygen >/dev/null || skip_all "ssh-keygen is not installed"
if [ ! -x "$PROBE" ]; then
	echo "1..1"; echo "not ok 1 - ssh-probe is built ($PROBE)"; exit 1
fi

. "$TOP/tests/ssh/sshd-lib.sh"
trap 'sshd_stop; rm -rf "$T"' EXIT

skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }
me=$(id -un)
pw=Probe-pass-E2E-7

# --- keys -------------------------------------------------------------------
cd "$T" || exit 1
gen() { ssh-keygen -q -t "$1" -b "$2" -N '' -C "$3" -f "$T/$3"; }
gen rsa 2048 hk_rsa & gen ecdsa 256 hk_ec256 & gen ecdsa 384 hk_ec384 &
gen ecdsa 521 hk_ec521 & ssh-keygen -q -t ed25519 -N '' -f hk_ed25519 &
gen ecdsa 256 other_ec256 & gen ecdsa 256 stranger &
ssh-keygen -q -t ed25519 -N '' -f user_ed25519 &
for spec in rsa:2048 rsa:3072 rsa:4096 ecdsa:256 ecdsa:384 ecdsa:521; do
	gen "${spec%:*}" "${spec#*:}" "u_${spec%:*}${spec#*:}" &
done
wait
printf '%s\n' "$pw" > passfile
printf 'wrong-%s\n' "$pw" > wrongpass
USERKEYS=()
for base in u_rsa2048 u_rsa3072 u_rsa4096 u_ecdsa256 u_ecdsa384 u_ecdsa521; do
	for fmt in PEM OpenSSH PKCS8; do
		for p in plain pass; do
			# libssh2 reads no encrypted PKCS#8 (its own error says so)
			[ "$fmt.$p" = PKCS8.pass ] && continue
			k=$base.$fmt.$p
			cp "$base" "$k"
			m=(); [ "$fmt" != OpenSSH ] && m=(-m "$fmt")
			n=''; [ "$p" = pass ] && n=$pw
			ssh-keygen -q -p -f "$k" -P '' -N "$n" "${m[@]}" >/dev/null
			USERKEYS+=("$k")
		done
	done
done
# RSA 8192: the committed test key (slow to generate), as OpenSSH's
cp "$TOP/tests/data/keys/rsa8192.pem" u_rsa8192 && chmod 600 u_rsa8192 &&
	ssh-keygen -q -p -f u_rsa8192 -P '' -N '' && ssh-keygen -y -f u_rsa8192 > u_rsa8192.pub
cat u_*.pub user_ed25519.pub > authorized_keys

# --- sshd -------------------------------------------------------------------
sshd_start "$T" main hk_rsa hk_ec256 hk_ec384 hk_ec521 || exit 1
MAIN=$SSHD_PORT
sshd_start "$T" ed25519 hk_ed25519 || exit 1
EDPORT=$SSHD_PORT
pins() { sshd_pins "$T" "$@"; }
pins "$MAIN" hk_rsa hk_ec256 hk_ec384 hk_ec521 > kh
pins "$EDPORT" hk_ed25519 >> kh
fp() { ssh-keygen -l -E sha256 -f "$T/$1.pub" | cut -d' ' -f2; }

SUPPORTED=$("$PROBE" --supported)
offers() { grep "^$1:" <<<"$SUPPORTED" | grep -q "[ ,]$2\(,\|\$\)"; }
# What a libssh2 1.11 build (the release's) must offer; the rest is optional.
REQUIRED=" curve25519-sha256 ecdh-sha2-nistp256 ecdh-sha2-nistp384
 ecdh-sha2-nistp521 diffie-hellman-group14-sha256 diffie-hellman-group16-sha512
 diffie-hellman-group18-sha512 diffie-hellman-group-exchange-sha256
 rsa-sha2-256 rsa-sha2-512 ecdsa-sha2-nistp256 ecdsa-sha2-nistp384
 ecdsa-sha2-nistp521 aes128-ctr aes192-ctr aes256-ctr
 chacha20-poly1305@openssh.com aes128-cbc aes192-cbc aes256-cbc hmac-sha2-256
 hmac-sha2-512 hmac-sha2-256-etm@openssh.com hmac-sha2-512-etm@openssh.com
 hmac-sha1 "
LIBVER=$("$PROBE" --version)
strict_list=0
case $LIBVER in 1.1[1-9]*) strict_list=1 ;; esac
echo "# libssh2 $LIBVER"

probe() { # probe PORT ARGS... -- CMD   (stdout+stderr in $out, status $rc)
	local p=$1; shift
	out=$("$PROBE" -h 127.0.0.1 -p "$p" -u "$me" -k "$T/kh" --timeout 20000 "$@" 2>&1)
	rc=$?
}

# works NAME CLASS ALG EXPECT PROBE-ARGS...: runs `echo ok`, expects EXPECT in
# the negotiated methods.  Skipped when the library does not offer ALG.
works() {
	local name=$1 class=$2 alg=$3 expect=$4; shift 4
	if [ -n "$alg" ] && ! offers "$class" "$alg"; then
		if [ "$strict_list" = 1 ] && [[ $REQUIRED == *" $alg "* ]]; then
			_result 1 "$name: this libssh2 offers $alg"
		else
			skip "$name" "this libssh2 does not offer $alg"
		fi
		return
	fi
	probe "$MAIN" --print-methods "$@" -- 'echo ok-probe'
	case $rc:$out in
	0:*ok-probe*"$expect"*|0:*"$expect"*ok-probe*) _result 0 "$name" ;;
	*) _result 1 "$name"; printf '#   exit %s: %s\n' "$rc" "$out" | head -5 ;;
	esac
}

# fails NAME PORT EXPECTED-TEXT PROBE-ARGS...: exit 255 and the message.
fails() {
	local name=$1 p=$2 expect=$3; shift 3
	probe "$p" "$@" -- 'echo ok-probe'
	if [ "$rc" = 255 ]; then
		contains "$name" "$out" "$expect"
	else
		_result 1 "$name (exit $rc, expected 255)"; echo "#   $out"
	fi
}

KEY=(-i "$T/u_ecdsa256")

# --- key exchange, host keys, ciphers, MACs ----------------------------------
for kex in curve25519-sha256 ecdh-sha2-nistp256 ecdh-sha2-nistp384 \
	ecdh-sha2-nistp521 diffie-hellman-group14-sha256 \
	diffie-hellman-group16-sha512 diffie-hellman-group18-sha512 \
	diffie-hellman-group-exchange-sha256; do
	works "kex $kex" kex "$kex" "kex=$kex " --kex "$kex" "${KEY[@]}"
done
for hk in rsa-sha2-256 rsa-sha2-512 ecdsa-sha2-nistp256 ecdsa-sha2-nistp384 \
	ecdsa-sha2-nistp521; do
	works "host key $hk" hostkey "$hk" "hostkey=$hk " --hostkey "$hk" "${KEY[@]}"
done
for c in aes128-ctr aes192-ctr aes256-ctr chacha20-poly1305@openssh.com \
	aes128-gcm@openssh.com aes256-gcm@openssh.com \
	aes128-cbc aes192-cbc aes256-cbc; do
	works "cipher $c" cipher "$c" "cipher=$c " --cipher "$c" "${KEY[@]}"
done
for m in hmac-sha2-256 hmac-sha2-512 hmac-sha2-256-etm@openssh.com \
	hmac-sha2-512-etm@openssh.com hmac-sha1 hmac-sha1-etm@openssh.com; do
	works "mac $m (aes128-ctr)" mac "$m" "mac=$m" --cipher aes128-ctr \
		--mac "$m" "${KEY[@]}"
done

# --- user keys ---------------------------------------------------------------
for k in "${USERKEYS[@]}"; do
	pass=(); [ "${k##*.}" = pass ] && pass=(-P "$T/passfile")
	# RSA keys sign with rsa-sha2-* (OpenSSH 9.2 refuses SHA-1 ssh-rsa)
	alg=''; [ "${k#u_rsa}" != "$k" ] && alg=rsa-sha2-512
	works "user key $k" hostkey "$alg" "" -i "$T/$k" "${pass[@]}"
done
probe "$MAIN" -i "$T/u_rsa8192" -- 'echo ok-probe'
case $rc:$out in
0:*ok-probe*) _result 0 "user key u_rsa8192 (OpenSSH)" ;;
*) _result 1 "user key u_rsa8192 (OpenSSH)"; printf '#   exit %s: %s\n' "$rc" "$out" | head -5 ;;
esac
works "user key in memory (OpenSSH, passphrase)" "" "" "" --mem \
	-i "$T/u_ecdsa384.OpenSSH.pass" -P "$T/passfile"
works "user key in memory (PEM RSA)" hostkey rsa-sha2-512 "" --mem -i "$T/u_rsa2048.PEM.plain"

# --- channels, stdin, exit status, pinning ----------------------------------
probe "$MAIN" "${KEY[@]}" -c 3 -- 'echo chan'
is "three channels on one connection" "$rc:$(echo $out)" "0:chan chan chan"
printf 'line one\nsecret-ish two\n' > in.txt
out=$("$PROBE" -h 127.0.0.1 -p "$MAIN" -u "$me" -k "$T/kh" "${KEY[@]}" \
	--stdin "$T/in.txt" -- 'cat; echo done >&2' 2>err.txt)
is "stdin reaches the command" "$?:$out" "0:$(cat in.txt)"
is "stderr comes back apart" "$(cat err.txt)" "done"
probe "$MAIN" "${KEY[@]}" -- 'exit 7'
is "exit status comes back" "$rc" 7
probe "$MAIN" "${KEY[@]}" -- 'kill -TERM $$'
is "a signal shows as 128+N" "$rc" 143
: > kh.new
"$PROBE" -h 127.0.0.1 -p "$MAIN" -u "$me" -k "$T/kh.new" --pin "${KEY[@]}" \
	--hostkey ecdsa-sha2-nistp384 -- true
is "pin-new: an unknown host is accepted" "$?" 0
is "pin-new: its key is written" "$(cat kh.new)" "$(pins "$MAIN" hk_ec384)"
is "pin-new: the file is private" "$(stat -c %a kh.new)" 600
"$PROBE" -h 127.0.0.1 -p "$MAIN" -u "$me" -k "$T/kh.new" "${KEY[@]}" -- true
is "pin-new: the pinned type is preferred next time (strict)" "$?" 0
rm -f kh.none
"$PROBE" -h 127.0.0.1 -p "$MAIN" -u "$me" -k "$T/kh.none" --pin \
	"${KEY[@]}" -- true
is "pin-new creates a missing known_hosts" "$?:$(wc -l < kh.none)" "0:1"

# --- failures ----------------------------------------------------------------
pins "$MAIN" other_ec256 > kh.bad
h="[127.0.0.1]:$MAIN"
for mode in strict pin; do
	m=(); [ $mode = pin ] && m=(--pin)
	probe "$MAIN" "${KEY[@]}" "${m[@]}" --hostkey ecdsa-sha2-nistp256 -k "$T/kh.bad" -- true
	contains "host key mismatch ($mode)" "$rc $out" \
		"255 Error: 127.0.0.1:$MAIN: host key mismatch for '$h': the server presented ECDSA $(fp hk_ec256) but known_hosts pins $(fp other_ec256) (a reinstalled or different host? remove line 1 from $T/kh.bad if this is expected)"
done
is "a mismatch is not pinned over" "$(cat kh.bad)" "$(pins "$MAIN" other_ec256)"
probe "$MAIN" "${KEY[@]}" --hostkey ecdsa-sha2-nistp384 -k "$T/kh.bad" -- true
contains "a key of another type than the pinned one is refused" "$rc $out" \
	"255 Error: 127.0.0.1:$MAIN: host key mismatch for '$h': the server presented ECDSA $(fp hk_ec384) but known_hosts pins ecdsa-sha2-nistp256 $(fp other_ec256)"
: > kh.empty
fails "unknown host under strict checking" "$MAIN" \
	"127.0.0.1:$MAIN: host '$h' is not in known_hosts file '$T/kh.empty' (strict host key checking): the server presented ECDSA" \
	"${KEY[@]}" -k "$T/kh.empty"
fails "unauthorized key" "$MAIN" \
	"127.0.0.1:$MAIN: permission denied (publickey) for user '$me' with key '$T/stranger': is the public key in ~$me/.ssh/authorized_keys?" \
	-i "$T/stranger"
fails "wrong passphrase" "$MAIN" \
	"cannot use key '$T/u_rsa2048.OpenSSH.pass': wrong passphrase" \
	-i "$T/u_rsa2048.OpenSSH.pass" -P "$T/wrongpass"
lacks "the passphrase is not in the message" "$out" "$pw"
fails "missing passphrase" "$MAIN" \
	"key '$T/u_ecdsa521.PEM.pass' is protected by a passphrase, and none was given" \
	-i "$T/u_ecdsa521.PEM.pass"
fails "a public key given as the key" "$MAIN" \
	"key '$T/u_rsa2048.pub' is a public key, not a private key" \
	-i "$T/u_rsa2048.pub"
fails "no cipher in common" "$MAIN" \
	"127.0.0.1:$MAIN: no cipher in common with the server: it offers chacha20-poly1305@openssh.com,aes128-ctr" \
	"${KEY[@]}" --cipher 3des-cbc
if offers hostkey ssh-ed25519; then
	fails "Ed25519-only server, Ed25519 not allowed" "$EDPORT" \
		"127.0.0.1:$EDPORT: the server offers only Ed25519 host keys, which are not among the host key types allowed here" \
		"${KEY[@]}" --hostkey ecdsa-sha2-nistp256,rsa-sha2-512
	probe "$MAIN" -i "$T/user_ed25519" -- 'echo ok-probe'
	is "Ed25519 user key (this libssh2 has Ed25519)" "$rc:$out" "0:ok-probe"
else
	fails "Ed25519-only server" "$EDPORT" \
		"127.0.0.1:$EDPORT: the server offers only Ed25519 host keys, which this build cannot verify (BearSSL has no Ed25519); add an ECDSA or RSA host key (HostKey in sshd_config)" \
		"${KEY[@]}"
	fails "Ed25519 user key" "$MAIN" \
		"127.0.0.1:$MAIN: key '$T/user_ed25519' is an Ed25519 key, which this build cannot use (BearSSL has no Ed25519); use an RSA or ECDSA key" \
		-i "$T/user_ed25519"
fi
p=$MAIN
for i in 1 2 3 4 5 6 7 8 9 10; do
	p=$((p + 1)); _sshd_port_free "$p" && break
done
fails "connection refused" "$p" \
	"Error: 127.0.0.1:$p: connection refused (is sshd running and listening on port $p?)" \
	"${KEY[@]}"

plan "$_n"
done_testing
