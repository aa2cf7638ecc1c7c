#!/usr/bin/env bash
# 13-secrets: passwords given in the configuration never reach icm.log,
# response.json or an error message.
. "$(dirname "$0")/lib.sh"
plan 12
cd "$T"
cp "$DATA"/e2e/pre/*.json .
secrets="Iris-E2E-pw-1 Reg-pw-E2E-2 ssh-pw-E2E-3 Cli-pw-E2E-4"

out=$("$ICM" provision -iscPassword Cli-pw-E2E-4 -verbose 2>&1)
ok "provision wrote icm.log" test -s icm.log
log=$(cat icm.log)
for s in $secrets; do lacks "icm.log lacks $s" "$log" "$s"; done
for s in $secrets; do lacks "console lacks $s" "$out" "$s"; done

"$ICM" provision -plan -json >/dev/null 2>&1
r=$(cat response.json)
for s in Iris-E2E-pw-1 Reg-pw-E2E-2 ssh-pw-E2E-3; do
	lacks "response.json (-plan -json) lacks $s" "$r" "$s"
done
done_testing
