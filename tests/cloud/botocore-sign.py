#!/usr/bin/env python3
"""botocore-sign.py: signs, with botocore's SigV4Auth, the requests that
tests/cloud/sigv4-sign prints (one per line on stdin:
name service region url session-token-or-'-' body authorization) with the
same fixed credentials and time, and prints "name<TAB>authorization" for
each, for tests/e2e/60-sigv4-botocore.sh to compare.  A second line per
request, "name-encoding<TAB>same" (or "differs: ..."), says whether
botocore's own form encoder (percent_encode_sequence, what its ec2 and
query serializers use) writes the same parameters byte for byte as icm's
body.  Nothing is sent."""
import datetime
import sys

import urllib.parse

import botocore.auth
import botocore.utils
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

WHEN = datetime.datetime(2025, 11, 25, 2, 0, 0)  # sigv4-sign.c's WHEN
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

# botocore reads the clock through this function; pin it.
botocore.auth.get_current_datetime = lambda *a, **k: WHEN

for line in sys.stdin:
    name, service, region, url, token, body, _ = line.rstrip("\n").split("\t")
    req = AWSRequest(
        method="POST", url=url, data=body.encode("ascii"),
        headers={"Content-Type":
                 "application/x-www-form-urlencoded; charset=utf-8"})
    creds = Credentials(ACCESS_KEY, SECRET_KEY,
                        None if token == "-" else token)
    botocore.auth.SigV4Auth(creds, service, region).add_auth(req)
    print("%s\t%s" % (name, req.headers["Authorization"]))
    pairs = urllib.parse.parse_qsl(body, keep_blank_values=True,
                                   strict_parsing=True)
    again = botocore.utils.percent_encode_sequence(pairs)
    print("%s-encoding\t%s" % (name, "same" if again == body else
                               "differs: " + again))
