"""emulator/build-debs: six packages with the real names, dependencies and units."""
import shutil
import subprocess
from pathlib import Path

import pytest

BUILD = Path(__file__).resolve().parents[1] / "build-debs"
pytestmark = pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="dpkg-deb not installed")


@pytest.fixture(scope="module")
def debs(tmp_path_factory):
    out = tmp_path_factory.mktemp("debs")
    subprocess.run([str(BUILD), str(out)], check=True, capture_output=True)
    return {p.name.split("_")[0]: p for p in out.glob("*.deb")}


def field(deb, name):
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], check=True, capture_output=True,
                          text=True).stdout.strip()


def contents(deb):
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], check=True, capture_output=True, text=True).stdout
    return [line.split()[-1].lstrip(".") for line in listing.splitlines()]


def test_packages(debs):
    assert sorted(debs) == ["alba", "openvstorage", "openvstorage-backend", "openvstorage-hc",
                            "openvstorage-sdm", "volumedriver-no-dedup-server"]
    assert field(debs["openvstorage"], "Depends") == (
        "python3, python3-paramiko, openssl, etcd-server, memcached, rabbitmq-server, iproute2")
    assert field(debs["openvstorage-backend"], "Depends") == "openvstorage, alba"
    assert field(debs["openvstorage-sdm"], "Depends").startswith("python3, openssl, alba")
    assert field(debs["openvstorage"], "Version") == "2.7.20-1"


def test_contents(debs):
    framework = contents(debs["openvstorage"])
    assert "/usr/bin/ovs" in framework
    assert "/opt/OpenvStorage/lib/ovs_emulator/store.py" in framework
    assert "/lib/systemd/system/ovs-arakoon-config.service" in framework
    assert "/lib/systemd/system/ovs-webapp-api.service" in framework
    sdm = contents(debs["openvstorage-sdm"])
    assert {"/usr/bin/asd-manager", "/opt/asd-manager/lib/ovs_emulator/asd_setup.py",
            "/lib/systemd/system/asd-manager.service", "/lib/systemd/system/asd-watcher.service"} <= set(sdm)
    assert "/usr/bin/alba" in contents(debs["alba"])
    assert "/opt/OpenvStorage-healthcheck/lib/ovs_emulator/healthcheck.py" in contents(debs["openvstorage-hc"])
    assert not any("__pycache__" in path for path in framework)


def test_maintainer_scripts(debs, tmp_path):
    subprocess.run(["dpkg-deb", "-e", str(debs["openvstorage"]), str(tmp_path)], check=True)
    postinst = (tmp_path / "postinst").read_text()
    assert "systemctl disable --now \"$service\"" in postinst and "/etc/openvstorage_id" in postinst
    assert "ovs-workers.service" in (tmp_path / "prerm").read_text()
