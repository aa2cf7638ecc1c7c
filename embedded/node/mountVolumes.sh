#!/bin/sh
# mountVolumes.sh: the IRIS volumes of this node (icm-reference §3.6).
# icm copies it to ~/ICM and runs it as root (sudo) at provision
# ("Mounting volumes on <machine>..."); the values come in the
# environment, set by icm on the remote command line, quoted:
#
#   FileSystem                 xfs (default), ext4 or btrfs
#   DataDeviceName,  DataMountPoint
#   WIJDeviceName,   WIJMountPoint
#   Journal1DeviceName, Journal1MountPoint
#   Journal2DeviceName, Journal2MountPoint
#
# A device name is one of
#   existing          the mount point must already be a directory
#   create            the mount point is made (mkdir -p) when missing
#   local, null, skip (or empty)   nothing is done
#   a block device    (xvdd, sdc, /dev/sdc, ...): given one GPT partition
#                     when it has neither a partition table nor a file
#                     system, formatted with FileSystem only when it has
#                     no file system yet, mounted at the mount point and
#                     added to /etc/fstab by UUID
# Every mount point ends up owned by irisowner (UID and GID 51773), as
# IRIS containers require.  A device that already holds a file system is
# never formatted again, so the script can be run any number of times.
# On AWS Nitro instances a requested name (xvdd) is found among the NVMe
# disks through the name the volume was attached under (nvme id-ctrl).
set -eu
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
IRISOWNER=51773
fs=${FileSystem:-xfs}

fail() { echo "$*" >&2; exit 1; }

# The /dev path of a requested device name, waiting up to a minute for a
# volume that is still being attached.
device_path() {
	case $1 in /*) want=$1 ;; *) want=/dev/$1 ;; esac
	i=0
	while [ "$i" -lt 60 ]; do
		[ -b "$want" ] && { echo "$want"; return 0; }
		if command -v nvme >/dev/null 2>&1; then
			for d in /dev/nvme*n1; do
				[ -b "$d" ] || continue
				name=$(nvme id-ctrl --raw-binary "$d" 2>/dev/null |
				       cut -c3073-3104 | tr -d ' \000')
				case $name in
				"${want#/dev/}"|"$want") echo "$d"; return 0 ;;
				esac
			done
		fi
		i=$((i + 1))
		sleep 1
	done
	return 1
}

fstype() { blkid -o value -s TYPE "$1" 2>/dev/null || true; }

# The first partition of disk $1, or nothing.
first_partition() {
	lsblk -nrpo NAME,TYPE "$1" 2>/dev/null | awk '$2 == "part" { print $1; exit }'
}

# One GPT partition spanning disk $1.
partition() {
	if command -v sfdisk >/dev/null 2>&1; then
		printf 'label: gpt\n,,L\n' | sfdisk -q "$1" >/dev/null
	elif command -v parted >/dev/null 2>&1; then
		parted -s "$1" mklabel gpt mkpart primary 0% 100%
	elif command -v sgdisk >/dev/null 2>&1; then
		sgdisk -n 1:0:0 "$1" >/dev/null
	else
		fail "cannot partition $1: none of sfdisk, parted or sgdisk is installed"
	fi
	command -v partprobe >/dev/null 2>&1 && partprobe "$1" 2>/dev/null || true
	command -v udevadm >/dev/null 2>&1 && udevadm settle 2>/dev/null || true
}

format() {
	case $fs in
	xfs) cmd="mkfs.xfs -q" ;;
	ext4) cmd="mkfs.ext4 -q" ;;
	btrfs) cmd="mkfs.btrfs -q" ;;
	*) fail "FileSystem '$fs' is not one of xfs, ext4, btrfs" ;;
	esac
	command -v "${cmd%% *}" >/dev/null 2>&1 ||
		fail "cannot format $1 as $fs: ${cmd%% *} is not installed"
	$cmd "$1" >/dev/null
}

# Device $2 (field $1) mounted at mount point $3 (field $4).
mount_device() {
	dev=$(device_path "$2") || fail "$1 '$2': no such block device on this node"
	part=$dev
	if [ -z "$(fstype "$dev")" ]; then
		part=$(first_partition "$dev")
		if [ -z "$part" ]; then
			partition "$dev"
			i=0
			while [ -z "$part" ] && [ "$i" -lt 20 ]; do
				sleep 0.5
				part=$(first_partition "$dev")
				i=$((i + 1))
			done
			[ -n "$part" ] || fail "$1 '$2': the new partition on $dev did not appear"
		fi
	fi
	at=$(findmnt -nro TARGET -S "$part" 2>/dev/null | head -n 1 || true)
	if [ -n "$at" ] && [ "$at" != "$3" ]; then
		fail "$1 '$2': $part is already mounted at $at, not at $4 '$3'"
	fi
	[ -n "$(fstype "$part")" ] || format "$part"
	uuid=$(blkid -o value -s UUID "$part") || fail "$1 '$2': $part has no UUID"
	type=$(fstype "$part")
	mkdir -p "$3"
	if ! grep -q "^UUID=${uuid}[[:space:]]" /etc/fstab 2>/dev/null; then
		printf 'UUID=%s %s %s defaults,nofail 0 2\n' "$uuid" "$3" "$type" >> /etc/fstab
	fi
	if [ -z "$at" ]; then
		if mountpoint -q "$3"; then
			fail "$4 '$3' has another file system mounted on it (wanted $part from $1 '$2')"
		fi
		mount "$3"
	fi
}

dev='' mp=''
for v in Data WIJ Journal1 Journal2; do
	eval "dev=\${${v}DeviceName:-}"
	eval "mp=\${${v}MountPoint:-}"
	case $dev in
	""|local|null|skip) continue ;;
	esac
	case $mp in
	/*) ;;
	*) fail "${v}MountPoint '$mp' is not an absolute path" ;;
	esac
	case $dev in
	existing)
		[ -d "$mp" ] || fail "${v}MountPoint '$mp' does not exist on this node (${v}DeviceName is 'existing')"
		;;
	create)
		mkdir -p "$mp"
		;;
	*)
		mount_device "${v}DeviceName" "$dev" "$mp" "${v}MountPoint"
		;;
	esac
	chown "$IRISOWNER:$IRISOWNER" "$mp"
	echo "${v}: $mp ($dev)"
done
