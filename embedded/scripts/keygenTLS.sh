#!/bin/sh
# keygenTLS.sh [dir]: ICM's TLS script, done by icm itself.
# Writes ca.pem, ca-key.pem, server-cert.pem, server-key.pem, cert.pem,
# key.pem, keycert.pem, keystore.p12, truststore.jks and
# SSLConfig.Properties to dir (default /Samples/tls, as ICM's script did).
# Extra arguments go to `icm keygen tls` (-force, -type, -bits, -days,
# -names).
dir=${1:-/Samples/tls}
[ $# -gt 0 ] && shift
exec "${ICM:-icm}" keygen tls "$dir" "$@"
