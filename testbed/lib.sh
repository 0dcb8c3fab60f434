# Shared helpers for the test-bed scripts (sourced, not executed).
# shellcheck shell=bash
set -euo pipefail

TESTBED_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "$TESTBED_DIR/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$PROJECT_DIR/build}"

SUITE=bookworm
ARCH=amd64
BASE_IMAGE="ovs-hyperscale-base:$SUITE"
NODE_IMAGE="ovs-hyperscale-node:$SUITE"
STAMP_LABEL="org.openvstorage.testbed.inputs"

# Packages of the node image, on top of debootstrap's minbase.
NODE_PACKAGES="systemd systemd-sysv dbus python3 python3-apt openssh-server iproute2 procps ca-certificates curl sudo"

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

# Legacy builder: no buildx needed, and it works with Debian's docker.io.
export DOCKER_BUILDKIT=0
