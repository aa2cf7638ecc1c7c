#!/bin/bash
# 62-moto-harness.sh: tests/cloud/moto, the AWS tests' harness: moto and the
# command share a network namespace that has only loopback (no route, so
# any other address fails at once with "Network is unreachable"), boto3
# and plain curl create and describe a VPC there, the command's exit status
# comes back, start/exec/reset/stop keep moto for a script, and nothing is
# left running afterwards.  --world-route is exercised only when a test
# world is already up (this test never starts one).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "network namespaces need root (running as uid $(id -u))"
MOTO=$TOP/tests/cloud/moto
PY=${MOTO_PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)}
{ [ -n "$PY" ] && "$PY" -c 'import boto3' 2>/dev/null; } ||
	skip_all "no boto3 in ${PY:-python3} (the pip Python with moto)"
export MOTO_PYTHON=$PY
MD=$T/moto

# gone PID...: none of the processes runs (a zombie has ended: the machine's
# init reaps the orphans of `moto start` when it gets to it)
gone() {
	local p s
	for p; do
		s=
		read -r s 2>/dev/null < "/proc/$p/stat" || continue
		s=${s##*) }
		[ "${s%% *}" = Z ] || return 1
	done
	return 0
}
trap '"$MOTO" stop --dir "$MD" >/dev/null 2>&1; rm -rf "$T"' EXIT

plan 35

cat > "$T/vpc.py" <<'EOF'
import os, sys
import boto3
ec2 = boto3.client("ec2")
print("endpoint", ec2.meta.endpoint_url)
v = ec2.create_vpc(CidrBlock=sys.argv[1], TagSpecifications=[{
    "ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "icm-e2e-62"}]}])
vid = v["Vpc"]["VpcId"]
d = ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]
print("vpc", vid, d["CidrBlock"], d["Tags"][0]["Value"])
EOF
cat > "$T/count.py" <<'EOF'
import boto3
vpcs = boto3.client("ec2").describe_vpcs(
    Filters=[{"Name": "tag:Name", "Values": ["icm-e2e-62"]}])["Vpcs"]
print(len(vpcs))
EOF

# Run inside: what the namespace looks like, and whether anything leaves.
cat > "$T/inside.sh" <<'EOF'
echo "pids $(cat "$MOTO_DIR/holder.pid") $(cat "$MOTO_DIR/moto.pid")"
echo "links $(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')"
echo "route4 [$(ip -4 route show table all | grep -v '^local \|^broadcast ' | tr '\n' ' ')]"
echo "route6 [$(ip -6 route show table all | grep -v '^local \|^multicast \|^anycast ' | tr '\n' ' ')]"
echo "endpoint $AWS_ENDPOINT_URL region $AWS_DEFAULT_REGION key $AWS_ACCESS_KEY_ID"
for a in 198.18.0.10/22 8.8.8.8/53 1.1.1.1/443 10.0.0.1/80; do
	t0=${EPOCHREALTIME/./}
	r=$( (exec 3<>"/dev/tcp/${a%/*}/${a#*/}") 2>&1 )
	t1=${EPOCHREALTIME/./}
	r=${r##*$'\n'}
	echo "connect $a: ${r##*: }: $(( (t1 - t0) / 1000 )) ms"
done
r=$(python3 -c 'import socket
s = socket.socket(socket.AF_INET6)
s.settimeout(3)
try:
    s.connect(("2001:4860:4860::8888", 53))
except OSError as e:
    print(e.strerror)' 2>&1)
echo "connect6: $r"
t0=${EPOCHREALTIME/./}
getent hosts ec2.us-east-1.amazonaws.com >/dev/null 2>&1
r=$?
t1=${EPOCHREALTIME/./}
echo "dns: rc $r in $(( (t1 - t0) / 1000 )) ms"
"$MOTO_PYTHON" "$1/vpc.py" 10.7.0.0/16
curl -s -H 'Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0' \
	"$AWS_ENDPOINT_URL/?Action=CreateVpc&CidrBlock=10.8.0.0/16&Version=2016-11-15" |
	grep -o '<vpcId>[^<]*</vpcId>' | sed 's/^/curl-create /'
curl -s -H 'Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0' \
	"$AWS_ENDPOINT_URL/?Action=DescribeVpcs&Version=2016-11-15" |
	grep -o '<cidrBlock>10\.[78]\.0\.0/16</cidrBlock>' | sort -u | tr '\n' ' ' | sed 's/^/curl-describe /'
echo
exit 7
EOF

# ---- run: one command, moto started and stopped around it -----------------
out=$(PATH=$(dirname "$PY"):$PATH "$MOTO" run --dir "$T/run" -- bash "$T/inside.sh" "$T" 2>"$T/run.err")
rc=$?
is "run returns the command's exit status" "$rc" 7
echo "$out" | sed 's/^/#   /' | head -30
links=$(echo "$out" | sed -n 's/^links //p')
is "the namespace has only lo" "$links" "lo "
is "no IPv4 route at all (not even 127/8 outside table local)" "$(echo "$out" | sed -n 's/^route4 //p')" "[]"
r6=$(echo "$out" | sed -n 's/^route6 //p')
case $r6 in "[]"|"[::1 dev lo proto kernel metric 256 pref medium ]") r=0 ;; *) r=1 ;; esac
is "IPv6: at most ::1 on lo" "$r:$r6" "0:$r6"
for a in 198.18.0.10/22 8.8.8.8/53 1.1.1.1/443 10.0.0.1/80; do
	line=$(echo "$out" | grep "^connect $a:")
	contains "$a: Network is unreachable" "$line" "Network is unreachable"
	ms=${line##*: }; ms=${ms% ms}
	ok "$a fails at once ($ms ms)" test "${ms:-9999}" -lt 1000
done
contains "IPv6 to a public address: unreachable" "$(echo "$out" | grep '^connect6')" "unreachable"
dns=$(echo "$out" | sed -n 's/^dns: rc \([0-9]*\) in \([0-9]*\) ms$/\1 \2/p')
ok "no name resolution inside (the resolver is unreachable): ${dns:-?}" \
	test -n "$dns" -a "${dns% *}" != 0 -a "${dns#* }" -lt 5000
contains "the command's endpoint is moto on loopback" "$out" "endpoint http://127.0.0.1:5000 region us-east-1 key testing"
contains "boto3 used AWS_ENDPOINT_URL" "$out" "endpoint http://127.0.0.1:5000
vpc vpc-"
contains "boto3 created and described a VPC" "$out" " 10.7.0.0/16 icm-e2e-62"
contains "curl CreateVpc over the query API" "$out" "curl-create <vpcId>vpc-"
contains "curl DescribeVpcs sees both VPCs" "$out" "curl-describe <cidrBlock>10.7.0.0/16</cidrBlock> <cidrBlock>10.8.0.0/16</cidrBlock>"
read -r holder motopid <<< "$(echo "$out" | sed -n 's/^pids //p')"
ok "the run gave its PIDs ($holder, $motopid)" test -n "$holder" -a -n "$motopid"
ok "no process left after run (holder, moto)" gone "${holder:-0}" "${motopid:-0}"
is "run's stderr is empty" "$(cat "$T/run.err")" ""

# ---- start / exec / reset / stop ------------------------------------------
env_out=$("$MOTO" start --dir "$MD" --port 5123)
ok "start" test $? = 0
contains "start prints the environment" "$env_out" "export AWS_ENDPOINT_URL=http://127.0.0.1:5123"
holder=$(cat "$MD/holder.pid"); motopid=$(cat "$MD/moto.pid")
"$MOTO" exec --dir "$MD" -- "$PY" "$T/vpc.py" 10.9.0.0/16 > "$T/exec.out" 2>&1
is "exec: boto3 creates a VPC" "$(grep -c '^vpc vpc-.* 10.9.0.0/16 icm-e2e-62$' "$T/exec.out")" 1
is "exec: the VPC is there" "$("$MOTO" exec --dir "$MD" -- "$PY" "$T/count.py" 2>&1)" 1
"$MOTO" exec --dir "$MD" -- sh -c 'exit 3'
is "exec returns the command's status" "$?" 3
ok "reset" "$MOTO" reset --dir "$MD"
is "after reset the VPC is gone" "$("$MOTO" exec --dir "$MD" -- "$PY" "$T/count.py" 2>&1)" 0
# a command that leaves a process behind in the namespace
# shellcheck disable=SC2016
"$MOTO" exec --dir "$MD" -- sh -c 'sleep 600 </dev/null >/dev/null 2>&1 & echo $! > "$MOTO_DIR/left.pid"'
left=$(cat "$MD/left.pid")
ok "stop" "$MOTO" stop --dir "$MD"
ok "no process left after stop (holder, moto, a command's leftover)" \
	gone "$holder" "$motopid" "${left:-0}"
"$MOTO" exec --dir "$MD" -- true 2>/dev/null
is "exec after stop is refused" "$?" 125

# ---- --world-route: only toward an already running test world ------------
if ip -o -4 addr show | awk '$4 == "198.18.0.1/24"' | grep -q .; then
	echo "# a test world is up: exercising --world-route"
	out=$("$MOTO" run --world-route -- sh -c 'ip -4 route show; (exec 3<>/dev/tcp/8.8.8.8/53) 2>&1' 2>&1)
	contains "world route: only 198.18.0.0/24" "$out" "198.18.0.0/24 dev eth0"
	lacks "world route: no default route" "$out" "default"
else
	"$MOTO" start --dir "$T/wr" --world-route > "$T/wr.out" 2>&1
	is "--world-route without a world is refused (it never starts one)" "$?:$(grep -c 'no test world is up' "$T/wr.out")" "125:1"
	ok "and leaves nothing running" test ! -e "$T/wr/holder.pid"
fi
is "no harness link (motow...) is left" "$(ip -o link show | grep -c ': motow')" 0

done_testing
