#!/bin/sh
# disable_password_login.sh: turns sshd's password login off on this node,
# as ICM does at provision; icm copies it to ~/ICM and runs it as SSHUser
# (who has passwordless sudo).  Idempotent: once done it leaves the
# sentinel ~/ICM/disable_password_login.done and does nothing after; a
# user who wants password login kept creates the sentinel beforehand.
#
# sshd takes the first value it reads for a keyword, so when sshd_config
# includes sshd_config.d/*.conf the setting goes into 00-icm.conf there
# (ahead of cloud images' 50-cloud-init.conf); otherwise sshd_config itself
# is edited.  The new configuration is checked with `sshd -t` before sshd
# reloads it (key login is untouched), and put back if the check fails.
set -eu
sentinel=$HOME/ICM/disable_password_login.done
[ -e "$sentinel" ] && exit 0
conf=/etc/ssh/sshd_config
dropin=/etc/ssh/sshd_config.d/00-icm.conf
line='PasswordAuthentication no'
sshd=$(command -v sshd || echo /usr/sbin/sshd)

if [ ! -f "$conf" ]; then
	echo "no $conf on this node: password login left as it is" >&2
elif sudo -n grep -Eqi '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\.d/' "$conf"; then
	if ! sudo -n grep -qx "$line" "$dropin" 2>/dev/null; then
		echo "$line" | sudo -n tee "$dropin" >/dev/null
		if ! sudo -n "$sshd" -t; then
			sudo -n rm -f "$dropin"
			echo "sshd rejected $dropin; removed it" >&2
			exit 1
		fi
		reload=1
	fi
else
	if ! sudo -n grep -Eq "^[[:space:]]*${line}[[:space:]]*\$" "$conf"; then
		sudo -n cp -p "$conf" "$conf.icm-backup"
		sudo -n sed -i -E 's/^[[:space:]]*#?[[:space:]]*PasswordAuthentication[[:space:]].*/# &/' "$conf"
		{ echo "$line"; sudo -n cat "$conf"; } > "$HOME/ICM/sshd_config.new"
		sudo -n cp "$HOME/ICM/sshd_config.new" "$conf"
		rm -f "$HOME/ICM/sshd_config.new"
		if ! sudo -n "$sshd" -t; then
			sudo -n cp -p "$conf.icm-backup" "$conf"
			echo "sshd rejected the edited $conf; restored it" >&2
			exit 1
		fi
		reload=1
	fi
fi
if [ "${reload:-0}" = 1 ]; then
	# systemd where there is one, else the daemon's own pid file
	sudo -n systemctl reload ssh 2>/dev/null ||
	sudo -n systemctl reload sshd 2>/dev/null ||
	{ [ -r /run/sshd.pid ] && sudo -n kill -HUP "$(cat /run/sshd.pid)"; } ||
	echo "sshd not reloaded: the change applies when it restarts" >&2
fi
touch "$sentinel"
