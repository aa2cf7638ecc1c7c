#!/usr/bin/env bash
# 91-gcp-jwt.sh: the JWT icm signs for a GCP service-account key
# (src/provider/gcp/auth.c, printed by tests/cloud/gcp-jwt at a fixed
# clock) is byte for byte the one google-auth (bundled with gcloud) makes:
# google.auth.jwt.encode with RSASigner and the same claims, and the
# assertion google.oauth2.service_account.Credentials makes itself; openssl
# verifies its RS256 signature with the key's public half (and refuses it
# with another key's).  RSA 2048 and 4096 keys from openssl (PKCS#8), a
# token_uri of a local fake, another scope; the same clock gives the same
# JWT, another clock another one; a user's credentials file and an EC key
# are refused naming the file.  Then the exchange, in a network namespace
# with only loopback: a token endpoint that checks the JWT with google-auth
# (tests/cloud/gauth-token-server.py) gives icm a token (cached for the
# second get); a key that is not the account's is refused naming the file
# and the key id; a clock two years off is named with SYS_TIME.
. "$(dirname "$0")/lib.sh"

PY=${GAUTH_PYTHON:-/usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python}
[ -x "$PY" ] || PY=python3
GA=$TOP/tests/cloud/gauth-jwt.py
"$PY" "$GA" encode /dev/null 0 >/dev/null 2>"$T/probe.err"
grep -q "not importable" "$T/probe.err" &&
	skip_all "google-auth (gcloud's bundled copy) is not importable by $PY: $(head -c 200 "$T/probe.err")"
command -v openssl >/dev/null || skip_all "openssl is not installed"
JWT=${GCP_JWT:-$(dirname "$ICM")/tests/gcp-jwt}
[ -x "$JWT" ] || { echo "1..1"; echo "not ok 1 - gcp-jwt is built ($JWT)"; exit 1; }

NOW=1764036000			# 2025-11-25T02:00:00Z
GOOGLE=https://oauth2.googleapis.com/token

# keyfile NAME PEM TOKEN_URI [TYPE]: a service-account key file.
keyfile() {
	"$PY" - "$T/$1.json" "$2" "$3" "${4:-service_account}" <<'PYEOF'
import json, sys
out, pem, uri, typ = sys.argv[1:5]
json.dump({"type": typ, "project_id": "icm-test",
           "private_key_id": "5c1e0a2b7d9f4e3c8a6b1d0f2e4c6a8b9d7f5e3c",
           "private_key": open(pem).read(),
           "client_email": "icm-sa@icm-test.iam.gserviceaccount.com",
           "client_id": "104236071234567890123",
           "auth_uri": "https://accounts.google.com/o/oauth2/auth",
           "token_uri": uri}, open(out, "w"), indent=2)
PYEOF
}

# verify JWT PUBPEM: openssl's verdict on the RS256 signature.
verify() {
	printf %s "${1%.*}" >"$T/input"
	"$PY" -c 'import base64,sys; s=sys.argv[1]; sys.stdout.buffer.write(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))' \
		"${1##*.}" >"$T/sig"
	openssl dgst -sha256 -verify "$2" -signature "$T/sig" "$T/input" 2>&1
}

plan 25
for bits in 2048 4096; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits \
		-out "$T/rsa$bits.pem" 2>/dev/null
	openssl pkey -in "$T/rsa$bits.pem" -pubout -out "$T/rsa$bits.pub" 2>/dev/null
	keyfile sa$bits "$T/rsa$bits.pem" "$GOOGLE"
	icm=$("$JWT" "$T/sa$bits.json" $NOW 2>&1)
	is "RSA $bits: google-auth's jwt.encode makes the same JWT" \
		"$("$PY" "$GA" encode "$T/sa$bits.json" $NOW 2>&1)" "$icm"
	is "RSA $bits: the service-account credentials' own assertion is the same" \
		"$("$PY" "$GA" credentials "$T/sa$bits.json" $NOW 2>&1)" "$icm"
	is "RSA $bits: openssl verifies the signature" "$(verify "$icm" "$T/rsa$bits.pub")" "Verified OK"
done
contains "another key's public half does not verify it" \
	"$(verify "$icm" "$T/rsa2048.pub")" "Verification failure"

keyfile fake "$T/rsa2048.pem" "http://127.0.0.1:8089/token"
icm=$("$JWT" "$T/fake.json" $NOW 2>&1)
is "a fake's token_uri is the aud, as google-auth puts it" \
	"$("$PY" "$GA" encode "$T/fake.json" $NOW 2>&1)" "$icm"
contains "the claims name the fake's endpoint" \
	"$("$PY" -c 'import base64,sys; s=sys.argv[1].split(".")[1]; print(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode())' "$icm")" \
	'"aud": "http://127.0.0.1:8089/token"'
scope="https://www.googleapis.com/auth/cloud-platform"
is "another scope: the same as google-auth's" \
	"$("$PY" "$GA" encode "$T/fake.json" $NOW "$scope" 2>&1)" \
	"$("$JWT" "$T/fake.json" $NOW "$scope" 2>&1)"
is "the same key and clock give the same JWT" "$("$JWT" "$T/fake.json" $NOW 2>&1)" "$icm"
again=$("$JWT" "$T/fake.json" $((NOW + 1)) 2>&1)
ok "another clock gives another JWT" test "$again" != "$icm"
is "... which google-auth makes too" \
	"$("$PY" "$GA" encode "$T/fake.json" $((NOW + 1)) 2>&1)" "$again"

keyfile user "$T/rsa2048.pem" "$GOOGLE" authorized_user
out=$("$JWT" "$T/user.json" $NOW 2>&1); rc=$?
is "a user's credentials file is refused" "$rc" 1
contains "... naming the file and what it is" "$out" \
	"'$T/user.json' is a user's credentials (type authorized_user"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec.pem" 2>/dev/null
keyfile ec "$T/ec.pem" "$GOOGLE"
out=$("$JWT" "$T/ec.json" $NOW 2>&1); rc=$?
is "an EC private key is refused" "$rc" 1
contains "... naming the file and the key's kind" "$out" \
	"'$T/ec.json': private_key is an ECDSA P-256 key; a service-account key is RSA"
# The exchange, in a namespace with only loopback (unshare -rn: no root
# needed where user namespaces are allowed).
nsx=
for u in "unshare -rn" "unshare -n"; do
	$u ip link set lo up 2>/dev/null && { nsx=$u; break; }
done
if [ -z "$nsx" ]; then
	for i in 1 2 3 4 5 6 7 8; do
		_n=$((_n + 1)); echo "ok $_n # SKIP no network namespace here (unshare -rn and -n both fail)"
	done
	done_testing
fi
keyfile local "$T/rsa2048.pem" "http://127.0.0.1:8089/token"
keyfile other "$T/rsa4096.pem" "http://127.0.0.1:8089/token"
export PY JWT T TOP
$nsx bash -c '
	ip link set lo up
	"$PY" "$TOP/tests/cloud/gauth-token-server.py" 8089 "$T/rsa2048.pub" \
		5c1e0a2b7d9f4e3c8a6b1d0f2e4c6a8b9d7f5e3c >"$T/srv.out" 2>&1 &
	srv=$!
	for i in $(seq 100); do grep -q ready "$T/srv.out" && break; sleep 0.1; done
	for c in good:local.json bad:other.json "clock:local.json 1700000000"; do
		set -- $c
		"$JWT" --token "$T/${1#*:}" ${2:-} >"$T/${1%%:*}.out" 2>&1
		echo "rc $?" >>"$T/${1%%:*}.out"
	done
	kill $srv
' 2>"$T/ns.err"
is "the google-auth token endpoint started" "$(cat "$T/srv.out")" ready
is "an access token from the endpoint" "$(head -n 1 "$T/good.out")" "token ya29.gauth-1"
is "... one exchange for two gets (the cache)" "$(sed -n 2p "$T/good.out")" "exchanges 1"
is "... exit 0" "$(tail -n 1 "$T/good.out")" "rc 0"
contains "a key that is not the account's: refused naming the key id and the file" \
	"$(cat "$T/bad.out")" "refused key 5c1e0a2b7d9f4e3c8a6b1d0f2e4c6a8b9d7f5e3c of icm-sa@icm-test.iam.gserviceaccount.com from '$T/other.json' (Invalid JWT Signature.): the key was revoked or deleted"
is "... exit 1" "$(tail -n 1 "$T/bad.out")" "rc 1"
contains "a clock two years behind: the clock named, with SYS_TIME" \
	"$(cat "$T/clock.out")" "this machine's clock is probably off (it says 2023-11-14T22:13:20Z); check it and set it right (in the ICM container that needs docker run --cap-add SYS_TIME)"
is "... exit 1" "$(tail -n 1 "$T/clock.out")" "rc 1"
done_testing
