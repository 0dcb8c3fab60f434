"""The emulated ASD manager API (ovs_emulator.asdapi), served in-process over HTTPS."""
import base64
import http.client
import json
import os
import ssl
import stat
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from ovs_emulator import asdapi, paths  # noqa: E402
from ovs_emulator.store import MemoryStore  # noqa: E402

NODE_ID = "AbCdEfGh12345678"
PASSWORD = "p" * 32
DISKS = [{"name": "sdb", "size": 107374182400, "is_ssd": False, "serial": "SRL0001"},
         {"name": "sdc", "size": 53687091200, "is_ssd": True, "serial": "SRL0002"}]


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("OVS_EMULATOR_ROOT", str(tmp_path))
    os.makedirs(os.path.dirname(paths.HARDWARE_JSON))
    with open(paths.HARDWARE_JSON, "w", encoding="utf-8") as handle:
        json.dump({"disks": DISKS}, handle)
    os.makedirs(os.path.dirname(paths.SDM_ID), exist_ok=True)
    with open(paths.SDM_ID, "w", encoding="utf-8") as handle:
        handle.write(NODE_ID + "\n")
    # a fake systemctl: asd-manager is active, alba-asd-dead failed, others unknown
    fake = tmp_path / "systemctl"
    fake.write_text("""#!/bin/sh
case "$1" in
  show) case "$3" in asd-manager|alba-asd-dead) echo LoadState=loaded;;
                    *) echo LoadState=not-found;; esac;;
  is-active) shift; for u in "$@"; do case "$u" in asd-manager) echo active;;
                                                     alba-asd-dead) echo failed;;
                                                     *) echo inactive;; esac; done;;
  list-units) echo "alba-maintenance_mybackend-0123456789abcdef.service loaded active running x";;
esac
""")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return tmp_path


@pytest.fixture
def store():
    store = MemoryStore()
    store.set(f"/ovs/alba/asdnodes/{NODE_ID}/config/main",
              {"ip": "127.0.0.1", "port": 8500, "node_id": NODE_ID, "version": 0,
               "username": "root", "password": PASSWORD})
    store.set(f"/ovs/alba/asdnodes/{NODE_ID}/config/network", {"ips": ["127.0.0.1"], "port": 8500})
    return store


@pytest.fixture
def server(store, root, certificate):
    srv = asdapi.make_server(store, "127.0.0.1", 0, *certificate,
                             systemctl=str(root / "systemctl"))
    srv.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def call(server, method, path, user="root", password=PASSWORD):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", server.server_address[1],
                                             context=context, timeout=10)
    headers = {}
    if user is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(
            f"{user}:{password}".encode()).decode()
    connection.request(method, path, headers=headers)
    answer = connection.getresponse()
    body = json.loads(answer.read())
    connection.close()
    return answer.status, body


def assert_envelope(body, success=True):
    assert body["_success"] is success
    assert body["_version"] == 3
    assert isinstance(body["_duration"], float)
    if success:
        assert body["_error"] == ""


def test_index_answers_node_id(server):
    status, body = call(server, "GET", "/")
    assert status == 200
    assert body["node_id"] == NODE_ID
    assert_envelope(body)


@pytest.mark.parametrize("user,password", [("root", "wrong"), ("admin", PASSWORD), (None, None)])
def test_bad_credentials_give_401(server, user, password):
    status, body = call(server, "GET", "/slots", user=user, password=password)
    assert status == 401
    assert body["_error"] == "Invalid credentials"
    assert_envelope(body, success=False)


def test_password_change_in_config_applies_at_once(server, store):
    key = f"/ovs/alba/asdnodes/{NODE_ID}/config/main"
    store.set(key + "|password", "new-password")
    assert call(server, "GET", "/")[0] == 401
    assert call(server, "GET", "/", password="new-password")[0] == 200


def test_slots_built_from_hardware(server):
    status, body = call(server, "GET", "/slots")
    assert status == 200
    assert_envelope(body)
    slots = body["data"]
    assert len(slots) == 2
    by_device = {slot["device"]: (slot_id, slot) for slot_id, slot in slots.items()}
    for disk in DISKS:
        slot_id, slot = by_device[f"/dev/{disk['name']}"]
        assert slot["slot_id"] == slot_id == slot["aliases"][0].split("/")[-1]
        assert slot["aliases"][0].startswith("/dev/disk/by-id/")
        assert slot["size"] == disk["size"]
        assert slot["state"] == "empty"
        assert slot["available"] is True
        assert slot["mountpoint"] is None
        assert slot["osds"] == {}
        assert slot["node_id"] == NODE_ID


def test_slots_without_hardware_file_are_empty(server):
    os.remove(paths.HARDWARE_JSON)
    status, body = call(server, "GET", "/slots")
    assert status == 200 and body["data"] == {}


def test_service_status(server):
    assert call(server, "GET", "/service_status/asd-manager")[1]["status"] == [True, "active"]
    assert call(server, "GET", "/service_status/alba-asd-dead")[1]["status"] == [False, "failed"]
    status, body = call(server, "GET", "/service_status/nothing")
    assert status == 200 and body["status"] is None


def test_service_status_needs_credentials(server):
    assert call(server, "GET", "/service_status/asd-manager", password="x")[0] == 401


def test_maintenance_list(server):
    status, body = call(server, "GET", "/maintenance")
    assert status == 200
    assert body["services"] == ["alba-maintenance_mybackend-0123456789abcdef"]


def test_net_needs_no_credentials(server):
    status, body = call(server, "GET", "/net", user=None)
    assert status == 200 and body["ips"] == ["127.0.0.1"]


def test_unknown_route_and_method(server):
    status, body = call(server, "GET", "/nothing")
    assert status == 404
    assert_envelope(body, success=False)
    status, body = call(server, "DELETE", "/slots")
    assert status == 405
    assert_envelope(body, success=False)


def test_unexpected_error_is_500(server, monkeypatch):
    def broken(self):
        raise RuntimeError("Disk sdz not found")
    monkeypatch.setattr(asdapi.AsdApp, "slots", broken)
    status, body = call(server, "GET", "/slots")
    assert status == 500
    assert body["_error"] == "Disk sdz not found"
    assert_envelope(body, success=False)


def test_ensure_certificate(tmp_path):
    cert, key = tmp_path / "ssl" / "server.crt", tmp_path / "ssl" / "server.key"
    asdapi.ensure_certificate(str(cert), str(key), "127.0.0.1")
    assert cert.exists() and key.exists()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
