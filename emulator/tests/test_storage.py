"""Storage objects through the API: disks, partitions, roles, domains (node-local work done by
the storage router's own ovs-workers, served here in a thread)."""
import json
import os
from pathlib import Path

import pytest

from ovs_emulator import actions, disks, hardware, model, paths, services, workers
from test_webapi import Api, _serve, api, root, store  # noqa: F401  (fixtures)

GiB = 1024 ** 3
HARDWARE = {"disks": [{"name": "sdb", "size": 100 * GiB, "is_ssd": True, "serial": "SSD0001"},
                      {"name": "sdc", "size": 200 * GiB, "is_ssd": False, "serial": "HDD0002"},
                      {"name": "sdd", "size": 100 * GiB, "is_ssd": True, "serial": "SSD0003"}]}
ME = "MACHINE000000001"  # sr-1, ctl01 (test_webapi.ROUTERS)


def write_hardware(data=None):
    os.makedirs(os.path.dirname(paths.HARDWARE_JSON), exist_ok=True)
    Path(paths.HARDWARE_JSON).write_text(json.dumps(data or HARDWARE))


@pytest.fixture
def worker(root, store, monkeypatch):  # noqa: F811
    monkeypatch.setattr(actions, "POLL", 0.02)
    write_hardware()
    node = workers.Worker(store, ME)
    node.start()
    yield node
    node.stop()


def wait(api, task_id):  # noqa: F811
    return api.wait_task(task_id)


def rescan(api):  # noqa: F811
    status, task_id = api.call("POST", "/api/storagerouters/sr-1/rescan_disks/")
    assert status == 200, task_id
    assert wait(api, task_id)["status"] == "SUCCESS"


def disk_named(api, name, router="sr-1"):  # noqa: F811
    status, body = api.call("GET", f"/api/disks/?storagerouterguid={router}&contents=_relations")
    assert status == 200
    return next(d for d in body["data"] if d["name"] == name)


def configure(api, disk_guid, roles, offset=0, size=10 * GiB, partition_guid=None):  # noqa: F811
    data = {"disk_guid": disk_guid, "offset": offset, "size": size, "roles": roles}
    if partition_guid:
        data["partition_guid"] = partition_guid
    status, task_id = api.call("POST", "/api/storagerouters/sr-1/configure_disk/", data)
    assert status == 200, task_id
    return wait(api, task_id)


def partitions_of(api, disk_guid):  # noqa: F811
    status, body = api.call("GET", f"/api/diskpartitions/?diskguid={disk_guid}&contents=_dynamics,_relations")
    assert status == 200
    return body["data"]


# --- sync ------------------------------------------------------------------------------------

def test_rescan_creates_disks_with_reference_fields(api, worker):  # noqa: F811
    rescan(api)
    status, body = api.call("GET", "/api/disks/?storagerouterguid=sr-1")
    assert status == 200 and len(body["data"]) == 3
    sdb = disk_named(api, "sdb")
    assert sdb["aliases"] == ["/dev/disk/by-id/ata-QEMU_HARDDISK_SSD0001"]
    assert sdb["size"] == 100 * GiB and sdb["is_ssd"] is True and sdb["state"] == "OK"
    assert sdb["partitions_guids"] == [] and sdb["storagerouter_guid"] == "sr-1"
    status, router = api.call("GET", "/api/storagerouters/sr-1/")
    assert sorted(router["disks_guids"]) == sorted(d for d in body["data"])
    assert router["partition_config"] == {r: [] for r in disks.ROLES}
    # other storage routers have no disks yet; an unknown one is 404
    assert api.call("GET", "/api/disks/?storagerouterguid=sr-0")[1]["data"] == []
    assert api.call("GET", "/api/disks/?storagerouterguid=nope")[0] == 404


def test_rescan_is_idempotent_and_marks_missing_disks(api, worker):  # noqa: F811
    rescan(api)
    first = disk_named(api, "sdd")["guid"]
    rescan(api)
    assert disk_named(api, "sdd")["guid"] == first
    write_hardware({"disks": HARDWARE["disks"][:2]})
    rescan(api)
    assert disk_named(api, "sdd")["state"] == "MISSING"


def test_rescan_without_worker_fails(api, root, monkeypatch):  # noqa: F811
    monkeypatch.setattr(actions, "TIMEOUT", 0.3)
    status, task_id = api.call("POST", "/api/storagerouters/sr-1/rescan_disks/")
    result = wait(api, task_id)
    assert result["status"] == "FAILURE"
    assert result["result"] == ("StorageRouter ctl01 (172.30.250.11) did not answer: ovs-workers "
                                "is not running on it or the node is unreachable")
    assert api.store.list(actions.ROOT + "/" + ME) == []


def test_setup_collects_disks(root, store):  # noqa: F811
    write_hardware()
    disks.sync_disks(store, ME)
    router = model.get(store, "storagerouter", "sr-1")
    assert len(router["disks_guids"]) == 3


# --- configure_disk ------------------------------------------------------------------------

def test_configure_new_partition(api, worker):  # noqa: F811
    rescan(api)
    sdb = disk_named(api, "sdb")
    assert configure(api, sdb["guid"], ["DB", "WRITE"])["status"] == "SUCCESS"
    parts = partitions_of(api, sdb["guid"])
    assert len(parts) == 1
    part = parts[0]
    assert part["offset"] == 0 and part["size"] == 10 * GiB
    assert part["mountpoint"] == "/mnt/ssd1" and part["filesystem"] == "ext4"
    assert part["roles"] == ["DB", "WRITE"] and part["state"] == "OK"
    assert part["aliases"] == ["/dev/disk/by-id/ata-QEMU_HARDDISK_SSD0001-part1"]
    assert part["folder"] == "/mnt/ssd1" and part["disk_guid"] == sdb["guid"]
    assert os.path.isdir(paths.real("/mnt/ssd1"))
    status, router = api.call("GET", "/api/storagerouters/sr-1/")
    assert router["partition_config"]["DB"] == [part["guid"]]
    assert router["partition_config"]["WRITE"] == [part["guid"]]
    assert disk_named(api, "sdb")["partitions_guids"] == [part["guid"]]
    # second partition on an HDD and on another SSD
    sdc = disk_named(api, "sdc")
    assert configure(api, sdc["guid"], ["SCRUB"])["status"] == "SUCCESS"
    assert partitions_of(api, sdc["guid"])[0]["mountpoint"] == "/mnt/hdd1"
    sdd = disk_named(api, "sdd")
    assert configure(api, sdd["guid"], ["WRITE"])["status"] == "SUCCESS"
    assert partitions_of(api, sdd["guid"])[0]["mountpoint"] == "/mnt/ssd2"
    # the node keeps its partition table
    assert hardware.partition_table()["sdb"][0]["mountpoint"] == "/mnt/ssd1"


@pytest.mark.parametrize("roles, text", [
    (["BACKEND"], "Invalid role specified: BACKEND"),
    (["READ"], "Invalid role specified: READ"),
    (["DB", "FOO"], "Invalid role specified: FOO")])
def test_configure_invalid_roles(api, worker, roles, text):  # noqa: F811
    rescan(api)
    result = configure(api, disk_named(api, "sdb")["guid"], roles)
    assert result["status"] == "FAILURE" and result["result"] == text


def test_db_and_dtl_once_per_storagerouter(api, worker):  # noqa: F811
    rescan(api)
    sdb, sdd = disk_named(api, "sdb"), disk_named(api, "sdd")
    assert configure(api, sdb["guid"], ["DB", "DTL"])["status"] == "SUCCESS"
    result = configure(api, sdd["guid"], ["WRITE", "DB"])
    assert result["status"] == "FAILURE"
    assert result["result"] == "Disk sdd cannot have the DB role due to presence on disk sdb"
    result = configure(api, sdd["guid"], ["DTL"])
    assert result["result"] == "Disk sdd cannot have the DTL role due to presence on disk sdb"
    # not even on a second partition of the same disk
    result = configure(api, sdb["guid"], ["DB"], offset=20 * GiB)
    assert result["result"] == "Disk sdb cannot have the DB role due to presence on disk sdb"
    assert partitions_of(api, sdd["guid"]) == []


def test_extend_and_remove_roles(api, worker, store):  # noqa: F811
    rescan(api)
    sdb = disk_named(api, "sdb")
    configure(api, sdb["guid"], ["WRITE"])
    part = partitions_of(api, sdb["guid"])[0]
    result = configure(api, sdb["guid"], ["WRITE", "DB", "SCRUB"], partition_guid=part["guid"])
    assert result["status"] == "SUCCESS"
    part = partitions_of(api, sdb["guid"])[0]
    assert part["roles"] == ["WRITE", "DB", "SCRUB"] and part["mountpoint"] == "/mnt/ssd1"
    assert len(partitions_of(api, sdb["guid"])) == 1
    # an unused role can be removed
    assert configure(api, sdb["guid"], ["WRITE", "DB"], partition_guid=part["guid"])["status"] \
        == "SUCCESS"
    # a role in use cannot: WRITE by a vPool (storagedriver partition), DB by the voldrv Arakoon
    # service of the storage router (a master with a DB partition, once a vPool was added)
    model.create(store, "storagedriverpartition", role="WRITE", partition_guid=part["guid"])
    stored = model.get(store, "diskpartition", part["guid"])
    stored["storagedrivers_guids"] = [g for g in store.list("/ovsdb/storagedriverpartition")]
    model.save(store, "diskpartition", stored)
    services.voldrv_checkup(store)
    result = configure(api, sdb["guid"], ["SCRUB"], partition_guid=part["guid"])
    assert result["status"] == "FAILURE"
    assert result["result"] == "Roles in use cannot be removed. Used roles: DB, WRITE"


def get_metadata(api, router="sr-1"):  # noqa: F811
    status, task_id = api.call("POST", f"/api/storagerouters/{router}/get_metadata/")
    assert status == 200, task_id
    task = wait(api, task_id)
    assert task["status"] == "SUCCESS", task
    return task["result"]


def test_get_metadata(api, worker, store):  # noqa: F811
    rescan(api)
    sdb, sdc, sdd = disk_named(api, "sdb"), disk_named(api, "sdc"), disk_named(api, "sdd")
    configure(api, sdb["guid"], ["DB", "WRITE"])
    configure(api, sdd["guid"], ["WRITE", "SCRUB"], size=100 * GiB)
    configure(api, sdc["guid"], ["WRITE"], size=GiB // 2)
    metadata = get_metadata(api)
    assert metadata["ipaddresses"] == ["172.30.250.11"] and metadata["scrub_available"] is True
    partitions = metadata["partitions"]
    assert sorted(partitions) == disks.ROLES and partitions["DTL"] == partitions["BACKEND"] == []
    part = partitions_of(api, sdb["guid"])[0]
    assert partitions["DB"] == [{"ssd": True, "guid": part["guid"], "size": 10 * GiB, "in_use": False,
                                 "usable": True, "available": 10 * GiB, "mountpoint": "/mnt/ssd1",
                                 "storagerouter_guid": "sr-1"}]
    # WRITE: below 1 GiB (sdc's) or below 5% of the largest available is not usable
    usable = {entry["mountpoint"]: entry["usable"] for entry in partitions["WRITE"]}
    assert usable == {"/mnt/ssd1": True, "/mnt/ssd2": True, "/mnt/hdd1": False}
    # what storagedriver partitions claim is not available; a role they use is in use
    junction = model.create(store, "storagedriverpartition", role="WRITE", sub_role="SCO", number=1,
                            size=4 * GiB, path="/mnt/ssd1/vp1_write_sco_1", partition_guid=part["guid"],
                            storagedriver_guid="sd-1")
    stored = model.get(store, "diskpartition", part["guid"])
    stored["storagedrivers_guids"] = [junction["guid"]]
    model.save(store, "diskpartition", stored)
    write = [e for e in get_metadata(api)["partitions"]["WRITE"] if e["guid"] == part["guid"]][0]
    assert write["available"] == 6 * GiB and write["in_use"] is True
    assert get_metadata(api)["partitions"]["DB"][0]["in_use"] is False
    # the partition's usage: the framework's DiskPartition.usage
    assert partitions_of(api, sdb["guid"])[0]["usage"] == [
        {"type": "storagedriver", "role": "WRITE", "size": 4 * GiB, "relation": "sd-1",
         "folder": "vp1_write_sco_1"}]
    # an arakoon-voldrv service on the storage router: its DB role is in use
    services.voldrv_checkup(store)
    assert get_metadata(api)["partitions"]["DB"][0]["in_use"] is True
    assert api.call("POST", "/api/storagerouters/nope/get_metadata/")[0] == 404


def test_configure_errors(api, worker):  # noqa: F811
    rescan(api)
    sdb = disk_named(api, "sdb")
    status, body = api.call("POST", "/api/storagerouters/sr-1/configure_disk/",
                            {"disk_guid": sdb["guid"], "offset": 0, "size": 1})
    assert (status, body) == (406, {"error": "invalid_data",
                                    "error_description": "Invalid data passed: roles is missing"})
    assert api.call("POST", "/api/storagerouters/nope/configure_disk/", {})[0] == 404
    # disk of another storage router
    status, task_id = api.call("POST", "/api/storagerouters/sr-0/configure_disk/",
                               {"disk_guid": sdb["guid"], "offset": 0, "size": GiB,
                                "roles": ["DB"]})
    assert wait(api, task_id)["result"] == "The given Disk is not on the given StorageRouter"
    # partition does not fit / overlaps
    result = configure(api, sdb["guid"], ["WRITE"], offset=99 * GiB, size=2 * GiB)
    assert result["status"] == "FAILURE" and "does not fit on disk sdb" in result["result"]
    configure(api, sdb["guid"], ["WRITE"])
    result = configure(api, sdb["guid"], ["SCRUB"], offset=5 * GiB)
    assert "overlaps an existing partition on disk sdb" in result["result"]
    # partition of another disk
    part = partitions_of(api, sdb["guid"])[0]
    result = configure(api, disk_named(api, "sdd")["guid"], ["WRITE"], partition_guid=part["guid"])
    assert result["result"] == "The given DiskPartition is not on the given Disk"


def test_disk_in_use_by_backend(api, worker, store):  # noqa: F811
    rescan(api)
    sdb = disk_named(api, "sdb")
    configure(api, sdb["guid"], ["WRITE"])
    part = partitions_of(api, sdb["guid"])[0]
    stored = model.get(store, "diskpartition", part["guid"])
    stored["roles"] = ["BACKEND"]
    model.save(store, "diskpartition", stored)
    result = configure(api, sdb["guid"], ["WRITE"], offset=50 * GiB)
    assert result["result"] == "The given Disk is in use by a Backend"


def test_single_disk_and_partition(api, worker):  # noqa: F811
    rescan(api)
    sdb = disk_named(api, "sdb")
    status, body = api.call("GET", f"/api/disks/{sdb['guid']}/")
    assert status == 200 and body["name"] == "sdb" and "partitions_guids" in body
    configure(api, sdb["guid"], ["WRITE"])
    part = partitions_of(api, sdb["guid"])[0]
    status, body = api.call("GET", f"/api/diskpartitions/{part['guid']}/")
    assert status == 200 and body["roles"] == ["WRITE"] and body["usage"] == []
    assert api.call("GET", "/api/diskpartitions/nope/")[0] == 404


# --- domains -------------------------------------------------------------------------------

def test_domains(api):  # noqa: F811
    status, body = api.call("POST", "/api/domains/", {"name": "room1"})
    assert status == 201 and body["name"] == "room1"
    room1 = body["guid"]
    assert body["storage_router_layout"] == {"regular": [], "recovery": []}
    status, body = api.call("POST", "/api/domains/", {"name": "room1"})
    assert (status, body) == (406, {"error": "duplicate",
                                    "error_description": "A Domain with the given name already exists"})
    assert api.call("POST", "/api/domains/", {})[1]["error_description"] == \
        "Invalid data passed: name is missing"
    room2 = api.call("POST", "/api/domains/", {"name": "room2"})[1]["guid"]
    status, body = api.call("GET", "/api/domains/")
    assert status == 200 and sorted(body["data"]) == sorted([room1, room2])
    status, body = api.call("GET", "/api/domains/?contents=name&sort=name")
    assert [d["name"] for d in body["data"]] == ["room1", "room2"]

    status, body = api.call("POST", "/api/storagerouters/sr-1/set_domains/",
                            {"domain_guids": [room1], "recovery_domain_guids": [room2]})
    assert status in (200, 204)
    status, router = api.call("GET", "/api/storagerouters/sr-1/")
    assert router["regular_domains"] == [room1] and router["recovery_domains"] == [room2]
    assert len(router["domains_guids"]) == 2
    status, body = api.call("GET", f"/api/domains/{room1}/")
    assert body["storage_router_layout"] == {"regular": ["sr-1"], "recovery": []}
    # replacing: room2 regular, no recovery
    api.call("POST", "/api/storagerouters/sr-1/set_domains/",
             {"domain_guids": [room2], "recovery_domain_guids": []})
    router = api.call("GET", "/api/storagerouters/sr-1/")[1]
    assert router["regular_domains"] == [room2] and router["recovery_domains"] == []
    assert len(router["domains_guids"]) == 1
    # unknown domain, missing parameter
    assert api.call("POST", "/api/storagerouters/sr-1/set_domains/",
                    {"domain_guids": ["nope"], "recovery_domain_guids": []})[0] == 404
    assert api.call("POST", "/api/storagerouters/sr-1/set_domains/",
                    {"domain_guids": []})[1]["error_description"] == \
        "Invalid data passed: recovery_domain_guids is missing"


# --- the node-local job queue ------------------------------------------------------------------

def test_worker_runs_jobs_in_order_and_reports_failures(root, store, monkeypatch):  # noqa: F811
    monkeypatch.setattr(actions, "POLL", 0.02)
    seen = []
    monkeypatch.setitem(actions.ACTIONS, "note", lambda s, m, value: seen.append((m, value)) or value)
    node = workers.Worker(store, ME)
    node.start()
    try:
        assert actions.call(store, ME, "note", value=1) == 1
        assert actions.call(store, ME, "note", value=2) == 2
        with pytest.raises(RuntimeError, match="^Unknown action nope$"):
            actions.call(store, ME, "nope")
        with pytest.raises(RuntimeError, match="Disk sdz not found on this node"):
            actions.call(store, ME, "create_partition", disk_name="sdz", offset=0, size=1)
    finally:
        node.stop()
    assert seen == [(ME, 1), (ME, 2)]
    assert store.list(f"{actions.ROOT}/{ME}") == []


def test_ovs_workers_unit_runs_the_queue():
    from ovs_emulator import units
    assert units.UNITS["ovs-workers"].command == "/usr/bin/python3 -m ovs_emulator.workers"
    assert "ovs-workers" in units.FRAMEWORK_SERVICES


def test_delete_domain_refused_while_in_use(api):  # noqa: F811
    room = api.call("POST", "/api/domains/", {"name": "room9"})[1]["guid"]
    api.call("POST", "/api/storagerouters/sr-1/set_domains/", {"domain_guids": [room], "recovery_domain_guids": []})
    assert api.call("DELETE", f"/api/domains/{room}/") == (
        406, {"error": "in_use", "error_description": "The given Domain is still in use"})
    api.call("POST", "/api/storagerouters/sr-1/set_domains/", {"domain_guids": [], "recovery_domain_guids": []})
    assert api.call("DELETE", f"/api/domains/{room}/")[0] == 204
    assert api.call("GET", f"/api/domains/{room}/")[0] == 404
