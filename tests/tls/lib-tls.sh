# lib-tls.sh: helpers for the mutual-TLS scenarios (tests/e2e/30-*, 31-*),
# sourced after tests/e2e/lib.sh (which sets $TOP and the temp dir $T).
#
#   tls_client        builds tests/tls/mtls-client.c against build/sysroot
#                     (static, musl, libcurl + BearSSL) into $T, sets $CLIENT;
#                     $MTLS_CLIENT, if it names an executable, is used instead
#   tls_pki DIR NAME  makes a test PKI in DIR with the openssl CLI (test-only):
#       ca.crt/.key           root CA (RSA 2048)
#       other-ca.crt          an unrelated CA
#       server.crt/.key       server cert for NAME (SAN DNS:NAME, IP:127.0.0.1)
#       rsa.crt               client, RSA 2048; keys rsa.key (PKCS#1 "RSA
#                             PRIVATE KEY"), rsa.p8 (PKCS#8 "PRIVATE KEY")
#       ec.crt                client, EC P-256; keys ec.key (SEC1 "EC PRIVATE
#                             KEY"), ec.p8 (PKCS#8), ec-params.key ("EC
#                             PARAMETERS" block, then the SEC1 key)
#       int.crt               intermediate CA (EC P-256) issued by the root
#       chain.pem, leaf.crt   client (RSA) issued by the intermediate:
#                             chain.pem = leaf + intermediate, leaf.crt alone;
#                             key leaf.key (PKCS#8)
#       combined.pem          rsa.crt followed by rsa.key (no separate key)
#       rsa.der, rsa-key.der  rsa.crt and rsa.key in DER
#       other.key             an RSA key that matches no certificate
#       enc.p8                rsa.key as encrypted PKCS#8
#   Certificates are valid from now for two days (openssl 3.0's x509 has no
#   -not_before); client and servers run on the same clock.

tls_client() {
	if [ -n "${MTLS_CLIENT:-}" ] && [ -x "$MTLS_CLIENT" ]; then
		CLIENT=$MTLS_CLIENT
		return 0
	fi
	local sys=$TOP/build/sysroot
	CLIENT=$T/mtls-client
	[ -x "$sys/bin/musl-gcc" ] && [ -f "$sys/lib/libcurl.a" ] || {
		echo "# $sys has no musl-gcc or libcurl.a: run make (vendor/deps.sh) first"
		return 1
	}
	"$sys/bin/musl-gcc" -static -Os -g -DCURL_STATICLIB -isystem "$sys/include" \
		-o "$CLIENT" "$TOP/tests/tls/mtls-client.c" \
		-L"$sys/lib" -lcurl -lbearssl -lpthread 2>"$T/client-build.log" || {
		sed 's/^/# /' "$T/client-build.log"
		return 1
	}
}

# _tls_sign DIR CSR CA-NAME SERIAL EXTFILE OUT
_tls_sign() {
	openssl x509 -req -in "$1/$2" -CA "$1/$3.crt" -CAkey "$1/$3.key" \
		-set_serial "$4" -days 2 -sha256 -extfile "$1/$5" -out "$1/$6" 2>>"$1/openssl.log"
}

tls_pki() {
	local d=$1 name=$2
	mkdir -p "$d" || return 1
	(
		set -e
		cd "$d"
		: >openssl.log
		printf '%s\n' 'basicConstraints=critical,CA:TRUE' 'keyUsage=critical,keyCertSign,cRLSign' \
			'subjectKeyIdentifier=hash' >ca.cnf
		printf '%s\n' 'basicConstraints=critical,CA:TRUE,pathlen:0' 'keyUsage=critical,keyCertSign,cRLSign' \
			'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' >int.cnf
		printf '%s\n' "subjectAltName=DNS:$name,IP:127.0.0.1" 'extendedKeyUsage=serverAuth' \
			'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' >server.cnf
		printf '%s\n' 'extendedKeyUsage=clientAuth' 'basicConstraints=CA:FALSE' \
			'keyUsage=critical,digitalSignature' >client.cnf

		openssl genrsa -out ca.key 2048 2>>openssl.log
		openssl req -new -key ca.key -subj /CN=icm-test-ca -out ca.csr
		openssl x509 -req -in ca.csr -signkey ca.key -days 2 -sha256 -extfile ca.cnf \
			-out ca.crt 2>>openssl.log
		openssl genrsa -out other-ca.key 2048 2>>openssl.log
		openssl req -new -key other-ca.key -subj /CN=icm-other-ca -out other-ca.csr
		openssl x509 -req -in other-ca.csr -signkey other-ca.key -days 2 -sha256 \
			-extfile ca.cnf -out other-ca.crt 2>>openssl.log

		openssl genrsa -out server.key 2048 2>>openssl.log
		openssl req -new -key server.key -subj "/CN=$name" -out server.csr
		_tls_sign . server.csr ca 10 server.cnf server.crt

		openssl genrsa -traditional -out rsa.key 2048 2>>openssl.log
		openssl pkcs8 -topk8 -nocrypt -in rsa.key -out rsa.p8
		openssl req -new -key rsa.key -subj /CN=icm-client-rsa -out rsa.csr
		_tls_sign . rsa.csr ca 11 client.cnf rsa.crt

		openssl ecparam -name prime256v1 -genkey -noout -out ec.key
		openssl ecparam -name prime256v1 -genkey -out ec-params.key
		openssl pkcs8 -topk8 -nocrypt -in ec.key -out ec.p8
		openssl req -new -key ec.key -subj /CN=icm-client-ec -out ec.csr
		_tls_sign . ec.csr ca 12 client.cnf ec.crt
		openssl req -new -key ec-params.key -subj /CN=icm-client-ec-params -out ecp.csr
		_tls_sign . ecp.csr ca 13 client.cnf ec-params.crt

		openssl ecparam -name prime256v1 -genkey -noout -out int.key
		openssl req -new -key int.key -subj /CN=icm-test-intermediate -out int.csr
		_tls_sign . int.csr ca 14 int.cnf int.crt
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf.key 2>>openssl.log
		openssl req -new -key leaf.key -subj /CN=icm-client-chain -out leaf.csr
		_tls_sign . leaf.csr int 15 client.cnf leaf.crt
		cat leaf.crt int.crt >chain.pem

		cat rsa.crt rsa.key >combined.pem
		openssl x509 -in rsa.crt -outform DER -out rsa.der
		openssl pkey -in rsa.key -outform DER -out rsa-key.der
		openssl genrsa -out other.key 2048 2>>openssl.log
		openssl pkcs8 -topk8 -in rsa.key -passout pass:secret -out enc.p8
		# the key kinds the scenarios rely on
		grep -q 'BEGIN RSA PRIVATE KEY' rsa.key
		grep -q 'BEGIN PRIVATE KEY' rsa.p8
		grep -q 'BEGIN EC PRIVATE KEY' ec.key
		grep -q 'BEGIN PRIVATE KEY' ec.p8
		grep -q 'BEGIN EC PARAMETERS' ec-params.key
		grep -q 'BEGIN ENCRYPTED PRIVATE KEY' enc.p8
	) || { sed 's/^/# openssl: /' "$d/openssl.log" | tail -n 20; return 1; }
}

# tls_free_port: a TCP port nobody listens on at the moment (the caller
# retries when it loses a race for it).
tls_free_port() {
	local p i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + RANDOM % 40000))
		if command -v ss >/dev/null 2>&1; then
			ss -Hltn "sport = :$p" 2>/dev/null | grep -q . && continue
		fi
		echo "$p"
		return 0
	done
	return 1
}
