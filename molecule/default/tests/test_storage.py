"""The storage layout of inventories/demo as an operator checks it by hand after `hyperscale.yml`:
the backends RUNNING with every declared ASD claimed (`alba list-osds`), the presets exactly as
declared (`alba list-presets`), the vPool RUNNING on both compute nodes with its parameters (API
and storagedriver configuration), its services and mountpoint, the vDisk file."""
import json
import re

import pytest

from conftest import RUNNER, cluster_hosts

testinfra_hosts = cluster_hosts()
CACC_INI = "/opt/OpenvStorage/config/arakoon_cacc.ini"
MiB = 1024 ** 2


@pytest.fixture(scope="module")
def layout(cluster_vars):
    return {key: cluster_vars.get(key) or [] for key in ("ovs_backends", "ovs_vpools", "ovs_vdisks")}


def alba(node, command, backend):
    """`alba <command> --config <ABM config of the backend> --to-json` on a controller: its result."""
    ini = node.file(CACC_INI).content_string
    cluster_id = re.search(r"^cluster_id\s*=\s*(\S+)", ini, re.M).group(1)
    url = ("arakoon://%s/ovs/arakoon/%s-abm/config?ini=%%2Fopt%%2FOpenvStorage%%2Fconfig%%2Farakoon_cacc.ini"
           % (cluster_id, backend))
    answer = json.loads(node.check_output("alba %s --config '%s' --to-json" % (command, url)))
    assert answer["success"], answer
    return answer["result"]


def backend_named(api, name):
    backends = api.get("alba/backends/?contents=name,scaling,osds_guids,linked_backend_guids,presets")["data"]
    return next(b for b in backends if b["name"] == name)


def test_backends_run_with_their_scaling(api, layout):
    for declared in layout["ovs_backends"]:
        backend = api.get("backends/?contents=name,status")["data"]
        status = {b["name"]: b["status"] for b in backend}
        assert status[declared["name"]] == "RUNNING", status
        assert backend_named(api, declared["name"])["scaling"] == declared.get("scaling", "LOCAL")


def backend_nodes(declared):
    """The storage nodes of a LOCAL backend's ASDs without ``hosts``: those flagged
    ``excellerated_backend`` for the accelerated backend, the others for the other backends."""
    flagged = {node for node in RUNNER.get_hosts("storagenodes")
               if RUNNER.get_variables(node).get("excellerated_backend") in (True, "true", "True")}
    accelerated = declared.get("accelerated", False)
    return [node for node in RUNNER.get_hosts("storagenodes") if (node in flagged) == accelerated]


def test_every_declared_asd_is_claimed(api, install_master, layout):
    for declared in layout["ovs_backends"]:
        if declared.get("scaling", "LOCAL") != "LOCAL":
            continue
        storage_nodes = backend_nodes(declared)
        assert storage_nodes, declared["name"]
        wanted = sum(len(asd["disks"]) * asd.get("asds_per_disk", 1) * len(asd.get("hosts", storage_nodes))
                     for asd in declared["asds"])
        osds = alba(install_master, "list-osds", declared["name"])
        assert len(osds) == wanted
        assert all(osd["kind"] == "AsdV1" and osd["id"] is not None and not osd["decommissioned"] for osd in osds)
        assert len(backend_named(api, declared["name"])["osds_guids"]) == wanted
        # one claimed ASD per listed disk on every storage node, seen from the nodes themselves
        assert len({osd["node_id"] for osd in osds}) == len(storage_nodes)


def test_presets_are_exactly_as_declared(install_master, layout):
    for declared in layout["ovs_backends"]:
        presets = {p["name"]: p for p in alba(install_master, "list-presets", declared["name"])}
        wanted = {p["name"] for p in declared.get("presets", []) if p.get("state", "present") == "present"}
        assert set(presets) == wanted | {"default"}
        for preset in declared.get("presets", []):
            have = presets[preset["name"]]
            assert have["policies"] == preset["policies"]
            assert have["compression"] == preset.get("compression", "snappy")
            assert have["fragment_encryption"][0] == preset.get("encryption", "none")


def test_global_backend_links_its_local_backends(api, layout):
    names = {b["guid"]: b["name"] for b in api.get("alba/backends/?contents=name")["data"]}
    for declared in layout["ovs_backends"]:
        if declared.get("scaling") != "GLOBAL":
            continue
        linked = backend_named(api, declared["name"])["linked_backend_guids"]
        assert sorted(names[guid] for guid in linked) == sorted(b["name"] for b in declared["linked_backends"])


def test_the_accelerated_backend_caches_the_fragments_of_its_vpool(api, install_master, layout):
    """Accelerated ALBA: the ASDs of the flagged SSD node in the accelerated backend only, and the vPool
    whose fragment cache names it: its metadata (caching_info) and its proxies' configuration (the
    fragment cache on that backend's ABM, not a local directory), and its namespace there."""
    accelerated = [b for b in layout["ovs_backends"] if b.get("accelerated")]
    cached = [v for v in layout["ovs_vpools"] if (v.get("fragment_cache") or {}).get("backend")]
    assert accelerated and cached, "the demo layout has an accelerated backend and a vPool caching on it"
    nodes = {b["name"]: backend_nodes(b) for b in layout["ovs_backends"] if b.get("scaling", "LOCAL") == "LOCAL"}
    assert nodes[accelerated[0]["name"]] == ["str05"] and "str05" not in nodes["demo-hdd"], nodes
    for declared in cached:
        cache = declared["fragment_cache"]
        backend = backend_named(api, cache["backend"])
        vpool = next(v for v in api.get("vpools/?contents=name")["data"] if v["name"] == declared["name"])
        vpool = api.get("vpools/%s/" % vpool["guid"])
        caching = vpool["metadata"]["caching_info"]
        assert len(caching) == len(declared["storagerouters"]), caching
        for per_router in caching.values():
            fragment = per_router["fragment_cache"]
            assert fragment["is_backend"] is True, fragment
            assert fragment["backend_info"]["alba_backend_guid"] == backend["guid"], fragment
            assert fragment["backend_info"]["preset"] == cache["preset"], fragment
        proxies = install_master.check_output("ovs config list /ovs/vpools/%s/proxies" % vpool["guid"]).split()
        configs = [json.loads(install_master.check_output(
            "ovs config get /ovs/vpools/%s/proxies/%s/config/main" % (vpool["guid"], proxy)))
            for proxy in proxies if proxy != "scrub"]
        assert len(configs) == declared.get("proxies", 2) * len(declared["storagerouters"]), proxies
        for config in configs:
            kind, settings = config["fragment_cache"]
            assert kind == "alba", config["fragment_cache"]
            assert backend["guid"] in settings["albamgr_cfg_url"], settings
            assert settings["bucket_strategy"] == ["1-to-1", {"prefix": vpool["guid"], "preset": cache["preset"]}]
        namespaces = [n["name"] for n in alba(install_master, "list-namespaces", cache["backend"])]
        assert any(name.startswith(vpool["guid"]) for name in namespaces), namespaces


def test_vpool_runs_on_its_storage_routers_with_the_declared_parameters(api, layout):
    routers = {r["guid"]: r["name"] for r in api.get("storagerouters/?contents=name")["data"]}
    for declared in layout["ovs_vpools"]:
        vpool = next(v for v in api.get("vpools/?contents=name")["data"] if v["name"] == declared["name"])
        vpool = api.get("vpools/%s/" % vpool["guid"])
        assert vpool["status"] == "RUNNING"
        config = vpool["configuration"]
        assert config["sco_size"] == declared["sco_size"]
        assert config["cluster_size"] == declared["cluster_size"]
        assert config["dtl_mode"] == declared["dtl_mode"]
        assert config["dtl_transport"] == declared["dtl_transport"]
        drivers = [api.get("storagedrivers/%s/" % guid) for guid in vpool["storagedrivers_guids"]]
        assert sorted(routers[d["storagerouter_guid"]] for d in drivers) == sorted(declared["storagerouters"])
        assert all(d["mountpoint"] == "/mnt/%s" % declared["name"] for d in drivers)


@pytest.mark.computenodes
def test_vpool_services_and_mountpoint_on_the_compute_nodes(host, layout):
    for declared in layout["ovs_vpools"]:
        if host.backend.get_hostname() not in declared["storagerouters"]:
            continue
        name = declared["name"]
        services = ["ovs-volumedriver_%s" % name, "ovs-dtl_%s" % name] + [
            "ovs-albaproxy_%s_%d" % (name, n) for n in range(declared.get("proxies", 2))]
        for service in services:
            assert host.service(service).is_running, service
        assert host.file("/mnt/%s" % name).is_directory


@pytest.mark.computenodes
def test_storagedriver_configuration_holds_the_declared_parameters(host, layout):
    machine = host.file("/etc/openvstorage_id").content_string.strip()
    for declared in layout["ovs_vpools"]:
        if host.backend.get_hostname() not in declared["storagerouters"]:
            continue
        keys = host.check_output("ovs config list /ovs/vpools").split()
        configs = [json.loads(host.check_output("ovs config get /ovs/vpools/%s/hosts/%s%s/config"
                                                % (guid, declared["name"], machine)))
                   for guid in keys
                   if ("%s%s" % (declared["name"], machine))
                   in host.check_output("ovs config list /ovs/vpools/%s/hosts" % guid).split()]
        assert len(configs) == 1
        config = configs[0]
        assert config["volume_manager"]["default_cluster_size"] == declared["cluster_size"] * 1024
        assert config["volume_router"]["vrouter_sco_multiplier"] * declared["cluster_size"] * 1024 \
            == declared["sco_size"] * MiB
        assert config["distributed_transaction_log"]["dtl_transport"] == declared["dtl_transport"].upper()


@pytest.mark.computenodes
def test_vdisk_file_is_there(host, layout):
    for declared in layout["ovs_vdisks"]:
        if host.backend.get_hostname() != declared["storagerouter"]:
            continue
        raw = host.file("/mnt/%s/%s.raw" % (declared["vpool"], declared["name"]))
        assert raw.is_file
        assert raw.size == 10 * 1024 ** 3


def test_vdisk_has_its_snapshots(api, layout):
    for declared in layout["ovs_vdisks"]:
        vdisk = next(v for v in api.get("vdisks/?contents=name")["data"] if v["name"] == declared["name"])
        vdisk = api.get("vdisks/%s/" % vdisk["guid"])
        assert sorted(s["label"] for s in vdisk["snapshots"]) == sorted(declared.get("snapshots", []))
