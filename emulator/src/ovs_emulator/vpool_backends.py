"""The ALBA backends a vPool uses (its main backend, a fragment cache backend, a block cache
backend: "Accelerated ALBA") as the framework reaches them, and the configuration of the vPool's
ALBA proxies (framework: ovs/lib/helpers/vpool/installers/installer.py _refresh_backend_metadata,
ovs/lib/helpers/vpool/shared.py VPoolShared, ovs/lib/helpers/storagedriver/installer.py
setup_proxy_configs; framework-extensions: src/constants/framework.py, src/constants/vpools.py;
alba: ocaml/src/fragment_cache_config.ml, ocaml/src/fragment_cache_alba.ml).

- Each backend is reached through the API named by its ``connection_info``: a backend of another
  cluster (GeoScale) through that cluster's API (``OVSClient``: client_credentials token, task
  ``get_config_metadata``, the backend with its presets); one of this cluster (a storage router's
  IP) is read from the model as those calls would.  The ABM of a backend is then reached through
  the config kept in ``used_configs`` (``manager_of``), as the ALBA proxies reach it.
- ``sync_alba_arakoon_config``: the backend's ABM Arakoon config (``get_config_metadata``) kept at
  ``/ovs/framework/used_configs/alba_backends/<alba_backend_guid>/abm_config`` (dict) and
  ``.../abm_config.ini`` (ini text, what the proxies' ``albamgr_cfg_url`` points at).
- ``proxy_configs``: ``/ovs/vpools/<vpool>/proxies/<albaproxy guid>/config/main`` per proxy and
  ``/ovs/vpools/<vpool>/proxies/scrub/generic_scrub``; a cache is ``["none"]``, ``["local",
  {path, max_size, cache_on_read, cache_on_write}]`` or, on a cache backend, ``["alba",
  {cache_on_read, cache_on_write, albamgr_cfg_url, bucket_strategy: ["1-to-1", {prefix: <vpool
  guid>, preset}], manifest_cache_size}]``.
- An ALBA proxy with an ALBA cache creates, on first use, the namespace ``<prefix>_<id of the
  main namespace, 9 digits>`` on the cache backend (``create_cache_namespaces``) and drops it
  when the main namespace is deleted (``delete_cache_namespaces``).
"""
from ovs_emulator import alba, albamgr
from ovs_emulator.alba.common import arakoon_config_dict, arakoon_config_ini, local_host
from ovs_emulator.alba.ovsclient import HttpNotFoundException, OVSClient
from ovs_emulator.store import StoreError

REMOTE_CONFIG_BACKEND_BASE = "/ovs/framework/used_configs/alba_backends"
REMOTE_CONFIG_BACKEND_CONFIG = REMOTE_CONFIG_BACKEND_BASE + "/{0}/abm_config"
REMOTE_CONFIG_BACKEND_INI = REMOTE_CONFIG_BACKEND_BASE + "/{0}/abm_config.ini"
PROXY_CONFIG_MAIN = "/ovs/vpools/{0}/proxies/{1}/config/main"
PROXY_PATH = "/ovs/vpools/{0}/proxies/{1}"
GENERIC_SCRUB = "/ovs/vpools/{0}/proxies/scrub/generic_scrub"
MANIFEST_CACHE_SIZE = 500 * 1024 ** 2
CACHES = ("block_cache", "fragment_cache")


def _client(connection_info):
    """OVSClient.get_instance(connection_info): the API of the backend's cluster."""
    return OVSClient(connection_info)


def _alba_backend(cluster, alba_backend_guid):
    """GET /alba/backends/<guid>/ of ``cluster``: 404 for an unknown guid."""
    alba_backend = cluster.get("albabackend", alba_backend_guid)
    if alba_backend is None:
        raise HttpNotFoundException(alba.OBJECT_NOT_FOUND)
    return alba_backend


def _remote_arakoon_config(model, alba_backend_guid, connection_info):
    """VPoolShared._retrieve_remote_alba_arakoon_config: task get_config_metadata of the backend's
    cluster (a backend of this cluster is read from the model as that task would)."""
    if is_remote(model, connection_info):
        client = _client(connection_info)
        task_id = client.get(f"/alba/backends/{alba_backend_guid}/get_config_metadata")
        successful, arakoon_config = client.wait_for_task(task_id, timeout=300)
        if successful is False:
            raise RuntimeError(f"Could not load metadata from environment {client.ip}")
        return arakoon_config
    backend = alba.backend_of(model, _alba_backend(model, alba_backend_guid))
    text = model.store.get_raw(f"/ovs/arakoon/{alba.abm_name(backend)}/config") if backend else None
    if not text:  # get_arakoon_config fails: the backend has no ABM cluster (yet)
        raise RuntimeError(f"Could not load metadata from environment {connection_info.get('host')}")
    return arakoon_config_dict(text)


def backend_dict(model, alba_backend_guid, connection_info):
    """``GET /alba/backends/<guid>/?contents=name,usages,presets,backend,remote_stack`` of the
    backend's cluster: name, scaling, usages, presets, backend_guid."""
    if is_remote(model, connection_info):
        return _client(connection_info).get(f"/alba/backends/{alba_backend_guid}",
                                            params={"contents": "name,usages,presets,backend,remote_stack"})
    alba_backend = _alba_backend(model, alba_backend_guid)
    dynamics = alba.albabackend_dynamics(model)
    backend = alba.backend_of(model, alba_backend)
    return {"name": backend.get("name"), "scaling": alba_backend.get("scaling"),
            "backend_guid": backend.get("guid"), "presets": dynamics["presets"](alba_backend),
            "usages": dynamics["usages"](alba_backend) or {}}


def sync_alba_arakoon_config(model, alba_backend_guid, connection_info):
    """VPoolShared.sync_alba_arakoon_config: the backend's ABM config (task get_config_metadata of
    its cluster) kept in this cluster's configuration; returns it (a dict)."""
    remote = _remote_arakoon_config(model, alba_backend_guid, connection_info or {})
    if model.store.get(REMOTE_CONFIG_BACKEND_CONFIG.format(alba_backend_guid)) != remote:
        model.store.set(REMOTE_CONFIG_BACKEND_CONFIG.format(alba_backend_guid), remote)
        model.store.set_raw(REMOTE_CONFIG_BACKEND_INI.format(alba_backend_guid), arakoon_config_ini(remote))
    return remote


def backend_metadata(model, backend_info, connection_info, sco_size):
    """VPoolInstaller._refresh_backend_metadata: the backend info the vPool's metadata keeps for a
    backend (main or cache) of this cluster or of another one (GeoScale); the backend must exist
    and know the preset."""
    alba_backend_guid, preset_name = backend_info["alba_backend_guid"], backend_info["preset"]
    arakoon_config = sync_alba_arakoon_config(model, alba_backend_guid, connection_info)
    found = backend_dict(model, alba_backend_guid, connection_info)
    presets = {p["name"]: p for p in found.get("presets") or []}
    if preset_name not in presets:
        raise RuntimeError(f"Given preset {preset_name} is not available in backend {found.get('name')}")
    policies = [[int(x) for x in p.strip("()").split(",")] for p in presets[preset_name].get("policies", [])]
    return dict(backend_info, name=found.get("name"), preset=preset_name,
                scaling=found.get("scaling"), policies=policies, sco_size=sco_size * 1024.0 ** 2,
                frag_size=float(presets[preset_name].get("fragment_size", 0)),
                total_size=float((found.get("usages") or {}).get("size", 0)),
                backend_guid=found.get("backend_guid"), alba_backend_guid=alba_backend_guid,
                connection_info=connection_info, arakoon_config=arakoon_config)


def manager_of(model, alba_backend_guid):
    """The ABM of a backend a vPool uses, reached as its ALBA proxies reach it: through the ABM
    config kept in ``used_configs`` (this cluster's ABM, or the one of another cluster)."""
    text = model.store.get_raw(REMOTE_CONFIG_BACKEND_INI.format(alba_backend_guid))
    if not text:  # a backend of this cluster whose config was not synced
        backend = alba.backend_of(model, _alba_backend(model, alba_backend_guid))
        return albamgr.AlbaManager(model.store, alba.abm_name(backend))
    return albamgr.linked_manager(model.store, text)


def is_remote(model, connection_info):
    """Whether ``connection_info`` names the API of another cluster (GeoScale)."""
    return bool((connection_info or {}).get("host")) and not local_host(model, connection_info)


# --- the ALBA proxies' configuration (StorageDriverInstaller.setup_proxy_configs) ------------

def _cache_config(vpool, settings, cache, local_path, local_size):
    """_generate_proxy_cache_config: none, a cache backend or a local directory."""
    if not settings["read"] and not settings["write"]:
        return ["none"]
    if settings["is_backend"]:
        return ["alba", {"cache_on_read": settings["read"], "cache_on_write": settings["write"],
                         "albamgr_cfg_url": albamgr.configuration_path(
                             REMOTE_CONFIG_BACKEND_INI.format(settings["backend_info"]["alba_backend_guid"])),
                         "bucket_strategy": ["1-to-1", {"prefix": vpool["guid"],
                                                        "preset": settings["backend_info"]["preset"]}],
                         "manifest_cache_size": MANIFEST_CACHE_SIZE}]
    return ["local", {"path": f"{local_path}/{'bc' if cache == 'block_cache' else 'fc'}",
                      "max_size": local_size, "cache_on_read": settings["read"],
                      "cache_on_write": settings["write"]}]


def _scrub_cache_config(settings, main_config):
    """_generate_scrub_proxy_cache_config: a cache backend written to, never read from."""
    if settings["is_backend"] and settings["write"]:
        return [main_config[0], dict(main_config[1], cache_on_read=False)]
    return ["none"]


def proxy_configs(model, vpool, storagedriver, local_paths, local_size, block_cache_supported):
    """The main config of every ALBA proxy of ``storagedriver`` and the vPool's generic scrub proxy
    config.  ``local_paths``: the proxies' local cache directories (WRITE FCACHE partitions),
    ``local_size``: each local cache's max_size."""
    settings = vpool["metadata"]["caching_info"][storagedriver["storagerouter_guid"]]
    main_url = albamgr.configuration_path(REMOTE_CONFIG_BACKEND_INI.format(
        vpool["metadata"]["backend"]["backend_info"]["alba_backend_guid"]))
    for index, proxy_guid in enumerate(storagedriver["alba_proxies_guids"]):
        proxy = model.get("albaproxy", proxy_guid)
        local_path = local_paths[index] if index < len(local_paths) else None
        caches = {cache: _cache_config(vpool, settings[cache], cache, local_path, local_size) for cache in CACHES}
        scrub = {cache: _scrub_cache_config(settings[cache], caches[cache]) for cache in CACHES}
        for kind, cache_configs in (("main", caches), ("scrub", scrub)):
            config = {"log_level": "info", "port": proxy["ports"][0] if kind == "main" else 0,
                      "ips": [storagedriver["storage_ip"]] if kind == "main" else ["127.0.0.1"],
                      "manifest_cache_size": MANIFEST_CACHE_SIZE,
                      "fragment_cache": cache_configs["fragment_cache"], "transport": "tcp",
                      "read_preference": [], "albamgr_cfg_url": main_url}
            if block_cache_supported:
                config["block_cache"] = cache_configs["block_cache"]
            model.store.set(PROXY_CONFIG_MAIN.format(vpool["guid"], proxy_guid) if kind == "main"
                            else GENERIC_SCRUB.format(vpool["guid"]), config)


def delete_proxy_configs(model, vpool_guid, storagedriver):
    """StorageDriverInstaller.clean_config_management: the proxies' keys of a storagedriver."""
    for proxy_guid in storagedriver.get("alba_proxies_guids", []):
        model.store.delete(PROXY_PATH.format(vpool_guid, proxy_guid), recursive=True)


# --- the namespaces the ALBA proxies make on a cache backend (fragment_cache_alba.ml) --------

def _cache_backends(vpool, router_guids):
    """{alba_backend_guid: backend_info} of the cache backends the proxies of ``router_guids`` use."""
    found = {}
    for router_guid in router_guids:
        for settings in (vpool["metadata"].get("caching_info") or {}).get(router_guid, {}).values():
            if settings.get("is_backend") and (settings.get("read") or settings.get("write")):
                found[settings["backend_info"]["alba_backend_guid"]] = settings["backend_info"]
    return found


def cache_namespace_name(vpool, main_namespace):
    """get_namespace_name of the 1-to-1 bucket strategy: ``<prefix>_<bucket id %09d>``."""
    return "%s_%09d" % (vpool["guid"], main_namespace["id"])


def create_cache_namespaces(model, vpool, router_guid, main_namespace):
    """create_namespace_deduped: the cache namespace of the main namespace on each cache backend
    the proxies of ``router_guid`` use (an existing one is kept: Namespace_already_exists)."""
    name = cache_namespace_name(vpool, main_namespace)
    for alba_backend_guid, info in sorted(_cache_backends(vpool, [router_guid]).items()):
        manager = manager_of(model, alba_backend_guid)
        if manager.namespace(name) is None:
            manager.create_namespace(name, info["preset"], alba.nsm_names(info)[0])


def delete_cache_namespaces(model, vpool, router_guids, main_namespace):
    """drop ~global:true: the cache namespaces of a deleted main namespace on the cache backends
    of the proxies of ``router_guids`` (a removed backend of this cluster has none left; the ABM
    of another cluster that does not answer keeps its namespace: the proxy only logs it)."""
    name = cache_namespace_name(vpool, main_namespace)
    for alba_backend_guid, info in sorted(_cache_backends(vpool, router_guids).items()):
        if not is_remote(model, info.get("connection_info")) and model.get("albabackend", alba_backend_guid) is None:
            continue
        try:
            manager = manager_of(model, alba_backend_guid)
            if manager.namespace(name) is not None:
                manager.delete_namespace(name)
        except StoreError:
            continue
