"""vPools, storagedrivers and vDisks through the API: validation texts of the framework, create /
extend / shrink, services and files made by the storage router's ovs-workers, the vPool's ALBA
namespace, vDisk lifecycle, the ``volumedriver`` health check module."""
import copy
import os

import pytest

from ovs_emulator import healthcheck, paths, system, workers
from ovs_emulator.model import objects as store_objects
from ovs_emulator import store as store_module
from test_backends import backend, masters  # noqa: F401  (fixtures)
from test_storage import GiB, ME, configure, disk_named
from test_webapi import api, root, store  # noqa: F401  (fixtures)

OTHER = "MACHINE000000002"  # sr-0, ctl02


def params(alba_backend_guid, **changes):
    data = {"vpool_name": "vp1", "storage_ip": "172.30.250.11",
            "backend_info": {"alba_backend_guid": alba_backend_guid, "preset": "default"},
            "connection_info": {"host": ""},
            "config_params": {"sco_size": 4, "cluster_size": 4, "dtl_mode": "no_sync",
                              "dtl_transport": "tcp", "write_buffer": 128},
            "caching_info": {"fragment_cache_on_read": False, "fragment_cache_on_write": False,
                             "block_cache_on_read": False, "block_cache_on_write": False},
            "writecache_size": 1, "parallelism": {"proxies": 2},
            "mds_config_params": {"mds_safety": 2}}
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = dict(data[key], **value)
        else:
            data[key] = value
    return data


@pytest.fixture
def ready(api, backend):  # noqa: F811
    """sr-1 with DB+WRITE (sdb) and DTL+SCRUB (sdd) partitions, a RUNNING ALBA backend."""
    assert configure(api, disk_named(api, "sdd")["guid"], ["DTL", "SCRUB"])["status"] == "SUCCESS"
    return backend


def add_vpool(api, data, router="sr-1"):  # noqa: F811
    status, task_id = api.call("POST", f"/api/storagerouters/{router}/add_vpool/",
                               {"call_parameters": data})
    assert status == 200, task_id
    return api.wait_task(task_id, timeout=30)


def the_vpool(api, name="vp1"):  # noqa: F811
    status, body = api.call("GET", "/api/vpools/?contents=_dynamics,_relations")
    assert status == 200
    return next((v for v in body["data"] if v["name"] == name), None)


@pytest.fixture
def vpool(api, ready, store):  # noqa: F811
    task = add_vpool(api, params(ready))
    assert task["status"] == "SUCCESS", task
    return the_vpool(api)


def vdisk_call(api, guid, action, data):  # noqa: F811
    status, task_id = api.call("POST", f"/api/vdisks/{guid}/{action}/", data)
    assert status == 200, task_id
    return api.wait_task(task_id)


def create_vdisk(api, vpool_guid, name="disk1", size=10 * GiB, router="sr-1"):  # noqa: F811
    status, task_id = api.call("POST", "/api/vdisks/", {"name": name, "size": size,
                                                        "vpool_guid": vpool_guid,
                                                        "storagerouter_guid": router})
    assert status == 200, task_id
    return api.wait_task(task_id)


# --- add_vpool ---------------------------------------------------------------------------

def test_create_vpool(api, vpool, store, systemd, root, ready):  # noqa: F811
    assert vpool["status"] == "RUNNING"
    configuration = vpool["configuration"]
    assert {k: configuration[k] for k in ("sco_size", "cluster_size", "dtl_mode", "dtl_transport",
                                          "write_buffer", "dtl_enabled")} == \
        {"sco_size": 4, "cluster_size": 4, "dtl_mode": "no_sync", "dtl_transport": "tcp",
         "write_buffer": 128, "dtl_enabled": False}
    assert configuration["mds_config"] == {"mds_tlogs": 100, "mds_safety": 2, "mds_maxload": 75}
    backend_info = vpool["metadata"]["backend"]["backend_info"]
    assert backend_info["alba_backend_guid"] == ready and backend_info["preset"] == "default"
    assert backend_info["name"] == "b1" and backend_info["policies"] == [[5, 4, 8, 3], [2, 2, 3, 4]]
    assert backend_info["connection_info"]["local"] is True
    assert backend_info["connection_info"]["host"] == "172.30.250.11"
    assert vpool["metadata"]["caching_info"]["sr-1"]["fragment_cache"]["read"] is False
    assert "password" not in vpool and len(vpool["storagedrivers_guids"]) == 1

    status, body = api.call("GET", f"/api/storagedrivers/?vpool_guid={vpool['guid']}&contents=")
    assert status == 200 and len(body["data"]) == 1
    sd = body["data"][0]
    assert sd["storagedriver_id"] == "vp1" + ME and sd["mountpoint"] == "/mnt/vp1"
    assert sd["ports"] == {"management": 26200, "xmlrpc": 26201, "dtl": 26202, "edge": 26203}
    assert sd["storage_ip"] == "172.30.250.11" and sd["status"] == "RUNNING"
    assert api.call("GET", "/api/storagedrivers/")[1]["data"] == [sd["guid"]]
    router = api.call("GET", "/api/storagerouters/sr-1/")[1]
    assert router["vpools_guids"] == [vpool["guid"]] and router["storagedrivers_guids"] == [sd["guid"]]

    # store keys
    config = store.get(f"/ovs/vpools/{vpool['guid']}/hosts/vp1{ME}/config")
    assert config["volume_manager"]["default_cluster_size"] == 4096
    assert config["volume_manager"]["number_of_scos_in_tlog"] == 16
    assert config["backend_connection_manager"]["0"]["alba_connection_port"] == 26204
    assert config["backend_connection_manager"]["1"]["alba_connection_port"] == 26205
    assert config["backend_connection_manager"]["0"]["alba_connection_preset"] == "default"
    assert config["distributed_transaction_log"]["dtl_transport"] == "TCP"
    assert config["filesystem"]["fs_dtl_config_mode"] == "Manual"
    assert config["volume_router"]["vrouter_id"] == "vp1" + ME
    assert store.get(f"/ovs/vpools/{vpool['guid']}/mds_config")["mds_safety"] == 2

    # on the node: units (real listeners on the ports), the mount point
    for name, ports in (("ovs-albaproxy_vp1_0", "26204"), ("ovs-albaproxy_vp1_1", "26205"),
                        ("ovs-dtl_vp1", "26202"), ("ovs-volumedriver_vp1", "26200")):
        assert name in systemd.active and name in systemd.enabled
        text = (root / f"lib/systemd/system/{name}.service").read_text()
        assert f"--listen {ports}" in text
    assert (root / "mnt/vp1").is_dir()

    # the ALBA namespace makes the preset in_use
    namespaces = store.list("/albamgr/b1-abm/namespaces")
    assert namespaces == [f"fd-vp1-{vpool['guid']}"]
    presets = {p["name"]: p for p in api.call("GET", f"/api/alba/backends/{ready}/")[1]["presets"]}
    assert presets["default"]["in_use"] is True

    # the partitions' roles are in use now; their usage names the storagedriver partitions
    sdb = disk_named(api, "sdb")
    part = sdb["partitions_guids"][0]
    task = configure(api, sdb["guid"], ["DB"], partition_guid=part)
    assert task["status"] == "FAILURE" and task["result"] == \
        "Roles in use cannot be removed. Used roles: WRITE"
    usage = api.call("GET", f"/api/diskpartitions/{part}/?contents=usage")[1]["usage"]
    assert sorted((u["type"], u["role"], u["folder"], u["relation"]) for u in usage) == [
        ("storagedriver", "DB", "vp1_db_md_1", sd["guid"]), ("storagedriver", "DB", "vp1_db_tlog_1", sd["guid"]),
        ("storagedriver", "WRITE", "vp1_write_fd_1", sd["guid"]),
        ("storagedriver", "WRITE", "vp1_write_sco_1", sd["guid"])]
    assert [u["size"] for u in usage if u["folder"] == "vp1_write_sco_1"] == [GiB]
    # the volume driver's Arakoon cluster: a service on the master with a DB partition
    assert [(s["name"], s["type"], s["storagerouter_guid"]) for s in store_objects(store, "service")] == [
        ("arakoon-voldrv", "Arakoon", "sr-1")]


def test_add_vpool_view_errors(api, ready):  # noqa: F811
    status, body = api.call("POST", "/api/storagerouters/sr-1/add_vpool/", {})
    assert status == 406 and body == {"error": "invalid_data",
                                      "error_description": "Invalid data passed: call_parameters is missing"}
    data = params(ready)
    del data["config_params"]
    status, body = api.call("POST", "/api/storagerouters/sr-1/add_vpool/", {"call_parameters": data})
    assert status == 406 and body["error_description"] == "Invalid call_parameters passed"
    status, body = api.call("POST", "/api/storagerouters/nope/add_vpool/",
                            {"call_parameters": params(ready)})
    assert status == 404


@pytest.mark.parametrize("changes, text", [
    ({"vpool_name": "Vp_1"}, "Incorrect vPool name provided"),
    ({"vpool_name": "ab"}, "Incorrect vPool name provided"),
    ({"storage_ip": "10.0.0"}, "Incorrect storage IP provided"),
    ({"config_params": {"sco_size": 5}},
     '\nMandatory param "sco_size" with value "5" should be 1 of the following: [4, 8, 16, 32, 64, 128]'),
    ({"config_params": {"cluster_size": 128}},
     '\nMandatory param "cluster_size" with value "128" should be 1 of the following: [4, 8, 16, 32, 64]'),
    ({"config_params": {"dtl_mode": "fast"}},
     "\nMandatory param \"dtl_mode\" with value \"fast\" should be 1 of the following: "
     "['no_sync', 'a_sync', 'sync']"),
    ({"config_params": {"dtl_transport": "udp"}},
     "\nMandatory param \"dtl_transport\" with value \"udp\" should be 1 of the following: ['tcp', 'rdma']"),
    ({"config_params": {"write_buffer": 100}},
     '\nMandatory param "write_buffer" with value "100" should be in range: 128 - 10240'),
    ({"config_params": {"sco_size": 128, "write_buffer": 200}},
     "Incorrect StorageDriver configuration settings specified"),
    ({"config_params": {"advanced": {"number_of_scos_in_tlog": 30, "non_disposable_scos_factor": 12}}},
     '\nMandatory param "number_of_scos_in_tlog" with value "30" should be in range: 4 - 20'),
    ({"config_params": {"sco_size": "4"}},
     '\nMandatory param "sco_size" is of type "<type \'unicode\'>" but we expected type "<type \'int\'>"'),
    ({"caching_info": {"block_cache_on_read": None}},
     '\nMandatory param "block_cache_on_read" is of type "<type \'NoneType\'>" but we expected type '
     '"<type \'bool\'>"'),
    ({"caching_info": None}, "Required and actual parameters must be of type dictionary"),
    ({"backend_info": {"preset": "x"}},
     '\nMandatory param "preset" with value "x" does not match regex '
     '"^[0-9a-zA-Z][a-zA-Z0-9-_]{1,18}[a-zA-Z0-9]$"'),
    ({"backend_info": {"preset": "nope"}}, "Given preset nope is not available in backend b1"),
    ({"parallelism": {"proxies": 17}},
     "The requested amount of proxies to deploy should be a value between 1 and 16"),
    ({"writecache_size": 0},
     "The requested global WRITE buffer size should be between 1GiB and 10240GiB"),
    ({"writecache_size": 50},
     "Too much space requested for WRITE cache. Available: 10.00 GiB, Requested: 50.00 GiB"),
    ({"caching_info": {"fragment_cache_on_read": True}},
     "Not enough space available (0.1GiB) on largest local WRITE partition to deploy 2 proxies"),
    ({"caching_info": {"block_cache_on_write": True}}, "Block cache is not a supported feature"),
    ({"config_params": {"dtl_transport": "rdma"}},
     "DTL transport over RDMA is not supported by StorageRouter with IP 172.30.250.11"),
    ({"mds_config_params": {"mds_safety": 6}},
     '\nOptional param "mds_safety" with value "6" should be in range: 1 - 5'),
])
def test_add_vpool_validation(api, ready, store, changes, text):  # noqa: F811
    task = add_vpool(api, params(ready, **changes))
    assert task["status"] == "FAILURE" and task["result"] == text
    assert api.call("GET", "/api/vpools/")[1]["data"] == []  # reverted
    assert api.call("GET", "/api/storagedrivers/")[1]["data"] == []
    assert store.list("/albamgr/b1-abm/namespaces") == []


def test_add_vpool_missing_roles_and_backend(api, backend, store):  # noqa: F811
    task = add_vpool(api, params(backend))
    assert task["result"] == "At least 1 StorageRouter must have a partition with a SCRUB role"
    assert configure(api, disk_named(api, "sdd")["guid"], ["SCRUB"])["status"] == "SUCCESS"
    task = add_vpool(api, params(backend))
    assert task["result"] == "At least 1 partition with a DTL role is required per StorageRouter"
    assert configure(api, disk_named(api, "sdc")["guid"], ["DTL"])["status"] == "SUCCESS"
    guid = "01234567-89ab-cdef-0123-456789abcdef"
    task = add_vpool(api, params(backend, backend_info={"alba_backend_guid": guid}))
    assert task["status"] == "FAILURE"
    # the OVSClient's HttpNotFoundException of GET /alba/backends/<guid>/get_config_metadata
    assert task["result"] == ("Status code: 404 - Error: The requested object could not be found "
                              "(object_not_found)'.")
    assert add_vpool(api, params(backend))["status"] == "SUCCESS"


def test_extend_and_shrink(api, vpool, ready, store, systemd, root, monkeypatch):  # noqa: F811
    # extending on the same storage router is refused
    assert add_vpool(api, params(ready))["result"] == \
        "A StorageDriver is already linked to this StorageRouter for vPool vp1"
    # sr-0 (ctl02): partitions and its own ovs-workers
    disk = {"guid": "disk-0", "name": "sdb", "is_ssd": True, "storagerouter_guid": "sr-0",
            "partitions_guids": ["p-0"], "size": 100 * GiB}
    store.set("/ovsdb/disk/disk-0", disk)
    store.set("/ovsdb/diskpartition/p-0", {
        "guid": "p-0", "disk_guid": "disk-0", "offset": 0, "size": 20 * GiB, "state": "OK",
        "mountpoint": "/mnt/ssd9", "roles": ["DB", "DTL", "WRITE"], "storagedrivers_guids": []})
    other = workers.Worker(store, OTHER)
    other.start()
    try:
        data = params(ready, storage_ip="172.30.250.12")
        task = add_vpool(api, dict(data, config_params=dict(data["config_params"], sco_size=8)), "sr-0")
        assert task["result"] == 'Specified StorageDriver config "sco_size" with value 8 does not ' \
                                 "match the expected value 4"
        guid = "01234567-89ab-cdef-0123-456789abcdef"
        task = add_vpool(api, params(ready, backend_info={"alba_backend_guid": guid}), "sr-0")
        assert task["result"] == "Incorrect ALBA Backend guid specified"
        assert add_vpool(api, data, "sr-0")["status"] == "SUCCESS"
        extended = the_vpool(api)
        assert extended["status"] == "RUNNING" and len(extended["storagedrivers_guids"]) == 2
        assert set(extended["metadata"]["caching_info"]) == {"sr-0", "sr-1"}
        assert store.get(f"/ovs/vpools/{vpool['guid']}/hosts/vp1{OTHER}/config") is not None

        # a vDisk served by sr-1 blocks shrinking sr-1
        task = create_vdisk(api, vpool["guid"])
        assert task["status"] == "SUCCESS", task
        # the vDisk moves to sr-0 and back (ovs.vdisk.move); a router without the vPool is refused
        vdisk_guid = api.call("GET", "/api/vdisks/")[1]["data"][0]
        status, task_id = api.call("POST", f"/api/vdisks/{vdisk_guid}/move/", {"target_storagerouter_guid": "sr-2"})
        assert api.wait_task(task_id)["result"] == "Failed to find the matching StorageDriver for vdisk disk1"
        for router in ("sr-0", "sr-1"):
            status, task_id = api.call("POST", f"/api/vdisks/{vdisk_guid}/move/",
                                       {"target_storagerouter_guid": router})
            assert status == 200 and api.wait_task(task_id)["status"] == "SUCCESS"
            moved = api.call("GET", f"/api/vdisks/{vdisk_guid}/")[1]
            assert moved["storagerouter_guid"] == router and moved["storagedriver_id"].endswith(
                OTHER if router == "sr-0" else ME)
            assert (root / "mnt/vp1/disk1.raw").stat().st_size == 10 * GiB
        status, task_id = api.call("POST", f"/api/vpools/{vpool['guid']}/shrink_vpool/",
                                   {"storagerouter_guid": "sr-1"})
        assert status == 200
        task = api.wait_task(task_id)
        assert task["status"] == "FAILURE"
        assert task["result"] == "There are still vDisks served from the given StorageDriver"
        status, body = api.call("POST", f"/api/vpools/{vpool['guid']}/shrink_vpool/",
                                {"storagerouter_guid": "sr-2"})
        assert status == 406 and body == {"error": "impossible_request",
                                          "error_description": "Storage Router cmp01 is not a member of vPool vp1"}
        # shrink sr-0: the vPool stays
        status, task_id = api.call("POST", f"/api/vpools/{vpool['guid']}/shrink_vpool/",
                                   {"storagerouter_guid": "sr-0"})
        assert api.wait_task(task_id)["status"] == "SUCCESS"
        shrunk = the_vpool(api)
        assert shrunk["status"] == "RUNNING" and len(shrunk["storagedrivers_guids"]) == 1
        assert set(shrunk["metadata"]["caching_info"]) == {"sr-1"}
        assert store.get(f"/ovs/vpools/{vpool['guid']}/hosts/vp1{OTHER}/config") is None
        assert store.get("/ovsdb/diskpartition/p-0")["storagedrivers_guids"] == []
        assert api.call("GET", "/api/storagerouters/sr-0/")[1]["vpools_guids"] == []
    finally:
        other.stop()
    # both 'nodes' share this test's systemd and root: sr-1's units are still running really
    systemd.active |= {"ovs-volumedriver_vp1", "ovs-dtl_vp1", "ovs-albaproxy_vp1_0",
                       "ovs-albaproxy_vp1_1"}

    # delete the vDisk, shrink the last storage router: the vPool and its namespace are gone
    vdisk_guid = api.call("GET", "/api/vdisks/")[1]["data"][0]
    assert vdisk_call(api, vdisk_guid, "delete", {})["status"] == "SUCCESS"
    status, task_id = api.call("POST", f"/api/vpools/{vpool['guid']}/shrink_vpool/",
                               {"storagerouter_guid": "sr-1"})
    assert api.wait_task(task_id)["status"] == "SUCCESS"
    assert api.call("GET", "/api/vpools/")[1]["data"] == []
    assert api.call("GET", "/api/storagedrivers/")[1]["data"] == []
    assert store.list("/albamgr/b1-abm/namespaces") == []
    assert store.list(f"/ovs/vpools/{vpool['guid']}") == []
    assert "ovs-volumedriver_vp1" not in systemd.active
    assert not (root / "lib/systemd/system/ovs-dtl_vp1.service").exists()
    assert not (root / "mnt/vp1").exists()
    presets = {p["name"]: p for p in api.call("GET", f"/api/alba/backends/{ready}/")[1]["presets"]}
    assert presets["default"]["in_use"] is False
    # the roles are free again
    sdb = disk_named(api, "sdb")
    assert configure(api, sdb["guid"], ["DB"], partition_guid=sdb["partitions_guids"][0])["status"] \
        == "SUCCESS"


def test_second_vpool_takes_next_ports(api, vpool, ready, store, systemd):  # noqa: F811
    data = params(ready, vpool_name="vp2", parallelism={"proxies": 1},
                  config_params={"dtl_mode": "a_sync", "sco_size": 128, "write_buffer": 256,
                                 "advanced": {"number_of_scos_in_tlog": 8,
                                              "non_disposable_scos_factor": 2.5}})
    assert add_vpool(api, data)["status"] == "SUCCESS"
    status, body = api.call("GET", "/api/storagedrivers/?contents=ports,storagedriver_id")
    ports = {sd["storagedriver_id"]: sd["ports"] for sd in body["data"]}
    assert ports["vp2" + ME] == {"management": 26206, "xmlrpc": 26207, "dtl": 26208, "edge": 26209}
    assert "ovs-albaproxy_vp2_0" in systemd.active and "ovs-albaproxy_vp2_1" not in systemd.active
    vp2 = the_vpool(api, "vp2")
    assert vp2["configuration"]["dtl_enabled"] is True and vp2["configuration"]["tlog_multiplier"] == 8
    config = store.get(f"/ovs/vpools/{vp2['guid']}/hosts/vp2{ME}/config")
    assert config["volume_manager"]["number_of_scos_in_tlog"] == 8
    assert config["volume_manager"]["non_disposable_scos_factor"] == 2.5
    assert config["filesystem"]["fs_dtl_config_mode"] == "Automatic"
    assert config["backend_connection_manager"]["0"]["alba_connection_port"] == 26210
    task = create_vdisk(api, vp2["guid"], "dk2", GiB)
    assert api.call("GET", f"/api/vdisks/{task['result']}/")[1]["dtl_status"] == "ok_standalone"


# --- vDisks --------------------------------------------------------------------------------

def test_vdisk_lifecycle(api, vpool, root, store):  # noqa: F811
    task = create_vdisk(api, vpool["guid"])
    assert task["status"] == "SUCCESS", task
    guid = task["result"]
    path = root / "mnt/vp1/disk1.raw"
    assert path.stat().st_size == 10 * GiB and path.stat().st_blocks == 0  # sparse
    status, vdisk = api.call("GET", f"/api/vdisks/{guid}/")
    assert status == 200
    assert {k: vdisk[k] for k in ("name", "size", "devicename", "vpool_guid", "storagerouter_guid",
                                  "snapshots", "dtl_status", "child_vdisks_guids",
                                  "parent_vdisk_guid")} == \
        {"name": "disk1", "size": 10 * GiB, "devicename": "/disk1.raw", "vpool_guid": vpool["guid"],
         "storagerouter_guid": "sr-1", "snapshots": [], "dtl_status": "disabled",
         "child_vdisks_guids": [], "parent_vdisk_guid": None}
    assert api.call("GET", f"/api/vdisks/?vpoolguid={vpool['guid']}")[1]["data"] == [guid]
    assert the_vpool(api)["vdisks_guids"] == [guid]

    # errors of create
    assert create_vdisk(api, vpool["guid"])["result"] == "A vDisk with this name already exists on vPool vp1"
    assert create_vdisk(api, vpool["guid"], "big", 65 * 1024 ** 4)["result"] == \
        "Maximum volume size of 64TiB exceeded"
    assert create_vdisk(api, vpool["guid"], "bad name!")["status"] == "FAILURE"
    status, body = api.call("POST", "/api/vdisks/", {"name": "x1", "size": GiB,
                                                     "vpool_guid": vpool["guid"],
                                                     "storagerouter_guid": "sr-2"})
    assert status == 406 and body["error"] == "impossible_request"
    assert body["error_description"] == f"No storagedriver found for vPool: {vpool['guid']} and StorageRouter: sr-2"
    status, body = api.call("POST", "/api/vdisks/", {"name": "x1", "vpool_guid": vpool["guid"],
                                                     "storagerouter_guid": "sr-1"})
    assert status == 406 and body["error_description"] == "Invalid data passed: size is missing"

    # extend: grow only
    assert vdisk_call(api, guid, "extend", {"new_size": 20 * GiB})["status"] == "SUCCESS"
    assert path.stat().st_size == 20 * GiB
    assert vdisk_call(api, guid, "extend", {"new_size": GiB})["result"] == "Shrinking is not possible"

    # snapshots and clones
    task = vdisk_call(api, guid, "create_snapshot", {"name": "snap1"})
    snapshot_id = task["result"]
    snapshots = api.call("GET", f"/api/vdisks/{guid}/")[1]["snapshots"]
    assert [(s["guid"], s["label"], s["is_consistent"]) for s in snapshots] == [(snapshot_id, "snap1", False)]
    task = vdisk_call(api, guid, "clone", {"name": "clone1", "storagerouter_guid": "sr-1",
                                           "snapshot_id": snapshot_id})
    assert task["status"] == "SUCCESS", task
    clone = task["result"]
    assert clone["name"] == "clone1" and clone["backingdevice"] == "/clone1.raw"
    assert (root / "mnt/vp1/clone1.raw").stat().st_size == 20 * GiB
    status, child = api.call("GET", f"/api/vdisks/{clone['vdisk_guid']}/")
    assert child["parent_vdisk_guid"] == guid and child["parentsnapshot"] == snapshot_id
    assert api.call("GET", f"/api/vdisks/{guid}/")[1]["child_vdisks_guids"] == [clone["vdisk_guid"]]
    assert vdisk_call(api, guid, "clone", {"name": "clone1", "storagerouter_guid": "sr-1"})["result"] \
        == "A vDisk with this name already exists on vPool vp1"
    assert vdisk_call(api, guid, "clone", {"name": "c2", "storagerouter_guid": "sr-2"})["result"] \
        == "Could not use the given StorageRouter: sr-2"
    assert vdisk_call(api, guid, "remove_snapshot", {"snapshot_id": snapshot_id})["result"] == \
        f"Snapshot {snapshot_id} has 1 volume cloned from it, cannot remove"
    status, body = api.call("POST", f"/api/vdisks/{guid}/delete/")
    assert status == 406 and body == {"error": "impossible_request", "error_description": "vDisk has clones"}

    # clean up
    assert vdisk_call(api, clone["vdisk_guid"], "delete", {})["status"] == "SUCCESS"
    assert not (root / "mnt/vp1/clone1.raw").exists()
    assert vdisk_call(api, guid, "remove_snapshot", {"snapshot_id": snapshot_id})["status"] == "SUCCESS"
    assert vdisk_call(api, guid, "remove_snapshot", {"snapshot_id": snapshot_id})["result"] == \
        f"Snapshot {snapshot_id} does not belong to vDisk disk1"
    status, task_id = api.call("DELETE", f"/api/vdisks/{guid}/")
    assert status == 200 and api.wait_task(task_id)["status"] == "SUCCESS"
    assert not path.exists() and api.call("GET", "/api/vdisks/")[1]["data"] == []
    assert the_vpool(api)["vdisks_guids"] == []


def test_vdisk_needs_running_volumedriver(api, vpool, systemd):  # noqa: F811
    systemd.active.discard("ovs-volumedriver_vp1")
    task = create_vdisk(api, vpool["guid"])
    assert task["status"] == "FAILURE"
    assert "ovs-volumedriver_vp1" in task["result"] and "is not running" in task["result"]


# --- health check ------------------------------------------------------------------------

def test_healthcheck_volumedriver(api, vpool, store, systemd, monkeypatch, root):  # noqa: F811
    monkeypatch.setattr(store_module, "open_store", lambda: store)
    monkeypatch.setattr(system, "port_open", lambda ip, port, timeout=2.0: True)
    results = healthcheck.run("volumedriver")
    assert set(results) == {"volumedriver-dtl-test", "volumedriver-halted-volumes-test",
                            "volumedriver-sco-cache-mountpoint-test"}
    assert all(r["state"] == "SUCCESS" for r in results.values()), results
    assert {"volumedriver-dtl-test", "ovs-processes-test"} <= set(healthcheck.run())
    systemd.active.discard("ovs-volumedriver_vp1")
    results = healthcheck.run("volumedriver")
    assert results["volumedriver-halted-volumes-test"]["state"] == "FAILED"
    assert results["volumedriver-dtl-test"]["state"] in ("SUCCESS", "SKIPPED", "WARNING")
    # no vPool on this node: skipped
    monkeypatch.setattr(healthcheck, "_local_storagedrivers", lambda node: [])
    results = healthcheck.run("volumedriver")
    assert all(r["state"] == "SKIPPED" for r in results.values())
    assert not any(name.startswith("volumedriver-") for name in healthcheck.run())


def test_healthcheck_sco_cache_mountpoint_missing(api, vpool, store, monkeypatch, root):  # noqa: F811
    monkeypatch.setattr(store_module, "open_store", lambda: store)
    sco = store.get(f"/ovs/vpools/{vpool['guid']}/hosts/vp1{ME}/config")["scocache"]
    path = sco["scocache_mount_points"][0]["path"]
    os.rmdir(paths.real(path))
    result = healthcheck.run("volumedriver", "sco-cache-mountpoint")["volumedriver-sco-cache-mountpoint-test"]
    assert result["state"] == "FAILED"
    assert copy.deepcopy(result["messages"]["error"])[0]["message"].startswith("SCO cache mount point")
