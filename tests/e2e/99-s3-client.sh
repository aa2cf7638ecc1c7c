#!/usr/bin/env bash
# 99-s3-client.sh: icm's S3 client (src/cloud/s3.c with http.c, sigv4.c,
# awscreds.c, xml.c) against moto's S3, through tests/cloud/s3-check, with
# both in moto's loopback-only network namespace (tests/cloud/moto):
#   - PUT create-only (If-None-Match: *) twice: the second is 412; PUT with
#     a wrong If-Match: 412; with the right one: a new ETag;
#   - GET (body, ETag, size, Date), HEAD (ETag, size, Last-Modified, Date),
#     a GET over the caller's cap, GET and HEAD of a missing key;
#   - ListObjectsV2 under a prefix (3 keys, one with a space, '+' and
#     UTF-8; a key outside the prefix not listed), stopped by its callback;
#   - DELETE with a wrong If-Match: 412; with the right one; of a missing
#     key: ok; a key with a '..' segment refused before anything is sent;
#   - a missing bucket worded as such;
#   - boto3 sees what the client wrote under the same names;
#   - the secret key is in no output;
#   - botocore's S3SigV4Auth signs the requests s3-check -S prints (keys
#     with spaces, '+', '~' and UTF-8, a listing's query, conditions, an
#     empty PUT, virtual-hosted style, a session token) to the same
#     Authorization (moto does not check signatures);
#   - retries, against a stub server: 503 SlowDown, 409
#     ConditionalRequestConflict and 500 are retried until the 200; 412 and
#     403 are not (one request each).
# Root only (network namespaces); skipped without moto.
. "$(dirname "$0")/lib.sh"
CHECK=${S3_CHECK:-$(dirname "$ICM")/tests/s3-check}
[ -x "$CHECK" ] || { echo "1..1"; echo "not ok 1 - s3-check is built ($CHECK)"; exit 1; }
moto_up "$T/moto"
plan 15

SECRET=s3-check-secret-$$
out=$(mx python3 -c 'import boto3; boto3.client("s3").create_bucket(Bucket="icm-state")' 2>&1)
is_shown "boto3 makes the bucket in moto" $? 0 "$out"

out=$(mx env AWS_SECRET_ACCESS_KEY="$SECRET" "$CHECK" icm-state t/ 2>&1)
is_shown "s3-check runs" $? 0 "$out"
step() { printf '%s\n' "$out" | sed -n "/^$1: /{s/^$1: //;p;q}"; }

# the conditional PUTs
is "create-only, then again, then If-Match wrong and right" \
	"$(printf '%s\n' "$out" | sed -n '1,5p')" \
	"create: ok etag date
create-again: precondition
put-wrong-etag: precondition
put-right-etag: ok etag date
  etag changed"
is "GET, HEAD, over the cap, missing" \
	"$(for s in get head get-over-cap get-missing head-missing; do echo "$s: $(step "$s")"; done)" \
	"get: ok body etag size
head: ok etag size dates
get-over-cap: failed: S3 GET s3://icm-state/t/state.json: the object is larger than 3 bytes
get-missing: not-found
head-missing: not-found"
is "the listing under t/ (lexicographic, the key outside not there)" \
	"$(printf '%s\n' "$out" | sed -n '/^put-outside:/,/^list:/p')" \
	"put-outside: ok etag date
  t/a b+c été 1 etag
  t/nested/z 5 etag
  t/state.json 6 etag
list: ok"
is "the callback stops a listing" \
	"$(printf '%s\n' "$out" | sed -n '/^list:/,/^list-stopped:/p' | tail -n 2)" \
	"  t/a b+c été 1 etag
list-stopped: failed: (no reason)"
is "conditional DELETEs, a missing key, a bad key" \
	"$(for s in delete-wrong-etag delete head-deleted delete-missing; do echo "$s: $(step "$s")"; done)" \
	"delete-wrong-etag: precondition
delete: ok
head-deleted: not-found
delete-missing: ok"
contains "a '..' segment is refused before sending" "$(step bad-key)" \
	"failed: the S3 key 'a/../b' has a '.' or '..' path segment"
is "a missing bucket" "$(step get-no-bucket) | $(step put-no-bucket)" \
	"failed: S3 GET s3://icm-no-such-bucket/t/state.json: the bucket icm-no-such-bucket does not exist (icm does not create it) | failed: S3 PUT s3://icm-no-such-bucket/t/state.json: the bucket icm-no-such-bucket does not exist (icm does not create it)"

# boto3 reads what icm's client wrote, names encoded the same way
got=$(mx python3 -c '
import boto3
c = boto3.client("s3")
for o in c.list_objects_v2(Bucket="icm-state", Prefix="t/")["Contents"]:
    b = c.get_object(Bucket="icm-state", Key=o["Key"])["Body"].read()
    print(o["Key"], b.decode())' 2>&1)
is "boto3 sees the same keys and bodies" "$got" "t/a b+c été 2
t/nested/z three"
lacks "the secret key is in no output" "$out" "$SECRET"

cat > "$T/boto-sign.py" <<'PY'
import datetime, sys
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
WHEN = datetime.datetime(2025, 11, 25, 2, 0, 0)   # s3-check.c's WHEN
botocore.auth.get_current_datetime = lambda *a, **k: WHEN
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    name, method, url, region, token, body, auth = f[:7]
    hdrs = dict(h.split(": ", 1) for h in f[7:])
    for h in ("X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token"):
        hdrs.pop(h, None)          # botocore adds its own
    req = AWSRequest(method=method, url=url, data=bytes.fromhex(body),
                     headers=hdrs)
    creds = Credentials("AKIDEXAMPLE",
                        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                        None if token == "-" else token)
    botocore.auth.S3SigV4Auth(creds, "s3", region).add_auth(req)
    got = req.headers["Authorization"]
    print(name, "same" if got == auth else "differs: " + got)
PY
got=$("$CHECK" -S | mx python3 "$T/boto-sign.py" 2>&1)
is "botocore signs S3 requests as icm does" "$got" "get-path same
put-create same
put-match-empty same
delete-match same
list same
head-vhost same
list-vhost same
get-token same"

# a stub S3 whose answers to a PUT are named by its key:
# /BUCKET/seq/STATUS.CODE/.../200, one per request, the last repeated
cat > "$T/stub.py" <<'PY'
import http.server, sys
seen = {}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        seq = self.path.split("/seq/", 1)[1].split("/")
        n = seen.get(self.path, 0)
        seen[self.path] = n + 1
        with open(sys.argv[2], "a") as f:
            f.write("%s %s\n" % (self.path, self.headers.get("If-None-Match")))
        st, _, code = seq[min(n, len(seq) - 1)].partition(".")
        body = b"" if not code else (
            "<Error><Code>%s</Code><Message>stub %s</Message></Error>"
            % (code, n)).encode()
        self.send_response(int(st))
        if st == "200":
            self.send_header("ETag", '"stub-etag"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
: > "$T/stub.log"
got=$(mx sh -c '
	python3 "$1" 5100 "$2" & stub=$!
	for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/5100) 2>/dev/null && break; sleep 0.1; done 2>/dev/null
	shift 2
	for k in "$@"; do AWS_ENDPOINT_URL=http://127.0.0.1:5100 "$0" -p icm-state "$k"; done
	kill $stub' "$CHECK" "$T/stub.py" "$T/stub.log" \
	seq/503.SlowDown/409.ConditionalRequestConflict/500.InternalError/200 \
	seq/412.PreconditionFailed seq/403.AccessDenied 2>&1)
is "retried until the 200; 412 and 403 at once" "$got" "put: ok etag date
put: precondition
put: failed: S3 PUT s3://icm-state/seq/403.AccessDenied: access denied: the credentials from the environment lack a permission on bucket icm-state (AccessDenied: stub 0, HTTP 403)"
is "... 4 requests, then 1 and 1" \
	"$(awk '{print $1}' "$T/stub.log" | uniq -c | awk '{print $1}' | tr '\n' ' ')" "4 1 1 "
is "... each with If-None-Match: *" "$(awk '{print $2}' "$T/stub.log" | sort -u)" "*"
done_testing
