#!/usr/bin/env bash
# 99-tencent-fake: the FAKE Tencent Cloud API of the Tencent tests
# (tests/cloud/tencent, tencent-fake.py, lib.sh's tc_up) is honest with the
# official SDK and does what icm's Tencent scenarios rely on, never running
# icm:
# - tencentcloud-sdk-nodejs (tests/cloud/tencent-sdk/conformance.mjs: its
#   cvm, vpc and clb clients with the real endpoint host names) calls every
#   action icm uses and checks the answers, tags, ClientToken, PENDING then
#   RUNNING, CLB tasks, and the errors (bad signature, unknown SecretId,
#   expired time, sold out, balance, quota, unknown image,
#   RequestLimitExceeded retried);
# - a signer here (Python, TC3-HMAC-SHA256 as Tencent's reference writes
#   it): the 300 s clock window (290 s in, 310 s out), a credential scope for another
#   service, a Host with a port, a missing or malformed Authorization, a
#   wrong X-TC-Version, an unknown action, an unknown region;
# - the namespace: only loopback, the real host names on 127.0.0.1 inside
#   and the machine's /etc/hosts untouched; the wrapper's exit statuses.
. "$(dirname "$0")/lib.sh"
NM=${TENCENT_SDK_DIR:-$TOP/build/tests/tencent-sdk}/node_modules
command -v curl >/dev/null || skip_all "curl is missing"
command -v node >/dev/null || skip_all "node is missing (Node.js 20 or later runs the Tencent SDK)"
[ -d "$NM/tencentcloud-sdk-nodejs" ] ||
	skip_all "the Tencent SDK is not installed in $NM (build.sh's npm ci of tests/cloud/tencent-sdk)"
tc_up "$T/tc" --pending 0.6
. "$TC_DIR/env"

# --- the SDK ---
out=$(tx timeout 120 node "$TOP/tests/cloud/tencent-sdk/conformance.mjs" "$NM" 2>&1)
sdk_checks "$out" 61

# --- the namespace ---
is "the fake's namespace has only loopback" "$(tx ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" "lo "
is "inside, the real host names are 127.0.0.1" \
	"$(tx getent hosts cvm.tencentcloudapi.com vpc.tencentcloudapi.com clb.tencentcloudapi.com | awk '{print $1}' | tr '\n' ' ')" \
	"127.0.0.1 127.0.0.1 127.0.0.1 "
is "outside, /etc/hosts does not name them" "$(grep -c tencentcloudapi /etc/hosts)" 0

# --- a signer of our own: each case signed here (one python3), sent by
# curl inside (one namespace entry), its Response read (one python3) ---
cat > "$T/sign.py" <<'PY'
# sign.py DIR < CASES: for each line "SERVICE|ACTION|BODY|key=value ...",
# DIR/N.cfg, a curl config of a TC3-HMAC-SHA256 request to the fake; keys:
# ts_offset, version, region, id, scope_service, host (the Host header), auth
# (the whole Authorization header)
import hashlib, hmac, json, os, sys, time
h = lambda k, m: hmac.new(k, m.encode(), hashlib.sha256).digest()
vers = {"cvm": "2017-03-12", "vpc": "2017-03-12", "clb": "2018-03-17"}
for n, line in enumerate(sys.stdin.read().splitlines()):
    svc, action, body, opts = line.split("|")
    o = dict(a.split("=", 1) for a in opts.split(";") if a)
    ts = int(time.time()) + int(o.get("ts_offset", 0))
    date = time.strftime("%Y-%m-%d", time.gmtime(ts))
    host = o.get("host", f"{svc}.tencentcloudapi.com")
    sc = o.get("scope_service", svc)
    canon = f"content-type:application/json\nhost:{host.split(':')[0]}\n"
    creq = "\n".join(["POST", "/", "", canon, "content-type;host", hashlib.sha256(body.encode()).hexdigest()])
    sts = "\n".join(["TC3-HMAC-SHA256", str(ts), f"{date}/{sc}/tc3_request", hashlib.sha256(creq.encode()).hexdigest()])
    k = h(h(h(("TC3" + os.environ["TENCENTCLOUD_SECRET_KEY"]).encode(), date), sc), "tc3_request")
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    auth = o.get("auth", f"TC3-HMAC-SHA256 Credential={o.get('id', os.environ['TENCENTCLOUD_SECRET_ID'])}/"
                 f"{date}/{sc}/tc3_request, SignedHeaders=content-type;host, Signature={sig}")
    hdrs = {"Content-Type": "application/json", "Host": host, "X-TC-Action": action,
            "X-TC-Version": o.get("version", vers.get(svc, "")), "X-TC-Region": o.get("region", "ap-guangzhou"),
            "X-TC-Timestamp": str(ts), "Authorization": auth}
    with open(os.path.join(sys.argv[1], f"{n:02d}.cfg"), "w") as f:
        for k2, v in hdrs.items():
            f.write(f"header = {json.dumps(k2 + ': ' + v)}\n")
        f.write(f"data-binary = {json.dumps(body)}\nurl = \"https://{svc}.tencentcloudapi.com/\"\n")
        f.write(f"output = \"{os.path.join(sys.argv[1], f'{n:02d}.out')}\"\n")
PY
# NAME|SERVICE|ACTION|BODY|OPTIONS|WANT: the Response's error Code, or "OK"
# and its keys
CASES='our own signature is accepted|cvm|DescribeZones|{}||OK TotalCount ZoneSet
a clock 290 s behind is accepted|cvm|DescribeZones|{}|ts_offset=-290|OK TotalCount ZoneSet
310 s behind: AuthFailure.SignatureExpire|cvm|DescribeZones|{}|ts_offset=-310|AuthFailure.SignatureExpire
310 s ahead: AuthFailure.SignatureExpire|cvm|DescribeZones|{}|ts_offset=310|AuthFailure.SignatureExpire
a scope for vpc sent to cvm: AuthFailure.SignatureFailure|cvm|DescribeZones|{}|scope_service=vpc|AuthFailure.SignatureFailure
the Host'"'"'s port is not signed (as the SDK signs)|vpc|DescribeVpcs|{}|host=vpc.tencentcloudapi.com:443|OK TotalCount VpcSet
another SecretId: AuthFailure.SecretIdNotFound|cvm|DescribeZones|{}|id=AKIDnotthisone|AuthFailure.SecretIdNotFound
no TC3 Authorization: AuthFailure.InvalidAuthorization|cvm|DescribeZones|{}|auth=Basic x|AuthFailure.InvalidAuthorization
a wrong X-TC-Version: InvalidParameter|clb|DescribeLoadBalancers|{}|version=2017-03-12|InvalidParameter
an action the fake does not serve: InvalidAction|cvm|StopInstances|{}||InvalidAction
an unknown region: UnsupportedRegion|vpc|DescribeVpcs|{}|region=mars-1|UnsupportedRegion
a body that is not JSON: InvalidParameter|vpc|DescribeVpcs|nope||InvalidParameter
a filter the action does not know: InvalidFilter|cvm|DescribeInstances|{"Filters": [{"Name": "colour", "Values": ["red"]}]}||InvalidFilter
Limit above 100: InvalidParameterValue|cvm|DescribeInstances|{"Limit": 101}||InvalidParameterValue
a CLB that does not exist: InvalidParameter.LBIdNotFound|clb|DeleteLoadBalancer|{"LoadBalancerIds": ["lb-00000000"]}||InvalidParameter.LBIdNotFound'
mkdir -p "$T/req"
printf '%s\n' "$CASES" | cut -d'|' -f2-5 | python3 "$T/sign.py" "$T/req" ||
	{ _result 1 "sign.py wrote the requests"; }
# shellcheck disable=SC2016 # $1 and $f are the inner sh's
tx sh -c 'for f in "$1"/*.cfg; do curl -sS --noproxy "*" --cacert "$TENCENT_FAKE_CA" -K "$f" || echo "curl $f failed"; done' sh "$T/req"
got=$(python3 -c 'import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.out")):
    try:
        r = json.load(open(f))["Response"]
        print(r["Error"]["Code"] if "Error" in r else "OK " + " ".join(sorted(k for k in r if k != "RequestId")))
    except (ValueError, KeyError) as e:
        print(f"unreadable {f}: {e}")' "$T/req")
n=0
while IFS='|' read -r name _ _ _ _ want; do
	n=$((n + 1))
	is "$name" "$(printf '%s\n' "$got" | sed -n "${n}p")" "$want"
done <<< "$CASES"
is "every answer says it is a fake (X-Fake)" \
	"$(tx curl -sS -D - -o /dev/null --cacert "$TC_DIR/ca.pem" https://clb.tencentcloudapi.com/_fake/stats | tr -d '\r' | sed -n 's/^X-Fake: //Ip')" \
	"tencent-fake.py (not Tencent Cloud)"
is "/_fake/control refuses an unknown key" \
	"$(tx curl -sS -o /dev/null -w '%{http_code}' --cacert "$TC_DIR/ca.pem" -d '{"colour": 1}' https://cvm.tencentcloudapi.com/_fake/control)" 400

# --- the wrapper ---
is "tencent: 77 (cannot run here) for a user that is not root" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups "$TOP/tests/cloud/tencent" start --dir "$T/nobody" 2>/dev/null; echo $?)" 77
is "tencent: 2 for a usage error" "$("$TOP/tests/cloud/tencent" bogus 2>/dev/null; echo $?)" 2
is "tencent status: running, 1 for a directory with no fake" \
	"$("$TOP/tests/cloud/tencent" status --dir "$TC_DIR" >/dev/null; echo $?) $("$TOP/tests/cloud/tencent" status --dir "$T/none" >/dev/null; echo $?)" "0 1"

echo "1..$_n"
done_testing
