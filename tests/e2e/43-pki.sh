#!/usr/bin/env bash
# 43-pki: the deployment PKI under state/pki from instances.json:
# `icm keygen tls -renew` makes the CA, the client certificate and one
# server certificate per node (not the load balancer) that openssl
# verifies and whose SANs carry the machine name, DNS name and IP; a
# second run renews nothing; a changed IPAddress renews exactly that node;
# `icm inventory -options certs` shows the expiry.  Files 0600, dirs 0700,
# nothing secret in icm.log.  ECDSA for speed.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || skip_all "openssl is not installed"
plan 24
cd "$T" || exit 1
cp "$DATA/e2e/aws/instances.json" .
nodes="ECP-DM-TEST-0001 ECP-DM-TEST-0002 ECP-AM-TEST-0003 ECP-AM-TEST-0004 ECP-AR-TEST-0006"
until=$(date -u -d '+90 days' +%Y-%m-%d)

out=$("$ICM" keygen tls -renew -type ecdsa -days 90 2>&1); st=$?
is "keygen tls -renew exits 0" "$st" 0
contains "the CA is made" "$out" "Made the deployment CA state/pki/ca.pem"
is "one Issued line per non-LB node" \
	"$(echo "$out" | grep '^Issued ECP-' | awk '{print $2}' | tr -d , | tr '\n' ' ')" \
	"$(echo $nodes) "
lacks "no certificate for the load balancer" "$(ls state/pki/nodes)" "LB"
is "openssl verify accepts every node certificate" \
	"$(cd state/pki/nodes && for n in $nodes; do openssl verify -CAfile ../ca.pem $n/server-cert.pem; done 2>&1 | grep -c ': OK$')" 5
is "and the client certificate" \
	"$(openssl verify -CAfile state/pki/ca.pem state/pki/client/cert.pem 2>&1)" \
	"state/pki/client/cert.pem: OK"
contains "client: clientAuth" \
	"$(openssl x509 -noout -ext extendedKeyUsage -in state/pki/client/cert.pem)" \
	"TLS Web Client Authentication"
san=$(openssl x509 -noout -ext subjectAltName -in state/pki/nodes/ECP-DM-TEST-0001/server-cert.pem)
contains "SANs: machine name, DNS name, IP" "$san" \
	"DNS:ECP-DM-TEST-0001, DNS:ec2-198-18-0-21.us-west-1.compute.amazonaws.com, IP Address:198.18.0.21"
c=state/pki/nodes/ECP-AR-TEST-0006/server-cert.pem
ok "valid for -days: past 89 days" openssl x509 -noout -checkend $((89 * 86400)) -in $c
ok "but not 91" sh -c "! openssl x509 -noout -checkend $((91 * 86400)) -in $c"
is "files 0600" "$(find state/pki -type f ! -perm 600 | wc -l) $(find state/pki -type f | wc -l)" "0 14"
is "directories 0700" "$(find state/pki -type d ! -perm 700 | wc -l)" 0

sums=$(snapshot state/pki)
out=$("$ICM" keygen tls -renew -type ecdsa 2>&1); st=$?
is "a second -renew exits 0" "$st" 0
is "and renews nothing" "$(echo "$out" | grep -c 'valid until' ) $(echo "$out" | grep -c -E '^(Issued|Renewed|Made)')" "6 0"
is "state/pki unchanged" "$(snapshot state/pki)" "$sums"

ca=$(cat state/pki/ca.pem)
sed -i 's/"IPAddress": "198.18.0.23"/"IPAddress": "198.18.0.99"/' instances.json
out=$("$ICM" keygen tls -renew -type ecdsa -days 90 2>&1)
is "a changed IPAddress renews exactly that node" "$(echo "$out" | grep '^Renewed')" \
	"Renewed ECP-AM-TEST-0003 (names changed), valid until $until"
contains "with the new IP" \
	"$(openssl x509 -noout -ext subjectAltName -in state/pki/nodes/ECP-AM-TEST-0003/server-cert.pem)" \
	"IP Address:198.18.0.99"
is "the CA is kept" "$(cat state/pki/ca.pem)" "$ca"

out=$("$ICM" inventory -options certs 2>&1)
is "inventory -options certs: a Cert Expires column" \
	"$(echo "$out" | sed -n 1p | tr -s ' ')" \
	"Machine IP Address DNS Name Region Zone Cert Expires"
is "every node's expiry" "$(echo "$out" | grep -c " $until\$")" 5
"$ICM" inventory -options wide,certs -json >/dev/null 2>&1
is "-json: CertExpires" "$(grep -c "\"CertExpires\":	\"$until\"" response.json)" 5
log=$(cat icm.log)
contains "icm.log has the run" "$log" "Issued ECP-DM-TEST-0001"
lacks "no key in icm.log" "$log" "PRIVATE KEY"
leaked=0
for k in state/pki/ca-key.pem state/pki/client/key.pem state/pki/nodes/*/server-key.pem; do
	case $log in *"$(sed -n 2p "$k")"*) leaked=1 ;; esac
done
is "no key material in icm.log" "$leaked" 0
done_testing
