"""Store semantics (MemoryStore), the Arakoon ini, and EtcdStore against a real etcd."""
import os
import shutil
import subprocess
import time

import pytest

from ovs_emulator import paths, store
from ovs_emulator.store import ArakoonNode, EtcdStore, MemoryStore
from conftest import free_ports


def exercise(s):
    s.set("/ovs/framework/hosts/abc/ip", "10.0.0.1")
    s.set("/ovs/framework/cluster_id", "abcdefgh12345678")
    s.set("/ovs/framework/memcache", {"endpoints": ["10.0.0.1:11211"], "metadata": {"internal": True}})
    assert s.get_raw("/ovs/framework/hosts/abc/ip") == '"10.0.0.1"'
    assert s.get_raw("/ovs/framework/memcache") == (
        '{\n    "endpoints": [\n        "10.0.0.1:11211"\n    ],\n    "metadata": {\n'
        '        "internal": true\n    }\n}')
    assert s.get("ovs/framework/memcache|metadata.internal") is True
    assert s.get("/ovs/framework/memcache|nope", "dflt") == "dflt"
    assert s.get("/nothing") is None
    s.set("/ovs/framework/memcache|endpoints", ["a:1"])
    assert s.get("/ovs/framework/memcache") == {"endpoints": ["a:1"], "metadata": {"internal": True}}
    assert s.list("/") == ["ovs"]
    assert s.list("/ovs/framework") == ["cluster_id", "hosts", "memcache"]
    assert s.list_recursive("/ovs/framework/hosts") == ["/ovs/framework/hosts/abc/ip"]
    assert s.set_if_absent("/lock", 1) is True
    assert s.set_if_absent("/lock", 2) is False and s.get("/lock") == 1
    s.set_raw("/text", "[global]\n")
    assert s.get_raw("/text") == "[global]\n"
    s.delete("/ovs/framework", recursive=True)
    assert s.list_recursive("/") == ["/lock", "/text"]
    s.delete("/lock")
    assert not s.exists("/lock")


def test_memory_store():
    exercise(MemoryStore())


def test_cacc_roundtrip(tmp_path, monkeypatch):
    monkeypatch.setenv("OVS_EMULATOR_ROOT", str(tmp_path))
    nodes = [ArakoonNode("aaaaaaaaaaaaaaa1", "10.0.0.1"), ArakoonNode("bbbbbbbbbbbbbbb2", "10.0.0.2")]
    store.write_cacc(nodes)
    text = open(paths.CACC_INI).read()
    assert text.startswith("[global]\ncluster_id = config\ncluster = aaaaaaaaaaaaaaa1,bbbbbbbbbbbbbbb2\n")
    assert ("[bbbbbbbbbbbbbbb2]\nname = bbbbbbbbbbbbbbb2\nip = 10.0.0.2\nclient_port = 26400\n"
            "messaging_port = 26401\n") in text
    assert "home = /opt/OpenvStorage/db/arakoon/config/db\ntlog_dir = /opt/OpenvStorage/db/arakoon/config/tlogs\n" in text
    assert store.read_cacc() == ("config", nodes)


def test_missing_cacc(tmp_path, monkeypatch):
    monkeypatch.setenv("OVS_EMULATOR_ROOT", str(tmp_path))
    with pytest.raises(store.StoreError, match="arakoon_cacc.ini not found"):
        store.open_store()


def test_unreachable_store():
    s = EtcdStore(nodes=[ArakoonNode("a", "127.0.0.1", free_ports(), 1)], timeout=1)
    with pytest.raises(store.StoreUnavailable, match="The configuration store \\(Arakoon cluster config\\) "
                                                     "is unavailable: no quorum or no node reachable"):
        s.get("/ovs/framework/cluster_id")


# --- a real etcd ---------------------------------------------------------------------

ETCD = shutil.which("etcd") or "/usr/bin/etcd"
needs_etcd = pytest.mark.skipif(not os.path.exists(ETCD), reason="etcd (Debian etcd-server) not installed")


class EtcdCluster:
    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.procs = {}
        self.nodes = {}

    def start(self, name, state, initial):
        node = self.nodes[name]
        args = [ETCD, "--name", name, "--data-dir", str(self.tmp / name),
                "--listen-client-urls", f"http://127.0.0.1:{node.client_port}",
                "--advertise-client-urls", f"http://127.0.0.1:{node.client_port}",
                "--listen-peer-urls", f"http://127.0.0.1:{node.messaging_port}",
                "--initial-advertise-peer-urls", f"http://127.0.0.1:{node.messaging_port}",
                "--initial-cluster", ",".join(f"{n}=http://127.0.0.1:{self.nodes[n].messaging_port}" for n in initial),
                "--initial-cluster-state", state, "--heartbeat-interval", "50", "--election-timeout", "500"]
        self.procs[name] = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def add(self, name):
        self.nodes[name] = ArakoonNode(name, "127.0.0.1", free_ports(), free_ports())
        return self.nodes[name]

    def stop(self, name):
        self.procs[name].terminate()
        self.procs[name].wait(10)

    def store(self, timeout=3):
        return EtcdStore(nodes=list(self.nodes.values()), timeout=timeout)

    def close(self):
        for proc in self.procs.values():
            proc.kill()
            proc.wait()


def wait_ready(s, seconds=20):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return s.get("/probe")
        except store.StoreUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def etcd_cluster(tmp_path):
    cluster = EtcdCluster(tmp_path)
    yield cluster
    cluster.close()


@needs_etcd
def test_etcd_store_and_quorum(etcd_cluster, tmp_path):
    c = etcd_cluster
    c.add("n1")
    c.start("n1", "new", ["n1"])
    s = c.store()
    wait_ready(s)
    exercise(s)
    s.set("/ovs/framework/cluster_id", "abcdefgh12345678")

    # grow to three members the way a joining master does: member add, then start 'existing'
    for name in ("n2", "n3"):
        node = c.add(name)
        members = s.member_add(f"http://127.0.0.1:{node.messaging_port}")
        assert len(members) == len(c.nodes)
        c.start(name, "existing", list(c.nodes))
        s = c.store()
        wait_ready(s)
    deadline = time.monotonic() + 20  # a member has a name once it started
    while sorted(m.get("name", "") for m in s.member_list()) != ["n1", "n2", "n3"]:
        assert time.monotonic() < deadline
        time.sleep(0.2)

    # the cacc ini drives the endpoints; any node answers
    store.write_cacc(list(c.nodes.values()), path=str(tmp_path / "cacc.ini"))
    only_n3 = EtcdStore(nodes=[c.nodes["n3"]])
    assert wait_ready(only_n3) is None and only_n3.get("/ovs/framework/cluster_id") == "abcdefgh12345678"
    from_ini = EtcdStore(str(tmp_path / "cacc.ini"))
    assert from_ini.endpoints == [f"http://127.0.0.1:{n.client_port}" for n in c.nodes.values()]

    # one master lost: the majority still writes (the client skips the dead endpoint)
    c.stop("n1")
    s = c.store()
    s.set("/after/one/lost", 1)
    assert s.get("/after/one/lost") == 1

    # two of three lost: no quorum, a clear error instead of a hang
    c.stop("n2")
    started = time.monotonic()
    with pytest.raises(store.StoreUnavailable, match="no quorum or no node reachable"):
        c.store(timeout=2).set("/no/quorum", 1)
    assert time.monotonic() - started < 30


def test_etcd_33_is_reached_through_its_v3beta_gateway(monkeypatch):
    """etcd 3.3 (Debian 11) serves the v3 JSON API under /v3beta only: a 404 on /v3 tries it."""
    import http.server
    import json
    import threading

    seen = []

    class Etcd33(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.path)
            ok = self.path == "/v3beta/kv/range"
            self.send_response(200 if ok else 404)
            self.end_headers()
            self.wfile.write(json.dumps({"kvs": []}).encode() if ok else b"404 page not found\n")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Etcd33)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(EtcdStore, "gateway", "/v3")
    try:
        client = EtcdStore(nodes=[ArakoonNode("n1", "127.0.0.1", server.server_port, 1)])
        assert client.get("/ovs/framework/cluster_id") is None
        assert client.get("/ovs/framework/cluster_id") is None
    finally:
        server.shutdown()
    # the first read found the gateway; the second went straight to it
    assert seen == ["/v3/kv/range", "/v3beta/kv/range", "/v3beta/kv/range"]
