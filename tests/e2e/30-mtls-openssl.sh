#!/usr/bin/env bash
# 30-mtls-openssl.sh: libcurl's BearSSL backend presents client certificates
# (vendor/patches/curl/0001-bearssl-client-certificates.patch) to an
# `openssl s_server` that demands and verifies one. The client is
# tests/tls/mtls-client.c linked against build/sysroot; the peer is always
# addressed by name, pinned to 127.0.0.1 with CURLOPT_RESOLVE.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/tls/lib-tls.sh"

command -v openssl >/dev/null 2>&1 ||
	skip_all "the openssl command-line tool is not installed (Debian package: openssl)"

NAME=docker-node-1
SS_PID=
cleanup() {
	if [ -n "$SS_PID" ] && kill -0 "$SS_PID" 2>/dev/null; then
		kill "$SS_PID" 2>/dev/null
		wait "$SS_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

plan 31

tls_client
_result $? "the test client builds against build/sysroot (musl, libcurl, BearSSL)"
tls_pki "$T/pki" "$NAME"
_result $? "test PKI generated with openssl (RSA, EC, PKCS#8, intermediate)"
[ -x "${CLIENT:-}" ] && [ -f "$T/pki/chain.pem" ] || { echo "Bail out! no client or no PKI"; exit 1; }
P=$T/pki

# start_server: s_server on a free port, requiring a client certificate
# that verifies against ca.crt (-verify_return_error: a bad one is fatal).
PORT=
start_server() {
	local try i
	for try in 1 2 3 4 5; do
		PORT=$(tls_free_port) || return 1
		openssl s_server -Verify 2 -verify_return_error -www -accept "127.0.0.1:$PORT" \
			-cert "$P/server.crt" -key "$P/server.key" -CAfile "$P/ca.crt" \
			>"$T/s_server.log" 2>&1 </dev/null &
		SS_PID=$!
		# ready when it prints ACCEPT; gone when the port was taken (poll <= 10 s)
		for i in $(seq 100); do
			grep -q '^ACCEPT' "$T/s_server.log" && return 0
			kill -0 "$SS_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$SS_PID" 2>/dev/null
		wait "$SS_PID" 2>/dev/null
		SS_PID=
	done
	sed 's/^/# s_server: /' "$T/s_server.log"
	return 1
}
start_server
_result $? "openssl s_server -Verify 2 -verify_return_error listens"
[ -n "$SS_PID" ] || { echo "Bail out! s_server did not start"; exit 1; }

# get ARGS...: one GET by name; sets OUT (stdout) and RC (the exit status:
# 0 or curl's error code).
URL=https://$NAME:$PORT/
get() {
	OUT=$("$CLIENT" --resolve "$NAME:$PORT:127.0.0.1" --body "$@" "$URL" 2>&1)
	RC=$?
}
# accepted NAME CN ARGS...: HTTP 200, and the page s_server sends back
# shows the client certificate it verified.
accepted() {
	local name=$1 cn=$2; shift 2
	get --cacert "$P/ca.crt" "$@"
	if [ "$RC" = 0 ] && [ "${OUT%%$'\n'*}" = "status 200" ]; then
		contains "$name" "$OUT" "Subject: CN=$cn"
	else
		is "$name" "$(printf '%s' "$OUT" | head -n 3)" "status 200"
	fi
}
# refused NAME WANT-RC ARGS...: curl error WANT-RC (a regexp), non-zero exit
refused() {
	local name=$1 want=$2; shift 2
	get "$@"
	if [ "$RC" != 0 ] && [[ $RC =~ ^($want)$ ]] && [[ $OUT == "error $RC: "* ]]; then
		_result 0 "$name"
		echo "#   ${OUT%%$'\n'*}"
	else
		_result 1 "$name"
		printf '#   exit %s, wanted curl error %s; output: %s\n' "$RC" "$want" "$(printf '%s' "$OUT" | head -n 3)"
	fi
}

accepted "RSA cert + PKCS#1 key (files)" icm-client-rsa --cert "$P/rsa.crt" --key "$P/rsa.key"
accepted "RSA cert + PKCS#8 key (files)" icm-client-rsa --cert "$P/rsa.crt" --key "$P/rsa.p8"
accepted "EC P-256 cert + SEC1 key (files)" icm-client-ec --cert "$P/ec.crt" --key "$P/ec.key"
accepted "EC P-256 cert + PKCS#8 key (files)" icm-client-ec --cert "$P/ec.crt" --key "$P/ec.p8"
accepted "EC key file with an EC PARAMETERS block first" icm-client-ec-params \
	--cert "$P/ec-params.crt" --key "$P/ec-params.key"
accepted "chain: leaf issued by an intermediate, file holds leaf + intermediate" \
	icm-client-chain --cert "$P/chain.pem" --key "$P/leaf.key"
accepted "RSA cert + PKCS#1 key as blobs" icm-client-rsa --cert-blob "$P/rsa.crt" --key-blob "$P/rsa.key"
accepted "EC cert + PKCS#8 key as blobs" icm-client-ec --cert-blob "$P/ec.crt" --key-blob "$P/ec.p8"
accepted "chain + PKCS#8 key as blobs" icm-client-chain --cert-blob "$P/chain.pem" --key-blob "$P/leaf.key"
accepted "cert and key in one file, no CURLOPT_SSLKEY" icm-client-rsa --cert "$P/combined.pem"
accepted "DER cert and key (SSLCERTTYPE/SSLKEYTYPE DER)" icm-client-rsa \
	--cert "$P/rsa.der" --cert-type DER --key "$P/rsa-key.der" --key-type DER
accepted "CA as a blob too" icm-client-ec --cacert-blob "$P/ca.crt" --cert "$P/ec.crt" --key "$P/ec.key"

refused "without a client certificate the handshake is refused" '35|56' --cacert "$P/ca.crt"
contains "  ... and the error says the server may require one" "$OUT" "client certificate"
refused "leaf without its intermediate is refused by the server" '35|56' \
	--cacert "$P/ca.crt" --cert "$P/leaf.crt" --key "$P/leaf.key"
refused "wrong CA: server not trusted (60)" 60 --cacert "$P/other-ca.crt" --cert "$P/rsa.crt" --key "$P/rsa.key"
refused "RSA key that does not match the certificate (58)" 58 \
	--cacert "$P/ca.crt" --cert "$P/rsa.crt" --key "$P/other.key"
contains "  ... with a clear message" "$OUT" "client certificate '$P/rsa.crt' and private key '$P/other.key' do not match"
refused "EC certificate with an RSA key (58)" 58 --cacert "$P/ca.crt" --cert "$P/ec.crt" --key "$P/rsa.key"
refused "encrypted PKCS#8 key: not supported, said so (58)" 58 \
	--cacert "$P/ca.crt" --cert "$P/rsa.crt" --key "$P/enc.p8"
contains "  ... message" "$OUT" "encrypted private keys are not supported"
refused "missing certificate file (58)" 58 --cacert "$P/ca.crt" --cert "$T/nonexistent.pem" --key "$P/rsa.key"
contains "  ... message" "$OUT" "BearSSL: cannot read client certificate '$T/nonexistent.pem'"

# verification stays by name: a name the certificate lacks fails, and so
# does the bare IP address (BearSSL cannot check IP SANs)
OUT=$("$CLIENT" --resolve "docker-node-9:$PORT:127.0.0.1" --cacert "$P/ca.crt" \
	--cert "$P/rsa.crt" --key "$P/rsa.key" "https://docker-node-9:$PORT/" 2>&1)
is "a name not in the server certificate fails verification (60)" "$?" 60
OUT=$("$CLIENT" --cacert "$P/ca.crt" --cert "$P/rsa.crt" --key "$P/rsa.key" \
	"https://127.0.0.1:$PORT/" 2>&1)
is "the bare IP address is refused: BearSSL verifies names only (60)" "$?" 60

# several transfers at once (curl's random source and the key loading run
# in each thread): 6 threads x 3 connections
OUT=$("$CLIENT" --resolve "$NAME:$PORT:127.0.0.1" --cacert "$P/ca.crt" --cert "$P/ec.crt" \
	--key "$P/ec.p8" --threads 6 --count 3 "$URL" 2>&1)
is "6 threads x 3 transfers all get 200" "$?:$(printf '%s\n' "$OUT" | sort | uniq -c | tr -s ' ')" \
	"0: 6 status 200"

# memory errors in the key loading, chain building and wiping, under
# valgrind (static musl binary: valgrind sees invalid accesses and
# uninitialised reads, not the allocator; the ASan run is described in
# vendor/patches/curl/0001-*.patch)
if command -v valgrind >/dev/null 2>&1; then
	OUT=$(valgrind -q --error-exitcode=99 --leak-check=full "$CLIENT" \
		--resolve "$NAME:$PORT:127.0.0.1" --cacert "$P/ca.crt" \
		--cert-blob "$P/chain.pem" --key "$P/leaf.key" --count 2 "$URL" 2>&1)
	is "under valgrind: chain blob + PKCS#8 key, 2 transfers, no errors" "$?:$(printf '%s' "$OUT" | tail -n 1)" \
		"0:status 200"
	valgrind -q --error-exitcode=99 "$CLIENT" --resolve "$NAME:$PORT:127.0.0.1" --cacert "$P/ca.crt" \
		--cert "$P/ec.crt" --key "$P/other.key" "$URL" >"$T/vg.out" 2>&1
	is "under valgrind: the mismatch error path, no errors" "$?" 58
else
	_result 0 "under valgrind # SKIP valgrind is not installed"
	_result 0 "under valgrind: error path # SKIP valgrind is not installed"
fi

done_testing
