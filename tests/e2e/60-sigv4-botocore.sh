#!/usr/bin/env bash
# 60-sigv4-botocore.sh: icm's SigV4 signatures (src/cloud/sigv4.c through
# ec2.c's aws_sign_form) equal botocore's SigV4Auth for icm's own EC2 and
# ELB requests: DescribeInstances with filters, RunInstances with
# BlockDeviceMapping.N.Ebs.* and tag specifications, CreateTags with a
# Unicode tag value, ImportKeyPair with a base64 body, DescribeRegions on
# an http:// endpoint with a port, an ELB call; each without and with a
# session token.  tests/cloud/sigv4-sign prints the requests and icm's
# Authorization values; tests/cloud/botocore-sign.py signs the same with
# the same fixed credentials and time.  Also: botocore's form encoder
# writes the same body bytes.  No network is involved.
. "$(dirname "$0")/lib.sh"

PY=${PYTHON:-python3}
"$PY" -c 'import botocore.auth' 2>/dev/null ||
	skip_all "botocore is not importable by $PY (pip: botocore)"
SIGN=${SIGV4_SIGN:-$(dirname "$ICM")/tests/sigv4-sign}
[ -x "$SIGN" ] || { echo "1..1"; echo "not ok 1 - sigv4-sign is built ($SIGN)"; exit 1; }

"$SIGN" >"$T/icm.txt" 2>"$T/icm.err"
rc=$?
"$PY" "$TOP/tests/cloud/botocore-sign.py" <"$T/icm.txt" >"$T/boto.txt" 2>"$T/boto.err"
prc=$?
n=$(wc -l <"$T/icm.txt")
plan $((2 + 2 * n + 1))
is "sigv4-sign ran" "$rc $(head -c 300 "$T/icm.err")" "0 "
is "botocore-sign.py ran" "$prc $(tail -n 3 "$T/boto.err")" "0 "
while IFS=$'\t' read -r name _ _ _ _ _ auth; do
	is "$name: botocore's Authorization" \
		"$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$T/boto.txt")" "$auth"
	is "$name: botocore encodes the body the same" \
		"$(awk -F'\t' -v n="$name-encoding" '$1 == n { print $2 }' "$T/boto.txt")" same
done <"$T/icm.txt"
is "12 requests signed (6 kinds, without and with a token)" "$n" 12
done_testing
