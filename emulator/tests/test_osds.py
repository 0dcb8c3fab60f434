"""ASDs and OSDs: the ASD manager makes ASDs (config, unit, mount point), the ``alba`` CLI
adds/claims them in an ABM, the API ties both (fill_slots, add_osds, stack, presets), GLOBAL
backends link LOCAL ones as ``Alba2`` OSDs; all on one configuration store."""
import os
import stat
import time
from pathlib import Path

import pytest

from ovs_emulator import alba_cli, albamgr, asdapi, model, paths, store as store_module
from test_backends import action, alba, masters, presets, wait_status  # noqa: F401
from test_storage import write_hardware  # noqa: F401
from test_webapi import api, root, store  # noqa: F401  (fixtures)
from conftest import free_ports

NODE_ID = "StOrAgEnOdE00001"
# a systemctl for the ASD manager (units started are files in $OVS_EMULATOR_ROOT/active); the
# collection's unit tests run it too
SYSTEMCTL = (Path(__file__).parent / "asd-systemctl.sh").read_text()
OSD_KEYS = ["id", "alba_id", "kind", "ips", "port", "use_tls", "use_rdma", "albamgr_cfg",
            "prefix", "preset", "endpoints", "decommissioned", "node_id", "long_id", "total",
            "used", "seen", "read", "write", "errors", "checksum_errors", "claimed_since"]


@pytest.fixture
def storage_node(store, root, certificate):  # noqa: F811
    """An ASD node (its ASD manager in-process) registered in the model, node network 8600."""
    fake = root / "fake-systemctl"
    fake.write_text(SYSTEMCTL)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    server = asdapi.make_server(store, "127.0.0.1", 0, *certificate, node_id=NODE_ID,
                                systemctl=str(fake))
    server.start()
    port = server.server_address[1]
    store.set(f"/ovs/alba/asdnodes/{NODE_ID}/config/main", {
        "ip": "127.0.0.1", "port": port, "node_id": NODE_ID, "version": 0, "username": "root",
        "password": "p" * 32})
    store.set(f"/ovs/alba/asdnodes/{NODE_ID}/config/network", {"ips": ["127.0.0.1"], "port": 8600})
    node = model.create(store, "albanode", node_id=NODE_ID, ip="127.0.0.1", port=port, type="ASD",
                        username="root", password="p" * 32, name="str01")
    yield node
    server.shutdown()
    server.server_close()


def running_backend(api, root, name, scaling="LOCAL"):  # noqa: F811
    status, backend = api.call("POST", "/api/backends/", {"name": name, "backend_type_guid": [
        t["guid"] for t in api.call("GET", "/api/backendtypes/?contents=code")[1]["data"]
        if t["code"] == "alba"][0]})
    assert status == 201
    status, alba_backend = api.call("POST", "/api/alba/backends/",
                                    {"backend_guid": backend["guid"], "scaling": scaling})
    assert status == 201
    assert wait_status(api, backend["guid"], ("RUNNING", "FAILURE"))["status"] == "RUNNING"
    deadline = time.time() + 30  # its maintenance agent on the storage node
    while time.time() < deadline and not list(root.glob(f"active/alba-maintenance_{name}-*")):
        time.sleep(0.05)
    return alba_backend["guid"]


def node_call(api, guid, name, data):  # noqa: F811
    status, task_id = api.call("POST", f"/api/alba/nodes/{guid}/{name}/", data)
    assert status == 200, task_id
    return api.wait_task(task_id, timeout=60)


def stack(api, node):  # noqa: F811
    return api.call("GET", f"/api/alba/nodes/{node['guid']}/")[1]["stack"]


def slot_named(slots, name):
    return next(slot_id for slot_id, slot in slots.items() if slot.get("device") == f"/dev/{name}")


def claim_three_asds_on_sdc(api, storage_node, guid):  # noqa: F811
    """Three ASDs on sdc of the storage node, claimed by the backend ``guid``: (slot id, {asd id: ASD})."""
    sdc = slot_named(stack(api, storage_node), "sdc")
    node_call(api, storage_node["guid"], "fill_slots", {"osd_information": [{"slot_id": sdc, "count": 3}]})
    osds = stack(api, storage_node)[sdc]["osds"]
    assert action(api, guid, "add_osds", {"alba_node_guid": storage_node["guid"], "osds": [
        {"osd_type": "ASD", "ips": o["ips"], "port": o["port"], "slot_id": sdc}
        for o in osds.values()]})["status"] == "SUCCESS"
    return sdc, osds


def cli(capsys, monkeypatch, store, *argv):  # noqa: F811
    return alba(capsys, monkeypatch, store, *argv)


# --- the ASD manager ----------------------------------------------------------------------

def test_asd_manager_slots_and_data_disk(api, masters, storage_node, store, root):  # noqa: F811
    slots = stack(api, storage_node)
    # sdb carries the storage router's DB partition (partition table): it holds data
    sdb, sdc = slot_named(slots, "sdb"), slot_named(slots, "sdc")
    assert slots[sdb]["available"] is False and slots[sdb]["status"] == "error"
    assert slots[sdc]["available"] is True and slots[sdc]["status"] == "empty"
    # the real ASD manager's answer for a disk it cannot use: 404 "Disk with alias X not available"
    client = asdapi_client(storage_node)
    with pytest.raises(RuntimeError, match=f"^Disk with alias {sdb} not available$"):
        client.call("POST", f"slots/{sdb}/asds")
    result = node_call(api, storage_node["guid"], "fill_slots",
                       {"osd_information": [{"slot_id": sdb, "count": 1}]})
    assert result["status"] == "FAILURE" and result["result"] == f"Disk with alias {sdb} not available"
    assert store.list("/ovs/alba/asds") == []
    # the hardware flag: a data disk is not available either
    write_hardware({"disks": [{"name": "sdc", "size": 100 * 1024 ** 3, "is_ssd": False,
                               "serial": "HDD0002", "has_data": True}]})
    slot = stack(api, storage_node)[sdc]
    assert slot["available"] is False and slot["status_detail"] == "has_data"
    with pytest.raises(RuntimeError, match="not available"):
        client.call("POST", f"slots/{sdc}/asds")


def asdapi_client(node):
    from ovs_emulator import alba as plugin
    return plugin.client_for(node)


def test_fill_slots_makes_asds(api, masters, storage_node, store, root):  # noqa: F811
    slots = stack(api, storage_node)
    sdc, sdd = slot_named(slots, "sdc"), slot_named(slots, "sdd")
    result = node_call(api, storage_node["guid"], "fill_slots", {
        "osd_information": [{"slot_id": sdc, "count": 2}, {"slot_id": sdd, "count": 1}]})
    assert result["status"] == "SUCCESS", result
    slots = stack(api, storage_node)
    mount = slots[sdc]["mountpoint"]
    assert mount.startswith("/mnt/alba-asd/") and len(mount) == len("/mnt/alba-asd/") + 16
    assert os.path.isdir(paths.real(mount))
    assert slots[sdc]["available"] is False and slots[sdc]["status"] == "ok"
    assert len(slots[sdc]["osds"]) == 2 and len(slots[sdd]["osds"]) == 1
    configs = {asd_id: store.get(f"/ovs/alba/asds/{asd_id}/config")
               for asd_id in store.list("/ovs/alba/asds")}
    assert sorted(c["port"] for c in configs.values()) == [8600, 8601, 8602]
    for asd_id, config in configs.items():
        assert len(asd_id) == 32
        assert set(config) == {"home", "node_id", "asd_id", "capacity", "log_level", "port",
                               "transport", "rocksdb_block_cache_size", "ips"}
        assert config["node_id"] == NODE_ID and config["asd_id"] == asd_id
        assert config["transport"] == "tcp" and config["ips"] == ["127.0.0.1"]
        assert os.path.isdir(paths.real(config["home"]))
        unit = Path(paths.SYSTEMD_DIR, f"alba-asd-{asd_id}.service").read_text()
        assert (f"ExecStart=/usr/bin/alba asd-start --config arakoon://config/ovs/alba/asds/"
                f"{asd_id}/config?ini=%%2Fopt%%2FOpenvStorage%%2Fconfig%%2Farakoon_cacc.ini --log-sink console:") in unit
        assert (root / "active" / f"alba-asd-{asd_id}").exists()
    # two ASDs share sdc's size
    on_sdc = [c for c in configs.values() if c["home"].startswith(mount + "/")]
    assert [c["capacity"] for c in on_sdc] == [200 * 1024 ** 3 // 2] * 2
    osd = next(iter(slots[sdc]["osds"].values()))
    assert osd["status"] == "ok" and osd["claimed_by"] is None and osd["folder"] == osd["asd_id"]
    # DELETE one ASD; then clear the slot
    client = asdapi_client(storage_node)
    asd_id = on_sdc[0]["asd_id"]
    client.call("DELETE", f"slots/{sdc}/asds/{asd_id}")
    assert not store.exists(f"/ovs/alba/asds/{asd_id}/config")
    assert not Path(paths.SYSTEMD_DIR, f"alba-asd-{asd_id}.service").exists()
    with pytest.raises(RuntimeError, match=f"Could not find ASD {asd_id} on Slot {sdc}"):
        client.call("DELETE", f"slots/{sdc}/asds/{asd_id}")
    assert node_call(api, storage_node["guid"], "remove_slot", {"slot": sdc})["status"] == "SUCCESS"
    slots = stack(api, storage_node)
    assert slots[sdc]["available"] is True and slots[sdc]["osds"] == {}
    assert not os.path.exists(paths.real(mount))
    # a new ASD takes the first free port again
    client.call("POST", f"slots/{sdc}/asds")
    ports = sorted(store.get(f"/ovs/alba/asds/{a}/config")["port"] for a in store.list("/ovs/alba/asds"))
    assert ports == [8600, 8602]


# --- the API: add_osds, stack, presets, usages ------------------------------------------------

def test_add_osds_claims_through_alba(api, masters, storage_node, store, root, capsys,  # noqa: F811
                                      monkeypatch):
    guid = running_backend(api, root, "lb1")
    slots = stack(api, storage_node)
    sdc, sdd = slot_named(slots, "sdc"), slot_named(slots, "sdd")
    assert node_call(api, storage_node["guid"], "fill_slots", {
        "osd_information": [{"slot_id": sdc, "count": 2}, {"slot_id": sdd, "count": 1}]})[
        "status"] == "SUCCESS"
    slots = stack(api, storage_node)
    osds = [{"osd_type": "ASD", "ips": osd["ips"], "port": osd["port"], "slot_id": slot_id}
            for slot_id in (sdc, sdd) for osd in slots[slot_id]["osds"].values()]
    result = action(api, guid, "add_osds", {"alba_node_guid": storage_node["guid"], "osds": osds})
    assert result["status"] == "SUCCESS", result
    body = api.call("GET", f"/api/alba/backends/{guid}/")[1]
    assert len(body["osds_guids"]) == 3
    assert body["local_summary"]["devices"] == {"green": 3, "orange": 0, "red": 0, "gray": 0}
    capacities = sum(store.get(f"/ovs/alba/asds/{a}/config")["capacity"]
                     for a in store.list("/ovs/alba/asds"))
    assert body["usages"] == {"free": float(capacities), "size": float(capacities), "used": 0.0}
    # one node with 3 OSDs: (2, 2, 3, 4) can be written, (5, 4, 8, 3) cannot
    default = presets(api, guid)["default"]
    assert default["is_available"] is True
    assert default["policy_metadata"] == {
        "(5, 4, 8, 3)": {"is_active": False, "in_use": False, "is_available": False},
        "(2, 2, 3, 4)": {"is_active": True, "in_use": False, "is_available": True}}
    # the stack shows who claimed what
    for slot_id in (sdc, sdd):
        for asd_id, osd in stack(api, storage_node)[slot_id]["osds"].items():
            assert osd["claimed_by"] == guid and osd["osd_id"] == asd_id and osd["status"] == "ok"
    # alba list-osds: the same OSDs, long_id = asd_id
    url = f"--config={albamgr.config_url('lb1-abm')}"
    code, answer = cli(capsys, monkeypatch, store, "list-osds", url, "--to-json")
    assert code == 0 and answer["success"] is True
    listed = answer["result"]
    alba_id = body["alba_id"]
    assert [list(o) for o in listed] == [OSD_KEYS] * 3
    assert [o["id"] for o in listed] == [0, 1, 2]
    assert {o["long_id"] for o in listed} == set(store.list("/ovs/alba/asds"))
    for osd in listed:
        assert osd["alba_id"] == alba_id and osd["kind"] == "AsdV1" and osd["ips"] == ["127.0.0.1"]
        assert osd["node_id"] == NODE_ID and osd["decommissioned"] is False
        assert osd["albamgr_cfg"] is None and osd["prefix"] is None and osd["endpoints"] is None
        assert osd["use_tls"] is False and osd["claimed_since"] > 0
    assert cli(capsys, monkeypatch, store, "list-available-osds", url, "--to-json")[1][
        "result"] == []
    # adding them again: already claimed, nothing to do
    result = action(api, guid, "add_osds", {"alba_node_guid": storage_node["guid"], "osds": osds})
    assert result["status"] == "FAILURE"
    assert result["result"].startswith("Duplicate IP:port combination requested")
    # a slot with claimed OSDs stays; a backend with claimed OSDs stays
    result = node_call(api, storage_node["guid"], "remove_slot", {"slot": sdc})
    assert result["status"] == "FAILURE" and result["result"] == "A slot with claimed OSDs can't be removed"
    status, task_id = api.call("DELETE", f"/api/alba/backends/{guid}/")
    result = api.wait_task(task_id)
    assert result["result"] == "An ALBA Backend with claimed OSDs cannot be removed"
    # a decommissioned OSD shows as such in the stack
    last = listed[2]["long_id"]
    assert cli(capsys, monkeypatch, store, "decommission-osd", url, f"--long-id={last}",
               "--to-json")[1] == {"success": True, "result": {}}
    found = [o for slot in stack(api, storage_node).values() for i, o in slot["osds"].items()
             if i == last]
    assert [(o["status"], o["status_detail"]) for o in found] == [("unavailable", "decommissioned")]
    # reset one OSD: purged from ALBA, a fresh (unclaimed) ASD on the slot
    first = listed[0]["long_id"]
    assert node_call(api, storage_node["guid"], "reset_osd", {"osd_id": first, "safety": {}})[
        "status"] == "SUCCESS"
    assert len(api.call("GET", f"/api/alba/backends/{guid}/")[1]["osds_guids"]) == 2
    assert first not in [o["long_id"] for o in cli(capsys, monkeypatch, store, "list-osds", url,
                                                    "--to-json")[1]["result"]]
    assert len(store.list("/ovs/alba/asds")) == 3 and not store.exists(f"/ovs/alba/asds/{first}")


def test_add_osds_errors(api, masters, storage_node, store, root):  # noqa: F811
    guid = running_backend(api, root, "lb1")
    status, body = api.call("POST", f"/api/alba/backends/{guid}/add_osds/", {"osds": []})
    assert (status, body["error_description"]) == (406, "Invalid data passed: alba_node_guid is missing")
    result = action(api, guid, "add_osds", {"alba_node_guid": storage_node["guid"], "osds": [
        {"osd_type": "ASD", "ips": ["127.0.0.1"], "port": 8699, "slot_id": "x"}]})
    assert result["status"] == "FAILURE" and result["result"] == "None of the requested OSDs could be claimed"
    result = action(api, guid, "add_osds", {"alba_node_guid": storage_node["guid"], "osds": [
        {"osd_type": "ASD", "ips": ["127.0.0.1"]}]})
    assert result["status"] == "FAILURE" and 'Missing required param "port"' in result["result"]
    result = node_call(api, storage_node["guid"], "fill_slots", {"osd_information": [{"count": 1}]})
    assert result["status"] == "FAILURE"
    assert result["result"].startswith("Missing required parameter:")


# --- the alba CLI: OSD commands ---------------------------------------------------------------

@pytest.fixture
def abms(store, root, monkeypatch):  # noqa: F811
    """Two ABMs (b1-abm, b2-abm) and two ASDs in the configuration store."""
    for cluster in ("b1-abm", "b2-abm"):
        store.set_raw(f"/ovs/arakoon/{cluster}/config", store_module.cacc_text(
            [store_module.ArakoonNode("n1", "127.0.0.1", 26406, 26407)], cluster_id=cluster))
    for number, asd_id in enumerate(("a" * 32, "b" * 32)):
        store.set(f"/ovs/alba/asds/{asd_id}/config", {
            "asd_id": asd_id, "node_id": NODE_ID, "port": 8600 + number, "ips": ["10.0.0.9"],
            "capacity": 1000, "home": f"/mnt/alba-asd/x/{asd_id}", "transport": "tcp",
            "log_level": "info"})
    return [f"--config={albamgr.config_url(c)}" for c in ("b1-abm", "b2-abm")]


def exn(name, code):
    full = f"Albamgr_protocol.Protocol.Error.{name}"
    return {"success": False, "error": {"message": f"Albamgr exception({full},{full})",
                                        "exception_type": "albamgr_exn", "exception_code": code}}


def test_alba_cli_osd_contract(abms, store, capsys, monkeypatch):  # noqa: F811
    b1, b2 = abms
    run = lambda *argv: cli(capsys, monkeypatch, store, *argv)  # noqa: E731
    assert run("add-osd", b1, "--to-json", "--host=10.0.0.9", "--port=8600") == (0, {
        "success": False, "error": {"message": 'Failure("A node id is needed here")',
                                    "exception_type": "unknown", "exception_code": 0}})
    code, answer = run("add-osd", b1, "--to-json", "--host=10.0.0.1", "--port=8600", "--node-id=n")
    assert code == 0 and answer["error"]["exception_type"] == "unknown"
    assert "ECONNREFUSED" in answer["error"]["message"]
    assert run("add-osd", b1, "--to-json", "--host", "10.0.0.9", "--port", "8600",
               "--node-id", NODE_ID) == (0, {"success": True, "result": {"long_id": "a" * 32}})
    assert run("add-osd", b1, "--to-json", "--host=10.0.0.9", "--port=8600",
               f"--node-id={NODE_ID}") == (0, exn("Osd_already_exists", 7))
    [available] = run("list-available-osds", b1, "--to-json")[1]["result"]
    assert list(available) == OSD_KEYS
    assert available["id"] is None and available["alba_id"] is None
    assert available["long_id"] == "a" * 32 and available["total"] == 1000
    assert run("list-osds", b1, "--to-json")[1] == {"success": True, "result": []}
    assert run("claim-osd", b1, "--to-json", "--long-id=nope") == (0, exn("Osd_unknown", 10))
    assert run("claim-osd", b1, "--to-json", f"--long-id={'a' * 32}") == (
        0, {"success": True, "result": {}})
    assert run("claim-osd", b1, "--to-json", f"--long-id={'a' * 32}") == (
        0, exn("Osd_already_claimed", 11))
    b1_id = run("get-alba-id", b1, "--to-json")[1]["result"]["id"]
    [claimed] = run("list-osds", b1, "--to-json")[1]["result"]
    assert claimed["id"] == 0 and claimed["alba_id"] == b1_id
    # another ALBA sees the OSD as claimed by b1, and cannot claim it
    assert run("add-osd", b2, "--to-json", "--host=10.0.0.9", "--port=8600",
               f"--node-id={NODE_ID}")[1]["success"] is True
    assert run("claim-osd", b2, "--to-json", f"--long-id={'a' * 32}") == (
        0, exn("Osd_already_claimed", 11))
    [seen] = run("list-all-osds", b2, "--to-json")[1]["result"]
    assert seen["id"] is None and seen["alba_id"] == b1_id
    assert run("list-available-osds", b2, "--to-json")[1]["result"] == []
    assert run("list-osds", b2, "--to-json")[1]["result"] == []
    # update, decommission, purge
    assert run("update-osd", b1, "--to-json", f"--long-id={'a' * 32}", "--ip=10.0.0.9,10.0.1.9")[1][
        "success"] is True
    assert run("list-osds", b1, "--to-json")[1]["result"][0]["ips"] == ["10.0.0.9", "10.0.1.9"]
    assert run("decommission-osd", b1, "--to-json", f"--long-id={'a' * 32}")[1]["success"] is True
    assert run("decommission-osd", b1, "--to-json", f"--long-id={'a' * 32}") == (
        0, exn("Osd_already_decommissioned", 8))
    assert run("list-osds", b1, "--to-json")[1]["result"][0]["decommissioned"] is True
    assert run("purge-osd", b1, "--to-json", f"--long-id={'a' * 32}")[1]["success"] is True
    assert run("purge-osd", b1, "--to-json", f"--long-id={'a' * 32}") == (0, exn("Osd_unknown", 10))
    assert run("list-osds", b1, "--to-json")[1]["result"] == []
    # once purged by b1, b2 may claim it
    assert run("claim-osd", b2, "--to-json", f"--long-id={'a' * 32}")[1]["success"] is True
    # without --to-json: failure exit 2; a bad command line exit 1
    assert run("claim-osd", b1, "--long-id=nope")[0] == 2
    assert run("claim-osd", b1, "--to-json")[0] == 1
    code, out = run("list-osds", b2)
    assert code == 0 and out.startswith("Found 1 osds: ")


def test_alba_asd_start_listens(store, root, monkeypatch):  # noqa: F811
    import socket
    import threading
    monkeypatch.setattr(store_module, "EtcdStore", lambda *args, **kwargs: store)
    port = free_ports()
    key = f"/ovs/alba/asds/{'c' * 32}/config"
    store.set(key, {"asd_id": "c" * 32, "port": port, "ips": ["127.0.0.1"]})
    argv = ["asd-start", "--config", albamgr.configuration_path(key), "--log-sink", "console:"]
    assert alba_cli.parse(argv)[1]["config"] == albamgr.configuration_path(key)
    threading.Thread(target=alba_cli.main, args=(argv,), daemon=True).start()
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.time() < deadline
            time.sleep(0.05)
    assert alba_cli.asd_start({"config": albamgr.configuration_path("/ovs/alba/asds/x/config")}) == 2


# --- GLOBAL backends --------------------------------------------------------------------------

def test_global_backend_links_local_one(api, masters, storage_node, store, root, capsys,  # noqa: F811
                                        monkeypatch):
    local = running_backend(api, root, "lb1")
    glob = running_backend(api, root, "gb1", "GLOBAL")
    local_body = api.call("GET", f"/api/alba/backends/{local}/")[1]
    slots = stack(api, storage_node)
    sdc = slot_named(slots, "sdc")
    node_call(api, storage_node["guid"], "fill_slots",
              {"osd_information": [{"slot_id": sdc, "count": 3}]})
    osds = [{"osd_type": "ASD", "ips": o["ips"], "port": o["port"], "slot_id": sdc}
            for o in stack(api, storage_node)[sdc]["osds"].values()]
    assert action(api, local, "add_osds", {"alba_node_guid": storage_node["guid"],
                                           "osds": osds})["status"] == "SUCCESS"
    metadata = {"backend_connection_info": {"host": "", "port": 443, "username": "", "password": ""},
                "backend_info": {"linked_guid": local, "linked_name": "lb1",
                                 "linked_preset": "default", "linked_alba_id": local_body["alba_id"]}}
    result = action(api, glob, "link_alba_backends", {"metadata": metadata})
    assert (result["status"], result["result"]) == ("SUCCESS", True), result
    body = api.call("GET", f"/api/alba/backends/{glob}/")[1]
    assert body["scaling"] == "GLOBAL" and len(body["osds_guids"]) == 1
    assert body["linked_backend_guids"] == [local]
    assert body["local_summary"]["devices"] == {"green": 1, "orange": 0, "red": 0, "gray": 0}
    assert body["usages"]["size"] == 0.0  # an Alba2 OSD reports no size of its own
    assert presets(api, glob)["default"]["is_available"] is False  # 1 device, policies need 3+
    url = f"--config={albamgr.config_url('gb1-abm')}"
    [osd] = cli(capsys, monkeypatch, store, "list-osds", url, "--to-json")[1]["result"]
    assert osd["kind"] == "Alba2" and osd["long_id"] == local_body["alba_id"]
    assert osd["prefix"] == glob and osd["preset"] == "default" and osd["node_id"] == local
    assert osd["ips"] is None and osd["port"] is None
    assert osd["albamgr_cfg"]["cluster_id"] == "lb1-abm"
    # the LOCAL backend is unchanged
    assert api.call("GET", f"/api/alba/backends/{local}/")[1]["linked_backend_guids"] == []
    # unlink
    result = action(api, glob, "unlink_alba_backends", {"linked_guid": local})
    assert result["status"] == "SUCCESS", result
    body = api.call("GET", f"/api/alba/backends/{glob}/")[1]
    assert body["osds_guids"] == [] and body["linked_backend_guids"] == []
    assert cli(capsys, monkeypatch, store, "list-osds", url, "--to-json")[1]["result"] == []


def test_link_needs_available_preset(api, masters, storage_node, store, root):  # noqa: F811
    local = running_backend(api, root, "lb1")
    glob = running_backend(api, root, "gb1", "GLOBAL")
    alba_id = api.call("GET", f"/api/alba/backends/{local}/")[1]["alba_id"]
    metadata = {"backend_connection_info": {"host": "172.30.250.11", "port": 443, "username": "u",
                                            "password": "p"},
                "backend_info": {"linked_guid": local, "linked_name": "lb1",
                                 "linked_preset": "default", "linked_alba_id": alba_id}}
    result = action(api, glob, "link_alba_backends", {"metadata": metadata})
    assert result["status"] == "FAILURE" and result["result"] == "Preset default is not available"
    metadata["backend_info"]["linked_preset"] = "nope"
    result = action(api, glob, "link_alba_backends", {"metadata": metadata})
    assert result["result"] == "Could not locate preset nope"
    status, body = api.call("POST", f"/api/alba/backends/{glob}/link_alba_backends/",
                            {"metadata": {}})
    assert (status, body["error_description"]) == (406, "Invalid metadata passed")


# --- ovs healthcheck alba ---------------------------------------------------------------------

def test_healthcheck_alba(api, masters, storage_node, store, root, systemd, monkeypatch):  # noqa: F811
    import socket
    from ovs_emulator import healthcheck
    monkeypatch.setattr(store_module, "open_store", lambda: store)
    assert healthcheck.run("alba", "backend")["alba-backend-test"]["messages"]["skip"] == [
        {"code": "HC0000", "message": "No backends found."}]
    base = free_ports(3)  # three ASDs: two listen, the third refuses connections
    store.set(f"/ovs/alba/asdnodes/{NODE_ID}/config/network", {"ips": ["127.0.0.1"], "port": base})
    guid = running_backend(api, root, "lb1")
    sdc, osds = claim_three_asds_on_sdc(api, storage_node, guid)
    by_port = sorted(osds.values(), key=lambda o: o["port"])
    listeners = [socket.create_server(("127.0.0.1", o["port"])) for o in by_port[:2]]
    systemd.active |= {f"alba-asd-{o['asd_id']}" for o in by_port[:2]}
    try:
        results = healthcheck.run("alba")
    finally:
        for listener in listeners:
            listener.close()
    assert sorted(results) == ["alba-backend-test", "alba-disk-safety-test", "alba-processes-test"]
    backend = results["alba-backend-test"]
    assert backend["state"] == "WARNING"
    dead = by_port[2]["asd_id"]
    assert backend["messages"]["success"][0] == {"code": "HC0000", "message": "We found 1 backend(s)!"}
    assert sorted(m["message"] for m in backend["messages"]["success"][1:]) == sorted(
        f"ASD test with DISK_ID {o['asd_id']} succeeded!" for o in by_port[:2])
    assert backend["messages"]["warning"] == [
        {"code": "ALBA0001", "message": f"ASD test with DISK_ID {dead} failed  on node 127.0.0.1 with "
                                        'Unix.Unix_error(Unix.ECONNREFUSED, "connect", "")'},
        {"code": "ALBA0103", "message": "Alba backend lb1 should be available for VPool use with 2 "
                                        f"asds, but there are 1 defective asds: {dead}"}]
    processes = results["alba-processes-test"]
    assert processes["state"] == "FAILED"
    assert {m["message"] for m in processes["messages"]["success"]} >= {
        f"Service alba-asd-{o['asd_id']} is running!" for o in by_port[:2]}
    assert {"code": "ALBA0401", "message": f"Service alba-asd-{dead} is NOT running! "} in \
        processes["messages"]["error"]
    assert results["alba-disk-safety-test"] == {"state": "SUCCESS", "messages": {
        "error": [], "exception": [], "skip": [], "success": [], "warning": []}}
    store.set("/albamgr/lb1-abm/namespaces/vpool1", {"preset_name": "default"})
    # (2, 2, 3, 4) on 3 ASDs: 3 fragments, none of the ASDs answers any more: safety 3 - 2 - 3
    safety = healthcheck.run("alba", "disk-safety")["alba-disk-safety-test"]
    assert safety["state"] == "FAILED" and safety["messages"]["error"] == [
        {"code": "ALBA0303", "message": "The disk safety of 1 namespace(s) is/are below ZERO, "
                                        "safety: -2: \nvpool1 with 100.00000% of its objects"}]
