"""Shared fixtures: an emulator root in a temporary directory, a fake systemd, a memory store."""
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ovs_emulator import paths, remote, store, system  # noqa: E402

DPKG_STATUS = """Package: openvstorage
Status: install ok installed
Version: 2.7.20-1

Package: openvstorage-hc
Status: install ok installed
Version: 3.4.5-1

Package: alba
Status: deinstall ok config-files
Version: 1.5.37-1
"""


class FakeSystemd:
    """systemctl for tests: remembers enabled and active units."""

    def __init__(self):
        self.enabled, self.active, self.calls = set(), set(), []
        self.fail = set()  # units whose start fails

    def __call__(self, *args):
        self.calls.append(args)
        command, names = args[0], [a for a in args[1:] if not a.startswith("--")]
        code = 0
        for name in names:
            if command == "enable":
                self.enabled.add(name)
            elif command in ("start", "restart"):
                if name in self.fail:
                    code = 1
                else:
                    self.active.add(name)
            elif command == "disable":
                self.enabled.discard(name)
                if "--now" in args:
                    self.active.discard(name)
            elif command == "is-active":
                code = 0 if name in self.active else 3
            elif command == "is-enabled":
                code = 0 if name in self.enabled else 1
        stdout = "4242\n" if command == "show" else ""
        return subprocess.CompletedProcess(["systemctl", *args], code, stdout, "failed" if code else "")


class FakeEtcd(store.MemoryStore):
    """A MemoryStore with the etcd member API (shared by all 'nodes' of a test)."""

    def __init__(self):
        super().__init__()
        self.members = []

    def member_list(self):
        return self.members

    def member_add(self, peer_url):
        self.members.append({"ID": str(len(self.members) + 1), "name": "", "peerURLs": [peer_url]})
        return self.members


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("OVS_EMULATOR_ROOT", str(tmp_path))
    status = Path(paths.DPKG_STATUS)
    status.parent.mkdir(parents=True)
    status.write_text(DPKG_STATUS)
    return tmp_path


@pytest.fixture
def systemd(monkeypatch):
    fake = FakeSystemd()
    monkeypatch.setattr(system, "systemctl", fake)
    return fake


@pytest.fixture
def etcd(monkeypatch):
    """The cluster's configuration store; EtcdStore/open_store of every node return it."""
    fake = FakeEtcd()
    monkeypatch.setattr(store, "EtcdStore", lambda *args, **kwargs: fake)
    monkeypatch.setattr(store, "open_store", lambda: fake)
    return fake


@pytest.fixture
def node(root, systemd, etcd, monkeypatch):
    """This node: ip 10.0.0.1, hostname ctl01."""
    monkeypatch.setattr(system, "local_ips", lambda: ["10.0.0.1"])
    monkeypatch.setattr(system, "hostname", lambda: "ctl01")
    monkeypatch.setattr(remote, "fetch_files", _no_ssh)
    return root


def _no_ssh(*args, **kwargs):
    raise AssertionError("no SSH expected")


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A throwaway self-signed certificate and key for the in-process HTTPS servers."""
    directory = tmp_path_factory.mktemp("ssl")
    cert, key = directory / "server.crt", directory / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    return str(cert), str(key)
