"""ALBA day 2: disk safety (get-disk-safety, calculate_safety, repair by maintenance), OSD and
ALBA node removal, asd-manager remove, a swapped disk, the plugin's hooks and checkup."""
import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from ovs_emulator import (actions, alba_cli, albamgr, arakoon_services, asd_cli, asdapi, healthcheck,
                          hooks, model, paths, store as store_module)
from ovs_emulator.alba import arakoon as alba_arakoon, hooks as alba_hooks, scheduled
from ovs_emulator.store import ArakoonNode, MemoryStore, cacc_text
from test_backends import action, masters  # noqa: F401
from test_osds import (SYSTEMCTL, claim_three_asds_on_sdc, node_call, running_backend,  # noqa: F401
                       slot_named, stack, storage_node)
from test_storage import write_hardware  # noqa: F401
from test_webapi import api, root, store  # noqa: F401  (fixtures)

ABM = "b1-abm"


# --- the ALBA layer: placement, get-disk-safety, repair -----------------------------------

def abm_with_osds(per_node, policies):
    """An ABM on a memory store with ``per_node`` claimed OSDs on each of 3 nodes, a preset
    ``p`` with ``policies`` and a namespace ``ns`` using it."""
    config_store = MemoryStore()
    config_store.set_raw(f"/ovs/arakoon/{ABM}/config",
                         cacc_text([ArakoonNode("m1", "10.0.0.1", 26410, 26411)], ABM))
    manager = albamgr.AlbaManager(config_store, ABM)
    manager.initialize()
    for node in ("n1", "n2", "n3"):
        for index in range(per_node):
            long_id = f"{node}-osd{index}"
            manager.add_osd({"kind": "AsdV1", "long_id": long_id, "node_id": node,
                             "ips": ["127.0.0.1"], "port": 1})
            manager.claim_osd(long_id)
    preset = dict(albamgr.DEFAULT_PRESET, policies=policies)
    manager.create_preset("p", preset)
    config_store.set(f"/albamgr/{ABM}/namespaces/ns", {"preset_name": "p"})
    return config_store, manager


def safety(config_store, *flags):
    argv = [f"--config={albamgr.config_url(ABM)}", "--to-json", *flags]
    command, parsed, args = alba_cli.parse(["get-disk-safety", *argv])
    return alba_cli.execute(command, parsed, args, config_store=config_store)


def test_disk_safety_policy_1011():
    config_store, manager = abm_with_osds(1, [[1, 0, 1, 1]])
    [entry] = safety(config_store)
    assert entry == {"namespace": "ns", "safety": 0, "safety_count": 1, "bucket_safety": [
        {"bucket": [1, 0, 0, 1], "count": 1, "applicable_dead_osds": 0, "remaining_safety": 0}]}
    [holder] = config_store.get(f"/albamgr/{ABM}/namespaces/ns")["placement"]["fragments"]
    assert holder == "n1-osd0"
    assert safety(config_store, f"--long-id={holder}")[0]["safety"] == -1
    assert safety(config_store, "--long-id=n2-osd0")[0]["safety"] == 0
    assert safety(config_store, "--node-id=n1")[0]["safety"] == -1
    with pytest.raises(albamgr.AlbaFailure, match='unknown osd nope'):
        safety(config_store, "--long-id=nope")


def test_disk_safety_policy_2121_and_repair(monkeypatch):
    config_store, manager = abm_with_osds(1, [[2, 1, 2, 1]])
    assert safety(config_store)[0]["safety"] == 1  # 3 fragments, one per node
    assert safety(config_store, "--long-id=n1-osd0")[0]["safety"] == 0
    assert safety(config_store, "--long-id=n1-osd0", "--long-id=n2-osd0")[0]["safety"] == -1
    # a decommissioned OSD counts as dead only when asked
    manager.decommission_osd("n3-osd0")
    assert safety(config_store)[0]["safety"] == 1
    assert safety(config_store, "--include-decommissioning-as-dead")[0]["safety"] == 0
    # errored: the ASD does not answer on its ip:port (port 1 is closed)
    assert safety(config_store, "--include-errored-as-dead")[0]["safety"] == -2
    # no room to repair (x = 1 per node, every node holds a fragment): it stays
    assert manager.repair(now=1000.0) is None
    # a 4th node: the maintenance moves the fragment there, one namespace per pace
    manager.add_osd({"kind": "AsdV1", "long_id": "n4-osd0", "node_id": "n4", "ips": [], "port": 2})
    manager.claim_osd("n4-osd0")
    config_store.set(f"/albamgr/{ABM}/repair_pace", 30)
    assert manager.repair(now=2000.0) == "ns"
    fragments = config_store.get(f"/albamgr/{ABM}/namespaces/ns")["placement"]["fragments"]
    assert sorted(fragments) == ["n1-osd0", "n2-osd0", "n4-osd0"]
    assert safety(config_store, "--include-decommissioning-as-dead")[0]["safety"] == 1
    # purged: its fragment is gone until the next repair, which waits for the pace
    manager.purge_osd("n4-osd0")
    assert safety(config_store)[0]["safety"] == 0
    manager.add_osd({"kind": "AsdV1", "long_id": "n5-osd0", "node_id": "n5", "ips": [], "port": 3})
    manager.claim_osd("n5-osd0")
    assert manager.repair(now=2010.0) is None  # within 30 s of the last repair
    assert manager.repair(now=2030.0) == "ns"
    assert safety(config_store)[0]["safety"] == 1


def test_maintenance_agent_repairs(root, etcd):
    etcd.set_raw(f"/ovs/arakoon/{ABM}/config",
                 cacc_text([ArakoonNode("m1", "10.0.0.1", 26410, 26411)], ABM))
    abm = albamgr.AlbaManager(etcd, ABM)
    abm.initialize()
    for node in ("n1", "n2", "n3", "n4"):
        abm.add_osd({"kind": "AsdV1", "long_id": f"{node}-osd0", "node_id": node, "ips": [], "port": 1})
        abm.claim_osd(f"{node}-osd0")
    abm.create_preset("p", dict(albamgr.DEFAULT_PRESET, policies=[[2, 1, 2, 1]]))
    etcd.set(f"/albamgr/{ABM}/namespaces/ns", {"preset_name": "p"})
    etcd.set(f"/albamgr/{ABM}/repair_pace", 0)
    assert safety(etcd)[0]["safety"] == 1
    abm.purge_osd("n1-osd0")
    assert safety(etcd)[0]["safety"] == 0
    etcd.set("/ovs/alba/backends/g/maintenance/agent/config",
             {"albamgr_cfg_url": albamgr.config_url(ABM)})
    url = albamgr.configuration_path("/ovs/alba/backends/g/maintenance/agent/config")
    assert alba_cli.maintenance({"config": url}, interval=0, rounds=1) == 0
    assert safety(etcd)[0]["safety"] == 1


# --- the API: calculate_safety, reset_osd, remove_slot, DELETE node -------------------------

def claimed_backend(api, root, store, storage_node, policies):  # noqa: F811
    """lb1 with 3 claimed ASDs on sdc of the storage node, preset ``p`` with ``policies`` and a
    namespace on it; returns (alba backend guid, sdc slot id, ASD ids sorted by port)."""
    guid = running_backend(api, root, "lb1")
    sdc, osds = claim_three_asds_on_sdc(api, storage_node, guid)
    assert action(api, guid, "add_preset", {"name": "safe", "compression": "none", "policies": policies,
                                            "encryption": "none"})["status"] == "SUCCESS"
    store.set("/albamgr/lb1-abm/namespaces/ns", {"preset_name": "safe"})
    alba_cli.execute("get-disk-safety", {"config": albamgr.config_url("lb1-abm")}, [],
                     config_store=store)  # the namespace's object is written now
    return guid, sdc, [o["asd_id"] for o in sorted(osds.values(), key=lambda o: o["port"])]


def calculate(api, guid, name, osd_id):  # noqa: F811
    status, task_id = api.call("GET", f"/api/alba/backends/{guid}/calculate_safety/?{name}={osd_id}")
    assert status == 200, task_id
    return api.wait_task(task_id)


def test_calculate_safety_and_reset_osd(api, masters, storage_node, store, root, systemd,  # noqa: F811
                                        monkeypatch):
    monkeypatch.setattr(store_module, "open_store", lambda: store)
    guid, sdc, asd_ids = claimed_backend(api, root, store, storage_node, [[1, 0, 1, 1]])
    [holder] = [a for a in asd_ids if safety_holder(store) == a]
    other = next(a for a in asd_ids if a != holder)
    assert calculate(api, guid, "asd_id", holder)["result"] == {"good": 0, "critical": 0, "lost": 1}
    assert calculate(api, guid, "osd_id", other)["result"] == {"good": 0, "critical": 1, "lost": 0}
    status, body = api.call("POST", f"/api/alba/nodes/{storage_node['guid']}/reset_osd/",
                            {"osd_id": holder})
    assert (status, body["error"], body["error_description"]) == (406, "invalid_data",
                                                                  "Safety must be passed")
    result = node_call(api, storage_node["guid"], "reset_osd",
                       {"osd_id": holder, "safety": {"good": 0, "critical": 1, "lost": 0}})
    assert result["status"] == "FAILURE"
    assert result["result"] == (f"Cannot remove OSD {holder} as the current safety is not as "
                                "expected ({'good': 0, 'critical': 0, 'lost': 1} vs "
                                "{'good': 0, 'critical': 1, 'lost': 0})")
    # what the caller accepted: the data is lost, the OSD goes; a fresh ASD takes its place
    result = node_call(api, storage_node["guid"], "reset_osd",
                       {"osd_id": holder, "safety": {"good": 0, "critical": 0, "lost": 1}})
    assert result["status"] == "SUCCESS", result
    slot = stack(api, storage_node)[sdc]
    assert holder not in slot["osds"] and len(slot["osds"]) == 3
    assert sum(1 for o in slot["osds"].values() if o["claimed_by"] is None) == 1
    check = healthcheck.run("alba", "disk-safety")["alba-disk-safety-test"]
    assert [m["code"] for m in check["messages"]["error"]] == ["ALBA0303"]
    # the slot keeps claimed OSDs: not removable
    result = node_call(api, storage_node["guid"], "remove_slot", {"slot": sdc})
    assert result["result"] == "A slot with claimed OSDs can't be removed"


def safety_holder(store):  # noqa: F811
    return store.get("/albamgr/lb1-abm/namespaces/ns")["placement"]["fragments"][0]


def test_delete_alba_node(api, masters, storage_node, store, root):  # noqa: F811
    guid, sdc, asd_ids = claimed_backend(api, root, store, storage_node, [[1, 0, 1, 1]])
    assert list(root.glob("active/alba-maintenance_lb1-*"))
    status, task_id = api.call("DELETE", f"/api/alba/nodes/{storage_node['guid']}/")
    assert status == 200 and api.wait_task(task_id, timeout=60)["status"] == "SUCCESS"
    assert api.call("GET", f"/api/alba/nodes/{storage_node['guid']}/")[0] == 404
    assert api.call("GET", f"/api/alba/backends/{guid}/")[1]["osds_guids"] == []
    assert store.list("/ovs/alba/asds") == []
    assert not list(root.glob("active/alba-maintenance_*"))
    assert store.exists(f"/ovs/alba/asdnodes/{storage_node['node_id']}/config/main")  # manager stays
    # no safety check: the namespace lost its only fragment
    [entry] = alba_cli.execute("get-disk-safety", {"config": albamgr.config_url("lb1-abm")}, [],
                               config_store=store)
    assert entry["safety"] == -1
    # the node is discovered again
    assert [n["node_id"] for n in api.call("GET", "/api/alba/nodes/?discover=true&contents=node_id")[1][
        "data"]] == [storage_node["node_id"]]


# --- the ASD manager: a swapped disk, asd-manager remove -----------------------------------

def fake_systemctl(root):  # noqa: F811
    fake = root / "fake-systemctl"
    fake.write_text(SYSTEMCTL)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return str(fake)


def test_disk_swap(root):  # noqa: F811
    write_hardware()
    config_store = MemoryStore()
    app = asdapi.AsdApp(config_store, "NoDe", systemctl=fake_systemctl(root))
    old = next(s for s, slot in app.slots().items() if slot["device"] == "/dev/sdc")
    app.asd_add(old)
    hardware = json.loads(Path(paths.HARDWARE_JSON).read_text())
    for disk in hardware["disks"]:
        if disk["name"] == "sdc":
            disk["serial"] = "SWAPPED0001"
    Path(paths.HARDWARE_JSON).write_text(json.dumps(hardware))
    slots = app.slots()
    new = next(s for s, slot in slots.items() if slot["device"] == "/dev/sdc" and s != old)
    assert new.endswith("SWAPPED0001")
    assert (slots[new]["state"], slots[new]["available"]) == ("empty", True)
    assert (slots[old]["state"], slots[old]["state_detail"], slots[old]["available"]) == (
        "error", "missing", False)
    assert len(slots[old]["osds"]) == 1
    assert app.clear_slot(old) == {}
    assert old not in app.slots() and config_store.list("/ovs/alba/asds") == []


def test_asd_manager_remove(root, systemd, etcd, capsys, monkeypatch):  # noqa: F811
    Path(paths.SDM_ID).parent.mkdir(parents=True, exist_ok=True)
    Path(paths.SDM_ID).write_text("NoDe\n")
    etcd.set("/ovs/alba/asdnodes/NoDe/config/main", {"ip": "127.0.0.1"})
    etcd.set("/ovs/alba/asds/a1/config", {"asd_id": "a1", "node_id": "NoDe", "home": "/mnt/alba-asd/x/a1"})
    etcd.set("/ovs/alba/backends/g/maintenance/alba-maintenance_b-0123456789abcdef/config", {})
    os.makedirs(paths.SYSTEMD_DIR, exist_ok=True)
    for name in ("alba-asd-a1", "alba-maintenance_b-0123456789abcdef"):
        Path(paths.SYSTEMD_DIR, f"{name}.service").write_text("[Unit]\n")
        systemd.active.add(name)
    systemd.enabled |= {"asd-manager", "asd-watcher"}
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert asd_cli.main(["remove"]) == 1  # EOF = no
    out = capsys.readouterr().out
    assert "ASD Manager removal" in out and "DATA LOSS possible if proceeding! Continue? (y/[n]): " in out
    assert etcd.exists("/ovs/alba/asds/a1/config")
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    assert asd_cli.main(["remove"]) == 0
    assert "ASD Manager removal completed" in capsys.readouterr().out
    assert etcd.list("/ovs/alba/asds") == [] and not etcd.exists("/ovs/alba/asdnodes/NoDe")
    assert not etcd.exists("/ovs/alba/backends/g/maintenance/alba-maintenance_b-0123456789abcdef")
    assert not list(Path(paths.SYSTEMD_DIR).glob("alba-*.service"))
    assert "asd-manager" not in systemd.enabled and "asd-watcher" not in systemd.enabled
    assert asd_cli.main(["remove", "--force-yes"]) == 1
    assert "The ASD Manager has already been removed" in capsys.readouterr().out


def test_asd_manager_remove_store_down(root, systemd, capsys, monkeypatch):  # noqa: F811
    def down():
        raise store_module.StoreUnavailable("no store")
    monkeypatch.setattr(store_module, "open_store", down)
    systemd.enabled.add("asd-manager")
    assert asd_cli.main(["remove", "--force-yes"]) == 1
    assert "Could not connect to Arakoon" in capsys.readouterr().out


# --- hooks and the Arakoon checkup -----------------------------------------------------------

@pytest.fixture
def clusters(monkeypatch):
    """Backend b1 with b1-abm and b1-nsm_0 on m1 (and m2 for the ABM); actions.call recorded."""
    config_store = MemoryStore()
    backend = model.create(config_store, "backend", name="b1", status="RUNNING")
    model.create(config_store, "albabackend", backend_guid=backend["guid"], alba_id="x")
    nodes = {"b1-abm": ["m1", "m2"], "b1-nsm_0": ["m1"]}
    for cluster, names in nodes.items():
        config_store.set_raw(f"/ovs/arakoon/{cluster}/config", cacc_text(
            [ArakoonNode(n, f"10.0.0.{n[1]}", 26410, 26411) for n in names], cluster, "/mnt/db/x"))
    calls = []
    monkeypatch.setattr(actions, "call", lambda s, machine_id, action, timeout=None, **kw: calls.append(
        (machine_id, action, kw.get("cluster"))))
    return config_store, calls


def test_hooks_refuse_and_shrink(clusters):
    config_store, calls = clusters
    with pytest.raises(hooks.HookRefusal, match="^No other available nodes found in the NSM cluster$"):
        hooks.run("nodetype.validate_demote", config_store=config_store, machine_id="m1", ip="10.0.0.1")
    with pytest.raises(hooks.HookRefusal, match="^Node to remove is only node left in NSM cluster 0 "
                                                "for ALBA Backend b1$"):
        hooks.run("noderemoval.validate", config_store=config_store, machine_id="m1", ip="10.0.0.1")
    hooks.run("nodetype.validate_demote", config_store=config_store, machine_id="m2", ip="10.0.0.2")
    assert hooks.run("nodetype.demote", config_store=config_store, machine_id="m2",
                     ip="10.0.0.2") == [["b1-abm"]]
    assert [n.name for n in arakoon_services.cluster_nodes(config_store, "b1-abm")] == ["m1"]
    assert calls == [("m2", "stop_arakoon", "b1-abm")]
    with pytest.raises(hooks.HookRefusal, match="^Node to remove is only node left in the ABM "
                                                "cluster for ALBA Backend b1$"):
        alba_hooks_validate(config_store, "m1")


def alba_hooks_validate(config_store, machine_id):
    config_store.delete("/ovs/arakoon/b1-nsm_0", recursive=True)
    alba_hooks.validate_removal(config_store, machine_id)


def test_checkup_extends_onto_new_masters(clusters, monkeypatch):
    config_store, calls = clusters
    routers = [({"machine_id": m, "ip": f"10.0.0.{m[1]}"}, {"mountpoint": "/mnt/db"})
               for m in ("m1", "m2", "m3")]
    monkeypatch.setattr(arakoon_services, "db_routers", lambda s: routers)
    assert scheduled.run_once(config_store) == {"b1-abm": ["m3"], "b1-nsm_0": ["m2", "m3"]}
    assert [n.name for n in arakoon_services.cluster_nodes(config_store, "b1-nsm_0")] == ["m1", "m2", "m3"]
    assert ("m3", "start_arakoon", "b1-abm") in calls
    assert alba_arakoon.checkup(model_of(config_store)) == {}


def model_of(config_store):
    return model.Model(config_store)
