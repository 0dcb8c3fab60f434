"""Shared fixtures: an emulator root in a temporary directory, a fake systemd, a memory store."""
import io
import json
import random
import socket
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


from ovs_emulator import actions, ovs_cli, paths, remote, store, system  # noqa: E402

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


def free_ports(count=1):
    """The first of ``count`` consecutive TCP ports of 127.0.0.1 that nothing listens on now,
    below the kernel's ephemeral range: a test that expects a refused connection on one of them
    gets it (a port of the ephemeral range may be taken by any outgoing connection meanwhile, and
    a connect to it can even meet itself, TCP's simultaneous open, and succeed)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as handle:
            ephemeral_low = int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    high = min(ephemeral_low, 32768) - count
    for _ in range(500):
        base = random.randrange(10000, high)
        sockets = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError(f"no {count} free consecutive ports below {high + count}")


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
            elif command == "stop":
                self.active.discard(name)
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
        self.next_id = 1

    def member_list(self):
        return self.members

    def member_add(self, peer_url, name=""):
        self.members.append({"ID": str(self.next_id), "name": name, "peerURLs": [peer_url]})
        self.next_id += 1
        return self.members

    def member_remove(self, member_id):
        if not any(member["ID"] == member_id for member in self.members):
            raise store.StoreUnavailable("etcdserver: member not found")
        self.members = [member for member in self.members if member["ID"] != member_id]
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
    monkeypatch.setattr(system, "run_later", lambda seconds, *argv: fake.calls.append(("later",) + argv) or True)
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


# --- several nodes sharing one configuration store ------------------------------------------

def preconfig(setup):
    path = Path(paths.PRECONFIG)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(setup if isinstance(setup, str) else json.dumps({"setup": setup}))


def run_setup(capsys, *args):
    code = ovs_cli.main(["setup", *args])
    return code, capsys.readouterr().out


class Cluster:
    """Nodes (one root and one set of systemd units each) sharing one configuration store; SSH
    reads the master's files and reaches the nodes in ``online``; ``actions.call`` runs the
    action on the target node (an offline node's queue is left to whoever answers it)."""

    def __init__(self, tmp_path, monkeypatch, capsys, etcd, systemd):
        self.tmp, self.monkeypatch, self.capsys, self.etcd, self.systemd = tmp_path, monkeypatch, capsys, etcd, systemd
        self.roots, self.names, self.units = {}, {}, {}
        self.online, self.current = set(), None
        self.password = "rooter"
        self.queue_call = actions.call
        monkeypatch.setattr(remote, "fetch_files", self.fetch_files)
        monkeypatch.setattr(remote, "connection_state", self.connection_state)
        monkeypatch.setattr(actions, "call", self.call)

    def fetch_files(self, ip, password, filenames):
        if password != self.password:
            raise remote.ConnectError(f"Could not connect to master node {ip} as root: authentication "
                                      "failed, the master_password is not correct")
        return {name: (self.roots[ip] / name.lstrip("/")).read_text() for name in filenames}

    def connection_state(self, ip, timeout=None):
        return remote.CONNECTED if ip in self.online else remote.UNABLE

    def as_node(self, ip):
        """Act as node ``ip`` from now on: its root, IP, hostname and systemd units."""
        self.current = ip
        self.monkeypatch.setenv("OVS_EMULATOR_ROOT", str(self.roots[ip]))
        self.monkeypatch.setattr(system, "local_ips", lambda: [ip])
        self.monkeypatch.setattr(system, "hostname", lambda: self.names[ip])
        self.systemd.enabled, self.systemd.active = self.units.setdefault(ip, (set(), set()))

    def setup(self, ip, name, **extra):
        self.roots[ip], self.names[ip] = self.tmp / name, name
        self.as_node(ip)
        preconfig({"master_ip": "10.0.0.1", "master_password": "rooter", "cluster_ip": ip, **extra})
        code, out = run_setup(self.capsys)
        self.online.add(ip)
        return code, out

    def machine_id(self, ip):
        return (self.roots[ip] / "etc/openvstorage_id").read_text().strip()

    def host(self, name, key):
        machine_id = (self.tmp / name / "etc/openvstorage_id").read_text().strip()
        return self.etcd.get(f"/ovs/framework/hosts/{machine_id}/{key}")

    def ovs(self, ip, *args, stdin=""):
        """``ovs <args>`` on node ``ip`` with ``stdin``; (exit code, stdout)."""
        self.as_node(ip)
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = ovs_cli.main(list(args))
        return code, self.capsys.readouterr().out

    def call(self, config_store, machine_id, name, timeout=None, **kwargs):
        ip = next(ip for ip in self.roots if self.machine_id(ip) == machine_id)
        if ip not in self.online:
            return self.queue_call(config_store, machine_id, name, timeout=timeout, **kwargs)
        caller = self.current
        self.as_node(ip)
        try:
            return actions.ACTIONS[name](config_store, machine_id, **kwargs)
        except Exception as exc:  # as the job's FAILURE reaches the caller
            raise RuntimeError(str(exc)) from None
        finally:
            self.as_node(caller)


@pytest.fixture
def cluster(tmp_path, monkeypatch, capsys, etcd, systemd):
    return Cluster(tmp_path, monkeypatch, capsys, etcd, systemd)
