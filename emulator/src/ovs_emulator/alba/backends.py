"""ALBA backends (framework-alba-plugin ovs/lib/alba.py ``add_cluster``/``remove_cluster`` and
the dynamics of dal/objects/albabackend.py and backend.py)."""
from ovs_emulator import albamgr
from ovs_emulator.model import new_guid

from . import arakoon
from .common import (BACKEND_CONFIG_ROOT, OBJECT_NOT_FOUND, abm_name, alba_cli, arakoon_config_dict, backend_of,
                     computed, local_host, osd_guids, set_status)
from .ovsclient import HttpForbiddenException, HttpNotFoundException, OVSClient
from .maintenance import checkup_maintenance_agents, remove_agents
from .nodes import stack
from .presets import list_presets, render_presets


def create_alba_backend(model, backend, scaling):
    """The albabackend object of ``backend`` (its status INSTALLING until ``add_cluster``)."""
    alba_backend = model.save("albabackend", {
        "guid": new_guid(), "alba_id": None, "scaling": scaling, "backend_guid": backend["guid"],
        "osds_guids": [], "abm_cluster_guid": None, "nsm_clusters_guids": []})
    set_status(model, backend["guid"], "INSTALLING")
    return alba_backend


def add_cluster(model, alba_backend_guid):
    """AlbaController.add_cluster: ABM and NSM Arakoon clusters on the masters, the ALBA id,
    status RUNNING, maintenance agents.  A failure leaves the backend in status FAILURE."""
    alba_backend = model.get("albabackend", alba_backend_guid)
    backend = backend_of(model, alba_backend)
    try:
        arakoon.deploy(model, backend)
        alba_id = alba_cli(model, "get-alba-id", abm_name(backend), attempts="5")["id"]
    except Exception:
        set_status(model, backend["guid"], "FAILURE")
        raise
    alba_backend = model.get("albabackend", alba_backend_guid)
    alba_backend["alba_id"] = alba_id
    model.save("albabackend", alba_backend)
    if not model.store.exists(f"{BACKEND_CONFIG_ROOT}/default_nsm_hosts"):
        model.store.set(f"{BACKEND_CONFIG_ROOT}/default_nsm_hosts", 1)
    set_status(model, backend["guid"], "RUNNING")
    checkup_maintenance_agents(model)


def remove_cluster(model, alba_backend_guid):
    """AlbaController.remove_cluster."""
    alba_backend = model.get("albabackend", alba_backend_guid)
    if alba_backend is None:
        raise RuntimeError(f"AlbaBackend with guid {alba_backend_guid} could not be found")
    if osd_guids(model, alba_backend_guid):
        raise RuntimeError("An ALBA Backend with claimed OSDs cannot be removed")
    backend = backend_of(model, alba_backend)
    set_status(model, backend.get("guid"), "DELETING")
    arakoon.remove(model, backend)
    albamgr.AlbaManager(model.store, abm_name(backend)).destroy()
    remove_agents(model, alba_backend_guid, backend["name"])
    model.store.delete(f"{BACKEND_CONFIG_ROOT}/{alba_backend_guid}", recursive=True)
    for junction in model.find("backenddomain", backend_guid=backend.get("guid")):
        model.delete("backenddomain", junction["guid"])
    model.delete("albabackend", alba_backend_guid)
    if backend.get("guid"):
        model.delete("backend", backend["guid"])


def get_arakoon_config(model, alba_backend_guid):
    """AlbaController.get_arakoon_config (task ``alba.get_arakoon_config``, the API's
    ``get_config_metadata``): the ABM's Arakoon config as a dict (export_dict)."""
    alba_backend = model.get("albabackend", alba_backend_guid)
    backend = backend_of(model, alba_backend)
    text = model.store.get_raw(f"/ovs/arakoon/{abm_name(backend)}/config") if backend else None
    if not text:
        raise ValueError(f"ALBA Backend {backend.get('name')} does not have an ABM cluster registered")
    return arakoon_config_dict(text)


REMOTE_TIMEOUT = 5  # seconds a dynamic waits for the API of another cluster
DEVICE_COLOURS = {"ok": "green", "warning": "orange", "error": "red", "unknown": "gray"}


class AlbaBackendDynamics:
    """The dynamic properties of an ALBA backend (the plugin's AlbaBackend ``@dynamic``s); each
    is ``fn(alba_backend)``, the costly ones computed once per object (``computed``)."""

    def __init__(self, model):
        self.model = model

    def backend(self, alba_backend):
        return backend_of(self.model, alba_backend)

    def available(self, alba_backend):
        return bool(alba_backend.get("alba_id")) and self.backend(alba_backend).get("status") == "RUNNING"

    def local_stack(self, alba_backend):
        if alba_backend.get("scaling") != "LOCAL":
            return {}
        return {node["node_id"]: stack(self.model, node) for node in self.model.find("albanode", type="ASD")}

    def claimed_osds(self, alba_backend):
        """{node id: the OSDs of the node's slots that this backend claimed} (its local stack)."""
        return {node_id: [osd for slot in slots.values() for osd in slot.get("osds", {}).values()
                          if osd.get("claimed_by") == alba_backend["guid"]]
                for node_id, slots in computed(alba_backend, "local_stack", self.local_stack).items()}

    def osds_per_node(self, alba_backend):
        return {node_id: sum(1 for osd in osds if osd.get("status") in ("ok", "warning"))
                for node_id, osds in self.claimed_osds(alba_backend).items()}

    def presets(self, alba_backend):
        if not alba_backend.get("alba_id"):
            return []
        scaling = alba_backend.get("scaling")
        devices = 0
        if scaling == "GLOBAL":
            devices = sum(computed(alba_backend, "local_summary", self.local_summary)["devices"].values())
        return render_presets(list_presets(self.model, alba_backend), scaling,
                              self.osds_per_node(alba_backend) if scaling == "LOCAL" else {}, devices)

    def local_summary(self, alba_backend):
        devices = {"red": 0, "green": 0, "orange": 0, "gray": 0}
        usage = {"size": 0, "used": 0}
        if alba_backend.get("scaling") != "GLOBAL":
            for osd in (osd for osds in self.claimed_osds(alba_backend).values() for osd in osds):
                colour = DEVICE_COLOURS.get(osd.get("status", "unknown"))
                if colour:
                    devices[colour] += 1
            usages = computed(alba_backend, "usages", lambda ab: dict(self.usages(ab)))
            usage = {"size": usages["size"], "used": usages["used"]}
        if alba_backend.get("scaling") != "LOCAL":
            self.add_remote(alba_backend, devices, usage)
        backend = self.backend(alba_backend)
        domains = {}
        for junction in self.model.find("backenddomain", backend_guid=backend.get("guid")):
            domain = self.model.get("domain", junction.get("domain_guid")) or {}
            domains[junction.get("domain_guid")] = domain.get("name")
        return {"name": backend.get("name"), "sizes": usage, "devices": devices,
                "scaling": alba_backend.get("scaling"), "domain_info": domains,
                "backend_guid": backend.get("guid")}

    def add_remote(self, alba_backend, devices, usage):
        """The linked backends' sizes into ``usage``; each counts as one device, of its worst colour."""
        for values in computed(alba_backend, "remote_stack", self.remote_stack).values():
            for key, value in values.get("sizes", {}).items():
                usage[key] = usage.get(key, 0) + value
            remote = values.get("devices")
            if remote is None:
                continue
            for colour in ("red", "orange", "green", "gray"):
                if remote.get(colour, 0) > 0:
                    devices[colour] += 1
                    break

    def usages(self, alba_backend):
        """AlbaBackend._usages: the totals of ``alba list-osds``."""
        usages = {"free": 0.0, "size": 0.0, "used": 0.0}
        if not alba_backend.get("alba_id"):
            return usages
        try:
            osds = alba_cli(self.model, "list-osds", abm_name(self.backend(alba_backend)))
        except RuntimeError:
            return usages
        for osd in osds:
            usages["size"] += osd["total"]
            usages["used"] += osd["used"]
        usages["free"] = usages["size"] - usages["used"]
        return usages

    def linked_osds(self, alba_backend):
        return [osd for osd in self.model.find("albaosd", alba_backend_guid=alba_backend["guid"])
                if osd.get("osd_type") == "ALBA_BACKEND" and osd.get("metadata")]

    def _linked_info(self, osd, contents):
        """GET /alba/backends/<linked guid>/?contents=<contents> of a linked backend: from this
        model, or through the API of its cluster (OVSClient)."""
        info, connection_info = osd["metadata"]["backend_info"], osd["metadata"]["backend_connection_info"]
        if local_host(self.model, connection_info):
            linked = self.model.get("albabackend", info["linked_guid"])
            if linked is None:
                raise HttpNotFoundException(OBJECT_NOT_FOUND)
            return {name: getattr(self, name)(linked) for name in contents}
        client = OVSClient(connection_info, timeout=REMOTE_TIMEOUT)
        return client.get(f"/alba/backends/{info['linked_guid']}/", params={"contents": ",".join(contents)})

    def remote_stack(self, alba_backend):
        """AlbaBackend._remote_stack: {linked backend guid: its name, preset, osd id, domain,
        local_ip, remote_host, error ('', backend_deleted, not_allowed, unknown), live_status and
        the linked backend's local_summary}."""
        result = {}
        cluster_ips = {r.get("ip") for r in self.model.all("storagerouter")}
        for osd in self.linked_osds(alba_backend):
            info = osd["metadata"]["backend_info"]
            host = osd["metadata"]["backend_connection_info"].get("host")
            domain = self.model.get("domain", osd.get("domain_guid")) if osd.get("domain_guid") else None
            entry = result[info["linked_guid"]] = {
                "name": info.get("linked_name"), "error": "", "preset": info.get("linked_preset"),
                "domain": None if domain is None else {"guid": domain["guid"], "name": domain.get("name")},
                "osd_id": info.get("linked_alba_id"), "local_ip": host in cluster_ips,
                "remote_host": host, "live_status": "unknown"}
            try:
                linked = self._linked_info(osd, ("local_summary", "live_status"))
                entry.update(linked["local_summary"])
                entry["live_status"] = linked["live_status"]
            except HttpNotFoundException:
                entry.update(error="backend_deleted", live_status="failure")
            except HttpForbiddenException:
                entry["error"] = "not_allowed"
            except Exception:  # the other cluster cannot be reached, ...
                entry["error"] = "unknown"
        return result

    def linked_backend_guids(self, alba_backend, seen=None):
        """The ALBA backends linked to this one (recursively) through ALBA_BACKEND OSDs; for a
        backend of another cluster, it and what that cluster's API lists for it.  None when
        another cluster cannot be asked (the real dynamic: the GUI disables 'Link Backend')."""
        seen = set() if seen is None else seen
        for osd in self.linked_osds(alba_backend):
            guid = osd["metadata"]["backend_info"]["linked_guid"]
            if local_host(self.model, osd["metadata"]["backend_connection_info"]):
                if guid not in seen:
                    seen.add(guid)
                    linked = self.model.get("albabackend", guid)
                    if linked and self.linked_backend_guids(linked, seen) is None:
                        return None
                continue
            try:
                remote = self._linked_info(osd, ("linked_backend_guids",))["linked_backend_guids"]
            except HttpNotFoundException:
                continue  # deleted meanwhile
            except Exception:
                return None
            seen.update([guid] + list(remote or []))
        return sorted(seen - {alba_backend["guid"]})

    def live_status(self, alba_backend):
        """AlbaBackend._live_status (backend status, linked backends)."""
        status = self.backend(alba_backend).get("status")
        live = {"RUNNING": "running", "INSTALLING": "running", "DELETING": "running",
                "WARNING": "warning"}.get(status, "failure")
        if live != "running" or alba_backend.get("scaling") == "LOCAL":
            return live
        for remote in computed(alba_backend, "remote_stack", self.remote_stack).values():
            if remote["error"] == "unknown" or remote["live_status"] == "failure":
                return "failure"
            if remote["error"] == "not_allowed" or remote["live_status"] == "warning":
                live = "warning"
        return live


def albabackend_dynamics(model):
    """name -> ``fn(alba_backend)`` of the ALBA backend's dynamic properties."""
    dynamics = AlbaBackendDynamics(model)
    return {"name": lambda ab: dynamics.backend(ab).get("name"),
            "available": dynamics.available,
            "presets": dynamics.presets,
            "usages": dynamics.usages,
            "local_stack": dynamics.local_stack,
            "local_summary": dynamics.local_summary,
            "linked_backend_guids": dynamics.linked_backend_guids,
            "remote_stack": dynamics.remote_stack,
            "statistics": lambda ab: {},
            "ns_data": lambda ab: [],
            "osd_statistics": lambda ab: {},
            "live_status": dynamics.live_status}


def backend_dynamics(model):
    def _alba_backend(backend):
        return model.find_one("albabackend", backend_guid=backend["guid"])

    def _available(backend):
        alba_backend = _alba_backend(backend)
        return bool(alba_backend and alba_backend.get("alba_id") and backend.get("status") == "RUNNING")

    return {"linked_guid": lambda b: (_alba_backend(b) or {}).get("guid"),
            "alba_backend_guid": lambda b: (_alba_backend(b) or {}).get("guid"),
            "available": _available,
            "regular_domains": lambda b: [j["domain_guid"] for j in
                                          model.find("backenddomain", backend_guid=b["guid"])],
            "access_rights": lambda b: {"users": {}, "clients": {}},
            "live_status": lambda b: "running" if b.get("status") == "RUNNING" else
            ("failure" if b.get("status") == "FAILURE" else "running")}


def presets_of(model, alba_backend):
    """The ``presets`` dynamic of an albabackend."""
    return albabackend_dynamics(model)["presets"](alba_backend)
