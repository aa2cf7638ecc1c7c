#!/usr/bin/env python3
"""gauth-token-server.py: a token endpoint that checks JWTs with
google-auth (bundled with gcloud), for tests/e2e/91-gcp-jwt.sh.

    gauth-token-server.py PORT PUBLIC-KEY.pem KID

Listens on 127.0.0.1:PORT.  POST /token with grant_type jwt-bearer: the
assertion is checked by google.auth.jwt.decode against the public key
(for the key id KID), the audience http://127.0.0.1:PORT/token and the
server's clock.  Accepted: 200 {"access_token": "ya29.gauth-N",
"expires_in": 3599, "token_type": "Bearer"}.  Refused as Google's
endpoint words it: 400 invalid_grant "Invalid JWT Signature." for a bad
signature or another key id, "Invalid JWT: Token must be a short-lived
token ..." for times out of window, 400 invalid_request otherwise.  Prints
"ready" once listening; exit 1 with the reason when google-auth is
missing.  Finds google-auth with gauth_path.py.
"""
import http.server
import json
import os
import sys
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gauth_path  # noqa: E402

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TIME_WORDS = ("Invalid JWT: Token must be a short-lived token (60 minutes) "
              "and in a reasonable timeframe. Check your iat and exp values "
              "in the JWT claim.")


def die(msg):
    print("gauth-token-server.py: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 4:
        die("usage: gauth-token-server.py PORT PUBLIC-KEY.pem KID")
    port, kid = int(sys.argv[1]), sys.argv[3]
    with open(sys.argv[2]) as f:
        pub = f.read()
    gauth_path.add()
    try:
        from google.auth import exceptions, jwt
    except ImportError as e:
        die("google-auth is not importable: %s" % e)
    audience = "http://127.0.0.1:%d/token" % port
    issued = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(n).decode())
            ctype = self.headers.get("Content-Type", "")
            if (self.path != "/token" or
                    ctype != "application/x-www-form-urlencoded" or
                    form.get("grant_type") != [GRANT] or
                    len(form.get("assertion", [])) != 1):
                return self.answer(400, {"error": "invalid_request"})
            try:
                jwt.decode(form["assertion"][0], certs={kid: pub},
                           audience=audience)
            except (exceptions.MalformedError, ValueError) as e:
                words = str(e)
                if "too early" in words or "expired" in words.lower():
                    words = TIME_WORDS
                elif "signature" in words or "key id" in words.lower():
                    words = "Invalid JWT Signature."
                return self.answer(400, {"error": "invalid_grant",
                                         "error_description": words})
            issued[0] += 1
            return self.answer(200, {"access_token":
                                     "ya29.gauth-%d" % issued[0],
                                     "expires_in": 3599,
                                     "token_type": "Bearer"})

        def log_message(self, fmt, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
