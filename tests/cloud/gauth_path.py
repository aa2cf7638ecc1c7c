"""gauth_path.py: puts google-auth on sys.path for the GCP test scripts
(gauth-jwt.py, gauth-token-server.py): $GAUTH_PATH, else the copy bundled
with gcloud.  add() returns False when none is found (the caller's import
then says why)."""
import os
import sys

PATHS = ["/usr/lib/google-cloud-sdk/lib/third_party",
         "/usr/share/google-cloud-sdk/lib/third_party"]


def add():
    for p in [os.environ.get("GAUTH_PATH", "")] + PATHS:
        if p and os.path.isdir(os.path.join(p, "google", "auth")):
            sys.path.insert(0, p)
            return True
    return False
