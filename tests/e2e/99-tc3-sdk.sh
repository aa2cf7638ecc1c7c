#!/usr/bin/env bash
# 99-tc3-sdk.sh: icm's TC3-HMAC-SHA256 signature equals the official
# Tencent Cloud npm SDK's for a fixed request and time.
# tests/cloud/tc3-sign prints icm's Authorization (src/provider/tencent/
# tc3.c) for Tencent's documented example and for RunInstances,
# DescribeVpcs, DescribeTaskResult and DescribeRegions bodies built as
# tc_call() builds them (UTF-8 tags, escapes, a UTC day boundary);
# tests/cloud/tc3-sdk.mjs has the SDK's Sign.sign3 sign the same bytes,
# host, service and time: equal, and the SDK's own JSON of each body is
# the same bytes.  A body one byte off or another second signs
# differently (the comparison can fail).  Then the SDK's CVM client makes
# a DescribeInstances request to cvm.tencentcloudapi.com, its connection
# redirected to a server on loopback (in a network namespace with only
# loopback when unprivileged namespaces work): icm signs what that server
# received at its X-TC-Timestamp and gets the SDK's Authorization.
# Needs node and the SDK in build/tests/tencent-sdk (build.sh's npm ci;
# $TENCENT_SDK_DIR elsewhere): skips without them.
. "$(dirname "$0")/lib.sh"

NM=${TENCENT_SDK_DIR:-$TOP/build/tests/tencent-sdk}/node_modules
SDK=$TOP/tests/cloud/tc3-sdk.mjs
SIGN=${TC3_SIGN:-$(dirname "$ICM")/tests/tc3-sign}
command -v node >/dev/null || skip_all "node is missing (it runs the Tencent Cloud npm SDK)"
[ -f "$NM/tencentcloud-sdk-nodejs/package.json" ] ||
	[ -f "$NM/tencentcloud-sdk-nodejs-common/package.json" ] ||
	skip_all "the Tencent Cloud npm SDK is not installed in $NM (build.sh's npm ci)"
[ -x "$SIGN" ] || { echo "1..1"; echo "not ok 1 - tc3-sign is built ($SIGN)"; exit 1; }

# Only loopback for the SDK client when unprivileged namespaces work.
NONET=()
if unshare -rn sh -c 'ip link set lo up' 2>/dev/null; then
	NONET=(unshare -rn sh -c 'ip link set lo up && exec "$@"' sh)
fi

plan 13
"$SIGN" >"$T/icm" 2>"$T/icm.err"
ok "tc3-sign prints its requests" test -s "$T/icm"
is "Tencent's documented example: the published signature" \
	"$(awk -F'\t' '$1 == "doc-example" { sub(/.*Signature=/, "", $6); print $6 }' "$T/icm")" \
	72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168
node "$SDK" "$NM" sign <"$T/icm" >"$T/sdk" 2>"$T/sdk.err"
ok "the SDK signs them" test -s "$T/sdk"
for name in doc-example run-instances describe-vpcs task-result \
	regions-midnight regions-next-day; do
	is "$name: icm's Authorization is the SDK's" \
		"$(awk -F'\t' -v n=$name '$1 == n { print $6 }' "$T/icm")" \
		"$(awk -F'\t' -v n=$name '$1 == n { print $2 }' "$T/sdk")"
done
is "the SDK's JSON of each body built as tc_call() builds it: the same bytes" \
	"$(awk -F'\t' '$1 != "doc-example" && $3 != "yes" { print $1 }' "$T/sdk")" ""

# the comparison can fail: another byte, another second
awk -F'\t' -v OFS='\t' '$1 == "task-result" { $5 = $5 " " } { print }' \
	"$T/icm" | node "$SDK" "$NM" sign >"$T/sdk2" 2>&1
awk -F'\t' -v OFS='\t' '$1 == "describe-vpcs" { $4 = $4 + 1 } { print }' \
	"$T/icm" | node "$SDK" "$NM" sign >"$T/sdk3" 2>&1
ok "a body one byte longer, a second later: the SDK's signature differs" \
	test "$(awk -F'\t' '$1 == "task-result" { print $2 }' "$T/sdk2")" != \
	"$(awk -F'\t' '$1 == "task-result" { print $6 }' "$T/icm")" -a \
	"$(awk -F'\t' '$1 == "describe-vpcs" { print $2 }' "$T/sdk3")" != \
	"$(awk -F'\t' '$1 == "describe-vpcs" { print $6 }' "$T/icm")"

out=$(timeout 60 "${NONET[@]}" node "$SDK" "$NM" client 2>&1)
IFS=$'\t' read -r host ts ctype body auth <<<"$out"
is "the SDK client's request: Host and Content-Type" "${host%%:*} $ctype" \
	"cvm.tencentcloudapi.com application/json; charset=utf-8"
mine=$(printf %s "$body" | "$SIGN" sign cvm "${host%%:*}" "$ts" 2>&1)
is "icm signs what the SDK client sent (its body, at its time) as the SDK did" \
	"$mine" "$auth"
done_testing
