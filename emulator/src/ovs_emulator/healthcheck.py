"""``ovs healthcheck`` (package openvstorage-hc): modules ``ovs`` and ``arakoon``.

``python3 -m ovs_emulator.healthcheck [--to-json|--unattended] [module [test]]``
"""
import json
import sys

from ovs_emulator import alba as plugin, paths, store, system, units
from ovs_emulator.model import Model

STATES = ["SUCCESS", "SKIPPED", "WARNING", "FAILED", "EXCEPTION"]  # worst last
STATE_OF = {"success": "SUCCESS", "skip": "SKIPPED", "warning": "WARNING", "error": "FAILED",
            "exception": "EXCEPTION"}


class Result:
    def __init__(self):
        self.messages = {kind: [] for kind in ("error", "exception", "skip", "success", "warning")}

    def add(self, kind, code, message):
        self.messages[kind].append({"code": code, "message": message})

    @property
    def state(self):
        seen = [STATE_OF[kind] for kind, items in self.messages.items() if items]
        return max(seen, key=STATES.index, default="SUCCESS")


class Node:
    """What the tests need to know about this node, without depending on the config store."""

    def __init__(self):
        self.kind = "MASTER" if system.is_enabled("ovs-arakoon-config") else "EXTRA"
        self.machine_id = (system.read_text(paths.OVS_ID) or "").strip()
        try:
            self.cacc_nodes = store.read_cacc()[1]
        except store.StoreError:
            self.cacc_nodes = []
        own = [node.ip for node in self.cacc_nodes if node.name == self.machine_id]
        self.ip = own[0] if own else (system.local_ips() or ["127.0.0.1"])[0]

    @property
    def services(self):
        heartbeats = system.is_enabled("ovs-support-agent")
        return units.services_for(self.kind, heartbeats)


def test_processes(node, result):
    for service in node.services:
        if system.is_active(service):
            result.add("success", "FWK0200", f"Service {service} is running!")
        else:
            result.add("error", "FWK0201", f"Service {service} is not running!")


def test_ports(node, result):
    for service in node.services:
        for port in units.ports_of(service):
            if system.port_open(node.ip, port):
                result.add("success", "FWK0300",
                           f"Connection successfully established to service {service} on {node.ip}:{port}")
            else:
                result.add("error", "FWK0301", f"Connection FAILURE to service {service} on {node.ip}:{port}")


def test_packages(node, result):
    installed = system.installed_packages()
    for package, required in units.FRAMEWORK_PACKAGES.items():
        if package in installed:
            result.add("success", "FWK0400", f"Package {package} is installed with version {installed[package]}")
        else:
            result.add("error" if required else "warning", "FWK0401", f"Package {package} is not installed")


def test_arakoon_nodes(node, result):
    if not node.cacc_nodes:
        result.add("error", "ARA0102", f"No Arakoon client configuration found at {paths.CACC_INI}")
        return
    for cluster, (client_port, _) in units.ARAKOON_PORTS.items():
        reachable = 0
        for member in node.cacc_nodes:
            if system.port_open(member.ip, client_port):
                reachable += 1
                result.add("success", "ARA0100", f"Node {member.name} of Arakoon cluster {cluster} "
                                                 f"is reachable on {member.ip}:{client_port}")
            else:
                result.add("error", "ARA0101", f"Node {member.name} of Arakoon cluster {cluster} "
                                               f"is not reachable on {member.ip}:{client_port}")
        if reachable <= len(node.cacc_nodes) // 2:
            result.add("error", "ARA0103", f"Arakoon cluster {cluster} has no quorum: {reachable} of "
                                           f"{len(node.cacc_nodes)} nodes reachable")


def test_arakoon_ports(node, result):
    if node.kind != "MASTER":
        result.add("skip", "ARA0200", "This node does not run Arakoon clusters")
        return
    for cluster, ports in units.ARAKOON_PORTS.items():
        for port in ports:
            if system.port_open(node.ip, port):
                result.add("success", "ARA0201", f"Arakoon cluster {cluster} listens on {node.ip}:{port}")
            else:
                result.add("error", "ARA0202", f"Arakoon cluster {cluster} does not listen on {node.ip}:{port}")


# --- module volumedriver (vPools served by this node) ------------------------------------

def _local_storagedrivers(node):
    """[(storagedriver, vpool, volumedriver config)] of the vPools this node serves."""
    config_store = store.open_store()
    routers = [r for r in (config_store.get(f"/ovsdb/storagerouter/{g}")
                           for g in config_store.list("/ovsdb/storagerouter"))
               if isinstance(r, dict) and r.get("machine_id") == node.machine_id]
    found = []
    for guid in config_store.list("/ovsdb/storagedriver"):
        driver = config_store.get(f"/ovsdb/storagedriver/{guid}")
        if not isinstance(driver, dict) or driver.get("storagerouter_guid") not in \
                [r["guid"] for r in routers]:
            continue
        vpool = config_store.get(f"/ovsdb/vpool/{driver.get('vpool_guid')}") or {}
        config = config_store.get(f"/ovs/vpools/{driver.get('vpool_guid')}/hosts/"
                                  f"{driver.get('storagedriver_id')}/config") or {}
        vdisks = [v for v in (config_store.get(f"/ovsdb/vdisk/{g}")
                              for g in config_store.list("/ovsdb/vdisk"))
                  if isinstance(v, dict) and v.get("storagedriver_guid") == driver.get("guid")]
        found.append((driver, vpool, config, vdisks))
    return found


def _volumedriver_drivers(node, result):
    drivers = _local_storagedrivers(node)
    if not drivers:
        result.add("skip", "VOL0001", "No vPools found on this node")
    return drivers


def test_volumedriver_dtl(node, result):
    for driver, vpool, _, vdisks in _volumedriver_drivers(node, result):
        name, port = vpool.get("name"), (driver.get("ports") or {}).get("dtl")
        service = f"ovs-dtl_{name}"
        if not system.is_active(service):
            result.add("error", "VOL0102", f"DTL service {service} of vPool {name} is not running")
            continue
        if port and not system.port_open(driver.get("storage_ip") or node.ip, port):
            result.add("error", "VOL0103", f"DTL service {service} of vPool {name} does not listen on "
                                           f"{driver.get('storage_ip')}:{port}")
            continue
        result.add("success", "VOL0100", f"DTL service {service} of vPool {name} is running on "
                                         f"{driver.get('storage_ip')}:{port}")
        enabled = (vpool.get("configuration") or {}).get("dtl_enabled")
        multiple = len(vpool.get("storagedrivers_guids") or []) > 1
        for vdisk in vdisks:
            if not enabled:
                result.add("skip", "VOL0104", f"DTL of vDisk {vdisk.get('name')} is disabled")
            elif not multiple:
                result.add("warning", "VOL0105", f"DTL of vDisk {vdisk.get('name')} is ok_standalone: "
                                                 f"vPool {name} has no other StorageRouter")
            else:
                result.add("success", "VOL0101", f"DTL of vDisk {vdisk.get('name')} is ok_sync")


def test_volumedriver_halted_volumes(node, result):
    for driver, vpool, _, vdisks in _volumedriver_drivers(node, result):
        name = vpool.get("name")
        service = f"ovs-volumedriver_{name}"
        if system.is_active(service):
            result.add("success", "VOL0200", f"Volumedriver {service} is running: no halted volumes on "
                                             f"vPool {name}")
            continue
        result.add("error", "VOL0201", f"Volumedriver {service} is not running: the volumes of vPool "
                                       f"{name} on this node are halted")
        for vdisk in vdisks:
            result.add("error", "VOL0202", f"Volume {vdisk.get('name')} of vPool {name} is halted")


def test_volumedriver_sco_cache_mountpoint(node, result):
    import os
    for _, vpool, config, _ in _volumedriver_drivers(node, result):
        name = vpool.get("name")
        mountpoints = (config.get("scocache") or {}).get("scocache_mount_points") or []
        if not mountpoints:
            result.add("error", "VOL0302", f"No SCO cache mount points configured for vPool {name}")
        for mountpoint in mountpoints:
            path = mountpoint.get("path")
            if path and os.path.isdir(paths.real(path)) and os.access(paths.real(path), os.W_OK):
                result.add("success", "VOL0300", f"SCO cache mount point {path} of vPool {name} is "
                                                 "accessible")
            else:
                result.add("error", "VOL0301", f"SCO cache mount point {path} of vPool {name} is not "
                                               "accessible")


MODULES = {"ovs": {"processes": test_processes, "ports": test_ports, "packages": test_packages},
           "arakoon": {"nodes": test_arakoon_nodes, "ports": test_arakoon_ports}}
# modules run by a plain ``ovs healthcheck`` only where they apply (always when asked by name)
def _serves_vpools(node):
    try:
        return bool(_local_storagedrivers(node))
    except Exception:  # store unreachable: run the module, it reports the exception
        return True


WHEN_ALL = {"volumedriver": _serves_vpools}
MODULES["volumedriver"] = {"dtl": test_volumedriver_dtl, "halted-volumes": test_volumedriver_halted_volumes,
                           "sco-cache-mountpoint": test_volumedriver_sco_cache_mountpoint}


# --- module alba (openvstorage-health-check ovs/extensions/healthcheck/suites/alba.py) ---

def _alba_backends():
    """(model, [{name, alba_id, is_available_for_vpool, guid, disks, type}]) as
    AlbaHealthCheck._get_all_responding_backends (the plugin's dynamics over the store)."""
    model = Model(store.open_store())
    dynamics = plugin.albabackend_dynamics(model)
    found = []
    for alba_backend in model.all("albabackend"):
        disks = [osd for slots in dynamics["local_stack"](alba_backend).values()
                 for slot in slots.values() for osd in slot.get("osds", {}).values()
                 if osd.get("claimed_by") == alba_backend["guid"]]
        found.append({"name": dynamics["name"](alba_backend), "alba_id": alba_backend.get("alba_id"),
                      "is_available_for_vpool": any(p.get("is_available") is True
                                                    for p in dynamics["presets"](alba_backend)),
                      "guid": alba_backend["guid"], "disks": disks,
                      "type": alba_backend.get("scaling")})
    return model, found


def _alba_check_asds(model, result, asds, backend_name):
    """_check_backend_asds: an object put/get on every ASD (here: its port answers)."""
    working, broken = [], []
    if not asds:
        return working, broken
    try:
        mapping = {osd["long_id"]: osd["ips"][0]
                   for osd in plugin.alba_cli(model, "list-osds", f"{backend_name}-abm") if osd.get("ips")}
    except RuntimeError as exc:
        result.add("error", "ALBA0001", f"Could not fetch osd list from Alba. Got {exc}")
        raise
    for asd in asds:
        asd_id = asd.get("asd_id") or asd.get("osd_id")
        if asd.get("status") == "error":
            broken.append(asd_id)
            result.add("warning", "ALBA0101",
                       f"ASD test with DISK_ID {asd_id} failed because: {asd.get('status_detail')}")
            continue
        ip = mapping.get(asd_id)
        if asd.get("port") and ip and system.port_open(ip, int(asd["port"])):
            result.add("success", "HC0000", f"ASD test with DISK_ID {asd_id} succeeded!")
            working.append(asd_id)
        else:
            broken.append(asd_id)
            reason = "Disk is missing" if not asd.get("port") else \
                'Unix.Unix_error(Unix.ECONNREFUSED, "connect", "")'
            result.add("warning", "ALBA0001",
                       f"ASD test with DISK_ID {asd_id} failed  on node {ip} with {reason}")
    return working, broken


def test_alba_backend(node, result):
    model, backends = _alba_backends()
    if not backends:
        result.add("skip", "HC0000", "No backends found.")
        return
    result.add("success", "HC0000", f"We found {len(backends)} backend(s)!")
    for backend in backends:
        name = backend["name"]
        if backend["type"] != "LOCAL":
            continue  # 'is a global backend': not added to the result
        try:
            working, broken = _alba_check_asds(model, result, backend["disks"], name)
        except Exception:
            result.add("warning", "HC0000", f"Could not fetch the asd information for alba backend {name}")
            continue
        if backend["is_available_for_vpool"]:
            if not broken:
                result.add("success", "HC0000", f"Alba backend {name} should be available for VPool use. "
                                                 "All asds are working fine!")
            else:
                result.add("warning", "ALBA0103", f"Alba backend {name} should be available for VPool use "
                                                  f"with {len(working)} asds, but there are {len(broken)} "
                                                  f"defective asds: {', '.join(broken)}")
        elif not working and not broken:
            result.add("skip", "HC0000", f"Alba backend {name} is not available for vPool use, there are "
                                         "no asds assigned to this backend!")
        else:
            result.add("error", "ALBA104", f"Alba backend {name} is not available for vPool use, preset "
                                           f"requirements not satisfied! There are {len(working)} working "
                                           f"asds AND {len(broken)} defective asds!")


def _local_alba_services():
    """The node's services whose name starts with ``alba`` (alba-asd-*, alba-maintenance_*)."""
    import os
    try:
        names = os.listdir(paths.SYSTEMD_DIR)
    except OSError:
        return []
    return sorted(name[:-len(".service")] for name in names
                  if name.startswith("alba") and name.endswith(".service"))


def test_alba_processes(node, result):
    services = _local_alba_services()
    if not services:
        result.add("skip", "HC0000", "Found no LOCAL ALBA services.")
        return
    for service in services:
        if system.is_active(service):
            result.add("success", "ALBA0400", f"Service {service} is running!")
        else:
            result.add("error", "ALBA0401", f"Service {service} is NOT running! ")


def _disk_safety(model, name):
    """AlbaHealthCheck.get_disk_safety for one backend: {"k,m": {"max": m, "current":
    {safety: [{namespace, amount_in_bucket}]}}} from ``alba get-disk-safety`` (errored OSDs,
    i.e. ASDs that do not answer, counted as dead) and the presets in use."""
    abm = f"{name}-abm"
    namespaces = plugin.alba_cli(model, "get-disk-safety", abm, **{"include-errored-as-dead": ""})
    overview = {}
    for preset in plugin.alba_cli(model, "list-presets", abm):
        if preset.get("in_use"):
            for policy in preset["policies"]:
                overview[f"{policy[0]},{policy[1]}"] = {"max": policy[1], "current": {}}
    for namespace in namespaces:
        total = sum(bucket["count"] for bucket in namespace["bucket_safety"])
        for bucket in namespace["bucket_safety"]:
            key = f"{bucket['bucket'][0]},{bucket['bucket'][1]}"
            entry = overview.setdefault(key, {"max": bucket["bucket"][1], "current": {}})
            entry["current"].setdefault(bucket["remaining_safety"], []).append({
                "namespace": namespace["namespace"],
                "amount_in_bucket": "%.5f" % (float(bucket["count"]) / float(total) * 100)})
    return overview


def _listing(namespaces):
    return ",\n".join(f"{n['namespace']} with {n['amount_in_bucket']}% of its objects" for n in namespaces)


def test_alba_disk_safety(node, result):
    """AlbaHealthCheck.check_disk_safety: per backend and policy, all safe (ALBA0300), reduced
    (ALBA0301), zero (ALBA0302) or below zero (ALBA0303)."""
    model, backends = _alba_backends()
    for backend in backends:
        if not backend["alba_id"]:
            continue
        name = backend["name"]
        try:
            overview = _disk_safety(model, name)
        except RuntimeError as exc:
            result.add("exception", "ALBA0001", f"Could not fetch alba information for backend {name} "
                                                f"Message: {exc}")
            continue
        for policy in overview.values():
            current, top = policy["current"], policy["max"]
            if not current:
                continue  # 'No data/namespaces found': not added to the result
            if len(current) == 1 and top in current:
                result.add("success", "ALBA0300", f"All data is safe on backend {name} with "
                                                  f"{len(current[top])} namespace(s)")
                continue
            for safety, namespaces in current.items():
                if safety == top:
                    result.add("success", "ALBA0300", f"The disk safety of {len(namespaces)} "
                                                      "namespace(s) is/are totally safe!")
                elif safety > 0:
                    result.add("warning", "ALBA0301", f"The disk safety of {len(namespaces)} namespace(s) "
                                                      f"is {safety}, max. disk safety is {top}: \n"
                                                      f"{_listing(namespaces)}")
                elif safety == 0:
                    result.add("error", "ALBA0302", f"The disk safety of {len(namespaces)} namespace(s) "
                                                    f"is/are ZERO: \n{_listing(namespaces)}")
                else:
                    result.add("error", "ALBA0303", f"The disk safety of {len(namespaces)} namespace(s) "
                                                    f"is/are below ZERO, safety: {safety}: \n"
                                                    f"{_listing(namespaces)}")


def _runs_alba(node):
    if _local_alba_services():
        return True
    try:
        return bool(store.open_store().list("/ovsdb/albabackend"))
    except Exception:
        return False


WHEN_ALL["alba"] = _runs_alba
MODULES["alba"] = {"backend": test_alba_backend, "processes": test_alba_processes,
                   "disk-safety": test_alba_disk_safety}

def run(module=None, test=None):
    """{"<module>-<test>-test": {"state", "messages"}} of the selected tests."""
    node = Node()
    results = {}
    for module_name, tests in MODULES.items():
        if module not in (None, module_name):
            continue
        if module is None and not WHEN_ALL.get(module_name, lambda _: True)(node):
            continue  # a module for what this node does not run (e.g. no vPool here)
        for test_name, function in tests.items():
            if test not in (None, test_name):
                continue
            result = Result()
            try:
                function(node, result)
            except Exception as exc:  # a broken test is reported, not raised
                result.add("exception", "HC0000", str(exc))
            results[f"{module_name}-{test_name}-test"] = {"state": result.state, "messages": result.messages}
    return results


def usage():
    lines = ["Usage: ovs healthcheck [--unattended|--to-json] [module [test]]", "Modules and tests:"]
    lines += [f"  {name}: {', '.join(tests)}" for name, tests in MODULES.items()]
    return "\n".join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    flags = {arg for arg in argv if arg.startswith("--")}
    args = [arg for arg in argv if not arg.startswith("--")]
    if flags - {"--to-json", "--unattended"} or len(args) > 2 \
            or (args and args[0] not in MODULES) or (len(args) == 2 and args[1] not in MODULES[args[0]]):
        print(usage(), file=sys.stderr)
        return 1
    results = run(*args)
    if "--to-json" in flags:
        print(json.dumps(results, indent=4, sort_keys=True))
    elif "--unattended" in flags:
        for name, result in sorted(results.items()):
            print(f"{name} {result['state']}")
    else:
        print("[INFO] Starting Open vStorage Health Check!")
        print("[INFO] ====================================")
        for name, result in results.items():
            print(f"[INFO] Starting {name}")
            for kind, messages in result["messages"].items():
                for message in messages:
                    print(f"[{STATE_OF[kind]}] {message['message']}")
        print("[INFO] Health Check finished")
    return 0


if __name__ == "__main__":
    sys.exit(main())
