#!/usr/bin/env bash
# 61-ec2-moto.sh: icm's AWS Query API client (src/provider/aws/ec2.c with
# http.c, sigv4.c, awscreds.c, xml.c, awserr.c) against moto's EC2, through
# tests/cloud/ec2-call: DescribeRegions; CreateVpc with a tag
# specification, DescribeVpcs with tag filters, a Unicode tag through
# CreateTags and DescribeTags, DeleteVpc; NextToken pages of
# DescribeInstances; a missing VPC's error as one readable line; a
# credentials file with a profile; a dead endpoint retried until the
# budget is spent; throttling and 5xx answers from a small stub server
# retried (EC2's RequestLimitExceeded with 503, ELB's Throttling with
# 400, an HTML 500 page until the budget is spent); the same stub over
# https with a test CA (tests/tls/lib-tls.sh): trusted through
# SSL_CERT_FILE, refused (and not retried) with another CA; ec2-call -S, the
# offline checks (parameters, endpoints, URL splitting, backoff bounds).
#
# Safety: moto listens on 127.0.0.1 only and every call names it through
# AWS_ENDPOINT_URL_EC2 (AWS_ENDPOINT_URL points at it too), so no real AWS
# endpoint is ever asked.  Where the test can make a network namespace
# (root, unshare), it runs in one that has only loopback: nothing outside
# this machine, nor the other tests' moto servers, can be reached.  The
# instances moto invents are never contacted.  moto is stopped by its PID.
if [ -z "${ICM_E2E_NETNS:-}" ] && [ "$(id -u)" = 0 ] &&
	unshare --net true 2>/dev/null && command -v ip >/dev/null; then
	# shellcheck disable=SC2016 # expanded by the inner shell
	ICM_E2E_NETNS=1 exec unshare --net sh -c \
		'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/tls/lib-tls.sh"

PY=${PYTHON:-python3}
"$PY" -c 'import moto.server' 2>/dev/null ||
	skip_all "moto is not importable by $PY (pip: moto[server])"
CALL=${EC2_CALL:-$(dirname "$ICM")/tests/ec2-call}
[ -x "$CALL" ] || { echo "1..1"; echo "not ok 1 - ec2-call is built ($CALL)"; exit 1; }

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING
# free_port: a port nothing listens on now; wait_port PORT: until something
# does (up to 30 s: moto is slow to start on a busy machine)
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() {
	for _ in $(seq 300); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
PORT=$(free_port)
"$PY" -m moto.server -H 127.0.0.1 -p "$PORT" >"$T/moto.log" 2>&1 &
MOTO=$!
STUB=
trap 'kill "$MOTO" $STUB 2>/dev/null; wait "$MOTO" $STUB 2>/dev/null; rm -rf "$T"' EXIT
export AWS_ENDPOINT_URL_EC2=http://127.0.0.1:$PORT
export AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL_EC2
export AWS_ACCESS_KEY_ID=AKIDMOTOTEST AWS_SECRET_ACCESS_KEY=moto-test-secret
export AWS_REGION=us-east-1
wait_port "$PORT"

plan 33

"$CALL" -S >"$T/self.out" 2>&1
is "offline checks (ec2-call -S) pass" "$? $(grep -c '^not ok' "$T/self.out")" "0 0"
grep '^not ok' -A3 "$T/self.out" | sed 's/^/# /'

# run NAME CMD...: output in $T/NAME.out / .err, status in $rc
run() {
	local name=$1; shift
	"$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
}
# call NAME ARGS...: run NAME with ec2-call
call() { local name=$1; shift; run "$name" "$CALL" "$@"; }
val() { sed -n "s|^$2=||p" "$T/$1.out" | head -n 1; }

call regions DescribeRegions
is "DescribeRegions succeeds" "$rc $(head -c 300 "$T/regions.err" | grep -v '^attempts=')" "0 "
contains "us-east-1 is listed" "$(cat "$T/regions.out")" "regionInfo/item/regionName=us-east-1"

TAG=t61-$$
call vpc -t "vpc:Name=$TAG-vpc" -t "vpc:ICM=$TAG" CreateVpc CidrBlock=10.61.0.0/16
VPC=$(val vpc vpc/vpcId)
is "CreateVpc succeeds" "$rc" 0
contains "it answers a VPC id" "$VPC" "vpc-"
is "the tag specification reached moto" "$(grep -c "vpc/tagSet/item/value=$TAG" "$T/vpc.out")" 2

call found -f "tag:ICM=$TAG" -f "cidr-block=10.61.0.0/16,10.99.0.0/16" DescribeVpcs
is "DescribeVpcs by tag finds it" "$rc $(val found vpcSet/item/vpcId)" "0 $VPC"
call notfound -f "tag:ICM=$TAG-other" DescribeVpcs
is "a filter that matches nothing finds nothing" "$rc $(grep -c vpcId "$T/notfound.out")" "0 0"

UNI='café ✓ 日本 & = + / ?'
call tag -T "Note=$UNI" CreateTags ResourceId.1="$VPC"
is "CreateTags with a Unicode value" "$rc" 0
call tags -f "resource-id=$VPC" -f key=Note DescribeTags
is "the Unicode value comes back as sent" "$(val tags tagSet/item/value)" "$UNI"

call del DeleteVpc VpcId="$VPC"
is "DeleteVpc succeeds" "$rc" 0
call gone -f "tag:ICM=$TAG" DescribeVpcs
is "the VPC is gone" "$rc $(grep -c vpcId "$T/gone.out")" "0 0"

call missing DeleteVpc VpcId=vpc-0000000000000dead
is "DeleteVpc of a missing VPC fails" "$rc" 1
err=$(grep -v '^attempts=' "$T/missing.err")
contains "the reason names the call and AWS's code" "$err" \
	"ec2-call: DeleteVpc: InvalidVpcID.NotFound: "
contains "and the id" "$err" "vpc-0000000000000dead"
contains "its class is 'not found' (callers branch on it)" "$err" "[not found]"
is "on one line, not retried" "$(wc -l <"$T/missing.err") $(tail -n 1 "$T/missing.err")" \
	"2 attempts=1 calls=1"

# NextToken: three reservations, one a page (moto pages DescribeInstances
# by reservation).  moto's instances get invented addresses: never used.
for i in 1 2 3; do
	call run$i -t "instance:ICM=$TAG" RunInstances ImageId=ami-12c6146b \
		InstanceType=t3.micro MinCount=1 MaxCount=1 ClientToken="$TAG-$i"
done
call pages -p -f "tag:ICM=$TAG" DescribeInstances MaxResults=1
is "three pages of one instance each" \
	"$rc $(grep -c '^# page' "$T/pages.out") $(grep -c 'instancesSet/item/instanceId=' "$T/pages.out")" \
	"0 3 3"
is "every page asked for" "$(tail -n 1 "$T/pages.err")" "attempts=3 calls=3"
mapfile -t ids < <(sed -n 's|^reservationSet/item/instancesSet/item/instanceId=||p' "$T/pages.out")
call term TerminateInstances InstanceId.1="${ids[0]}" InstanceId.2="${ids[1]}" \
	InstanceId.3="${ids[2]}"
is "TerminateInstances of the three" "$rc $(grep -c 'instancesSet/item/instanceId=' "$T/term.out")" "0 3"

# A credentials file with a profile (and no credentials in the environment).
printf '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = ci-secret\naws_session_token = ci-token\n' >"$T/credentials"
run file env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=ci \
	"$CALL" -c "$T/credentials" DescribeRegions
is "a credentials file's profile signs the calls" "$rc" 0
run nocreds env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$CALL" DescribeRegions
contains "no credentials: the reason says where to put them" \
	"$(cat "$T/nocreds.err")" "no AWS credentials: set the Credentials field"

# A dead endpoint (nothing listens): retried with backoff until the
# budget is spent, then one line that says so.
DEAD=$(free_port)
start=$(date +%s%N)
run dead env AWS_ENDPOINT_URL_EC2="http://127.0.0.1:$DEAD" "$CALL" -b 1500 DescribeRegions
ms=$((($(date +%s%N) - start) / 1000000))
contains "a dead endpoint: still failing after several attempts" \
	"$(cat "$T/dead.err")" "(still failing after "
ok "and within its 1.5 s budget ($ms ms)" test "$ms" -lt 4000

# Throttling: a stub that answers as EC2 and ELB do when they throttle.
cat >"$T/stub.py" <<'PYEOF'
import http.server, sys, urllib.parse
seen = {}
EC2_THROTTLE = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors>'
                b'<Error><Code>RequestLimitExceeded</Code><Message>Request '
                b'limit exceeded.</Message></Error></Errors><RequestID>r1'
                b'</RequestID></Response>')
ELB_THROTTLE = (b'<ErrorResponse xmlns="http://elasticloadbalancing.'
                b'amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type>'
                b'<Code>Throttling</Code><Message>Rate exceeded</Message>'
                b'</Error><RequestId>r2</RequestId></ErrorResponse>')
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        action = urllib.parse.parse_qs(body.decode())["Action"][0]
        n = seen[action] = seen.get(action, 0) + 1
        signed = self.headers.get("Authorization", "").startswith(
            "AWS4-HMAC-SHA256 Credential=AKIDMOTOTEST/")
        if not signed:
            self.answer(403, b"<Response><Errors><Error><Code>AuthFailure"
                        b"</Code><Message>unsigned</Message></Error>"
                        b"</Errors></Response>")
        elif action == "DescribeRegions" and n <= 2:
            self.answer(503, EC2_THROTTLE)
        elif action == "DescribeLoadBalancers" and n <= 1:
            self.answer(400, ELB_THROTTLE)
        elif action == "DescribeVpcs":
            self.answer(500, b"<html><body>Internal Server Error</body></html>")
        else:
            self.answer(200, ("<%sResponse><n>%d</n></%sResponse>" %
                              (action, n, action)).encode())
srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
if len(sys.argv) > 3:  # https: certificate and key
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PYEOF
SPORT=$(free_port)
"$PY" "$T/stub.py" "$SPORT" >"$T/stub.log" 2>&1 &
STUB=$!
wait_port "$SPORT"
SURL=http://127.0.0.1:$SPORT
run thr env AWS_ENDPOINT_URL_EC2="$SURL" "$CALL" DescribeRegions
is "EC2 RequestLimitExceeded (503) twice, then an answer" \
	"$rc $(cat "$T/thr.out") $(tail -n 1 "$T/thr.err")" "0 n=3 attempts=3 calls=1"
run elbthr env AWS_ENDPOINT_URL="$SURL" "$CALL" -e DescribeLoadBalancers
is "ELB Throttling (400) once, then an answer" \
	"$rc $(cat "$T/elbthr.out") $(tail -n 1 "$T/elbthr.err")" "0 n=2 attempts=2 calls=1"
run h500 env AWS_ENDPOINT_URL_EC2="$SURL" "$CALL" -b 2000 DescribeVpcs
is "an HTML 500 page until the budget is spent: fails" "$rc" 1
contains "the reason quotes the page and says it kept failing" \
	"$(head -n 1 "$T/h500.err")" \
	"ec2-call: DescribeVpcs: HTTP 500: <html><body>Internal Server Error</body></html> (still failing after "
contains "its class is 'transient'" "$(head -n 1 "$T/h500.err")" "[transient]"
a=$(sed -n 's/^attempts=\([0-9]*\) .*/\1/p' "$T/h500.err")
ok "and it tried more than once ($a attempts)" test "${a:-0}" -gt 1
kill "$STUB" 2>/dev/null
wait "$STUB" 2>/dev/null

# https: the stub with a certificate for "localhost" from a test CA.
if command -v openssl >/dev/null 2>&1 && tls_pki "$T/pki" localhost; then
	SPORT=$(free_port)
	"$PY" "$T/stub.py" "$SPORT" "$T/pki/server.crt" "$T/pki/server.key" \
		>"$T/stubs.log" 2>&1 &
	STUB=$!
	wait_port "$SPORT"
	run tls env SSL_CERT_FILE="$T/pki/ca.crt" \
		AWS_ENDPOINT_URL_EC2="https://localhost:$SPORT/" "$CALL" DescribeHosts
	is "https: a server the trusted CA vouches for answers" \
		"$rc $(cat "$T/tls.out") $(tail -n 1 "$T/tls.err")" "0 n=1 attempts=1 calls=1"
	run tlsbad env SSL_CERT_FILE="$T/pki/other-ca.crt" \
		AWS_ENDPOINT_URL_EC2="https://localhost:$SPORT/" "$CALL" DescribeHosts
	is "https: another CA's trust refuses it at once" \
		"$rc $(tail -n 1 "$T/tlsbad.err")" "1 attempts=1 calls=1"
	contains "and says where" "$(head -n 1 "$T/tlsbad.err")" \
		"ec2-call: DescribeHosts: https://localhost:$SPORT/: "
	kill "$STUB" 2>/dev/null
	wait "$STUB" 2>/dev/null
else
	for n in "trusted CA" "another CA" "where"; do
		_result 0 "https: $n # SKIP the openssl CLI is not installed"
	done
fi

done_testing
