"""vPools and their storagedrivers (framework: ovs/lib/vpool.py VPoolController.add_vpool /
shrink_vpool, ovs/lib/helpers/vpool/installers, ovs/lib/helpers/storagedriver/installer.py,
ovs/lib/helpers/storagerouter/installer.py).

``add_vpool`` orchestrates ``VPoolInstaller`` (the vPool object, its status, metadata, MDS settings
and namespace), ``StorageDriverInstaller`` (the checks of the StorageDriver parameters, the
storagedriver, its ports, proxies, partitions, volumedriver configuration and services) and
``StorageRouterInstaller`` (the checks on the storage router: RDMA, roles, WRITE buffer, proxies).

Model objects (``/ovsdb/<type>/<guid>``):
- ``vpool`` {name, status, description, login, connection, rdma_enabled, metadata
  {backend: {backend_info}, caching_info: {<storagerouter guid>: {block_cache, fragment_cache}}},
  configuration {sco_size, cluster_size, dtl_mode, dtl_transport, write_buffer, dtl_enabled,
  dtl_config_mode, tlog_multiplier, mds_config}, storagedrivers_guids, vdisks_guids}
- ``storagedriver`` {name, storagedriver_id (vpool name + machine id), mountpoint /mnt/<vpool>,
  ports {management, xmlrpc, dtl, edge}, storage_ip, cluster_ip, status, vpool_guid,
  storagerouter_guid, partitions_guids, alba_proxies_guids}
- ``storagedriverpartition`` {role, sub_role, number, size, path, partition_guid, storagedriver_guid}
  (the partition's ``storagedrivers_guids`` lists them: ``disks.partition_info`` reads them)
- ``albaproxy`` {name albaproxy_<vpool>_<n>, ports [port], storagedriver_guid, storagerouter_guid}

Store keys: ``/ovs/vpools/<guid>/mds_config``, ``/ovs/vpools/<guid>/hosts/<storagedriver_id>/config``
(volumedriver configuration sections), ``/ovs/vpools/<guid>/proxies/...`` (the ALBA proxies'
configuration, ``vpool_backends``).  The ALBA namespace of the vPool (its file driver namespace
``fd-<vpool>-<guid>``) is made through the main backend's ABM; the backends (main and cache) are
reached, checked and described by ``vpool_backends``, which also makes the cache namespaces.

Node-local half (``ovs-workers`` of the storage router): ``start_vpool_services``,
``stop_vpool_services`` (units ``ovs-albaproxy_<vpool>_<n>``, ``ovs-dtl_<vpool>``,
``ovs-volumedriver_<vpool>`` and the directory ``/mnt/<vpool>``).
"""
import copy
import os
import re
import shutil

from ovs_emulator import actions, alba, disks, paths, services, system, units, vpool_backends
from ovs_emulator.store import StoreError
from ovs_emulator.validate import (REGEX_GUID, REGEX_IP, REGEX_PRESET, REGEX_VPOOL,
                                     verify_required_params)

TLOG_MULTIPLIER_MAP = {4: 16, 8: 8, 16: 4, 32: 2, 64: 1, 128: 1}
SCO_SIZES = [4, 8, 16, 32, 64, 128]
CLUSTER_SIZES = [4, 8, 16, 32, 64]
DTL_MODES = ["no_sync", "a_sync", "sync"]
DTL_TRANSPORTS = ["tcp", "rdma"]
STORAGEDRIVER_PORT_RANGE = [[26200, 26299]]
LIB = units.LIB_DIRS["openvstorage"]
GiB = 1024 ** 3


# --- helpers ------------------------------------------------------------------------------

def vpool_by_name(model, name):
    return model.find_one("vpool", name=name)


def storagedrivers_of(model, vpool):
    return [sd for sd in (model.get("storagedriver", g) for g in vpool.get("storagedrivers_guids", []))
            if sd]


def config_key(vpool_guid, storagedriver_id):
    return f"/ovs/vpools/{vpool_guid}/hosts/{storagedriver_id}/config"


def mds_config_key(vpool_guid):
    return f"/ovs/vpools/{vpool_guid}/mds_config"


def namespace_name(vpool):
    return f"fd-{vpool['name']}-{vpool['guid']}"


def _main_manager(model, vpool):
    """(the ABM, the backend info) of the vPool's main backend, of this cluster or another one."""
    info = vpool["metadata"]["backend"]["backend_info"]
    return vpool_backends.manager_of(model, info["alba_backend_guid"]), info


def _link(model, object_type, guid, field, value, add=True):
    obj = model.get(object_type, guid)
    if obj is None:
        return
    values = list(obj.get(field) or [])
    if add and value not in values:
        values.append(value)
    if not add and value in values:
        values.remove(value)
    obj[field] = values
    model.save(object_type, obj)


def _refresh_router_vpools(model, router_guid):
    router = model.get("storagerouter", router_guid)
    if router is None:
        return
    drivers = model.find("storagedriver", storagerouter_guid=router_guid)
    router["storagedrivers_guids"] = [sd["guid"] for sd in drivers]
    router["vpools_guids"] = sorted({sd["vpool_guid"] for sd in drivers})
    model.save("storagerouter", router)


def _free_ports(model, router, amount):
    ranges = model.store.get(f"/ovs/framework/hosts/{router['machine_id']}/ports|storagedriver") \
        or STORAGEDRIVER_PORT_RANGE
    used = set()
    for sd in model.find("storagedriver", storagerouter_guid=router["guid"]):
        used |= set((sd.get("ports") or {}).values())
        for proxy_guid in sd.get("alba_proxies_guids", []):
            used |= set((model.get("albaproxy", proxy_guid) or {}).get("ports", []))
    ports = []
    for low, high in ranges:
        for port in range(low, high + 1):
            if port not in used:
                ports.append(port)
                if len(ports) == amount:
                    return ports
    raise ValueError(f"Unable to find requested nr of free ports: {amount}")


# --- add_vpool (task ovs.storagerouter.add_vpool) --------------------------------------------
# VPoolController.add_vpool orchestrates three installers: every check on the parameters first,
# then the vPool object, the checks on the storage router, the model objects of the
# storagedriver (reverted on failure), its configuration and its services (FAILURE on failure).

class VPoolInstaller:
    """VPoolInstaller: the vPool model object, its status, its MDS settings, its metadata
    (backend and caching info), its configuration and its namespace on the backend."""

    def __init__(self, model, name):
        self.model, self.name = model, name
        self.vpool, self.is_new = None, True

    def validate(self, router):
        """The name; an existing vPool is RUNNING and has no storagedriver on ``router`` yet."""
        if not isinstance(self.name, str) or not re.match(REGEX_VPOOL, self.name):
            raise ValueError("Incorrect vPool name provided")
        self.vpool = vpool_by_name(self.model, self.name)
        self.is_new = self.vpool is None
        if self.is_new:
            return
        if self.vpool.get("status") != "RUNNING":
            raise ValueError("vPool should be in RUNNING status")
        for sd in storagedrivers_of(self.model, self.vpool):
            if sd.get("storagerouter_guid") == router["guid"]:
                raise RuntimeError("A StorageDriver is already linked to this StorageRouter for "
                                   f"vPool {self.name}")

    def validate_extension(self, main_guid, sd_config):
        """An extension keeps the vPool's backend and its StorageDriver configuration."""
        if self.is_new:
            return
        if main_guid != self.vpool["metadata"]["backend"]["backend_info"]["alba_backend_guid"]:
            raise RuntimeError("Incorrect ALBA Backend guid specified")
        current = self.vpool.get("configuration") or {}
        for key, value in sd_config.items():
            if value != current.get(key):
                raise RuntimeError(f'Specified StorageDriver config "{key}" with value {value} does '
                                   f"not match the expected value {current.get(key)}")

    def create(self, connection_info, rdma, mds_params):
        """A new vPool (INSTALLING) and its MDS settings; an existing one goes EXTENDING."""
        if not self.is_new:
            self.vpool["status"] = "EXTENDING"
            self.model.save("vpool", self.vpool)
            return
        mds_params = mds_params or {}
        verify_required_params({"mds_tlogs": (int, {"min": 1}, False),
                                "mds_safety": (int, {"min": 1, "max": 5}, False),
                                "mds_maxload": (int, {"min": 10}, False)}, mds_params)
        connection = connection_info or {}
        self.vpool = self.model.save("vpool", {
            "name": self.name, "description": self.name, "status": "INSTALLING",
            "login": connection.get("client_id"), "password": connection.get("client_secret"),
            "connection": f"{connection.get('host')}:{connection.get('port')}",
            "rdma_enabled": rdma, "metadata_store_bits": 5, "metadata": {},
            "configuration": {}, "storagedrivers_guids": [], "vdisks_guids": []})
        self.configure_mds(mds_params)

    def configure_mds(self, mds_params):
        self.model.store.set(mds_config_key(self.vpool["guid"]),
                             {"mds_tlogs": mds_params.get("mds_tlogs") or 100,
                              "mds_safety": mds_params.get("mds_safety") or 3,
                              "mds_maxload": mds_params.get("mds_maxload") or 75})

    def refresh_metadata(self, router_guid, sd_installer):
        """The backend info (of a new vPool) and the caching info of the storage router; checks
        each backend and its preset (an extension refreshes the cache backends of the other
        storage routers too)."""
        caching_info, sco_size = sd_installer.caching_info, sd_installer.sd_config["sco_size"]
        caching = {}
        for cache, quota in (("block_cache", "cache_quota_bc"), ("fragment_cache", "cache_quota_fc")):
            entry = {"read": caching_info[f"{cache}_on_read"], "write": caching_info[f"{cache}_on_write"],
                     "quota": caching_info.get(quota),
                     "is_backend": sd_installer.backend_infos[cache] is not None}
            if entry["is_backend"]:
                entry["backend_info"] = vpool_backends.backend_metadata(
                    self.model, sd_installer.backend_infos[cache], sd_installer.connection_infos[cache], sco_size)
            caching[cache] = entry
        if not self.is_new:
            metadata = copy.deepcopy(self.vpool["metadata"])
            for other in metadata.setdefault("caching_info", {}).values():
                for entry in other.values():
                    if entry.get("is_backend"):
                        info = entry["backend_info"]
                        info.update(vpool_backends.backend_metadata(self.model, info, info["connection_info"],
                                                                    sco_size))
            metadata["caching_info"][router_guid] = caching
            return metadata
        main = vpool_backends.backend_metadata(self.model, sd_installer.backend_infos["main"],
                                               sd_installer.connection_infos["main"], sco_size)
        return {"backend": {"backend_info": main}, "caching_info": {router_guid: caching}}

    def link_storagedriver(self, storagedriver_guid, metadata, sd_config):
        """The vPool with its metadata, its new storagedriver and (new) its configuration."""
        vpool = self.model.get("vpool", self.vpool["guid"])
        vpool["metadata"] = metadata
        vpool["storagedrivers_guids"] = list(vpool.get("storagedrivers_guids", [])) + [storagedriver_guid]
        if self.is_new:
            vpool["configuration"] = self.configuration(sd_config)
        self.vpool = self.model.save("vpool", vpool)

    def configuration(self, sd_config):
        dtl_mode, sco_size = sd_config["dtl_mode"], sd_config["sco_size"]
        advanced = sd_config.get("advanced") or {}
        return {
            "sco_size": sco_size, "cluster_size": sd_config["cluster_size"],
            "dtl_mode": dtl_mode, "dtl_transport": sd_config["dtl_transport"],
            "write_buffer": sd_config["write_buffer"], "dtl_enabled": dtl_mode != "no_sync",
            "dtl_config_mode": "automatic" if dtl_mode != "no_sync" else "manual",
            "tlog_multiplier": advanced.get("number_of_scos_in_tlog") or TLOG_MULTIPLIER_MAP[sco_size],
            "non_disposable_scos_factor": advanced.get("non_disposable_scos_factor"),
            "mds_config": self.model.store.get(mds_config_key(self.vpool["guid"]))}

    def create_namespace(self, router_guid):
        """A new vPool's namespace on its backend (its preset is in use from now on); the ALBA
        proxies of ``router_guid`` make its cache namespace on their cache backends."""
        vpool = self.model.get("vpool", self.vpool["guid"])
        manager, backend = _main_manager(self.model, vpool)
        name = namespace_name(vpool)
        namespace = manager.namespace(name)
        if namespace is None:
            namespace = manager.create_namespace(name, vpool["metadata"]["backend"]["backend_info"]["preset"],
                                                 alba.nsm_names(backend)[0])
        vpool_backends.create_cache_namespaces(self.model, vpool, router_guid, namespace)

    def update_status(self, status):
        vpool = self.model.get("vpool", self.vpool["guid"])
        vpool["status"] = status
        self.model.save("vpool", vpool)

    def revert(self, storagedriver):
        _revert(self.model, self.vpool["guid"], storagedriver)


class StorageDriverInstaller:
    """StorageDriverInstaller: the checks of the StorageDriver parameters (storage IP, caching,
    configuration, backends), the storagedriver model object, its ports, ALBA proxies and
    partitions (directories), its volumedriver configuration and its services."""

    def __init__(self, model, vp_installer, parameters):
        self.model, self.vp_installer = model, vp_installer
        self.storage_ip = parameters.get("storage_ip")
        self.caching_info = parameters.get("caching_info")
        self.sd_config = parameters.get("config_params")
        self.backend_infos = {"main": parameters.get("backend_info"),
                              "block_cache": parameters.get("backend_info_bc"),
                              "fragment_cache": parameters.get("backend_info_fc")}
        self.connection_infos = {"main": parameters.get("connection_info"),
                                 "block_cache": parameters.get("connection_info_bc"),
                                 "fragment_cache": parameters.get("connection_info_fc")}
        self.storagedriver, self.sdp_paths, self.cache_paths = None, {}, []

    def validate(self):
        if not isinstance(self.storage_ip, str) or not re.match(REGEX_IP, self.storage_ip):
            raise ValueError("Incorrect storage IP provided")
        verify_required_params({"cache_quota_bc": (int, None, False), "cache_quota_fc": (int, None, False),
                                "block_cache_on_read": (bool, None), "block_cache_on_write": (bool, None),
                                "fragment_cache_on_read": (bool, None),
                                "fragment_cache_on_write": (bool, None)}, self.caching_info)
        verify_required_params({"advanced": (dict, {"number_of_scos_in_tlog": (int, {"min": 4, "max": 20}),
                                                    "non_disposable_scos_factor": (float, {"min": 1.5, "max": 20})},
                                             False),
                                "dtl_mode": (str, DTL_MODES), "sco_size": (int, SCO_SIZES),
                                "cluster_size": (int, CLUSTER_SIZES),
                                "write_buffer": (int, {"min": 128, "max": 10240}),
                                "dtl_transport": (str, DTL_TRANSPORTS)}, self.sd_config)
        self.validate_backend_infos()
        sco_size, write_buffer = self.sd_config["sco_size"], self.sd_config["write_buffer"]
        if (sco_size == 128 and write_buffer < 256) or not 128 <= write_buffer <= 10240:
            raise RuntimeError("Incorrect StorageDriver configuration settings specified")
        for cache, text in (("block_cache", "block cache"), ("fragment_cache", "fragment cache")):
            if self.backend_infos[cache] is not None and \
                    self.main_guid == self.backend_infos[cache]["alba_backend_guid"]:
                raise RuntimeError(f"Backend and {text} backend cannot be the same")

    def validate_backend_infos(self):
        """The main backend; a cache backend with its connection info."""
        for section, info in self.backend_infos.items():
            if section != "main" and info is None:
                continue
            verify_required_params({"preset": (str, REGEX_PRESET),
                                    "alba_backend_guid": (str, REGEX_GUID)}, info)
            if info is not None and section != "main":
                verify_required_params({"host": (str, REGEX_IP), "port": (int, {"min": 1, "max": 65535}),
                                        "client_id": (str, None), "client_secret": (str, None),
                                        "local": (bool, None, False)}, self.connection_infos[section])

    @property
    def main_guid(self):
        return self.backend_infos["main"]["alba_backend_guid"]

    @property
    def rdma(self):
        return self.sd_config["dtl_transport"] == "rdma"

    def local_cache(self, cache):
        """A cache (block_cache, fragment_cache) in use on the local WRITE partition."""
        return self.backend_infos[cache] is None and (
            self.caching_info[f"{cache}_on_read"] or self.caching_info[f"{cache}_on_write"])

    def create(self, router, sr_installer):
        """The storagedriver (INSTALLING) with its ports, its ALBA proxies and its partitions."""
        name, proxies = self.vp_installer.name, sr_installer.requested_proxies
        ports = _free_ports(self.model, router, 4 + proxies)
        storagedriver_id = f"{name}{router['machine_id']}"
        cluster_ip = self.model.store.get(f"/ovs/framework/hosts/{router['machine_id']}/ip") or router["ip"]
        self.storagedriver = self.model.save("storagedriver", {
            "name": storagedriver_id.replace("_", " "), "description": storagedriver_id.replace("_", " "),
            "storagedriver_id": storagedriver_id, "mountpoint": f"/mnt/{name}",
            "ports": {"management": ports[0], "xmlrpc": ports[1], "dtl": ports[2], "edge": ports[3]},
            "storage_ip": self.storage_ip, "cluster_ip": cluster_ip, "status": "INSTALLING",
            "vpool_guid": self.vp_installer.vpool["guid"], "storagerouter_guid": router["guid"],
            "partitions_guids": [], "alba_proxies_guids": []})
        for number in range(proxies):
            proxy = self.model.save("albaproxy", {"name": f"albaproxy_{name}_{number}",
                                                  "ports": [ports[4 + number]],
                                                  "storagedriver_guid": self.storagedriver["guid"],
                                                  "storagerouter_guid": router["guid"]})
            self.storagedriver["alba_proxies_guids"].append(proxy["guid"])
        self.create_partitions(sr_installer)
        self.model.save("storagedriver", self.storagedriver)

    def create_partitions(self, sr_installer):
        """The storagedriver partitions (DB MD/TLOG, DTL, WRITE SCO/FD[/FCACHE]) and their paths."""
        info, largest = sr_installer.partition_info, sr_installer.largest_write_partition
        junctions = [("DB", "MD", info["DB"][0], None), ("DB", "TLOG", info["DB"][0], None),
                     ("DTL", None, info["DTL"][0], None),
                     ("WRITE", "SCO", largest, int(sr_installer.write_buffer_size)),
                     ("WRITE", "FD", largest, None)]
        if sr_installer.requested_local_proxies:  # one local cache directory per proxy
            junctions += [("WRITE", "FCACHE", largest, None)] * sr_installer.requested_proxies
        numbers = {}
        for role, sub_role, part, size in junctions:
            number = numbers[(role, sub_role)] = numbers.get((role, sub_role), 0) + 1
            folder = "/mnt/storage" if part["mountpoint"] in (None, "/") else part["mountpoint"]
            sub = f"_{sub_role}" if sub_role else ""
            path = f"{folder}/{self.vp_installer.name}_{role}{sub}_{number}".lower()
            sdp = self.model.save("storagedriverpartition", {
                "role": role, "sub_role": sub_role, "number": number, "size": size, "path": path,
                "partition_guid": part["guid"], "storagedriver_guid": self.storagedriver["guid"],
                "mds_service_guid": None})
            if sub_role == "FCACHE":
                self.cache_paths.append(path)
            else:
                self.sdp_paths[f"{role}_{sub_role}"] = path
            self.storagedriver["partitions_guids"].append(sdp["guid"])
            _link(self.model, "diskpartition", part["guid"], "storagedrivers_guids", sdp["guid"])

    def setup_proxy_configs(self, sr_installer):
        """The configuration of the storagedriver's ALBA proxies (and the vPool's scrub proxy)."""
        local_size = sr_installer.cache_size_local // sr_installer.requested_local_proxies \
            if sr_installer.requested_local_proxies else None
        vpool_backends.proxy_configs(self.model, self.model.get("vpool", self.vp_installer.vpool["guid"]),
                                     self.storagedriver, self.cache_paths, local_size,
                                     sr_installer.block_cache_supported)

    @property
    def directories(self):
        """The directories of the storagedriver (with the local caches' bc/fc folders)."""
        local = [f"{path}/{sub}" for path in self.cache_paths
                 for sub, cache in (("bc", "block_cache"), ("fc", "fragment_cache")) if self.local_cache(cache)]
        return sorted(set(self.sdp_paths.values()) | set(self.cache_paths) | set(local))

    def configure_storagedriver_service(self, sco_cache_size):
        vpool = self.vp_installer.vpool
        self.model.store.set(config_key(vpool["guid"], self.storagedriver["storagedriver_id"]),
                             volumedriver_config(self.model, vpool, self.storagedriver, self.sdp_paths,
                                                 sco_cache_size))

    def start_services(self, router):
        actions.call(self.model.store, router["machine_id"], "start_vpool_services",
                     vpool=self.vp_installer.name, ports=self.storagedriver["ports"],
                     proxy_ports=[self.model.get("albaproxy", g)["ports"][0]
                                  for g in self.storagedriver["alba_proxies_guids"]],
                     directories=self.directories)

    def update_status(self, status):
        storagedriver = self.model.get("storagedriver", self.storagedriver["guid"])
        storagedriver["status"] = status
        self.model.save("storagedriver", storagedriver)


class StorageRouterInstaller:
    """StorageRouterInstaller: the checks on the storage router (RDMA, block cache feature, mount
    point, partitions and their roles, the global WRITE buffer, the proxies and the local cache
    size)."""

    def __init__(self, model, router):
        self.model, self.router = model, router
        self.partition_info = {}
        self.requested_proxies, self.write_buffer_size = None, None
        self.write_partitions, self.largest_write_partition = [], None
        self.block_cache_supported, self.requested_local_proxies, self.cache_size_local = False, 0, None

    def validate(self, sd_installer, parameters):
        self.partition_info = disks.partition_info(self.model.store, self.router)
        if sd_installer.rdma and not self.router.get("rdma_capable"):
            raise RuntimeError("DTL transport over RDMA is not supported by StorageRouter with IP "
                               f"{self.router['ip']}")
        features = self.router.get("features") or {}
        caching_info = sd_installer.caching_info
        self.block_cache_supported = "block-cache" in (features.get("alba") or {}).get("features", [])
        if not self.block_cache_supported and (
                caching_info["block_cache_on_read"] or caching_info["block_cache_on_write"]):
            raise RuntimeError("Block cache is not a supported feature")
        self.validate_vpool_extendable(sd_installer.vp_installer.name)
        self.validate_global_write_buffer(parameters.get("writecache_size", 0))
        self.validate_proxies((parameters.get("parallelism") or {}).get("proxies", 2))
        self.validate_local_cache_size(sd_installer.local_cache("block_cache"),
                                       sd_installer.local_cache("fragment_cache"))

    def validate_vpool_extendable(self, vpool_name):
        """No mount point of the vPool yet, a SCRUB partition in the cluster, the DB, DTL and
        WRITE roles on this storage router."""
        if self.model.find("storagedriver", storagerouter_guid=self.router["guid"],
                           mountpoint=f"/mnt/{vpool_name}"):
            raise RuntimeError(f"The mount point for vPool {vpool_name} already exists")
        if not disks.scrub_present(self.model.store):
            raise RuntimeError("At least 1 StorageRouter must have a partition with a SCRUB role")
        for role in ("DB", "DTL", "WRITE"):
            if not self.partition_info.get(role):
                raise RuntimeError(f"At least 1 partition with a {role} role is required per "
                                   "StorageRouter")
            if role in ("DB", "DTL") and len(self.partition_info[role]) > 1:
                raise RuntimeError(f"Only 1 partition with a {role} role is allowed per StorageRouter")

    def validate_global_write_buffer(self, requested_gib):
        if not isinstance(requested_gib, (int, float)) or not 1 <= requested_gib <= 10240:
            raise RuntimeError("The requested global WRITE buffer size should be between 1GiB and "
                               "10240GiB")
        self.write_partitions = [p for p in self.partition_info["WRITE"] if p["usable"]]
        available = self.available_write_size
        self.write_buffer_size = requested_gib * 1024.0 ** 3
        if self.write_buffer_size > available:
            raise RuntimeError(f"Too much space requested for WRITE cache. Available: "
                               f"{available / GiB:.2f} GiB, Requested: "
                               f"{self.write_buffer_size / GiB:.2f} GiB")

    @property
    def available_write_size(self):
        return sum(p["available"] for p in self.write_partitions)

    def validate_proxies(self, proxies):
        if not isinstance(proxies, int) or not 1 <= proxies <= 16:
            raise RuntimeError("The requested amount of proxies to deploy should be a value "
                               "between 1 and 16")
        self.requested_proxies = proxies

    def validate_local_cache_size(self, block_local, fragment_local):
        """The largest WRITE partition holds the caches of the proxies kept locally."""
        proxies = self.requested_proxies
        self.largest_write_partition = max(self.write_partitions, key=lambda p: (p["ssd"], p["available"]))
        local_proxies = (proxies if block_local else 0) + (proxies if fragment_local else 0)
        self.requested_local_proxies = local_proxies
        if not local_proxies:
            return
        local_size = float(self.largest_write_partition["available"]) / self.available_write_size * \
            self.write_buffer_size * 0.10
        self.cache_size_local = int(local_size)
        if local_size / local_proxies < GiB:
            raise RuntimeError(f"Not enough space available ({local_size / GiB}GiB) on largest "
                               f"local WRITE partition to deploy {proxies} "
                               f"prox{'y' if proxies == 1 else 'ies'}")


def add_vpool(model, parameters):
    """VPoolController.add_vpool: create the vPool, or extend it to another storage router."""
    if not isinstance(parameters, dict):
        raise ValueError("Parameters passed to create a vPool should be of type dict")
    router = model.find_one("storagerouter", ip=parameters.get("storagerouter_ip"))
    if router is None:
        raise RuntimeError("Could not find StorageRouter")
    vp_installer = VPoolInstaller(model, parameters.get("vpool_name"))
    vp_installer.validate(router)
    sd_installer = StorageDriverInstaller(model, vp_installer, parameters)
    sd_installer.validate()
    vp_installer.validate_extension(sd_installer.main_guid, sd_installer.sd_config)
    vp_installer.create(sd_installer.connection_infos["main"], sd_installer.rdma,
                        parameters.get("mds_config_params"))
    sr_installer = StorageRouterInstaller(model, router)
    try:
        sr_installer.validate(sd_installer, parameters)
        metadata = vp_installer.refresh_metadata(router["guid"], sd_installer)
        sd_installer.create(router, sr_installer)
        vp_installer.link_storagedriver(sd_installer.storagedriver["guid"], metadata, sd_installer.sd_config)
        _refresh_router_vpools(model, router["guid"])
        services.voldrv_checkup(model.store)  # the voldrv Arakoon cluster's services
    except Exception:
        vp_installer.revert(sd_installer.storagedriver)
        raise
    try:
        sd_installer.setup_proxy_configs(sr_installer)
        vp_installer.create_namespace(router["guid"])
        sd_installer.configure_storagedriver_service(sr_installer.write_buffer_size)
        sd_installer.start_services(router)
    except Exception:
        vp_installer.update_status("FAILURE")
        raise
    sd_installer.update_status("RUNNING")
    vp_installer.update_status("RUNNING")
    return None


def _revert(model, vpool_guid, storagedriver):
    """VPoolInstaller.revert_vpool(RUNNING): drop the new storagedriver; a vPool without any
    storagedriver is deleted."""
    if storagedriver is not None and "guid" in storagedriver:
        _delete_storagedriver(model, storagedriver["guid"])
    vpool = model.get("vpool", vpool_guid)
    if vpool is None:
        return
    if not vpool.get("storagedrivers_guids"):
        model.delete("vpool", vpool_guid)
        model.store.delete(f"/ovs/vpools/{vpool_guid}", recursive=True)
    else:
        vpool["status"] = "RUNNING"
        model.save("vpool", vpool)


def _delete_storagedriver(model, guid):
    storagedriver = model.get("storagedriver", guid)
    if storagedriver is None:
        return
    for sdp_guid in storagedriver.get("partitions_guids", []):
        sdp = model.get("storagedriverpartition", sdp_guid)
        if sdp:
            _link(model, "diskpartition", sdp["partition_guid"], "storagedrivers_guids", sdp_guid,
                  add=False)
            model.delete("storagedriverpartition", sdp_guid)
    for proxy_guid in storagedriver.get("alba_proxies_guids", []):
        model.delete("albaproxy", proxy_guid)
    model.delete("storagedriver", guid)
    _link(model, "vpool", storagedriver["vpool_guid"], "storagedrivers_guids", guid, add=False)
    _refresh_router_vpools(model, storagedriver["storagerouter_guid"])


def _backend_connection_manager(model, storagedriver, preset):
    """Section backend_connection_manager: one ALBA connection per ALBA proxy of the storagedriver."""
    connections = {"backend_type": "MULTI", "backend_interface_retries_on_error": 5,
                   "backend_interface_retry_interval_secs": 1,
                   "backend_interface_retry_backoff_multiplier": 2.0}
    proxies = [model.get("albaproxy", g) for g in storagedriver["alba_proxies_guids"]]
    for index, proxy in enumerate(proxies):
        connections[str(index)] = {"alba_connection_host": storagedriver["storage_ip"],
                                   "alba_connection_port": proxy["ports"][0],
                                   "alba_connection_preset": preset,
                                   "alba_connection_timeout": 30,
                                   "alba_connection_use_rora": True,
                                   "alba_connection_transport": "TCP",
                                   "alba_connection_rora_manifest_cache_capacity": 25000,
                                   "alba_connection_asd_connection_pool_capacity": 10,
                                   "alba_connection_rora_timeout_msecs": 50,
                                   "backend_type": "ALBA"}
    return connections


def volumedriver_config(model, vpool, storagedriver, sdp_paths, sco_cache_size):
    """The sections StorageDriverInstaller.configure_storagedriver_service writes."""
    configuration = vpool["configuration"]
    sco_size, cluster_size = configuration["sco_size"], configuration["cluster_size"]
    tlog_multiplier = configuration.get("tlog_multiplier") or TLOG_MULTIPLIER_MAP[sco_size]
    factor = configuration.get("non_disposable_scos_factor") or \
        float(configuration["write_buffer"]) / tlog_multiplier / sco_size
    connections = _backend_connection_manager(model, storagedriver,
                                              vpool["metadata"]["backend"]["backend_info"]["preset"])
    dtl_mode = configuration["dtl_mode"]
    sd_id = storagedriver["storagedriver_id"]
    ports = storagedriver["ports"]
    write_sco = sdp_paths["WRITE_SCO"]
    return {
        "backend_connection_manager": connections,
        "content_addressed_cache": {"serialize_read_cache": False, "read_cache_serialization_path": []},
        "distributed_lock_store": {"dls_type": "Arakoon", "dls_arakoon_cluster_id": "voldrv",
                                   "dls_arakoon_cluster_nodes": []},
        "distributed_transaction_log": {"dtl_path": sdp_paths["DTL_None"],
                                        "dtl_transport": "RSocket" if configuration["dtl_transport"] == "rdma" else "TCP"},
        "event_publisher": {"events_amqp_routing_key": "volumerouter", "events_amqp_uris": []},
        "file_driver": {"fd_cache_path": sdp_paths["WRITE_FD"], "fd_extent_cache_capacity": 1024,
                        "fd_namespace": namespace_name(vpool)},
        "filesystem": {"fs_dtl_host": "", "fs_dtl_port": ports["dtl"],
                       "fs_dtl_mode": "Asynchronous" if dtl_mode == "a_sync" else "Synchronous",
                       "fs_dtl_config_mode": "Automatic" if dtl_mode != "no_sync" else "Manual",
                       "fs_enable_shm_interface": 0, "fs_enable_network_interface": 1,
                       "fs_metadata_backend_type": "MDS", "fs_metadata_backend_mds_nodes": [],
                       "fs_metadata_backend_arakoon_cluster_nodes": [],
                       "fs_virtual_disk_format": "raw", "fs_raw_disk_suffix": ".raw",
                       "fs_file_event_rules": [{"fs_file_event_rule_calls": ["Rename"],
                                                "fs_file_event_rule_path_regex": ".*"}]},
        "metadata_server": {"mds_nodes": []},
        "network_interface": {"network_uri": f"tcp://{storagedriver['storage_ip']}:{ports['edge']}",
                              "network_xmlrpc_port": ports["xmlrpc"],
                              "network_snd_rcv_queue_depth": 1024, "network_workqueue_max_threads": 16},
        "scocache": {"trigger_gap": "1GB", "backoff_gap": "2GB",
                     "scocache_mount_points": [{"path": write_sco, "size": f"{int(sco_cache_size)}B"}]},
        "threadpool_component": {"num_threads": 16},
        "volume_manager": {"tlog_path": sdp_paths["DB_TLOG"], "metadata_path": sdp_paths["DB_MD"],
                           "clean_interval": 1, "dtl_throttle_usecs": 4000,
                           "default_cluster_size": cluster_size * 1024,
                           "number_of_scos_in_tlog": tlog_multiplier,
                           "non_disposable_scos_factor": factor},
        "volume_registry": {"vregistry_arakoon_cluster_id": "voldrv", "vregistry_arakoon_cluster_nodes": []},
        "volume_router": {"vrouter_id": sd_id, "vrouter_sco_multiplier": sco_size * 1024 // cluster_size,
                          "vrouter_backend_sync_timeout_ms": 60000,
                          "vrouter_migrate_timeout_ms": 60000, "vrouter_use_fencing": True,
                          "vrouter_send_sync_response": True, "vrouter_file_read_threshold": 0,
                          "vrouter_file_write_threshold": 0, "vrouter_min_workers": 4,
                          "vrouter_max_workers": 16},
        "volume_router_cluster": {"vrouter_cluster_id": vpool["guid"]},
    }


# --- shrink (task ovs.storagerouter.remove_storagedriver) ---------------------------------

def remove_storagedriver(model, storagedriver_guid):
    """VPoolController.shrink_vpool: the last storagedriver takes the vPool with it."""
    storagedriver = model.get("storagedriver", storagedriver_guid)
    if storagedriver is None:
        raise RuntimeError(f"StorageDriver with guid {storagedriver_guid} could not be found")
    vpool = model.get("vpool", storagedriver["vpool_guid"])
    if vpool.get("status") != "RUNNING":
        raise ValueError("vPool should be in RUNNING status")
    if model.find("vdisk", storagedriver_guid=storagedriver_guid):
        raise RuntimeError("There are still vDisks served from the given StorageDriver")
    router = model.get("storagerouter", storagedriver["storagerouter_guid"])
    last = len(vpool.get("storagedrivers_guids", [])) == 1
    vpool["status"] = "DELETING" if last else "SHRINKING"
    model.save("vpool", vpool)
    try:
        actions.call(model.store, router["machine_id"], "stop_vpool_services", vpool=vpool["name"],
                     proxies=len(storagedriver.get("alba_proxies_guids", [])))
    except Exception:
        vpool["status"] = "FAILURE"
        model.save("vpool", vpool)
        raise
    model.store.delete(config_key(vpool["guid"], storagedriver["storagedriver_id"]), recursive=True)
    model.store.delete(f"/ovs/vpools/{vpool['guid']}/hosts/{storagedriver['storagedriver_id']}",
                       recursive=True)
    vpool_backends.delete_proxy_configs(model, vpool["guid"], storagedriver)
    _delete_storagedriver(model, storagedriver_guid)
    vpool = model.get("vpool", vpool["guid"])
    if last:
        _delete_namespaces(model, vpool, router["guid"])
        model.store.delete(f"/ovs/vpools/{vpool['guid']}", recursive=True)
        model.delete("vpool", vpool["guid"])
    else:
        (vpool.get("metadata") or {}).get("caching_info", {}).pop(router["guid"], None)
        vpool["status"] = "RUNNING"
        model.save("vpool", vpool)
    return None


def _delete_namespaces(model, vpool, router_guid):
    """The volumedriver destroys the filesystem of a vPool's last storagedriver: the vPool's
    namespace goes, and the ALBA proxies of ``router_guid`` drop its cache namespaces."""
    main = ((vpool.get("metadata") or {}).get("backend") or {}).get("backend_info") or {}
    if not main or (not vpool_backends.is_remote(model, main.get("connection_info"))
                    and model.get("albabackend", main.get("alba_backend_guid")) is None):
        return
    manager, _ = _main_manager(model, vpool)
    try:
        namespace = manager.namespace(namespace_name(vpool))
    except StoreError:  # the ABM of another cluster does not answer: its namespace stays
        return
    if namespace is not None:
        vpool_backends.delete_cache_namespaces(model, vpool, [router_guid], namespace)
        manager.delete_namespace(namespace_name(vpool))


# --- node-local (ovs-workers of the storage router) ---------------------------------------

def unit_names(vpool, proxies):
    return ([f"ovs-albaproxy_{vpool}_{n}" for n in range(proxies)] +
            [f"ovs-dtl_{vpool}", f"ovs-volumedriver_{vpool}"])


@actions.action("start_vpool_services")
def start_vpool_services(config_store, machine_id, vpool, ports, proxy_ports, directories):
    """/mnt/<vpool>, the storagedriver's directories, units ovs-albaproxy_<vpool>_<n>,
    ovs-dtl_<vpool>, ovs-volumedriver_<vpool> written, enabled and started."""
    os.makedirs(paths.real(f"/mnt/{vpool}"), exist_ok=True)
    for directory in directories:
        os.makedirs(paths.real(directory), exist_ok=True)
    unit_list = [units.albaproxy_unit(vpool, n, port) for n, port in enumerate(proxy_ports)]
    unit_list += [units.dtl_unit(vpool, ports["dtl"]), units.volumedriver_unit(vpool, ports)]
    for unit in unit_list:
        system.write_text(os.path.join(paths.SYSTEMD_DIR, f"{unit.name}.service"),
                          units.unit_text(unit, LIB))
    system.systemctl("daemon-reload")
    for unit in unit_list:
        system.enable_start(unit.name)
    return [unit.name for unit in unit_list]


@actions.action("stop_vpool_services")
def stop_vpool_services(config_store, machine_id, vpool, proxies):
    mountpoint = paths.real(f"/mnt/{vpool}")
    for name in reversed(unit_names(vpool, proxies)):
        system.disable_stop(name)
        path = os.path.join(paths.SYSTEMD_DIR, f"{name}.service")
        if os.path.exists(path):
            os.remove(path)
    system.systemctl("daemon-reload")
    shutil.rmtree(mountpoint, ignore_errors=True)
    return None

