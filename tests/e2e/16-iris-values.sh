#!/usr/bin/env bash
# 16-iris-values.sh: values icm puts into what InterSystems IRIS reads
# (ObjectScript, the CPF merge file, `iris session -U`) are checked before
# anything changes, whatever the configuration layer let through (issue 14):
#   run with a SystemMode holding a control character is refused naming the
#   node, the merge file and the field, not the value, and writes no node
#   directory nor icm.log;
#   session, sql and terminal with a -namespace that is no namespace name
#   (quotes, $zf, a leading dash) are refused naming the node and
#   -namespace, before any node is reached.
# No network: the deployment is the AWS instances.json of tests/data/e2e.
. "$(dirname "$0")/lib.sh"
plan 10
cd "$T"
cp "$DATA/e2e/aws/instances.json" .
# run checks its client certificate exists before it checks values
mkdir -p state/pki/client
touch state/pki/ca.pem state/pki/client/cert.pem state/pki/client/key.pem

out=$("$ICM" run -override '{"DockerImage": "intersystems/iris:2024.1", "SystemMode": "LIVE\t[Startup]"}' 2>&1)
is "run with a tab in SystemMode: exit 1" $? 1
contains "... naming node, file and field" "$out" \
	"ECP-DM-TEST-0001, the merge file (CPF): SystemMode holds a control character (0x09 at byte 5)"
lacks "... not the value" "$out" "[Startup]"
is "... before any change (no node directory, no icm.log)" \
	"$(ls state; ls icm.log 2>/dev/null)" pki

NS='X") do $zf(-1,"id") //'
out=$("$ICM" session -namespace "$NS" -command 'write 1,!' 2>&1)
is "session -namespace with a quote and \$zf: exit 1" $? 1
contains "... refused as the command line's Namespace" "$out" \
	"Error: command line: field 'Namespace': expected a namespace name"
is "... before anything ran (no node directory)" "$(ls state)" pki
out=$("$ICM" sql -namespace -U -command 'SELECT 1' 2>&1)
contains "sql -namespace starting with a dash: refused" "$out" \
	"Error: command line: field 'Namespace': expected a namespace name"
out=$("$ICM" terminal -namespace 'A B' -machine ECP-DM-TEST-0001 2>&1)
is "terminal -namespace with a space: exit 1" $? 1
is "... before anything ran (no node directory)" "$(ls state)" pki
done_testing
