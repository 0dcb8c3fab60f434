"""ALBA backends and presets: the same ABM through the API and the ``alba`` CLI; ABM/NSM
services on the masters (their ovs-workers), maintenance agents through the ASD manager."""
import json
import os
import stat
import time
from pathlib import Path

import pytest

from ovs_emulator import actions, alba_cli, albamgr, asdapi, model, paths, store as store_module, workers
from test_storage import GiB, ME, configure, disk_named, rescan, write_hardware
from test_webapi import Api, api, root, store  # noqa: F401  (fixtures)

DEFAULT_ENTRY = {"name": "default", "policies": ["(5, 4, 8, 3)", "(2, 2, 3, 4)"],
                 "is_default": True, "fragment_size": 1048576, "osds": ["all"],
                 "compression": "snappy", "fragment_checksum": ["crc-32c"],
                 "object_checksum": {"allowed": [["none"], ["sha-1"], ["crc-32c"]],
                                     "default": ["crc-32c"], "verify_upload": True},
                 "fragment_encryption": ["none"], "in_use": False, "version": 0,
                 "is_available": False,
                 "policy_metadata": {
                     "(5, 4, 8, 3)": {"is_active": False, "in_use": False, "is_available": False},
                     "(2, 2, 3, 4)": {"is_active": False, "in_use": False, "is_available": False}}}
NODE_ID = "AsDnOdE000000009"
FAKE_SYSTEMCTL = """#!/bin/sh
# a systemctl for the ASD manager: units started are files in $OVS_EMULATOR_ROOT/active
mkdir -p "$OVS_EMULATOR_ROOT/active"
case "$1" in
  start) touch "$OVS_EMULATOR_ROOT/active/$2";;
  disable) rm -f "$OVS_EMULATOR_ROOT/active/$3";;
  list-units) for f in "$OVS_EMULATOR_ROOT"/active/*; do
                [ -e "$f" ] && echo "$(basename "$f").service loaded active running x"; done;;
esac
exit 0
"""


@pytest.fixture
def masters(api, root, store, systemd, monkeypatch):  # noqa: F811
    """ctl01 (sr-1) with a DB partition, its ovs-workers serving its queue."""
    monkeypatch.setattr(actions, "POLL", 0.02)
    write_hardware()
    node = workers.Worker(store, ME)
    node.start()
    rescan(api)
    assert configure(api, disk_named(api, "sdb")["guid"], ["DB", "WRITE"])["status"] == "SUCCESS"
    yield node
    node.stop()


@pytest.fixture
def asd_node(store, root, certificate):  # noqa: F811
    fake = root / "fake-systemctl"
    fake.write_text(FAKE_SYSTEMCTL)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    server = asdapi.make_server(store, "127.0.0.1", 0, *certificate, node_id=NODE_ID,
                                systemctl=str(fake))
    server.start()
    port = server.server_address[1]
    main = {"ip": "127.0.0.1", "port": port, "node_id": NODE_ID, "version": 0,
            "username": "root", "password": "p" * 32}
    store.set(f"/ovs/alba/asdnodes/{NODE_ID}/config/main", main)
    model.create(store, "albanode", node_id=NODE_ID, ip="127.0.0.1", port=port, type="ASD",
                 username="root", password="p" * 32, name="str01")
    yield server
    server.shutdown()
    server.server_close()


def alba_type(api):  # noqa: F811
    status, body = api.call("GET", "/api/backendtypes/?contents=code")
    return next(t["guid"] for t in body["data"] if t["code"] == "alba")


def wait_status(api, backend_guid, wanted, timeout=20):  # noqa: F811
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, body = api.call("GET", f"/api/backends/{backend_guid}/")
        if body["status"] in wanted:
            return body
        time.sleep(0.05)
    raise AssertionError(f"backend stays {body['status']}")


def make_backend(api, name="b1"):  # noqa: F811
    status, backend = api.call("POST", "/api/backends/", {"name": name,
                                                         "backend_type_guid": alba_type(api)})
    assert status == 201, backend
    status, alba_backend = api.call("POST", "/api/alba/backends/",
                                    {"backend_guid": backend["guid"], "scaling": "LOCAL"})
    assert status == 201, alba_backend
    return backend, alba_backend


@pytest.fixture
def backend(api, masters):  # noqa: F811
    backend, alba_backend = make_backend(api)
    assert wait_status(api, backend["guid"], ("RUNNING", "FAILURE"))["status"] == "RUNNING"
    return alba_backend["guid"]


def action(api, guid, name, data):  # noqa: F811
    status, task_id = api.call("POST", f"/api/alba/backends/{guid}/{name}/", data)
    assert status == 200, task_id
    return api.wait_task(task_id)


def presets(api, guid):  # noqa: F811
    return {p["name"]: p for p in api.call("GET", f"/api/alba/backends/{guid}/")[1]["presets"]}


# --- backends ----------------------------------------------------------------------------

def test_backend_create_and_duplicate(api):  # noqa: F811
    status, body = api.call("POST", "/api/backends/", {"name": "b1",
                                                      "backend_type_guid": alba_type(api)})
    assert status == 201 and body["name"] == "b1" and body["status"] == "INSTALLING"
    assert body["backend_type_guid"] == alba_type(api)
    status, body = api.call("POST", "/api/backends/", {"name": "b1",
                                                      "backend_type_guid": alba_type(api)})
    assert (status, body) == (406, {"error": "duplicate",
                                    "error_description": "Backend with this name already exists"})
    status, body = api.call("POST", "/api/backends/", {"backend_type_guid": alba_type(api)})
    assert (status, body["error_description"]) == (406, "Invalid data passed: name is missing")
    assert api.call("GET", "/api/backends/")[1]["_paging"]["total_items"] == 1


def test_alba_backend_deploys_abm_and_nsm(api, backend, store, systemd, root):  # noqa: F811
    status, body = api.call("GET", f"/api/alba/backends/{backend}/")
    assert status == 200
    assert body["name"] == "b1" and body["scaling"] == "LOCAL" and body["available"] is True
    assert len(body["alba_id"]) == 36 and body["osds_guids"] == []
    assert body["usages"] == {"free": 0.0, "size": 0.0, "used": 0.0}
    assert body["local_summary"]["devices"] == {"green": 0, "orange": 0, "red": 0, "gray": 0}
    assert body["local_summary"]["name"] == "b1" and body["linked_backend_guids"] == []
    assert body["presets"] == [DEFAULT_ENTRY] and body["live_status"] == "running"
    assert api.call("GET", "/api/alba/backends/")[1]["data"] == [backend]
    # ABM and NSM: clusters on ctl01 (the only master with a DB partition), next free ports
    for cluster, ports, kind in (("b1-abm", (26406, 26407), "ABM"),
                                 ("b1-nsm_0", (26408, 26409), "NSM")):
        _, nodes = store_module.parse_cacc(store.get_raw(f"/ovs/arakoon/{cluster}/config"))
        assert [(n.name, n.ip, n.client_port, n.messaging_port) for n in nodes] == \
            [(ME, "172.30.250.11", *ports)]
        assert store.get(f"/ovs/arakoon/{cluster}/metadata") == {"internal": True, "type": kind,
                                                                "in_use": True}
        unit = Path(paths.SYSTEMD_DIR, f"ovs-arakoon-{cluster}.service").read_text()
        assert f"--name ovs-arakoon-{cluster} --listen {ports[0]} --listen {ports[1]}" in unit
        assert f"ovs-arakoon-{cluster}" in systemd.active | systemd.enabled
        assert os.path.isdir(paths.real(f"/mnt/ssd1/arakoon/{cluster}/db"))
    assert "home = /mnt/ssd1/arakoon/b1-abm/db" in store.get_raw("/ovs/arakoon/b1-abm/config")
    # the ABM config URL the framework hands to alba
    assert albamgr.config_url("b1-abm") == ("arakoon://config/ovs/arakoon/b1-abm/config?ini="
                                            "%2Fopt%2FOpenvStorage%2Fconfig%2Farakoon_cacc.ini")
    # ABM and NSM are AlbaManager / NamespaceManager services: get_partition_info does not count
    # them, the DB role stays removable (services.py)
    sdb = disk_named(api, "sdb")
    part = sdb["partitions_guids"][0]
    assert configure(api, sdb["guid"], ["WRITE"], partition_guid=part)["status"] == "SUCCESS"


def test_second_backend_takes_next_ports(api, backend, store):  # noqa: F811
    backend2, _ = make_backend(api, "b2")
    assert wait_status(api, backend2["guid"], ("RUNNING", "FAILURE"))["status"] == "RUNNING"
    _, nodes = store_module.parse_cacc(store.get_raw("/ovs/arakoon/b2-abm/config"))
    assert (nodes[0].client_port, nodes[0].messaging_port) == (26410, 26411)


def test_alba_backend_without_db_partition_fails(api, root, store, systemd):  # noqa: F811
    backend, alba_backend = make_backend(api)
    assert wait_status(api, backend["guid"], ("RUNNING", "FAILURE"))["status"] == "FAILURE"
    tasks = [store.get(f"/ovsdb/task/{t}") for t in store.list("/ovsdb/task")]
    [task] = [t for t in tasks if t["name"] == "alba.add_cluster"]
    assert task["result"] == "No StorageRouters available to deploy ABM Arakoon cluster on"
    body = api.call("GET", f"/api/alba/backends/{alba_backend['guid']}/")[1]
    assert body["alba_id"] is None and body["presets"] == [] and body["available"] is False


def test_alba_backend_create_errors(api):  # noqa: F811
    status, body = api.call("POST", "/api/alba/backends/", {"scaling": "LOCAL"})
    assert (status, body["error_description"]) == (406, "Invalid data passed: backend_guid is missing")
    assert api.call("POST", "/api/alba/backends/", {"backend_guid": "nope"})[0] == 404
    assert api.call("GET", "/api/alba/backends/nope/")[0] == 404


def test_maintenance_agents_through_asd_manager(api, masters, asd_node, store, root):  # noqa: F811
    backend, alba_backend = make_backend(api)
    assert wait_status(api, backend["guid"], ("RUNNING",))["status"] == "RUNNING"
    guid = alba_backend["guid"]
    def agents():
        return [n for n in store.list(f"/ovs/alba/backends/{guid}/maintenance") if n != "nr_of_agents"]

    # the agent is deployed in the background: wait until the ASD manager has started it
    deadline = time.time() + 30
    while time.time() < deadline and not any((root / "active" / n).exists() for n in agents()):
        time.sleep(0.05)
    assert store.get(f"/ovs/alba/backends/{guid}/maintenance/nr_of_agents") == 3
    [name] = agents()
    assert name.startswith("alba-maintenance_b1-") and len(name) == len("alba-maintenance_b1-") + 16
    config = store.get(f"/ovs/alba/backends/{guid}/maintenance/{name}/config")
    assert config == {"log_level": "info", "albamgr_cfg_url": albamgr.config_url("b1-abm"),
                      "read_preference": [NODE_ID], "multicast_discover_osds": False}
    unit = Path(paths.SYSTEMD_DIR, f"{name}.service").read_text()
    assert "ExecStart=/usr/bin/alba maintenance --config=arakoon://config/ovs/alba/backends/" in unit
    assert (root / "active" / name).exists()
    # one agent per node only
    from ovs_emulator import alba as alba_plugin
    from ovs_emulator.model import Model
    alba_plugin.checkup_maintenance_agents(Model(store))
    assert len(store.list(f"/ovs/alba/backends/{guid}/maintenance")) == 2
    # the agent's process: runs while its config and the ABM are there
    assert alba_cli.execute  # noqa
    # removal takes the agent away
    status, task_id = api.call("DELETE", f"/api/alba/backends/{guid}/")
    assert api.wait_task(task_id)["status"] == "SUCCESS"
    assert not (root / "active" / name).exists()
    assert not Path(paths.SYSTEMD_DIR, f"{name}.service").exists()


def test_delete_backend(api, backend, store, systemd):  # noqa: F811
    backend_guid = api.call("GET", f"/api/alba/backends/{backend}/")[1]["backend_guid"]
    status, task_id = api.call("DELETE", f"/api/alba/backends/{backend}/")
    assert status == 200 and api.wait_task(task_id)["status"] == "SUCCESS"
    assert api.call("GET", f"/api/alba/backends/{backend}/")[0] == 404
    assert api.call("GET", f"/api/backends/{backend_guid}/")[0] == 404
    assert not store.exists("/ovs/arakoon/b1-abm/config")
    assert store.list("/albamgr") == []
    assert not Path(paths.SYSTEMD_DIR, "ovs-arakoon-b1-abm.service").exists()
    assert "ovs-arakoon-b1-nsm_0" not in systemd.active


# --- presets through the API ---------------------------------------------------------------

def test_add_update_delete_preset(api, backend):  # noqa: F811
    result = action(api, backend, "add_preset", {"name": "fast", "compression": "none",
                                                 "policies": [[2, 1, 3, 1]], "encryption": "none"})
    assert result["status"] == "SUCCESS", result
    fast = presets(api, backend)["fast"]
    assert fast["policies"] == ["(2, 1, 3, 1)"] and fast["fragment_size"] == 16 * 1024 ** 2
    assert fast["is_default"] is False and fast["in_use"] is False and fast["version"] == 0
    assert fast["compression"] == "none" and fast["fragment_encryption"] == ["none"]
    result = action(api, backend, "update_preset", {"name": "fast", "policies": [[3, 1, 4, 2]]})
    assert result["status"] == "SUCCESS"
    fast = presets(api, backend)["fast"]
    assert fast["policies"] == ["(3, 1, 4, 2)"] and fast["version"] == 1
    assert action(api, backend, "delete_preset", {"name": "fast"})["status"] == "SUCCESS"
    assert set(presets(api, backend)) == {"default"}
    # deleting an unknown preset is not an error
    assert action(api, backend, "delete_preset", {"name": "nope"})["status"] == "SUCCESS"


def test_encrypted_preset(api, backend):  # noqa: F811
    result = action(api, backend, "add_preset", {"name": "secret", "compression": "bz2",
                                                 "policies": [[1, 1, 1, 1]],
                                                 "encryption": "aes-cbc-256",
                                                 "fragment_size": 2097152})
    assert result["status"] == "SUCCESS", result
    secret = presets(api, backend)["secret"]
    algo, key = secret["fragment_encryption"]
    assert algo == "aes-cbc-256" and len(key) == 64 and int(key, 16) >= 0
    assert secret["fragment_size"] == 2097152


@pytest.mark.parametrize("data, text", [
    ({"name": "x"}, "Invalid preset name specified"),
    ({"name": "-bad"}, "Invalid preset name specified"),
    ({"compression": "xz"},
     'Invalid compression format specified, please choose from: "snappy", "bz2", "none"'),
    ({"encryption": "rot13"},
     'Invalid encryption format specified, please choose from: "aes-cbc-256", "aes-ctr-256", "none"'),
    ({"fragment_size": 8}, "Fragment size should be a positive integer smaller than 1 GiB"),
    ({"fragment_size": 2 * GiB}, "Fragment size should be a positive integer smaller than 1 GiB"),
    ({"policies": []}, "At least 1 policy must be defined when adding/updating a preset"),
    ({"policies": [[1, 2, 3]]}, "Incorrect policy format specified"),
    ({"policies": [[1, 2, "3", 4]]}, "Policies for a preset should only contain integers"),
    ({"policies": [[5, 4, 10, 3]]},
     "Policy [5, 4, 10, 3] does not match the requirement: k <= c <= (k + m)"),
    ({"policies": [[4, 2, 3, 1]]},
     "Policy [4, 2, 3, 1] does not match the requirement: k <= c <= (k + m)"),
    ({"policies": [[0, 2, 0, 1]]}, "Policy [0, 2, 0, 1] contains a zero k value"),
    ({"policies": [[2, 2, 3, 0]]}, "Policy [2, 2, 3, 0] contains a zero x value"),
    ({"name": "default"}, "Preset with name default already exists"),
])
def test_add_preset_rules(api, backend, data, text):  # noqa: F811
    body = dict({"name": "mypreset", "compression": "snappy", "policies": [[2, 2, 3, 4]],
                 "encryption": "none"}, **data)
    result = action(api, backend, "add_preset", body)
    assert result["status"] == "FAILURE" and result["result"] == text


def test_preset_action_errors(api, backend, store):  # noqa: F811
    status, body = api.call("POST", f"/api/alba/backends/{backend}/add_preset/",
                            {"name": "p1", "compression": "none", "policies": [[1, 1, 1, 1]]})
    assert (status, body["error_description"]) == (406, "Invalid data passed: encryption is missing")
    result = action(api, backend, "update_preset", {"name": "nope", "policies": [[1, 1, 1, 1]]})
    assert result["result"] == "Could not find a preset with name nope for ALBA Backend b1"
    result = action(api, backend, "update_preset", {"name": "default", "policies": []})
    assert result["result"] == "At least 1 policy must be defined when adding/updating a preset"
    result = action(api, backend, "delete_preset", {"name": "default"})
    assert result["status"] == "FAILURE" and result["result"] == "Cannot delete the default preset"
    # a preset in use (a namespace uses it) cannot be deleted: ALBA refuses with code 16
    action(api, backend, "add_preset", {"name": "used", "compression": "none",
                                        "policies": [[1, 1, 1, 1]], "encryption": "none"})
    store.set("/albamgr/b1-abm/namespaces/vpool1", {"preset_name": "used"})
    assert presets(api, backend)["used"]["in_use"] is True
    result = action(api, backend, "delete_preset", {"name": "used"})
    assert result["result"] == (
        "Albamgr exception(Albamgr_protocol.Protocol.Error.Preset_cant_delete_in_use,"
        "Albamgr_protocol.Protocol.Error.Preset_cant_delete_in_use) - code: 16 - type: albamgr_exn")


# --- the alba CLI on the same ABM -------------------------------------------------------------

def alba(capsys, monkeypatch, store, *argv):  # noqa: F811
    monkeypatch.setattr(store_module, "EtcdStore", lambda *args, **kwargs: store)
    code = alba_cli.main(list(argv))
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip().startswith("{") else out)


def test_alba_cli_presets(api, backend, store, capsys, monkeypatch, tmp_path):  # noqa: F811
    url = f"--config={albamgr.config_url('b1-abm')}"
    code, answer = alba(capsys, monkeypatch, store, "list-presets", url, "--to-json")
    assert code == 0 and answer["success"] is True
    [entry] = answer["result"]
    assert list(entry) == ["name", "policies", "is_default", "fragment_size", "osds",
                           "compression", "fragment_checksum", "object_checksum",
                           "fragment_encryption", "in_use", "version"]
    assert entry["policies"] == [[5, 4, 8, 3], [2, 2, 3, 4]] and entry["is_default"] is True
    code, answer = alba(capsys, monkeypatch, store, "get-alba-id", url, "--to-json")
    alba_id = api.call("GET", f"/api/alba/backends/{backend}/")[1]["alba_id"]
    assert answer == {"success": True, "result": {"id": alba_id}}

    preset_file = tmp_path / "preset.json"
    preset_file.write_text("""{
    // a comment, as in cfg/preset.json
    "policies": [[2, 1, 3, 2]], "fragment_size": 1048576, "osds": ["all"],
    "compression": "none", "fragment_checksum": ["crc-32c"],
    "object_checksum": {"allowed": [["none"], ["sha-1"], ["crc-32c"]], "default": ["crc-32c"],
                        "verify_upload": true},
    "fragment_encryption": ["none"]}""")
    code, answer = alba(capsys, monkeypatch, store, "create-preset", "cli1", url, "--to-json",
                        f"--input-url={preset_file}")
    assert (code, answer) == (0, {"success": True, "result": {}})
    # the API shows it
    cli1 = presets(api, backend)["cli1"]
    assert cli1["policies"] == ["(2, 1, 3, 2)"] and cli1["is_default"] is False
    code, answer = alba(capsys, monkeypatch, store, "list-presets", url, "--to-json")
    entry = [p for p in answer["result"] if p["name"] == "cli1"][0]
    assert list(entry)[:2] == ["is_default", "name"] and entry["in_use"] is False
    # 14: taken name
    code, answer = alba(capsys, monkeypatch, store, "create-preset", "cli1", url, "--to-json",
                        f"--input-url={preset_file}")
    assert code == 0 and answer == {"success": False, "error": {
        "message": "Albamgr exception(Albamgr_protocol.Protocol.Error.Preset_already_exists,"
                   "Albamgr_protocol.Protocol.Error.Preset_already_exists)",
        "exception_type": "albamgr_exn", "exception_code": 14}}
    # 17: ALBA checks k > 0 and k <= c <= k + m, not x
    bad = json.loads("\n".join(l for l in preset_file.read_text().splitlines() if "//" not in l))
    for policies in ([[0, 1, 0, 2]], [[2, 1, 4, 2]], []):
        preset_file.write_text(json.dumps(dict(bad, policies=policies)))
        code, answer = alba(capsys, monkeypatch, store, "create-preset", "cli2", url, "--to-json",
                            f"--input-url={preset_file}")
        assert answer["error"]["exception_code"] == 17, policies
    preset_file.write_text(json.dumps(dict(bad, policies=[[2, 1, 3, 0]])))
    assert alba(capsys, monkeypatch, store, "create-preset", "cli2", url, "--to-json",
                f"--input-url={preset_file}")[1]["success"] is True
    preset_file.write_text(json.dumps(dict(bad, fragment_size=8)))
    assert alba(capsys, monkeypatch, store, "create-preset", "cli3", url, "--to-json",
                f"--input-url={preset_file}")[1]["error"]["exception_code"] == 17
    preset_file.write_text(json.dumps(dict(bad, compression="xyz")))
    assert alba(capsys, monkeypatch, store, "create-preset", "cli3", url, "--to-json",
                f"--input-url={preset_file}")[1]["error"] == {
        "message": 'Failure("unknown compressor: \\"xyz\\"")', "exception_type": "unknown",
        "exception_code": 0}
    # update-preset validates nothing and bumps the version
    update = tmp_path / "update.json"
    update.write_text('{"policies": [[9, 1, 1, 1]], "fragment_size": 786432}')
    assert alba(capsys, monkeypatch, store, "update-preset", "cli1", url, "--to-json",
                f"--input-url={update}")[1] == {"success": True, "result": {}}
    cli1 = presets(api, backend)["cli1"]
    assert cli1["policies"] == ["(9, 1, 1, 1)"] and cli1["fragment_size"] == 786432
    assert cli1["version"] == 1
    # 13: unknown; default switch; delete
    assert alba(capsys, monkeypatch, store, "delete-preset", "nope", url, "--to-json")[1][
        "error"]["exception_code"] == 13
    assert alba(capsys, monkeypatch, store, "preset-set-default", "nope", url, "--to-json")[1][
        "error"]["exception_code"] == 13
    assert alba(capsys, monkeypatch, store, "preset-set-default", "cli1", url, "--to-json")[1] == \
        {"success": True, "result": {}}
    found = presets(api, backend)
    assert found["cli1"]["is_default"] is True and found["default"]["is_default"] is False
    assert action(api, backend, "delete_preset", {"name": "cli1"})["result"] == \
        "Cannot delete the default preset"
    assert alba(capsys, monkeypatch, store, "delete-preset", "default", url, "--to-json")[1] == \
        {"success": True, "result": {}}
    # 16: in use
    store.set("/albamgr/b1-abm/namespaces/ns1", {"preset_name": "cli2"})
    assert alba(capsys, monkeypatch, store, "delete-preset", "cli2", url, "--to-json")[1][
        "error"]["exception_code"] == 16
    # without --to-json a failure exits 2
    assert alba(capsys, monkeypatch, store, "delete-preset", "nope", url)[0] == 2


def test_alba_cli_unknown_backend(store, root, capsys, monkeypatch):  # noqa: F811
    code, answer = alba(capsys, monkeypatch, store, "list-presets",
                        f"--config={albamgr.config_url('nope-abm')}", "--to-json")
    assert code == 0 and answer["success"] is False
    assert answer["error"]["exception_type"] == "unknown"
    code, _ = alba(capsys, monkeypatch, store, "create-preset", f"--config={albamgr.config_url('x')}")
    assert code == 1  # the preset name is missing: usage


def test_alba_maintenance_process(api, backend, store, monkeypatch):  # noqa: F811
    monkeypatch.setattr(store_module, "EtcdStore", lambda *args, **kwargs: store)
    key = "/ovs/alba/backends/x/maintenance/alba-maintenance_b1-0123456789abcdef/config"
    url = albamgr.configuration_path(key)
    assert alba_cli.maintenance({"config": url}, interval=0, rounds=1) == 2  # no config yet
    store.set(key, {"albamgr_cfg_url": albamgr.config_url("b1-abm")})
    assert alba_cli.maintenance({"config": url}, interval=0, rounds=2) == 0
