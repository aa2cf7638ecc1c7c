#!/bin/sh
# installDocker.sh: Docker on this node when it has none (icm-reference
# §3.3, §7.1 step 3).  icm copies it to ~/ICM and runs it as root (sudo) at
# provision ("Installing Docker on <machine>..."); the values come in the
# environment, set by icm on the remote command line, quoted:
#
#   DockerVersion   the package version to pin (apt: docker-ce=<version>,
#                   e.g. 5:20.10.17~3-0~ubuntu-jammy; yum/dnf:
#                   docker-ce-<version>); empty: the repository's newest
#   DockerURL       a Docker EE repository: docker-ee from there instead
#                   of docker-ce from Docker's public repository
#
# Nothing is done when the docker and dockerd commands are both there.
# apt hosts (Debian, Ubuntu) get Docker's apt repository for their
# release; yum/dnf hosts get Docker's CentOS repository (RHEL, CentOS,
# Rocky, Alma) or the distribution's docker package (Amazon Linux).
# Any failing step stops the script with its message last on stderr.
set -eu
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
version=${DockerVersion:-}
url=${DockerURL:-}

fail() { echo "installDocker.sh: $*" >&2; exit 1; }

# The repository URL goes into a line of sources.list (or a curl URL):
# whitespace, quotes or control characters there would split or change
# it (icm's configuration refuses them; this is the node's own check).
case $url in
*[[:space:][:cntrl:]\'\"\\]*)
	fail "DockerURL must be a URL without whitespace, quotes, backslashes or control characters" ;;
""|http://?*|https://?*) ;;
*) fail "DockerURL '$url' is not an http:// or https:// URL" ;;
esac

if command -v docker >/dev/null 2>&1 && command -v dockerd >/dev/null 2>&1; then
	echo "Docker is installed already: $(docker --version 2>/dev/null || echo docker)"
	exit 0
fi
[ -r /etc/os-release ] || fail "no /etc/os-release: cannot tell how to install Docker here"
# shellcheck source=/dev/null
. /etc/os-release
id=${ID:-unknown}

install_apt() {
	export DEBIAN_FRONTEND=noninteractive
	case $id in
	ubuntu|debian|raspbian) ;;
	*) case " ${ID_LIKE:-} " in
	   *" ubuntu "*) id=ubuntu ;;
	   *" debian "*) id=debian ;;
	   *) fail "apt host '$id' is not Debian or Ubuntu: Docker's repository has no packages for it" ;;
	   esac ;;
	esac
	codename=${VERSION_CODENAME:-${UBUNTU_CODENAME:-}}
	[ -n "$codename" ] || fail "no VERSION_CODENAME in /etc/os-release"
	apt-get -qq update || fail "apt-get update failed"
	apt-get -qq install -y ca-certificates curl gnupg >/dev/null ||
		fail "cannot install ca-certificates, curl and gnupg"
	install -m 0755 -d /etc/apt/keyrings
	if [ -n "$url" ]; then
		repo=${url%/}/$id pkg=docker-ee cli=docker-ee-cli
	else
		repo=https://download.docker.com/linux/$id pkg=docker-ce cli=docker-ce-cli
	fi
	curl -fsSL "$repo/gpg" -o /etc/apt/keyrings/docker.asc.tmp ||
		fail "cannot fetch the repository key $repo/gpg"
	mv -f /etc/apt/keyrings/docker.asc.tmp /etc/apt/keyrings/docker.asc
	chmod a+r /etc/apt/keyrings/docker.asc
	echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] $repo $codename stable" \
		> /etc/apt/sources.list.d/docker.list
	apt-get -qq update || fail "apt-get update failed after adding $repo"
	if [ -n "$version" ]; then
		if ! apt-cache madison "$pkg" | awk '{ print $3 }' | grep -qxF -- "$version"; then
			fail "DockerVersion '$version' of $pkg is not in $repo ($codename); it has: $(apt-cache madison "$pkg" | awk '{ print $3 }' | head -n 5 | tr '\n' ' ')"
		fi
		apt-get -qq install -y "$pkg=$version" "$cli=$version" containerd.io >/dev/null
	else
		apt-get -qq install -y "$pkg" "$cli" containerd.io >/dev/null
	fi
}

install_yum() {
	pm=$1
	if [ "$id" = amzn ]; then
		if command -v amazon-linux-extras >/dev/null 2>&1; then
			amazon-linux-extras install -y docker >/dev/null
		else
			"$pm" install -y docker >/dev/null
		fi
		return 0
	fi
	if [ -n "$url" ]; then
		repo=${url%/}/centos/docker-ee.repo pkg=docker-ee cli=docker-ee-cli
	else
		repo=https://download.docker.com/linux/centos/docker-ce.repo pkg=docker-ce cli=docker-ce-cli
	fi
	curl -fsSL "$repo" -o /etc/yum.repos.d/docker.repo ||
		fail "cannot fetch the repository file $repo"
	case $version in
	""|*ubuntu*|*debian*)
		# an apt version string (the samples' default) means nothing here
		"$pm" install -y "$pkg" "$cli" containerd.io >/dev/null ;;
	*)
		"$pm" install -y "$pkg-$version" "$cli-$version" containerd.io >/dev/null ;;
	esac
}

if command -v apt-get >/dev/null 2>&1; then
	install_apt
elif command -v dnf >/dev/null 2>&1; then
	install_yum dnf
elif command -v yum >/dev/null 2>&1; then
	install_yum yum
else
	fail "no apt-get, dnf or yum on this node ($id): install Docker by hand and provision again"
fi
systemctl enable docker >/dev/null 2>&1 || true
systemctl start docker || fail "Docker was installed but docker.service did not start"
command -v dockerd >/dev/null 2>&1 || fail "Docker was installed but there is no dockerd"
echo "Docker installed: $(docker --version)"
