"""vPools with an ALBA backend as fragment (block) cache, "Accelerated ALBA": the refusals with the
framework's texts (nothing left behind), the ALBA proxies' configuration, the cache namespace on the
cache backend (seen by ``alba list-namespaces``), the vPool's metadata, extending with the same or
another cache backend, shrinking and deleting."""
import pytest

from ovs_emulator import albamgr, vpool_backends, workers
from ovs_emulator import store as store_module
from test_backends import alba, backend, make_backend, masters, presets, wait_status  # noqa: F401
from test_storage import GiB
from test_vpools import OTHER, add_vpool, params, ready, the_vpool  # noqa: F401
from test_webapi import api, root, store  # noqa: F401  (fixtures)

MISSING = "01234567-89ab-cdef-0123-456789abcdef"
BACKEND_INFO_KEYS = {"alba_backend_guid", "preset", "name", "scaling", "policies", "sco_size", "frag_size",
                     "total_size", "backend_guid", "connection_info", "arakoon_config"}


def new_backend(api, name):  # noqa: F811
    created, alba_backend = make_backend(api, name)
    assert wait_status(api, created["guid"], ("RUNNING", "FAILURE"))["status"] == "RUNNING"
    return alba_backend["guid"]


@pytest.fixture
def cache(api, ready):  # noqa: F811
    """A second RUNNING ALBA backend ``b2`` of this cluster, the cache backend."""
    return new_backend(api, "b2")


def fc_params(main, cache_guid, preset="default", **changes):
    """Parameters of a vPool on ``main`` whose fragment cache (read and write) is ``cache_guid``."""
    data = params(main, backend_info_fc={"alba_backend_guid": cache_guid, "preset": preset},
                  connection_info_fc={"host": ""},
                  caching_info={"fragment_cache_on_read": True, "fragment_cache_on_write": True})
    data.update(changes)
    return data


def proxy_configs(store, vpool):  # noqa: F811
    """{albaproxy guid: its main config} of the vPool's ALBA proxies."""
    found = {}
    for proxy_guid in store.list(f"/ovs/vpools/{vpool['guid']}/proxies"):
        config = store.get(f"/ovs/vpools/{vpool['guid']}/proxies/{proxy_guid}/config/main")
        if config is not None:
            found[proxy_guid] = config
    return found


def namespaces(capsys, monkeypatch, store, url):  # noqa: F811
    code, answer = alba(capsys, monkeypatch, store, "list-namespaces", f"--config={url}", "--to-json")
    assert code == 0 and answer["success"] is True, answer
    return answer["result"]


def cache_url(alba_backend_guid):
    return albamgr.configuration_path(
        f"/ovs/framework/used_configs/alba_backends/{alba_backend_guid}/abm_config.ini")


def nothing_created(api, store):  # noqa: F811
    assert api.call("GET", "/api/vpools/")[1]["data"] == []
    assert api.call("GET", "/api/storagedrivers/")[1]["data"] == []
    assert store.list("/ovs/vpools") == []
    assert store.list("/albamgr/b1-abm/namespaces") == [] and store.list("/albamgr/b2-abm/namespaces") == []


# --- refusals: the task fails with the framework's text, nothing is left ---------------------------

REFUSALS = [
    # StorageDriverInstaller.__init__ (ovs/lib/helpers/storagedriver/installer.py)
    (lambda main, cache: fc_params(main, main), "Backend and fragment cache backend cannot be the same"),
    (lambda main, cache: params(main, backend_info_bc={"alba_backend_guid": main, "preset": "default"},
                                connection_info_bc={"host": ""}),
     "Backend and block cache backend cannot be the same"),
    (lambda main, cache: fc_params(main, cache, connection_info_fc={"host": "10.0.0.99"}),
     '\nMissing required param "port" in actual parameters\nMissing required param "client_id" in actual '
     'parameters\nMissing required param "client_secret" in actual parameters'),
    (lambda main, cache: fc_params(main, cache, backend_info_fc={"alba_backend_guid": cache}),
     '\nMissing required param "preset" in actual parameters'),
    # VPoolInstaller._refresh_backend_metadata (ovs/lib/helpers/vpool/installers/installer.py): the
    # OVSClient's 404 of an unknown ALBA backend, a preset the backend does not have
    (lambda main, cache: fc_params(main, MISSING),
     "Status code: 404 - Error: The requested object could not be found (object_not_found)'."),
    (lambda main, cache: fc_params(main, cache, preset="nope"), "Given preset nope is not available in backend b2"),
]


@pytest.mark.parametrize("make, text", REFUSALS)
def test_cache_backend_refusals(api, ready, cache, store, make, text):  # noqa: F811
    task = add_vpool(api, make(ready, cache))
    assert (task["status"], task["result"]) == ("FAILURE", text)
    nothing_created(api, store)


# --- a vPool with a fragment cache backend ------------------------------------------------------

def test_vpool_with_fragment_cache_backend(api, ready, cache, store, root, capsys, monkeypatch):  # noqa: F811
    data = fc_params(ready, cache, backend_info_bc={"alba_backend_guid": cache, "preset": "default"},
                     connection_info_bc={"host": ""})
    task = add_vpool(api, data)
    assert task["status"] == "SUCCESS", task
    vpool = the_vpool(api)
    assert vpool["status"] == "RUNNING"

    # metadata: the fragment cache on b2 (read, write), the block cache on b2 unused
    caching = vpool["metadata"]["caching_info"]["sr-1"]
    fragment, block = caching["fragment_cache"], caching["block_cache"]
    assert {k: v for k, v in fragment.items() if k != "backend_info"} == \
        {"read": True, "write": True, "quota": None, "is_backend": True}
    info = fragment["backend_info"]
    assert set(info) == BACKEND_INFO_KEYS
    assert (info["name"], info["alba_backend_guid"], info["preset"], info["scaling"]) == \
        ("b2", cache, "default", "LOCAL")
    assert info["policies"] == [[5, 4, 8, 3], [2, 2, 3, 4]] and info["sco_size"] == 4 * 1024.0 ** 2
    assert info["frag_size"] == 1048576.0
    connection = info["connection_info"]
    assert connection["host"] == "172.30.250.11" and connection["port"] == 443 and connection["local"] is True
    assert connection["client_id"] and connection["client_secret"]  # kept as the framework keeps them
    assert info["arakoon_config"]["global"]["cluster_id"] == "b2-abm"
    assert info["arakoon_config"] == store.get(f"/ovs/framework/used_configs/alba_backends/{cache}/abm_config")
    assert block["is_backend"] is True and (block["read"], block["write"]) == (False, False)
    assert block["backend_info"]["name"] == "b2"
    main = vpool["metadata"]["backend"]["backend_info"]
    assert main["name"] == "b1" and set(main) == BACKEND_INFO_KEYS
    assert main["arakoon_config"]["global"]["cluster_id"] == "b1-abm"

    # the ALBA proxies: main backend and fragment cache through the used_configs ini of each ABM
    configs = proxy_configs(store, vpool)
    assert sorted(c["port"] for c in configs.values()) == [26204, 26205]
    for config in configs.values():
        assert config == {
            "log_level": "info", "port": config["port"], "ips": ["172.30.250.11"],
            "manifest_cache_size": 500 * 1024 ** 2,
            "fragment_cache": ["alba", {"cache_on_read": True, "cache_on_write": True,
                                        "albamgr_cfg_url": cache_url(cache),
                                        "bucket_strategy": ["1-to-1", {"prefix": vpool["guid"],
                                                                       "preset": "default"}],
                                        "manifest_cache_size": 500 * 1024 ** 2}],
            "transport": "tcp", "read_preference": [], "albamgr_cfg_url": cache_url(ready)}
    scrub = store.get(f"/ovs/vpools/{vpool['guid']}/proxies/scrub/generic_scrub")
    assert (scrub["port"], scrub["ips"]) == (0, ["127.0.0.1"])
    assert scrub["fragment_cache"][1]["cache_on_read"] is False and scrub["fragment_cache"][1]["cache_on_write"] is True
    # no local cache: no FCACHE partition
    assert not list(root.glob("mnt/**/vp1_write_fcache_*"))

    # the namespaces: the vPool's on b1, its cache namespace (prefix vPool guid) on b2
    [main_ns] = namespaces(capsys, monkeypatch, store, cache_url(ready))
    assert main_ns == {"id": 0, "name": f"fd-vp1-{vpool['guid']}", "nsm_host_id": "b1-nsm_0",
                       "state": "active", "preset_name": "default"}
    assert namespaces(capsys, monkeypatch, store, cache_url(cache)) == [
        {"id": 0, "name": f"{vpool['guid']}_000000000", "nsm_host_id": "b2-nsm_0", "state": "active",
         "preset_name": "default"}]
    assert presets(api, cache)["default"]["in_use"] is True

    # deleting the vPool drops the cache namespace with the vPool's namespace
    status, task_id = api.call("POST", f"/api/vpools/{vpool['guid']}/shrink_vpool/", {"storagerouter_guid": "sr-1"})
    assert status == 200 and api.wait_task(task_id)["status"] == "SUCCESS"
    nothing_created(api, store)
    assert presets(api, cache)["default"]["in_use"] is False
    # the framework keeps the ABM configs it used (VPoolShared: "Fix leak of backends not being removed")
    assert store.exists(f"/ovs/framework/used_configs/alba_backends/{cache}/abm_config.ini")


def test_vpool_without_cache_backend_keeps_local_caches(api, ready, store):  # noqa: F811
    data = params(ready, caching_info={"fragment_cache_on_read": True}, writecache_size=10,
                  parallelism={"proxies": 1})
    assert add_vpool(api, data)["status"] == "SUCCESS"
    vpool = the_vpool(api)
    fragment = vpool["metadata"]["caching_info"]["sr-1"]["fragment_cache"]
    assert fragment == {"read": True, "write": False, "quota": None, "is_backend": False}
    [config] = proxy_configs(store, vpool).values()
    kind, local = config["fragment_cache"]
    assert kind == "local" and local["path"].endswith("/vp1_write_fcache_1/fc")
    assert (local["max_size"], local["cache_on_read"], local["cache_on_write"]) == (GiB, True, False)
    assert store.list("/albamgr/b1-abm/namespaces") == [f"fd-vp1-{vpool['guid']}"]


# --- extending and shrinking ---------------------------------------------------------------------

@pytest.fixture
def second_router(store):  # noqa: F811
    """sr-0 (ctl02) with a DB/DTL/WRITE partition and its own ovs-workers."""
    store.set("/ovsdb/disk/disk-0", {"guid": "disk-0", "name": "sdb", "is_ssd": True, "storagerouter_guid": "sr-0",
                                     "partitions_guids": ["p-0"], "size": 100 * GiB})
    store.set("/ovsdb/diskpartition/p-0", {
        "guid": "p-0", "disk_guid": "disk-0", "offset": 0, "size": 20 * GiB, "state": "OK",
        "mountpoint": "/mnt/ssd9", "roles": ["DB", "DTL", "WRITE"], "storagedrivers_guids": []})
    other = workers.Worker(store, OTHER)
    other.start()
    yield "sr-0"
    other.stop()


def shrink(api, vpool, router):  # noqa: F811
    status, task_id = api.call("POST", f"/api/vpools/{vpool['guid']}/shrink_vpool/", {"storagerouter_guid": router})
    assert status == 200
    return api.wait_task(task_id)


def test_extend_with_the_same_cache_backend(api, ready, cache, store, second_router, capsys,  # noqa: F811
                                            monkeypatch):
    assert add_vpool(api, fc_params(ready, cache))["status"] == "SUCCESS"
    task = add_vpool(api, fc_params(ready, cache, storage_ip="172.30.250.12"), second_router)
    assert task["status"] == "SUCCESS", task
    vpool = the_vpool(api)
    assert len(vpool["storagedrivers_guids"]) == 2
    for router in ("sr-0", "sr-1"):
        assert vpool["metadata"]["caching_info"][router]["fragment_cache"]["backend_info"]["alba_backend_guid"] == cache
    configs = proxy_configs(store, vpool)
    assert len(configs) == 4
    assert {c["fragment_cache"][1]["albamgr_cfg_url"] for c in configs.values()} == {cache_url(cache)}
    # the proxies of both storage routers share the cache namespace
    assert [n["name"] for n in namespaces(capsys, monkeypatch, store, cache_url(cache))] == \
        [f"{vpool['guid']}_000000000"]

    # shrinking sr-0: its proxies' configuration goes, the cache namespace stays in use
    assert shrink(api, vpool, second_router)["status"] == "SUCCESS"
    vpool = the_vpool(api)
    assert set(vpool["metadata"]["caching_info"]) == {"sr-1"} and len(proxy_configs(store, vpool)) == 2
    assert store.list("/albamgr/b2-abm/namespaces") == [f"{vpool['guid']}_000000000"]
    assert shrink(api, vpool, "sr-1")["status"] == "SUCCESS"
    nothing_created(api, store)


def test_extend_with_another_cache_backend(api, ready, cache, store, second_router, capsys,  # noqa: F811
                                           monkeypatch):
    other_cache = new_backend(api, "b3")
    assert add_vpool(api, fc_params(ready, cache))["status"] == "SUCCESS"
    # the same refusals apply to the extension, nothing changes
    vpool = the_vpool(api)
    task = add_vpool(api, fc_params(ready, ready, storage_ip="172.30.250.12"), second_router)
    assert task["result"] == "Backend and fragment cache backend cannot be the same"
    task = add_vpool(api, fc_params(ready, other_cache, preset="nope", storage_ip="172.30.250.12"), second_router)
    assert task["result"] == "Given preset nope is not available in backend b3"
    assert the_vpool(api) == vpool and store.list("/albamgr/b3-abm/namespaces") == []

    # each storage router has its own cache backend (the framework keeps caching_info per storage router)
    task = add_vpool(api, fc_params(ready, other_cache, storage_ip="172.30.250.12"), second_router)
    assert task["status"] == "SUCCESS", task
    vpool = the_vpool(api)
    caching = vpool["metadata"]["caching_info"]
    assert caching["sr-1"]["fragment_cache"]["backend_info"]["name"] == "b2"
    assert caching["sr-0"]["fragment_cache"]["backend_info"]["name"] == "b3"
    urls = [c["fragment_cache"][1]["albamgr_cfg_url"] for c in proxy_configs(store, vpool).values()]
    assert sorted(urls) == sorted([cache_url(cache)] * 2 + [cache_url(other_cache)] * 2)
    name = f"{vpool['guid']}_000000000"
    assert [n["name"] for n in namespaces(capsys, monkeypatch, store, cache_url(other_cache))] == [name]
    assert store.list("/albamgr/b2-abm/namespaces") == [name]

    # shrinking sr-0 leaves b3's cache namespace (no proxy of the vPool drops it any more); deleting
    # the vPool drops the cache namespace of the remaining proxies (b2)
    assert shrink(api, vpool, second_router)["status"] == "SUCCESS"
    assert shrink(api, vpool, "sr-1")["status"] == "SUCCESS"
    assert store.list("/albamgr/b2-abm/namespaces") == [] and store.list("/albamgr/b1-abm/namespaces") == []
    assert store.list("/albamgr/b3-abm/namespaces") == [name]


def test_arakoon_config_conversions(store):  # noqa: F811
    text = store_module.cacc_text([store_module.ArakoonNode("n1", "10.0.0.1", 26400, 26401)], "b9-abm")
    config = vpool_backends.arakoon_config_dict(text)
    assert config["global"] == {"cluster_id": "b9-abm", "cluster": "n1", "tlog_max_entries": "5000"}
    assert config["n1"]["client_port"] == 26400 and config["n1"]["ip"] == "10.0.0.1"
    cluster_id, nodes = store_module.parse_cacc(vpool_backends.arakoon_config_ini(config))
    assert cluster_id == "b9-abm" and [(n.name, n.ip, n.client_port) for n in nodes] == [("n1", "10.0.0.1", 26400)]
