#!/bin/sh
# keygenSSH.sh [dir]: ICM's SSH key script, done by icm itself.
# Writes insecure, insecure.pub, insecure-ssh2.pub, secure-ssh2 and
# secure-ssh2.pub to dir (default /Samples/ssh, as ICM's script did).
# Extra arguments go to `icm keygen ssh` (-force, -type ecdsa, -bits n).
dir=${1:-/Samples/ssh}
[ $# -gt 0 ] && shift
exec "${ICM:-icm}" keygen ssh "$dir" "$@"
