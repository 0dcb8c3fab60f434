"""Packages of a node for updates (framework ovs/extensions/packages, PackageFactory).

Which packages make which update component, and the node's installed and candidate versions.
The system calls (``dpkg-query -W``, ``apt-get update`` + ``apt-cache policy``, ``apt-get
install``) sit behind ``APT``, one small object that the in-process tests replace.
"""
import os
import re
import subprocess

from ovs_emulator import paths

# component -> packages of it (PackageFactory.get_package_info()['names'] of the framework and
# its ALBA plugin; ASD nodes: SDMUpdateController's alba + openvstorage-sdm)
COMPONENTS = {
    "framework": ["openvstorage", "openvstorage-backend", "openvstorage-hc"],
    "storagedriver": ["volumedriver-no-dedup-server"],
    "alba": ["alba", "openvstorage-sdm"],
}
# installation order inside a component (PackageFactory.update_packages: extensions first; the
# ASD manager installs alba before openvstorage-sdm)
ORDER = ["alba", "volumedriver-no-dedup-server", "openvstorage", "openvstorage-backend",
         "openvstorage-hc", "openvstorage-sdm"]


class Apt:
    """The real node's package manager."""

    @staticmethod
    def _run(args, env=None):
        return subprocess.run(args, capture_output=True, text=True, check=False,
                              env=dict(os.environ, **(env or {})))

    def installed(self, names):
        """{package: version} of the installed ones among ``names`` (``dpkg-query -W``)."""
        result = self._run(["dpkg-query", "-W", "-f=${Package} ${Version} ${db:Status-Abbrev}\\n", *names])
        found = {}
        for line in result.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2].startswith("ii"):
                found[parts[0]] = parts[1]
        return found

    def candidates(self, names, refresh=True):
        """{package: candidate version} (``apt-get update`` first, then ``apt-cache policy``)."""
        if refresh:
            self._run(["apt-get", "update", "-qq"])
        output = self._run(["apt-cache", "policy", *names]).stdout
        found, current = {}, None
        for line in output.splitlines():
            if line and not line[0].isspace() and line.rstrip().endswith(":"):
                current = line.strip()[:-1]
            elif current and line.strip().startswith("Candidate:"):
                version = line.split(":", 1)[1].strip()
                if version != "(none)":
                    found[current] = version
        return found

    def install(self, names):
        """``apt-get install`` of ``names``; (True, output) on success."""
        result = self._run(["apt-get", "install", "-y", "-o", "Dpkg::Options::=--force-confold",
                            "--only-upgrade", *names], env={"DEBIAN_FRONTEND": "noninteractive"})
        return result.returncode == 0, (result.stdout + result.stderr).strip()


APT = Apt()


def version_key(version):
    """A comparable form of a Debian version (as LooseVersion compares them)."""
    return [(1, int(part), "") if part.isdigit() else (0, 0, part) for part in re.findall(r"\d+|[a-z]+", version.lower())]


def ordered(names):
    return sorted(names, key=lambda name: ORDER.index(name) if name in ORDER else len(ORDER))


def package_information(refresh=True):
    """{component: {package: {"installed", "candidate"}}} of this node: the installed packages
    whose candidate differs (components without such packages left out)."""
    names = sorted({name for names in COMPONENTS.values() for name in names})
    installed = APT.installed(names)
    candidates = APT.candidates(sorted(installed), refresh=refresh)
    info = {}
    for component, component_names in COMPONENTS.items():
        for name in component_names:
            if name in installed and candidates.get(name) not in (None, installed[name]):
                info.setdefault(component, {})[name] = {"installed": installed[name],
                                                        "candidate": candidates[name]}
    return info


def install(names):
    """Install ``names`` (openvstorage* need /etc/ready_for_upgrade, made by the caller)."""
    ok, output = APT.install(ordered(names))
    if not ok:
        raise RuntimeError(f"Installing {', '.join(ordered(names))} failed: {output}")
    return APT.installed(names)


def update_files_present():
    return os.path.exists(paths.UPDATE_ONGOING)
