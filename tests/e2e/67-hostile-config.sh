#!/usr/bin/env bash
# 67-hostile-config: configurations and an instances.json written to do
# harm (issue 14).  Each hostile configuration is refused by
# `provision -plan` and by `provision` alike: exit 1, the same message
# with file:line:col, and nothing written (no state/, no icm.log, no file
# a value names).  PreExisting on unroutable 198.18.0.x: a provision that
# got past its checks would reach for a host, so none may.  An
# instances.json whose MachineName climbs out of the state directory is
# refused where it is read.  Count and StartCount past ICM's four digits
# are refused at once.  SSH key files that are missing or not keys stop
# provision before it writes anything.  No test world.
. "$(dirname "$0")/lib.sh"
plan 89

# The base configuration; each case overrides one part through these.
L='"Lab"' TG='"HC"' U='"icm"' NS='"USER"' ZONE='"z1"'
DM='"IPAddress": "198.18.0.1"'
AM='"IPAddress": "198.18.0.2", "StartCount": "2"'
write_config() {
	cat > defaults.json <<EOF
{
    "Provider": "PreExisting",
    "Label": $L,
    "Tag": $TG,
    "SSHUser": $U,
    "SSHPrivateKey": "keys/none",
    "DockerImage": "intersystems/iris:2025.1",
    "Namespace": $NS,
    "Zone": $ZONE,
    "TLSKeyDir": "tls"
}
EOF
	cat > definitions.json <<EOF
[
    {
        "Role": "DM",
        $DM
    },
    {
        "Role": "AM",
        $AM
    }
]
EOF
}

# hostile NAME WANT: -plan and provision both exit 1 with the same message,
# which contains WANT, and nothing changes under $T.
hostile() {
	local name=$1 want=$2 before p_out p_st out st
	rm -rf "$T/w" && mkdir "$T/w" && cd "$T/w" || exit 1
	write_config
	[ -z "${JUNK_TLS:-}" ] || { mkdir tls && echo junk > tls/ca.pem && echo junk > tls/ca-key.pem; }
	before=$(snapshot "$T")
	p_out=$("$ICM" provision -plan 2>&1); p_st=$?
	out=$(timeout 60 "$ICM" provision 2>&1); st=$?
	is "$name: -plan and provision exit 1" "$p_st $st" "1 1"
	if [ "$p_out" = "$out" ]; then
		contains "$name: the same message, naming the place" "$out" "$want"
	else
		_result 1 "$name: the same message, naming the place"
		printf '#   -plan:     %s\n#   provision: %s\n' "$p_out" "$out"
	fi
	is "$name: nothing written" "$(snapshot "$T")" "$before"
	cd "$T" || exit 1
}

# The base itself plans: the refusals below are the values'.
mkdir "$T/w" && cd "$T/w" && write_config
out=$("$ICM" provision -plan 2>&1)
is "the base configuration plans" "$?" 0
contains "... two hosts" "$out" "2 nodes on PreExisting"
cd "$T" && rm -rf "$T/w"

L='"$(touch x)"' hostile "Label \$(touch x)" \
	"defaults.json:3:14: field 'Label': expected letters, digits, '_' and '.' only, got '\$(touch x)'"
L='"a;b"' hostile "Label a;b" "defaults.json:3:14: field 'Label'"
TG='"../x"' hostile "Tag ../x" "defaults.json:4:12: field 'Tag'"
L='"a b"' hostile "Label with a space" "defaults.json:3:14: field 'Label'"
TG='"a\nb"' hostile "Tag with a newline" \
	"defaults.json:4:12: field 'Tag': expected letters, digits, '_' and '.' only, got 'a\\x0ab'"
L='"a\u0000b"' hostile "Label with \\u0000" \
	"defaults.json:3:16: unexpected '\\', \\u0000 (NUL) is not allowed in a string"
L='"ThisLabelIsFarTooLongToName"' hostile "Label of 27 characters" \
	"field 'Label': at most 24 characters"
U='"../../root"' hostile "SSHUser ../../root" "defaults.json:5:16: field 'SSHUser'"
NS='"USER\") do $zf(-1,\"id\") //"' hostile "Namespace that closes its string" \
	"defaults.json:8:18: field 'Namespace': expected a namespace name"
ZONE='"z1,../../x"' hostile "Zone ../../x" "field 'Zone': entry 2:"
AM='"IPAddress": "10.0.0.2\",1972,\"IRISCLUSTER\") do $zf(-1,\"touch /tmp/pwned\") //"' \
	hostile "IPAddress that closes its string" \
	"definitions.json:8:22: field 'IPAddress': expected an IPv4 or IPv6 address"
AM='"DNSName": "host;reboot", "StartCount": "2"' hostile "DNSName host;reboot" \
	"definitions.json:8:20: field 'DNSName': expected a host name"
AM='"IPAddress": "198.18.0.2", "StartCount": "9223372036854775806"' \
	hostile "StartCount past four digits" \
	"field 'StartCount': expected a whole number from 1 to 9999"
# what the provider checks is checked by -plan too
AM='"IPAddress": "198.18.0.1", "StartCount": "2"' hostile "one host twice" \
	"Lab-DM-HC-0001 and Lab-AM-HC-0002 are the same host '198.18.0.1'"
AM='"IPAddress": "198.18.0.2", "DataDeviceName": "/dev/sdb"' hostile \
	"a PreExisting device" "DataDeviceName '/dev/sdb': PreExisting volumes are directories"
JUNK_TLS=1 hostile "a TLSKeyDir CA icm cannot read" \
	"TLSKeyDir: cannot use the CA file 'tls/ca.pem': not a PEM certificate icm can read"
ok "no file made by a value" test ! -e "$T/w/x" -a ! -e /tmp/pwned

# Count past ICM's four digits is refused at once (it spun for minutes).
for c in 93-count-huge 94-startcount-overflow; do
	rm -rf "$T/w" && cp -r "$DATA/config/bad/$c" "$T/w" && cd "$T/w" || exit 1
	out=$(timeout 10 "$ICM" provision -plan 2>&1); st=$?
	is "$c: refused within 10 s" "$st" 1
	contains "$c: ... naming the field" "$out" "$(cat expected)"
	cd "$T" || exit 1
done

# An instances.json whose MachineName leaves the state directory: refused
# where it is read, with its place; nothing made, in or out of state/.
rm -rf "$T/w" && mkdir -p "$T/w/sub" && cd "$T/w/sub" || exit 1
cat > instances.json <<'EOF'
[
    {
        "MachineName": "../../../escaped",
        "Role": "DM",
        "Label": "Lab",
        "Tag": "HC",
        "IPAddress": "127.0.0.1",
        "SSHUser": "icm",
        "SSHPassword": "pw-hostile-1",
        "MaxConnectAttempts": "1",
        "RetryCount": "1",
        "RetryInterval": "0"
    }
]
EOF
before=$(snapshot "$T")
out=$(timeout 30 "$ICM" ssh -command true 2>&1); st=$?
is "instances.json MachineName ../../../escaped: exit 1" "$st" 1
is "... refused where it is read" "$out" \
	"Error: instances.json:3:24: field 'MachineName': expected letters, digits, '_', '.' and '-' only, got '../../../escaped'"
is "... nothing written" "$(snapshot "$T")" "$before"
sed -i 's|"../../../escaped"|"Lab-DM-HC-0001"|; s|"IPAddress": "127.0.0.1"|"PrivateIPAddress": "1.2.3.4\\") do $zf(-1,\\"id\\") //"|' instances.json
before=$(snapshot "$T")
out=$(timeout 30 "$ICM" inventory 2>&1); st=$?
is "instances.json PrivateIPAddress that closes its string: exit 1" "$st" 1
contains "... named with its place" "$out" \
	"instances.json:7:29: field 'PrivateIPAddress': expected an IPv4 or IPv6 address"
is "... nothing written" "$(snapshot "$T")" "$before"
# The command line's fields pass the same rules for a later command.
sed -i '/PrivateIPAddress/d' instances.json
before=$(snapshot "$T")
out=$(timeout 30 "$ICM" session -namespace 'X") do $zf(-1,"id") //' -command 'w 1' 2>&1); st=$?
is "session -namespace that closes its string: exit 1" "$st" 1
is "... named as the command line's" "$out" \
	"Error: command line: field 'Namespace': expected a namespace name (a letter or %, then letters, digits, '_' and '-'; at most 255 characters), got 'X\") do \$zf(-1,\"id\") //'"
is "... nothing written" "$(snapshot "$T")" "$before"
out=$(timeout 30 "$ICM" ps -container ../images/x 2>&1); st=$?
is "-container ../images/x (a Docker API path): exit 1" "$st" 1
is "... refused as the option's" "$out" \
	"Error: -container: expected a container name (a letter or digit, then letters, digits, '_', '.' and '-'; 2 to 128 characters), got '../images/x'"
cd "$T" || exit 1
# The SSH key files provision will use are read before it changes
# anything: a missing or wrong key is one line naming the node, the field
# and the file, exit 1, nothing written (provision made the lock, icm.log
# and state/pki/ca.pem first and failed at the node).  -plan does not read
# them (the guide's configurations plan on any machine).  Loopback nodes,
# no retries: past the check, provision stops at "connection refused".
rm -rf "$T/k" && mkdir "$T/k" && cd "$T/k" || exit 1
cp "$DATA"/e2e/pre/*.json . && "$ICM" keygen ssh keys >/dev/null || exit 1
mkfifo keys/fifo
# keyfile NAME FILE SED WANT: FILE changed by SED for one provision.
keyfile() {
	local name=$1 file=$2 want=$4 before out st
	sed -i.orig "$3" "$file"
	before=$(snapshot "$T/k")
	out=$(timeout 10 "$ICM" provision 2>&1); st=$?
	is "$name: provision exits 1" "$st" 1
	is "$name: the node, the field, the file and why" "$out" "Error: $want"
	is "$name: nothing written" "$(snapshot "$T/k")" "$before"
	mv "$file.orig" "$file"
}
keyfile "a missing SSHPublicKey" defaults.json 's|keys/insecure.pub|keys/gone.pub|' \
	"Lab-DM-E2E-0001: SSHPublicKey 'keys/gone.pub' cannot be used: No such file or directory"
keyfile "a private key as SSHPublicKey" defaults.json 's|keys/insecure.pub|keys/insecure|' \
	"Lab-DM-E2E-0001: SSHPublicKey 'keys/insecure' cannot be used: it is neither an OpenSSH public key line nor an RFC 4716 (SSH2) public key"
keyfile "a FIFO as SSHPublicKey (no hang)" defaults.json 's|keys/insecure.pub|keys/fifo|' \
	"Lab-DM-E2E-0001: SSHPublicKey 'keys/fifo' cannot be used: not a regular file (a FIFO)"
keyfile "a missing SSHPrivateKey" defaults.json 's|"keys/insecure"|"keys/gone"|' \
	"Lab-DM-E2E-0001: SSHPrivateKey 'keys/gone' cannot be used: No such file or directory"
keyfile "a public key as SSHPrivateKey" defaults.json 's|"keys/insecure"|"keys/insecure.pub"|' \
	"Lab-DM-E2E-0001: SSHPrivateKey 'keys/insecure.pub' cannot be used: it is a public key, not a private key"
keyfile "a FIFO as SSHPrivateKey (no hang)" defaults.json 's|"keys/insecure"|"keys/fifo"|' \
	"Lab-DM-E2E-0001: SSHPrivateKey 'keys/fifo' cannot be used: not a regular file (a FIFO)"
keyfile "the second definition's missing key" definitions.json \
	's|"Role": "AM",|"Role": "AM", "SSHPublicKey": "keys/am.pub",|' \
	"Lab-AM-E2E-0002: SSHPublicKey 'keys/am.pub' cannot be used: No such file or directory"
sed -i 's|keys/insecure.pub|keys/gone.pub|' defaults.json
"$ICM" provision -plan >/dev/null 2>&1
is "-plan does not read the key files" "$?" 0
# A node reached with SSHPassword alone needs no private key.
sed -i 's|keys/gone.pub|keys/insecure.pub|; /SSHPrivateKey/d' defaults.json
out=$(timeout 10 "$ICM" provision 2>&1)
contains "SSHPassword alone: no private key needed (on to the hosts)" \
	"$out" "127.0.0.1:22: connection refused"
cd "$T" || exit 1
done_testing
