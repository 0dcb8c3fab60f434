"""The releases of the test-bed repository, as emulator/build-debs builds them (no Docker).

Release 1 (suite fargo), release 2 (ginger) and release 3 (hazel) of the six packages: their versions, the
release each packaged emulator library knows, and the preinst of the framework and ALBA plugin
packages that refuses an upgrade by hand (run directly, /etc/ready_for_upgrade swapped for a path
of the test in a copy of the script, as the real script has no way to override it).
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
BUILD_DEBS = PROJECT / "emulator" / "build-debs"
sys.path.insert(0, str(PROJECT / "emulator" / "src"))
from ovs_emulator import release  # noqa: E402

pytestmark = pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="dpkg-deb not installed")

READY_FILE = "/etc/ready_for_upgrade"
REFUSAL = ("Please start update through GUI because all nodes in the cluster need to be updated "
           "simultaneously!!!!!")
REFUSING = ("openvstorage", "openvstorage-backend")
LIBRARIES = {"openvstorage": "opt/OpenvStorage/lib", "openvstorage-hc": "opt/OpenvStorage-healthcheck/lib",
             "openvstorage-sdm": "opt/asd-manager/lib", "alba": "usr/lib/alba/lib"}


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """{release: {package: .deb}} built by build-debs --release N."""
    built = {}
    for number in sorted(release.VERSIONS):
        out = tmp_path_factory.mktemp(f"release{number}")
        subprocess.run([str(BUILD_DEBS), "--release", str(number), str(out)], check=True,
                       capture_output=True)
        built[number] = {deb.name.split("_")[0]: deb for deb in out.glob("*.deb")}
    return built


def field(deb, name):
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], check=True, capture_output=True,
                          text=True).stdout.strip()


def is_newer(candidate, installed):
    return subprocess.run(["dpkg", "--compare-versions", candidate, "gt", installed],
                          check=False).returncode == 0


def control_dir(deb, tmp_path):
    target = tmp_path / deb.name
    subprocess.run(["dpkg-deb", "-e", str(deb), str(target)], check=True)
    return target


def run_preinst(deb, tmp_path, *args, ready=False):
    """The package's preinst with READY_FILE replaced by a file of the test (present if ready)."""
    script = (control_dir(deb, tmp_path) / "preinst").read_text()
    assert script.count(READY_FILE) == 1, script
    ready_file = tmp_path / "ready_for_upgrade"
    if ready:
        ready_file.touch()
    copy = tmp_path / "preinst"
    copy.write_text(script.replace(READY_FILE, str(ready_file)))
    return subprocess.run(["sh", str(copy)] + list(args), capture_output=True, text=True, check=False)


def test_the_default_build_is_release_1(tmp_path):
    subprocess.run([str(BUILD_DEBS), str(tmp_path)], check=True, capture_output=True)
    assert {deb.name for deb in tmp_path.glob("*.deb")} == {
        f"{name}_{version}_all.deb" for name, version in release.VERSIONS[1].items()}


@pytest.mark.parametrize("number", sorted(release.VERSIONS))
def test_each_release_has_its_versions(releases, number):
    debs = releases[number]
    assert sorted(debs) == sorted(release.VERSIONS[number])
    assert {name: field(deb, "Version") for name, deb in debs.items()} == release.VERSIONS[number]


@pytest.mark.parametrize("number", sorted(release.VERSIONS)[1:])
def test_each_release_is_a_patch_bump_of_every_package_of_the_one_before(number):
    assert release.VERSIONS[1]["openvstorage"] == "2.7.20-1"
    assert release.VERSIONS[2]["openvstorage"] == "2.7.21-1"
    assert release.VERSIONS[3]["alba"] == "1.5.39-1"
    for name, old in release.VERSIONS[number - 1].items():
        new = release.VERSIONS[number][name]
        major_minor, patch, revision = re.match(r"^(\d+\.\d+)\.(\d+)(-\d+)$", old).groups()
        assert new == f"{major_minor}.{int(patch) + 1}{revision}", name
        assert is_newer(new, old), name


@pytest.mark.parametrize("number", sorted(release.VERSIONS))
def test_the_packaged_library_knows_its_release(releases, number, tmp_path):
    for name, lib in LIBRARIES.items():
        root = tmp_path / f"{name}-{number}"
        subprocess.run(["dpkg-deb", "-x", str(releases[number][name]), str(root)], check=True)
        packaged = (root / lib / "ovs_emulator" / "release.py").read_text()
        assert re.findall(r"(?m)^RELEASE = .*$", packaged) == [f"RELEASE = {number}"], name
        namespace = {}
        exec(compile(packaged, "release.py", "exec"), namespace)  # noqa: S102 - our own module
        assert namespace["package_versions"]() == release.VERSIONS[number]
    assert release.RELEASE == 1, "the source tree stays release 1"


@pytest.mark.parametrize("name", REFUSING)
def test_an_upgrade_by_hand_is_refused(releases, tmp_path, name):
    done = run_preinst(releases[2][name], tmp_path, "upgrade", release.VERSIONS[1][name])
    assert done.returncode == 1
    assert done.stderr.strip() == REFUSAL
    assert done.stdout == ""


@pytest.mark.parametrize("name", REFUSING)
def test_an_upgrade_through_the_framework_update_passes(releases, tmp_path, name):
    done = run_preinst(releases[2][name], tmp_path, "upgrade", release.VERSIONS[1][name], ready=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize("number", sorted(release.VERSIONS))
@pytest.mark.parametrize("name", REFUSING)
def test_a_first_install_is_never_refused(releases, tmp_path, name, number):
    done = run_preinst(releases[number][name], tmp_path, "install")
    assert (done.returncode, done.stderr) == (0, "")


def test_only_the_framework_and_the_alba_plugin_refuse(releases, tmp_path):
    """As the real packaging: the health check has no preinst, the ASD manager's refuses nothing."""
    with_preinst = {name for name, deb in releases[2].items()
                    if (control_dir(deb, tmp_path) / "preinst").exists()}
    assert with_preinst == set(REFUSING)


def test_an_unknown_release_is_refused(tmp_path):
    done = subprocess.run([str(BUILD_DEBS), "--release", "9", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "invalid choice: 9" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", sorted(LIBRARIES))
def test_an_upgrade_drops_the_bytecode_of_the_version_before(releases, name, tmp_path):
    """release.py of two releases has the same size and (reproducible build) the same mtime: the
    bytecode Python cached for the old one would pass its check and the node would keep saying
    release 1. The postinst removes the library's __pycache__ directories, as py3clean would."""
    postinst = (control_dir(releases[2][name], tmp_path) / "postinst").read_text()
    assert f"find /{LIBRARIES[name]} -name __pycache__ -type d -prune -exec rm -rf {{}} +" in postinst
