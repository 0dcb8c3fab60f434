# Shared helpers for the test-bed scripts (sourced, not executed).
# shellcheck shell=bash
set -euo pipefail

TESTBED_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "$TESTBED_DIR/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$PROJECT_DIR/build}"

# The Debian release of the node image: bookworm (Debian 12, the default test bed) or bullseye
# (Debian 11: the last with python2.7, the interpreter of the `legacy` scenario's Ansible).
SUITE="${SUITE:-bookworm}"
NODE_SUITES="bookworm bullseye"
ARCH=amd64
BASE_IMAGE="ovs-hyperscale-base:$SUITE"
NODE_IMAGE="ovs-hyperscale-node:$SUITE"
STAMP_LABEL="org.openvstorage.testbed.inputs"

# Packages of the node image, on top of debootstrap's minbase.
NODE_PACKAGES="systemd systemd-sysv dbus python3 python3-apt openssh-server iproute2 procps ca-certificates curl sudo"
case "$SUITE" in
    bookworm) ;;
    # The modules run on Python 2.7 there, as on the real OVS nodes (Ubuntu 14.04/16.04); the
    # emulated OVS services on the node's Python 3 (3.9).
    bullseye) NODE_PACKAGES="$NODE_PACKAGES python2.7" ;;
    *) echo "ERROR: SUITE=$SUITE: the node image is built for bookworm or bullseye" >&2; exit 1 ;;
esac

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# The Debian mirror the host itself uses (first deb.debian.org-like URI of a
# "bookworm" source), overridable with DEBIAN_MIRROR.
debian_mirror() {
    if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
    local uri
    uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null \
          | awk '$2 == "bookworm" && $1 !~ /security/ {print $1; exit}')
    echo "${uri:-http://deb.debian.org/debian/}"
}

# apt of the host pointed at the images' Debian ("$(debian_mirror)" $SUITE main) and at the dpkg
# status of an image instead of the host's own: writes $1/apt.conf for APT_CONFIG (lists and cache
# under $1, the dpkg status file $2, downloads into $3) and $1/sources.list.
image_apt_config() { # work_dir dpkg_status archives_dir
    local work=$1 status=$2 archives=$3
    mkdir -p "$work/empty" "$work/apt/lists/partial" "$work/apt/cache" "$archives/partial"
    cat > "$work/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) $SUITE main
SRC
    cat > "$work/apt.conf" <<CONF
Dir::State "$work/apt";
Dir::State::Lists "$work/apt/lists";
Dir::State::status "$status";
Dir::Cache "$work/apt/cache";
Dir::Cache::archives "$archives";
Dir::Etc::SourceList "$work/sources.list";
Dir::Etc::SourceParts "$work/empty";
Dir::Etc::Preferences "$work/empty/preferences";
Dir::Etc::PreferencesParts "$work/empty";
APT::Architecture "$ARCH";
APT::Architectures { "$ARCH"; };
APT::Install-Recommends "false";
APT::Install-Suggests "false";
APT::Get::Assume-Yes "true";
Acquire::Languages "none";
Debug::NoLocking "true";
CONF
}

# Under an image_apt_config: download what installing "$@" (package names, .deb files) needs, and
# print it as "name version architecture" lines (apt's `Inst name [old] (version release [arch])`).
apt_install_plan() {
    apt-get -qq install --download-only "$@" >/dev/null
    apt-get -s install "$@" | sed -n 's/^Inst \([^ ]*\) .*(\([^ ]*\) .*\[\([^]]*\)\])$/\1 \2 \3/p'
}

# Legacy builder: no buildx needed, and it works with Debian's docker.io.
export DOCKER_BUILDKIT=0
