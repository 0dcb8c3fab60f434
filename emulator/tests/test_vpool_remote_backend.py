"""GeoScale vPools: a vPool whose main backend or fragment/block cache backend lives on ANOTHER
cluster, given through ``connection_info`` {host, port, client_id, client_secret} as the real
framework takes it (VPoolInstaller._refresh_backend_metadata: OVSClient, task get_config_metadata,
the backend with its presets).  Two emulated APIs in-process: this cluster (the usual fixtures,
sr-1 with backend b1) and the remote one (routers 10.30.0.x, LOCAL backend rb2 made in its model;
its ABM reached through its configuration store, as the ALBA proxies reach it)."""
import socket

import pytest

from ovs_emulator import store as store_module
from ovs_emulator.alba import ovsclient
from ovs_emulator.webapi import auth
from test_backends import masters  # noqa: F401  (fixtures)
from test_remote_link import REFUSED, model_backend, other_cluster, stop
from test_vpool_cache_backend import cache_url, nothing_created, proxy_configs
from test_vpools import add_vpool, backend, params, ready, the_vpool  # noqa: F401  (fixtures)
from test_webapi import api, root, store  # noqa: F401  (fixtures)
from conftest import free_ports

UNKNOWN = "01234567-89ab-cdef-0123-456789abcdef"
NOT_FOUND = "Status code: 404 - Error: The requested object could not be found (object_not_found)'."


@pytest.fixture
def remote(certificate, monkeypatch):
    """(the remote cluster's Api, rb2's guid, connection_info with an API client of it); the
    remote ABM's configuration store (``<router ip>:26400``) is the remote cluster's store."""
    cluster = other_cluster(certificate, prefix="10.30.0.")
    guid = model_backend(cluster, "rb2", "LOCAL")
    real_etcd = store_module.EtcdStore
    monkeypatch.setattr(store_module, "EtcdStore", lambda *args, nodes=None, **kwargs:
                        cluster.store if nodes and nodes[0].ip.startswith("10.30.0.")
                        else real_etcd(*args, nodes=nodes, **kwargs))
    status, client = cluster.call("POST", "/api/clients/", {"name": "geo", "ovs_type": "USER",
                                                            "user_guid": "u-admin"})
    assert status == 201, client
    connection = {"host": "127.0.0.1", "port": cluster.port, "client_id": client["client_id"],
                  "client_secret": client["client_secret"]}
    yield cluster, guid, connection
    stop(cluster)


def call(remote_cluster, api, data, router="sr-1"):  # noqa: F811
    remote_cluster.store.delete(auth.RATELIMIT_ROOT, recursive=True)  # 5 token calls a minute
    return add_vpool(api, data, router)


def remote_fc(main, remote_guid, connection, preset="default", **changes):
    """Parameters of a vPool on ``main`` whose fragment cache (read, write) is the remote rb2."""
    return params(main, backend_info_fc={"alba_backend_guid": remote_guid, "preset": preset},
                  connection_info_fc=connection,
                  caching_info={"fragment_cache_on_read": True, "fragment_cache_on_write": True}, **changes)


def remote_namespaces(cluster):
    return cluster.store.list("/albamgr/rb2-abm/namespaces")


def test_refusals(api, ready, store, remote, monkeypatch):  # noqa: F811
    cluster, guid, connection = remote
    port = free_ports()
    cases = [
        (dict(connection, port=port), guid, "default", REFUSED.format(port)),
        (dict(connection, client_secret="x"), guid, "default",
         "Status code: 400 - Error: Invalid client (invalid_client)'."),
        (dict(connection, client_id="nope"), guid, "default",
         "Status code: 400 - Error: Client could not be found (invalid_client)'."),
        (connection, UNKNOWN, "default", NOT_FOUND),
        (connection, guid, "nope", "Given preset nope is not available in backend rb2"),
    ]
    for info, backend_guid, preset, text in cases:
        task = call(cluster, api, remote_fc(ready, backend_guid, info, preset))
        assert (task["status"], task["result"]) == ("FAILURE", text), (info, backend_guid, preset)
        # the same refusals for a remote main backend
        data = params(backend_guid, backend_info={"alba_backend_guid": backend_guid, "preset": preset},
                      connection_info=info)
        task = call(cluster, api, data)
        assert (task["status"], task["result"]) == ("FAILURE", text)
        nothing_created(api, store)
    # an API that does not answer in time
    silent = socket.create_server(("127.0.0.1", 0))
    monkeypatch.setattr(ovsclient, "TIMEOUT", 0.3)
    task = call(cluster, api, remote_fc(ready, guid, dict(connection, port=silent.getsockname()[1])))
    silent.close()
    assert task["result"].endswith("'Connection to 127.0.0.1 timed out. (connect timeout=0.3)'))"), task
    # the cache backend may not be the main backend, on another cluster too
    data = remote_fc(guid, guid, connection, connection_info=connection)
    assert call(cluster, api, data)["result"] == "Backend and fragment cache backend cannot be the same"
    nothing_created(api, store)
    assert remote_namespaces(cluster) == []


def test_remote_fragment_cache(api, ready, store, remote):  # noqa: F811
    cluster, guid, connection = remote
    task = call(cluster, api, remote_fc(ready, guid, connection))
    assert task["status"] == "SUCCESS", task
    vpool = the_vpool(api)
    fragment = vpool["metadata"]["caching_info"]["sr-1"]["fragment_cache"]
    info = fragment["backend_info"]
    assert (info["name"], info["alba_backend_guid"], info["scaling"], info["preset"]) == \
        ("rb2", guid, "LOCAL", "default")
    assert info["connection_info"] == connection and "local" not in info["connection_info"]
    assert info["arakoon_config"]["global"]["cluster_id"] == "rb2-abm"
    assert info["arakoon_config"]["n1"]["ip"] == "10.30.0.11"
    assert store.get(f"/ovs/framework/used_configs/alba_backends/{guid}/abm_config") == info["arakoon_config"]
    for config in proxy_configs(store, vpool).values():
        assert config["fragment_cache"][1]["albamgr_cfg_url"] == cache_url(guid)
        assert config["albamgr_cfg_url"] == cache_url(ready)
    # the proxies made the cache namespace on the remote ABM; the vPool's own on b1
    assert remote_namespaces(cluster) == [f"{vpool['guid']}_000000000"]
    assert store.list("/albamgr/b1-abm/namespaces") == [f"fd-vp1-{vpool['guid']}"]
    # deleting the vPool drops it there
    status, task_id = api.call("POST", f"/api/vpools/{vpool['guid']}/shrink_vpool/", {"storagerouter_guid": "sr-1"})
    assert status == 200 and api.wait_task(task_id)["status"] == "SUCCESS"
    nothing_created(api, store)
    assert remote_namespaces(cluster) == []


def test_remote_main_and_block_cache(api, ready, store, remote):  # noqa: F811
    cluster, guid, connection = remote
    router = store.get("/ovsdb/storagerouter/sr-1")  # an ALBA with the block cache feature
    store.set("/ovsdb/storagerouter/sr-1", dict(router, features={"alba": {"features": ["block-cache"]}}))
    data = params(guid, backend_info={"alba_backend_guid": guid, "preset": "default"}, connection_info=connection,
                  backend_info_bc={"alba_backend_guid": ready, "preset": "default"},
                  connection_info_bc={"host": ""},
                  caching_info={"block_cache_on_read": True, "block_cache_on_write": True})
    task = call(cluster, api, data)
    assert task["status"] == "SUCCESS", task
    vpool = the_vpool(api)
    main = vpool["metadata"]["backend"]["backend_info"]
    assert (main["name"], main["connection_info"]) == ("rb2", connection)
    assert vpool["login"] == connection["client_id"] and vpool["connection"] == f"127.0.0.1:{cluster.port}"
    block = vpool["metadata"]["caching_info"]["sr-1"]["block_cache"]["backend_info"]
    assert block["name"] == "b1" and block["connection_info"]["local"] is True
    # the vPool's namespace on the remote ABM, its block cache namespace on b1
    assert remote_namespaces(cluster) == [f"fd-vp1-{vpool['guid']}"]
    assert store.list("/albamgr/b1-abm/namespaces") == [f"{vpool['guid']}_000000000"]
    assert all(c["albamgr_cfg_url"] == cache_url(guid) for c in proxy_configs(store, vpool).values())
    status, task_id = api.call("POST", f"/api/vpools/{vpool['guid']}/shrink_vpool/", {"storagerouter_guid": "sr-1"})
    assert status == 200 and api.wait_task(task_id)["status"] == "SUCCESS"
    nothing_created(api, store)
    assert remote_namespaces(cluster) == []
