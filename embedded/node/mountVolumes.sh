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
#
# Growth (reprovision with new volume sizes): a volume whose mount point is
# a mount of a block device (a device given here, or 'existing' on a host's
# own mount) is grown to its device: the partition to the end of its disk
# when the disk grew (growpart, else sfdisk -N with partx -u, else parted),
# then the file system (resize2fs, xfs_growfs, btrfs filesystem resize),
# all online.  With GrowRoot=true (the OS volume grew) only the file system
# mounted at / is grown, and nothing else is done.
# On AWS Nitro instances a requested name (xvdd) is found among the NVMe
# disks through the name the volume was attached under (nvme id-ctrl).  On
# GCE a disk attached with deviceName sdc is /dev/disk/by-id/google-sdc
# (the kernel's /dev/sdc may be another disk: it names them in attach
# order), so that link comes first.
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
		case $1 in
		/*) ;;
		*) [ -b "/dev/disk/by-id/google-$1" ] &&
			{ readlink -f "/dev/disk/by-id/google-$1"; return 0; } ;;
		esac
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
	if command -v partprobe >/dev/null 2>&1; then
		partprobe "$1" 2>/dev/null || true
	fi
	if command -v udevadm >/dev/null 2>&1; then
		udevadm settle 2>/dev/null || true
	fi
}

format() {
	case $fs in
	xfs|ext4|btrfs) mkfs=mkfs.$fs ;;
	*) fail "FileSystem '$fs' is not one of xfs, ext4, btrfs" ;;
	esac
	command -v "$mkfs" >/dev/null 2>&1 ||
		fail "cannot format $1 as $fs: $mkfs is not installed"
	"$mkfs" -q "$1" >/dev/null
}

# $1 as a field of /etc/fstab (fstab(5)): space, tab, newline and
# backslash as octal escapes, so that no value splits or adds a line.
fstab_field() {
	v=$1 awk 'BEGIN {
		s = ENVIRON["v"]
		gsub(/\\/, "\\134", s); gsub(/ /, "\\040", s)
		gsub(/\t/, "\\011", s); gsub(/\n/, "\\012", s)
		printf "%s", s
	}'
}

# Grows partition /dev/$1 to the end of its disk when the disk has room
# after it (more than 1 MiB: alignment and GPT's backup table).
grow_partition() {
	sys=/sys/class/block/$1
	[ -r "$sys/partition" ] || return 0	# a whole disk
	n=$(cat "$sys/partition")
	disk=$(basename "$(dirname "$(readlink -f "$sys")")")
	start=$(cat "$sys/start") size=$(cat "$sys/size")
	total=$(cat "/sys/class/block/$disk/size")
	[ $((total - start - size)) -gt 2048 ] || return 0
	echo "growing partition $n of /dev/$disk"
	if command -v growpart >/dev/null 2>&1; then
		growpart "/dev/$disk" "$n" || fail "cannot grow partition $n of /dev/$disk (growpart)"
	elif command -v sfdisk >/dev/null 2>&1; then
		echo ', +' | sfdisk -q -N "$n" --no-reread "/dev/$disk" ||
			fail "cannot grow partition $n of /dev/$disk (sfdisk)"
		partx -u "/dev/$disk" || fail "the kernel did not take the grown partition $n of /dev/$disk (partx -u)"
	elif command -v parted >/dev/null 2>&1; then
		parted -s "/dev/$disk" resizepart "$n" 100% ||
			fail "cannot grow partition $n of /dev/$disk (parted)"
	else
		fail "cannot grow partition $n of /dev/$disk: none of growpart, sfdisk or parted is installed"
	fi
}

# Grows the file system mounted at $1 (field $2) to its block device
# (the mount's source, else its device number; neither: not a device).
grow_mounted() {
	src=$(findmnt -nro SOURCE -M "$1" 2>/dev/null | head -n 1 || true)
	mm=$(findmnt -nro MAJ:MIN -M "$1" 2>/dev/null | head -n 1 || true)
	if [ -b "$src" ]; then
		name=$(basename "$(readlink -f "$src")")
	elif [ -n "$mm" ] && [ -e "/sys/dev/block/$mm" ]; then
		name=$(basename "$(readlink -f "/sys/dev/block/$mm")")
	else
		return 0
	fi
	grow_partition "$name"
	echo "$2 '$1': growing the file system on /dev/$name to its device"
	case $(findmnt -nro FSTYPE -M "$1" | head -n 1) in
	ext2|ext3|ext4)
		command -v resize2fs >/dev/null 2>&1 || fail "$2 '$1': cannot grow its file system: resize2fs is not installed"
		resize2fs "/dev/$name" || fail "$2 '$1': resize2fs /dev/$name failed" ;;
	xfs)
		command -v xfs_growfs >/dev/null 2>&1 || fail "$2 '$1': cannot grow its file system: xfs_growfs is not installed"
		xfs_growfs "$1" || fail "$2 '$1': xfs_growfs failed" ;;
	btrfs)
		btrfs filesystem resize max "$1" || fail "$2 '$1': btrfs filesystem resize failed" ;;
	*)
		echo "$2 '$1': not grown (file system type not known here)" ;;
	esac
}

if [ "${GrowRoot:-}" = true ]; then
	grow_mounted / OSVolumeSize
	exit 0
fi

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
	mkdir -p -- "$3"
	if ! grep -q "^UUID=${uuid}[[:space:]]" /etc/fstab 2>/dev/null; then
		printf 'UUID=%s %s %s defaults,nofail 0 2\n' "$uuid" \
			"$(fstab_field "$3")" "$type" >> /etc/fstab
	fi
	if [ -z "$at" ]; then
		if mountpoint -q -- "$3"; then
			fail "$4 '$3' has another file system mounted on it (wanted $part from $1 '$2')"
		fi
		mount -- "$3"
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
		! mountpoint -q "$mp" || grow_mounted "$mp" "${v}MountPoint"
		;;
	create)
		mkdir -p -- "$mp"
		;;
	*)
		mount_device "${v}DeviceName" "$dev" "$mp" "${v}MountPoint"
		grow_mounted "$mp" "${v}MountPoint"
		;;
	esac
	chown -- "$IRISOWNER:$IRISOWNER" "$mp"
	echo "${v}: $mp ($dev)"
done
