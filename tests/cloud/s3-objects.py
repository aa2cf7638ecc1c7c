#!/usr/bin/env python3
"""s3-objects.py: what a bucket holds, for the tests of icm's state in S3
(tests/e2e/99-s3-state.sh).  Runs where boto3 reaches the store (moto's
namespace: AWS_ENDPOINT_URL).

  s3-objects.py mkbucket BUCKET
  s3-objects.py list BUCKET PREFIX        one "KEY ETAG" line per object
  s3-objects.py names BUCKET PREFIX       the keys below PREFIX/, relative
  s3-objects.py get BUCKET KEY            the object's bytes to stdout
  s3-objects.py put BUCKET KEY TEXT       replaces it (unconditionally)
  s3-objects.py plain BUCKET PREFIX WORD...
        prints "KEY: WORD" for every object (PREFIX "": of the whole
        bucket) that holds a WORD in plain bytes (sealed objects are
        opaque), exit 0 either way
  s3-objects.py sealed BUCKET KEY         exit 0 when the object starts
                                          with icm's seal (ICMSEAL1)
"""
import sys
import boto3


def objects(s3, bucket, prefix):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for o in page.get("Contents", []):
            yield o


def main(argv):
    s3 = boto3.client("s3")
    cmd, bucket = argv[1], argv[2]
    if cmd == "mkbucket":
        s3.create_bucket(Bucket=bucket)
    elif cmd == "list":
        for o in objects(s3, bucket, argv[3] + "/"):
            print(o["Key"], o["ETag"])
    elif cmd == "names":
        p = argv[3] + "/"
        for o in objects(s3, bucket, p):
            print(o["Key"][len(p):])
    elif cmd == "get":
        sys.stdout.buffer.write(s3.get_object(Bucket=bucket, Key=argv[3])["Body"].read())
    elif cmd == "put":
        s3.put_object(Bucket=bucket, Key=argv[3], Body=argv[4].encode())
    elif cmd == "plain":
        words = [w.encode() for w in argv[4:]]
        for o in objects(s3, bucket, argv[3] + "/" if argv[3] else ""):
            body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            for w in words:
                if w in body:
                    print("%s: %s" % (o["Key"], w.decode()))
    elif cmd == "sealed":
        body = s3.get_object(Bucket=bucket, Key=argv[3])["Body"].read()
        return 0 if body.startswith(b"ICMSEAL1") else 1
    else:
        sys.exit("usage: see the header")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
