"""GeoScale: a GLOBAL backend of one cluster links a LOCAL backend of ANOTHER cluster through that
cluster's API (OVSClient: client_credentials token, the backend with its presets, task
get_config_metadata).  Two emulated APIs in-process, each on its own configuration store: the
remote cluster (the usual fixtures: masters, a storage node, LOCAL backend rb1) and this one
(routers 10.20.0.x, GLOBAL backend gb1)."""
import socket

import pytest

from ovs_emulator import alba, albamgr, healthcheck, model, store as store_module
from ovs_emulator.alba import ovsclient
from ovs_emulator.model import Model
from ovs_emulator.store import ArakoonNode, MemoryStore, cacc_text
from ovs_emulator.webapi import auth
from test_backends import action, alba_type, masters  # noqa: F401
from test_osds import claim_three_asds_on_sdc, running_backend, storage_node  # noqa: F401
from test_webapi import Api, _serve, api, root, seed, store  # noqa: F401  (fixtures)
from conftest import free_ports

REFUSED = ("HTTPSConnectionPool(host='127.0.0.1', port={0}): Max retries exceeded with url: "
           "/api/oauth2/token/ (Caused by NewConnectionError('<urllib3.connection.VerifiedHTTPSConnection"
           " object>: Failed to establish a new connection: [Errno 111] Connection refused',))")


def other_cluster(certificate, prefix="10.20.0."):
    """Another cluster: its own store and API, storage router IPs ``<prefix>11``, ``12``, ..."""
    local = seed(MemoryStore())
    for index, guid in enumerate(local.list("/ovsdb/storagerouter")):
        router = local.get(f"/ovsdb/storagerouter/{guid}")
        local.set(f"/ovsdb/storagerouter/{guid}", dict(router, ip=f"{prefix}{11 + index}"))
    return Api(_serve(local, certificate), local)


def stop(cluster):
    cluster.server.shutdown()
    cluster.server.server_close()


@pytest.fixture
def here(store, root, certificate, storage_node):  # noqa: F811
    """This cluster: its own store and API, routers 10.20.0.x, the storage node's ASD manager as
    its ASD node (for gb1's maintenance agent)."""
    cluster = other_cluster(certificate)
    model.create(cluster.store, "albanode", **{k: storage_node[k] for k in
                                               ("node_id", "ip", "port", "type", "username", "password", "name")})
    yield cluster
    stop(cluster)


def model_backend(cluster, name, scaling):
    """A RUNNING ALBA backend ``name`` of ``cluster`` with its ABM (on the cluster's first router),
    made in the model (that cluster has no DB partition); its alba backend guid."""
    status, backend = cluster.call("POST", "/api/backends/", {"name": name,
                                                              "backend_type_guid": alba_type(cluster)})
    assert status == 201, backend
    found = Model(cluster.store)
    alba_backend = alba.create_alba_backend(found, backend, scaling)
    ip = found.all("storagerouter")[0]["ip"]
    cluster.store.set_raw(f"/ovs/arakoon/{name}-abm/config",
                          cacc_text([ArakoonNode("n1", ip, 26402, 26403)], f"{name}-abm"))
    alba_backend["alba_id"] = alba.alba_cli(found, "get-alba-id", f"{name}-abm")["id"]
    found.save("albabackend", alba_backend)
    backend = found.get("backend", backend["guid"])
    found.save("backend", dict(backend, status="RUNNING"))
    return alba_backend["guid"]


def global_backend(here):
    """gb1 (GLOBAL, RUNNING) with its ABM and maintenance agent."""
    guid = model_backend(here, "gb1", "GLOBAL")
    alba.checkup_maintenance_agents(Model(here.store))
    return guid


@pytest.fixture
def geo(api, masters, storage_node, store, root, here, monkeypatch):  # noqa: F811
    """(remote backend rb1 guid, its alba id, gb1 guid, metadata of a link, the remote ABM's
    listener); the remote ABM answers on 127.0.0.1:<port>, its data is read through the remote
    cluster's configuration store."""
    remote = running_backend(api, root, "rb1")
    port = free_ports()
    store.set_raw("/ovs/arakoon/rb1-abm/config",
                  cacc_text([ArakoonNode("MACHINE000000001", "127.0.0.1", port, port + 1)], "rb1-abm"))
    real_etcd = store_module.EtcdStore
    monkeypatch.setattr(store_module, "EtcdStore", lambda *args, nodes=None, **kwargs:
                        store if nodes and nodes[0].client_port == store_module.CLIENT_PORT
                        else real_etcd(*args, nodes=nodes, **kwargs))
    status, client = api.call("POST", "/api/clients/", {"name": "geo", "ovs_type": "USER",
                                                        "user_guid": "u-admin"})
    assert status == 201, client
    alba_id = api.call("GET", f"/api/alba/backends/{remote}/")[1]["alba_id"]
    metadata = {"backend_connection_info": {"host": "127.0.0.1", "port": api.port,
                                            "username": client["client_id"],
                                            "password": client["client_secret"]},
                "backend_info": {"linked_guid": remote, "linked_name": "rb1",
                                 "linked_preset": "default", "linked_alba_id": alba_id}}
    listener = socket.create_server(("127.0.0.1", port))
    yield remote, alba_id, global_backend(here), metadata, listener
    listener.close()


def link(here, store, glob, metadata):  # noqa: F811
    store.delete(auth.RATELIMIT_ROOT, recursive=True)  # the remote token view: 5 calls a minute
    return action(here, glob, "link_alba_backends", {"metadata": metadata})


def unchanged(here, glob):
    assert here.call("GET", f"/api/alba/backends/{glob}/")[1]["osds_guids"] == []
    assert alba.alba_cli(Model(here.store), "list-all-osds", "gb1-abm") == []


def test_refusals(api, store, here, geo, storage_node, monkeypatch):  # noqa: F811
    remote, _, glob, metadata, _ = geo
    connection = metadata["backend_connection_info"]
    # the remote API cannot be reached
    port = free_ports()
    result = link(here, store, glob, dict(metadata, backend_connection_info=dict(connection, port=port)))
    assert (result["status"], result["result"]) == ("FAILURE", REFUSED.format(port))
    # ... or does not answer in time
    silent = socket.create_server(("127.0.0.1", 0))
    with monkeypatch.context() as patch:
        patch.setattr(ovsclient, "TIMEOUT", 0.3)
        result = link(here, store, glob, dict(metadata, backend_connection_info=dict(
            connection, port=silent.getsockname()[1])))
    silent.close()
    assert result["status"] == "FAILURE" and result["result"].endswith(
        "(Caused by ConnectTimeoutError(<urllib3.connection.VerifiedHTTPSConnection object>, "
        "'Connection to 127.0.0.1 timed out. (connect timeout=0.3)'))"), result
    # wrong client secret, unknown client
    result = link(here, store, glob, dict(metadata, backend_connection_info=dict(connection, password="x")))
    assert result["result"] == "Status code: 400 - Error: Invalid client (invalid_client)'."
    result = link(here, store, glob, dict(metadata, backend_connection_info=dict(connection, username="nope")))
    assert result["result"] == "Status code: 400 - Error: Client could not be found (invalid_client)'."
    # a backend the remote cluster does not know
    info = metadata["backend_info"]
    result = link(here, store, glob, dict(metadata, backend_info=dict(info, linked_guid=glob)))
    assert result["result"] == ("Status code: 404 - Error: The requested object could not be found "
                                "(object_not_found)'.")
    # a preset it does not have, or that its OSDs cannot serve yet
    result = link(here, store, glob, dict(metadata, backend_info=dict(info, linked_preset="nope")))
    assert result["result"] == "Could not locate preset nope"
    result = link(here, store, glob, metadata)
    assert result["result"] == "Preset default is not available"
    unchanged(here, glob)
    assert here.call("GET", f"/api/alba/backends/{glob}/")[1]["linked_backend_guids"] == []


def test_link_use_unlink(api, store, here, geo, storage_node, monkeypatch):  # noqa: F811
    remote, alba_id, glob, metadata, listener = geo
    claim_three_asds_on_sdc(api, storage_node, remote)
    result = link(here, store, glob, metadata)
    assert (result["status"], result["result"]) == ("SUCCESS", True), result
    body = here.call("GET", f"/api/alba/backends/{glob}/")[1]
    assert len(body["osds_guids"]) == 1 and body["linked_backend_guids"] == [remote]
    osd = here.store.get(f"/ovsdb/albaosd/{body['osds_guids'][0]}")
    assert osd["osd_type"] == "ALBA_BACKEND" and osd["osd_id"] == alba_id
    assert osd["metadata"]["backend_connection_info"]["host"] == "127.0.0.1"
    stack = body["remote_stack"][remote]
    assert {k: stack[k] for k in ("name", "error", "preset", "osd_id", "local_ip", "remote_host",
                                  "live_status", "scaling")} == {
        "name": "rb1", "error": "", "preset": "default", "osd_id": alba_id, "local_ip": False,
        "remote_host": "127.0.0.1", "live_status": "running", "scaling": "LOCAL"}
    assert stack["devices"]["green"] == 3
    assert body["local_summary"]["devices"] == {"green": 1, "orange": 0, "red": 0, "gray": 0}
    assert body["live_status"] == "running"
    # alba list-osds of gb1: the remote backend as an Alba2 OSD
    cluster = Model(here.store)
    [listed] = alba.alba_cli(cluster, "list-osds", "gb1-abm")
    assert listed["kind"] == "Alba2" and listed["long_id"] == alba_id and listed["node_id"] == remote
    assert listed["prefix"] == glob and listed["preset"] == "default"
    assert listed["albamgr_cfg"]["cluster_id"] == "rb1-abm"
    # a namespace of gb1 places its fragment there; the health check sees it safe
    here.store.set("/albamgr/gb1-abm/presets/geo", {"preset": dict(albamgr.DEFAULT_PRESET,
                                                                   policies=[[1, 0, 1, 1]]), "version": 0})
    here.store.set("/albamgr/gb1-abm/namespaces/ns1", {"id": 0, "name": "ns1", "state": "active",
                                                       "nsm_host_id": "gb1-nsm_0", "preset_name": "geo"})
    monkeypatch.setattr(store_module, "open_store", lambda: here.store)
    safety = healthcheck.run("alba", "disk-safety")["alba-disk-safety-test"]
    assert safety["messages"]["success"] == [
        {"code": "ALBA0300", "message": "All data is safe on backend gb1 with 1 namespace(s)"}]
    # unlink
    result = action(here, glob, "unlink_alba_backends", {"linked_guid": remote})
    assert result["status"] == "SUCCESS", result
    body = here.call("GET", f"/api/alba/backends/{glob}/")[1]
    assert body["osds_guids"] == [] and body["linked_backend_guids"] == [] and body["remote_stack"] == {}
    assert alba.alba_cli(cluster, "list-osds", "gb1-abm") == []


def test_link_a_backend_named_like_one_of_this_cluster(api, store, here, geo, storage_node):  # noqa: F811
    """Both clusters have a backend rb1 (two ABMs rb1-abm): the Alba2 OSD is the one the remote API's
    Arakoon config names (its nodes), not the ABM of the same name here."""
    remote, alba_id, glob, metadata, listener = geo
    mine = model_backend(here, "rb1", "LOCAL")
    claim_three_asds_on_sdc(api, storage_node, remote)
    assert link(here, store, glob, metadata)["result"] is True
    [listed] = alba.alba_cli(Model(here.store), "list-osds", "gb1-abm")
    assert listed["long_id"] == alba_id != here.store.get(f"/ovsdb/albabackend/{mine}")["alba_id"]
    assert here.call("GET", f"/api/alba/backends/{glob}/")[1]["linked_backend_guids"] == [remote]


def test_remote_gone_after_link(api, store, here, geo, storage_node, monkeypatch):  # noqa: F811
    remote, _, glob, metadata, listener = geo
    claim_three_asds_on_sdc(api, storage_node, remote)
    assert link(here, store, glob, metadata)["result"] is True
    here.store.set("/albamgr/gb1-abm/presets/geo", {"preset": dict(albamgr.DEFAULT_PRESET,
                                                                   policies=[[1, 0, 1, 1]]), "version": 0})
    here.store.set("/albamgr/gb1-abm/namespaces/ns1", {"id": 0, "name": "ns1", "state": "active",
                                                       "nsm_host_id": "gb1-nsm_0", "preset_name": "geo"})
    monkeypatch.setattr(store_module, "open_store", lambda: here.store)
    # only the remote cluster's API stops answering: the Alba2 OSD talks to the remote ABM, the data
    # stays safe (the health check has no test of its own for a link: alba-backend-test skips a GLOBAL
    # backend, alba-disk-safety-test reads the GLOBAL backend's ABM)
    api.server.shutdown()
    api.server.server_close()
    results = healthcheck.run("alba")
    assert results["alba-disk-safety-test"] == {"state": "SUCCESS", "messages": {
        "error": [], "exception": [], "skip": [], "warning": [],
        "success": [{"code": "ALBA0300", "message": "All data is safe on backend gb1 with 1 namespace(s)"}]}}
    # then its ABM too
    listener.close()
    body = here.call("GET", f"/api/alba/backends/{glob}/")[1]
    stack = body["remote_stack"][remote]
    assert (stack["error"], stack["live_status"], stack["remote_host"]) == ("unknown", "unknown", "127.0.0.1")
    assert body["live_status"] == "failure" and body["linked_backend_guids"] is None
    results = healthcheck.run("alba")
    assert results["alba-disk-safety-test"]["state"] == "FAILED"
    assert results["alba-disk-safety-test"]["messages"]["error"] == [
        {"code": "ALBA0303", "message": "The disk safety of 1 namespace(s) is/are below ZERO, "
                                        "safety: -1: \nns1 with 100.00000% of its objects"}]
    backend_test = results["alba-backend-test"]["messages"]
    assert backend_test["success"] == [{"code": "HC0000", "message": "We found 1 backend(s)!"}]
    assert backend_test["warning"] == backend_test["error"] == []  # a GLOBAL backend is skipped
    assert results["alba-backend-test"]["state"] == "SUCCESS"
    # the link can still be removed
    result = action(here, glob, "unlink_alba_backends", {"linked_guid": remote})
    assert result["status"] == "SUCCESS", result
    assert here.call("GET", f"/api/alba/backends/{glob}/")[1]["osds_guids"] == []
