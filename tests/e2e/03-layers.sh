#!/usr/bin/env bash
# 03-layers: the layers src/DESIGN.md names hold, by what each file
# includes: src/util/ depends on nothing of ours (the reporting functions
# and the secret registry are there, icm.log plugs into them from
# src/state/); nothing below the commands includes src/cmd/ (the Docker
# fan-out and the IRIS driver take the state directory, the nodes and a
# field callback, not the command's context); src/docker/ knows nothing of
# IRIS; libcurl is driven by one wrapper (src/cloud/http.c), Docker's API
# client included.
. "$(dirname "$0")/lib.sh"
plan 5
S=$TOP/src

# Every #include "../<dir>/..." of the files given, as "file: line".
includes_of() {
	grep -Hn '^#[[:space:]]*include[[:space:]]*"\.\./' "$@" 2>/dev/null |
		sed "s|^$S/||"
}

is "src/util/ includes nothing of ours outside it (but icm.h)" \
	"$(includes_of "$S"/util/*.[ch] | grep -v '"\.\./icm\.h"')" ""
is "only main.c and src/cmd/ include src/cmd/" \
	"$(includes_of $(find "$S" -name '*.[ch]' ! -path "$S/cmd/*") |
	   grep '"\.\./cmd/')" ""
is "src/docker/ includes nothing of src/iris/" \
	"$(includes_of "$S"/docker/*.[ch] | grep '"\.\./iris/')" ""
is "the runtime (containers or Containerless) is chosen in one place" \
	"$(grep -n 'ctx_containerless(' "$S"/cmd/*.c | sed "s|^$S/||" |
	   grep -v '^cmd/install\.c:')" ""
is "libcurl is included by cloud/http.c alone (and cmd/version.c)" \
	"$(grep -ln '^#[[:space:]]*include[[:space:]]*<curl/' \
	   $(find "$S" -name '*.[ch]') | sed "s|^$S/||" |
	   grep -vx 'cloud/http\.c\|cmd/version\.c')" ""
done_testing
