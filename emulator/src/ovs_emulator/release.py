"""The release of the emulated Open vStorage distribution and the package versions of each release.

The source tree holds release 1; `emulator/build-debs --release N` builds the packages at
VERSIONS[N] and writes `RELEASE = N` into the copy of this module it packages, so the installed
emulator knows which release it is. Releases 2 and 3 are patch bumps of every package of the release before (the test bed
upgrades 1 -> 2 node by node, then 2 -> 3 with the framework's update of the whole cluster).
"""

RELEASE = 1

VERSIONS = {
    1: {
        "openvstorage": "2.7.20-1",
        "openvstorage-backend": "1.9.17-1",
        "openvstorage-hc": "3.4.5-1",
        "openvstorage-sdm": "1.9.13-1",
        "alba": "1.5.37-1",
        "volumedriver-no-dedup-server": "6.19.5-1",
    },
    2: {
        "openvstorage": "2.7.21-1",
        "openvstorage-backend": "1.9.18-1",
        "openvstorage-hc": "3.4.6-1",
        "openvstorage-sdm": "1.9.14-1",
        "alba": "1.5.38-1",
        "volumedriver-no-dedup-server": "6.19.6-1",
    },
    3: {
        "openvstorage": "2.7.22-1",
        "openvstorage-backend": "1.9.19-1",
        "openvstorage-hc": "3.4.7-1",
        "openvstorage-sdm": "1.9.15-1",
        "alba": "1.5.39-1",
        "volumedriver-no-dedup-server": "6.19.7-1",
    },
}


def package_versions(release=None):
    """Package name -> Debian version of a release (default: the installed one)."""
    return dict(VERSIONS[RELEASE if release is None else release])


def upstream_version(package, release=None):
    """The version of a package without its Debian revision, e.g. '1.5.37' for alba."""
    return package_versions(release)[package].rsplit("-", 1)[0]
