#!/usr/bin/env bash
# 81-arm64: the arm64 binary (make ARCH=arm64 arm64-tests: build/arm64/icm,
# its unit tests and ssh-probe) run under qemu-aarch64-static, called
# explicitly (no binfmt needed): file(1) says aarch64 and static, both
# binaries are at most 2 MiB, every unit test passes, `icm version` and
# `icm samples` are the amd64 binary's, `keygen ssh` and `keygen tls` write
# files ssh-keygen and openssl read, `provision -plan` prints what the
# amd64 binary prints on every sample deployment, and the arm64 SSH layer
# (ssh-probe) runs a command on a loopback OpenSSH sshd with the key the
# arm64 icm generated.  $ICM is the amd64 binary; the arm64 build is beside
# it in arm64/ (or ICM_ARM64_DIR).
. "$(dirname "$0")/lib.sh"

QEMU=$(command -v qemu-aarch64-static) ||
	skip_all "qemu-aarch64-static is not installed (qemu-user-static; ./build.sh --arch arm64)"
A=${ICM_ARM64_DIR:-$(dirname "$ICM")/arm64}
ARM=$A/icm
[ -x "$ARM" ] || skip_all "$ARM is not built (make ARCH=arm64 arm64-tests)"
cd "$T" || exit 1
umask 022

skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }
arm() { "$QEMU" "$ARM" "$@"; }
MIB2=$((2 * 1024 * 1024))

# --- the binaries -------------------------------------------------------------
f=$(file -b "$ARM")
contains "file(1): aarch64" "$f" "ARM aarch64"
contains "file(1): statically linked" "$f" "statically linked"
ok "arm64 binary at most 2 MiB ($(stat -c %s "$ARM") bytes)" \
	test "$(stat -c %s "$ARM")" -le "$MIB2"
ok "amd64 binary at most 2 MiB ($(stat -c %s "$ICM") bytes)" \
	test "$(stat -c %s "$ICM")" -le "$MIB2"
# (reproducible builds: vendor/deps.sh and the Makefile map the tree away)
paths=$(strings -a "$ARM" "$ICM" | grep -F -e "$TOP"
	strings -a "$ARM" "$ICM" | grep -E '/build/(arm64/)?(work|sysroot|obj)/')
is "no build path in either binary" "$paths" ""

# --- unit tests -------------------------------------------------------------------
# Each one as `make test` runs it (from the top directory), timed.
units=()
missing=()
for src in "$TOP"/tests/unit/t-*.c; do
	b=$A/tests/$(basename "$src" .c)
	if [ -x "$b" ]; then units+=("$b"); else missing+=("${b#"$TOP"/}"); fi
done
if [ ${#units[@]} = 0 ]; then
	skip "arm64 unit tests" "none built in ${A#"$TOP"/}/tests (make ARCH=arm64 arm64-tests)"
else
	is "every unit test is built for arm64" "${missing[*]}" ""
	for b in "${units[@]}"; do
		t0=$(date +%s)
		out=$(cd "$TOP" && prove -e "$QEMU" "$b" 2>&1)
		rc=$?
		_result $rc "unit test under qemu: $(basename "$b") ($(($(date +%s) - t0)) s)"
		[ $rc = 0 ] || printf '%s\n' "$out" | tail -n 15 | sed 's/^/#   /' >&2
	done
fi

# --- version, samples, keygen ---------------------------------------------------------
is "icm version: the amd64 binary's lines" "$(arm version 2>&1)" "$("$ICM" version 2>&1)"

arm samples arm >/dev/null 2>err.txt
is "samples exits 0" $? 0
"$ICM" samples amd >/dev/null 2>&1
ok "samples: the amd64 binary's tree" diff -r arm amd
ok "samples: the repository's samples/ and scripts" samples_same_tree arm
is "samples: the same modes" \
	"$(cd arm && find . -printf '%m %p\n' | sort)" "$(cd amd && find . -printf '%m %p\n' | sort)"

arm keygen ssh ssh >/dev/null 2>err.txt
is "keygen ssh exits 0" $? 0
ok "ssh-keygen -l reads insecure.pub" ssh-keygen -l -f ssh/insecure.pub
is "the private key gives the public key (ssh-keygen -y)" \
	"$(ssh-keygen -y -f ssh/insecure 2>&1 | cut -d' ' -f1-2)" \
	"$(cut -d' ' -f1-2 ssh/insecure.pub)"
ok "ssh-keygen -i reads secure-ssh2.pub (RFC 4716)" ssh-keygen -i -f ssh/secure-ssh2.pub

# RSA 2048: the default 4096 is slow under qemu and tells nothing more here.
arm keygen tls -bits 2048 -days 30 -names node-1 tls >/dev/null 2>err.txt
is "keygen tls exits 0" $? 0
ok "openssl verifies the server certificate against ca.pem" \
	openssl verify -CAfile tls/ca.pem tls/server-cert.pem
ok "openssl verifies the client certificate against ca.pem" \
	openssl verify -CAfile tls/ca.pem tls/cert.pem
contains "the server certificate names node-1" \
	"$(openssl x509 -noout -ext subjectAltName -in tls/server-cert.pem 2>&1)" "DNS:node-1"
is "server-key.pem is the server certificate's key" \
	"$(openssl pkey -in tls/server-key.pem -pubout 2>&1)" \
	"$(openssl x509 -in tls/server-cert.pem -noout -pubkey 2>&1)"
pw=$(sed -n 's/^keyStorePassword=//p' tls/SSLConfig.Properties)
ok "openssl opens keystore.p12 with the password of SSLConfig.Properties" \
	openssl pkcs12 -in tls/keystore.p12 -passin "pass:$pw" -noout

# --- provision -plan on every sample deployment -----------------------------------------
for d in $(cd amd && find . -name defaults.json -printf '%h\n' | sort); do
	want=$(cd "amd/$d" && "$ICM" provision -plan 2>&1; echo "exit $?")
	got=$(cd "amd/$d" && arm provision -plan 2>&1; echo "exit $?")
	is "provision -plan in ${d#./}: the amd64 binary's output" "$got" "$want"
done

# --- SSH exec against a loopback sshd -------------------------------------------
PROBE=$A/tests/ssh-probe
if [ ! -x /usr/sbin/sshd ]; then
	skip "SSH exec" "openssh-server is not installed"
elif [ ! -x "$PROBE" ]; then
	skip "SSH exec" "${PROBE#"$TOP"/} is not built (make ARCH=arm64 arm64-tests)"
else
	. "$TOP/tests/ssh/sshd-lib.sh"
	trap 'sshd_stop; rm -rf "$T"' EXIT
	ssh-keygen -q -t ecdsa -b 256 -N '' -f hk
	cp ssh/insecure.pub authorized_keys
	if sshd_start "$T" arm64 hk; then
		sshd_pins "$T" "$SSHD_PORT" hk >kh
		out=$("$QEMU" "$PROBE" -h 127.0.0.1 -p "$SSHD_PORT" -u "$(id -un)" \
			-i ssh/insecure -k kh --timeout 60000 -- 'echo hello-arm64; exit 3' 2>&1)
		rc=$?
		is "ssh-probe (arm64): the command's exit status" "$rc" 3
		is "ssh-probe (arm64): the command's output" "$out" hello-arm64
		amd_probe=$(dirname "$ICM")/tests/ssh-probe
		if [ -x "$amd_probe" ]; then
			is "ssh-probe --supported: the amd64 build's algorithms" \
				"$("$QEMU" "$PROBE" --supported 2>&1)" "$("$amd_probe" --supported 2>&1)"
		else
			skip "ssh-probe --supported" "no amd64 ssh-probe beside $ICM"
		fi
	else
		_result 1 "sshd started"
	fi
fi

plan "$_n"
done_testing
