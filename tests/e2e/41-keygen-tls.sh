#!/usr/bin/env bash
# 41-keygen-tls: `icm keygen tls [DIR]` writes ICM's TLS file set, checked
# with the real tools: openssl verifies the server and client certificates
# against ca.pem and shows the SANs, key usages and validity asked for;
# openssl pkcs12 opens keystore.p12 and keytool opens truststore.jks with
# the password from SSLConfig.Properties (which icm never prints).  Most
# cases use ECDSA P-256 or RSA 2048 for speed; RSA 4096 (the default) once.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || skip_all "openssl is not installed"
command -v keytool >/dev/null || skip_all "keytool (Java) is not installed"
plan 54
cd "$T" || exit 1
umask 022

mode() { stat -c %a "$1" 2>/dev/null; }
text() { openssl x509 -noout -text -in "$1" 2>&1; }
prop() { sed -n "s/^$1=//p" "$2"; }
files="ca.pem ca-key.pem server-cert.pem server-key.pem cert.pem key.pem
keycert.pem keystore.p12 truststore.jks SSLConfig.Properties"

"$ICM" keygen tls -type ecdsa -days 30 -names node-1,db.example.com,10.0.0.7,fd00::7 \
	>out.txt 2>err.txt
is "keygen tls exits 0" $? 0
is "nothing on stderr" "$(cat err.txt)" ""
is "ICM's ten files, in ./tls by default" "$(grep -v '^Generating' out.txt)" \
	"$(for f in $files; do echo tls/$f; done)"
is "keys and stores 0600, certificates 0644" \
	"$(cd tls && for f in $files; do printf '%s ' "$(mode $f)"; done)" \
	"644 600 644 600 644 600 600 600 644 600 "
pw=$(prop keyStorePassword tls/SSLConfig.Properties)
ok "a random password of 20 characters" test "${#pw}" = 20
is "one password for every store entry" \
	"$(for k in keyStorePassword keyRecoveryPassword trustStorePassword trustStoreRecoveryPassword; do prop $k tls/SSLConfig.Properties; done | sort -u)" \
	"$pw"
lacks "the password is not printed" "$(cat out.txt err.txt)" "$pw"
is "SSLConfig.Properties: ICM's keys" \
	"$(cut -d= -f1 tls/SSLConfig.Properties | tr '\n' ' ')" \
	"logFile keyStore keyStoreType keyStorePassword keyRecoveryPassword trustStore trustStorePassword trustStoreRecoveryPassword protocol cipherSuites "
is "store paths are absolute" \
	"$(prop keyStore tls/SSLConfig.Properties) $(prop trustStore tls/SSLConfig.Properties)" \
	"$T/tls/keystore.p12 $T/tls/truststore.jks"

cd tls || exit 1
is "openssl verify: server and client certificates" \
	"$(openssl verify -CAfile ca.pem server-cert.pem cert.pem 2>&1)" \
	"server-cert.pem: OK
cert.pem: OK"
ca=$(text ca.pem) srv=$(text server-cert.pem) cli=$(text cert.pem)
contains "CA: version 3" "$ca" "Version: 3 (0x2)"
contains "CA: CA:TRUE, critical" "$ca" "Basic Constraints: critical
                CA:TRUE"
contains "CA: signs certificates" "$ca" \
	"Digital Signature, Certificate Sign, CRL Sign"
contains "CA: self-signed subject" "$ca" \
	"Issuer: C = US, ST = Massachusetts, L = Cambridge, O = InterSystems, OU = Development, CN = icm CA"
contains "server: CA:FALSE" "$srv" "CA:FALSE"
contains "server: subject CN is the first name" "$srv" "CN = node-1"
contains "server: SANs (names, IPs, localhost, 127.0.0.1)" "$srv" \
	"DNS:node-1, DNS:db.example.com, IP Address:10.0.0.7, IP Address:FD00:0:0:0:0:0:0:7, DNS:localhost, IP Address:127.0.0.1"
contains "server: serverAuth and clientAuth" "$srv" \
	"TLS Web Server Authentication, TLS Web Client Authentication"
contains "server: key usage (ECDSA)" "$srv" "Key Usage: critical
                Digital Signature"
contains "server: ECDSA P-256 key" "$srv" "NIST CURVE: P-256"
contains "server: signed ecdsa-with-SHA256" "$srv" \
	"Signature Algorithm: ecdsa-with-SHA256"
contains "server: key identifiers" "$srv" "X509v3 Authority Key Identifier"
contains "client: CN=client" "$cli" "CN = client"
contains "client: clientAuth only" "$cli" "Extended Key Usage: 
                TLS Web Client Authentication
"
is "validity -days 30 (from 5 minutes back)" \
	"$(( $(date -d "$(openssl x509 -noout -enddate -in cert.pem | cut -d= -f2)" +%s) - \
	     $(date -d "$(openssl x509 -noout -startdate -in cert.pem | cut -d= -f2)" +%s) ))" \
	$((30 * 86400 + 300))
ok "serials differ" test "$(openssl x509 -noout -serial -in cert.pem)" != \
	"$(openssl x509 -noout -serial -in server-cert.pem)"
is "positive 16-byte serial" \
	"$(openssl x509 -noout -serial -in cert.pem | sed 's/serial=//' | tr -d '\n' | wc -c)" 32
ok "keycert.pem: the client key, then its certificate" sh -c \
	'head -1 keycert.pem | grep -q "BEGIN EC PRIVATE KEY" &&
	 sed -n "/BEGIN CERT/,\$p" keycert.pem | cmp -s - cert.pem'
is "the server key matches its certificate" \
	"$(openssl pkey -in server-key.pem -pubout 2>&1)" \
	"$(openssl x509 -in server-cert.pem -noout -pubkey 2>&1)"

info=$(openssl pkcs12 -info -in keystore.p12 -passin "pass:$pw" -noout 2>&1)
is "openssl pkcs12 -info opens keystore.p12" $? 0
contains "MAC: SHA-256" "$info" "MAC: sha256"
contains "key: PBES2 AES-256-CBC" "$info" \
	"Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"
is "keystore.p12 holds the client key" \
	"$(openssl pkcs12 -in keystore.p12 -passin "pass:$pw" -nocerts -nodes 2>/dev/null | openssl pkey -pubout 2>&1)" \
	"$(openssl x509 -in cert.pem -noout -pubkey)"
is "keystore.p12 holds the client certificate and the CA" \
	"$(openssl pkcs12 -in keystore.p12 -passin "pass:$pw" -nokeys 2>/dev/null | grep -c 'BEGIN CERTIFICATE')" 2
openssl pkcs12 -info -in keystore.p12 -passin pass:wrong -noout >/dev/null 2>&1
is "a wrong password fails the MAC" $? 1
list=$(keytool -list -keystore truststore.jks -storepass "$pw" 2>&1)
is "keytool -list opens truststore.jks" $? 0
contains "truststore.jks: the CA as a trusted entry" "$list" \
	"ca, "
contains "... trustedCertEntry" "$list" "trustedCertEntry"
is "... with the CA's fingerprint" \
	"$(echo "$list" | sed -n 's/.*(SHA-256): //p')" \
	"$(openssl x509 -in ca.pem -noout -fingerprint -sha256 | cut -d= -f2)"
keytool -list -keystore truststore.jks -storepass wrongpass >/dev/null 2>&1
is "keytool refuses a wrong password" $? 1
contains "keytool reads keystore.p12 too (Java's JDBC client)" \
	"$(keytool -list -keystore keystore.p12 -storetype pkcs12 -storepass "$pw" 2>&1)" \
	"client, "
cd "$T" || exit 1

# RSA 4096, ICM's default, once.
"$ICM" keygen tls rsa >/dev/null 2>err.txt
is "keygen tls (RSA 4096) exits 0" $? 0
contains "RSA 4096 keys" "$(text rsa/server-cert.pem)" "Public-Key: (4096 bit)"
contains "signed sha256WithRSAEncryption" "$(text rsa/cert.pem)" \
	"Signature Algorithm: sha256WithRSAEncryption"
contains "RSA server key usage" "$(text rsa/server-cert.pem)" \
	"Digital Signature, Key Encipherment"
is "validity 365 days by default" \
	"$(( $(date -d "$(openssl x509 -noout -enddate -in rsa/ca.pem | cut -d= -f2)" +%s) - \
	     $(date -d "$(openssl x509 -noout -startdate -in rsa/ca.pem | cut -d= -f2)" +%s) ))" \
	$((365 * 86400 + 300))
is "RSA: verify, pkcs12, keytool" \
	"$(cd rsa && openssl verify -CAfile ca.pem server-cert.pem cert.pem >/dev/null 2>&1; echo $?
	   p=$(prop keyStorePassword SSLConfig.Properties)
	   openssl pkcs12 -info -in keystore.p12 -passin "pass:$p" -noout >/dev/null 2>&1; echo $?
	   keytool -list -keystore truststore.jks -storepass "$p" >/dev/null 2>&1; echo $?)" \
	"0
0
0"
contains "RSA: ICM's cipher suite" "$(cat rsa/SSLConfig.Properties)" \
	"cipherSuites=TLS_RSA_WITH_AES_128_CBC_SHA"

# Refusals write nothing.
mkdir part && echo mine >part/cert.pem
"$ICM" keygen tls -type ecdsa part >/dev/null 2>err.txt
is "an existing file is refused, exit 1" "$? $(cat err.txt)" \
	"1 Error: 'part/cert.pem' already exists (use -force to overwrite)"
is "... and nothing else is written" "$(ls part) $(cat part/cert.pem)" \
	"cert.pem mine"
"$ICM" keygen tls -type ecdsa -force part >/dev/null 2>&1
ok "-force overwrites" sh -c 'cd part && openssl verify -CAfile ca.pem cert.pem'
"$ICM" keygen tls -type ecdsa -names bad_name x >/dev/null 2>err.txt
is "a name that is not a DNS name or IP is refused" \
	"$? $(cat err.txt)" \
	"1 Error: 'bad_name' is neither a DNS name nor an IP address"
"$ICM" keygen tls -type ecdsa -days 0 x >/dev/null 2>&1
is "-days 0 refused" $? 1
ok "nothing written by the refusals" test ! -e x
done_testing
