#!/usr/bin/env python3
"""gauth-jwt.py: the JWT google-auth (bundled with gcloud) signs for a
service-account key file at a fixed clock, for tests/e2e/91-gcp-jwt.sh to
compare with icm's (tests/cloud/gcp-jwt).

    gauth-jwt.py MODE KEYFILE UNIX-TIME [SCOPE]

MODE "encode": google.auth.crypt.RSASigner.from_service_account_info and
google.auth.jwt.encode with icm's claims (iat, exp = iat + 3600, iss,
aud = the key's token_uri, scope).  MODE "credentials": the assertion
google.oauth2.service_account.Credentials makes itself for the token
exchange (its clock fixed; its aud is Google's token endpoint, so the key
must name that endpoint as token_uri).  Prints the JWT; exit 1 with the
reason on stderr when google-auth is missing or fails.  Finds google-auth
with gauth_path.py ($GAUTH_PATH, else gcloud's bundled copy).
"""
import datetime
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gauth_path  # noqa: E402

SCOPE = "https://www.googleapis.com/auth/compute"


def die(msg):
    print("gauth-jwt.py: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ("encode",
                                                          "credentials"):
        die("usage: gauth-jwt.py encode|credentials KEYFILE UNIX-TIME "
            "[SCOPE]")
    mode, path, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
    scope = sys.argv[4] if len(sys.argv) == 5 else SCOPE
    gauth_path.add()
    try:
        from google.auth import _helpers, crypt, jwt
        from google.oauth2 import service_account
    except ImportError as e:
        die("google-auth is not importable: %s" % e)
    with open(path) as f:
        info = json.load(f)
    if mode == "encode":
        signer = crypt.RSASigner.from_service_account_info(info)
        payload = {"iat": now, "exp": now + 3600,
                   "iss": info["client_email"], "aud": info["token_uri"],
                   "scope": scope}
        out = jwt.encode(signer, payload)
    else:
        fixed = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        _helpers.utcnow = lambda: fixed.replace(tzinfo=None)
        creds = service_account.Credentials.from_service_account_info(
            info, scopes=[scope])
        out = creds._make_authorization_grant_assertion()
    print(out.decode() if isinstance(out, bytes) else out)


if __name__ == "__main__":
    main()
