# sshd-lib.sh: a throw-away OpenSSH sshd on 127.0.0.1 for the SSH tests and
# the benchmark (sourced).  Everything lives in one directory; the daemon
# runs in the foreground (-D) as our child and is stopped by its PID.
#
#   . tests/ssh/sshd-lib.sh
#   sshd_start DIR NAME HOSTKEY...   starts sshd NAME with the host key
#                                    files DIR/HOSTKEY; sets SSHD_PORT and
#                                    appends the PID to SSHD_PIDS
#   sshd_stop                        stops every sshd started here
#   sshd_pins DIR PORT HOSTKEY...    prints known_hosts lines for them
#   sshd_require_probe               (in an e2e test) sets PROBE, or skips
#                                    without sshd, fails without ssh-probe
#
# Users log in as themselves with the keys in DIR/authorized_keys.  As root
# sshd needs its privilege-separation directory /run/sshd (created).
# SSHD_EXTRA (lines of sshd_config) goes before the defaults, so it wins
# (sshd takes the first value of a keyword): e.g. "PasswordAuthentication
# yes", or "Subsystem sftp /usr/lib/openssh/sftp-server".

SSHD=${SSHD:-/usr/sbin/sshd}
SSHD_PIDS=()

_sshd_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

sshd_start() {
	local dir=$1 name=$2 try p i hk pid; shift 2
	[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
	for try in 1 2 3 4 5; do
		p=$((20000 + (RANDOM % 20000)))
		_sshd_port_free "$p" || continue
		{
			echo "Port $p"
			echo "ListenAddress 127.0.0.1"
			[ -n "${SSHD_EXTRA:-}" ] && printf '%s\n' "$SSHD_EXTRA"
			for hk in "$@"; do echo "HostKey $dir/$hk"; done
			cat <<-EOF
			PidFile $dir/$name.pid
			AuthorizedKeysFile $dir/authorized_keys
			StrictModes no
			UsePAM no
			PubkeyAuthentication yes
			PasswordAuthentication no
			KbdInteractiveAuthentication no
			PermitRootLogin prohibit-password
			Ciphers +aes128-cbc,aes192-cbc,aes256-cbc
			MaxStartups 100
			LogLevel VERBOSE
			# bash sources ~/.bashrc for commands run by sshd unless
			# it is nested; a slow .bashrc would dominate the timings
			SetEnv SHLVL=1
			EOF
		} > "$dir/$name.conf"
		"$SSHD" -D -e -f "$dir/$name.conf" 2> "$dir/$name.log" &
		pid=$!
		SSHD_PIDS+=("$pid")
		for i in $(seq 50); do
			if grep -q "Server listening" "$dir/$name.log"; then
				SSHD_PORT=$p
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	done
	echo "# sshd $name did not start:"
	sed 's/^/#   /' "$dir/$name.log"
	return 1
}

sshd_stop() {
	local p
	for p in "${SSHD_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${SSHD_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	SSHD_PIDS=()
}

sshd_pins() {
	local dir=$1 p=$2 hk; shift 2
	for hk in "$@"; do
		echo "[127.0.0.1]:$p $(cut -d' ' -f1-2 "$dir/$hk.pub")"
	done
}

sshd_require_probe() {
	PROBE=${SSH_PROBE:-$(dirname "$ICM")/tests/ssh-probe}
	[ -x "$SSHD" ] || skip_all "openssh-server is not installed"
	command -v ssh-keygen >/dev/null || skip_all "ssh-keygen is not installed"
	if [ ! -x "$PROBE" ]; then
		echo "1..1"; echo "not ok 1 - ssh-probe is built ($PROBE)"; exit 1
	fi
}
