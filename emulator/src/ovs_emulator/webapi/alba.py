"""ALBA plugin parts of the API: ASD nodes (discovery, registration, their stack), ALBA
backends (ABM/NSM clusters, maintenance agents) and presets."""
import base64
import http.client
import json
import os
import random
import re
import ssl
import tempfile
import urllib.error
import urllib.request

from .. import albamgr, arakoon_services, system
from .model import new_guid

PRESET_NAME = re.compile(r"^[0-9a-zA-Z][a-zA-Z0-9-_]{1,18}[a-zA-Z0-9]$")

ASD_NODE_ROOT = "/ovs/alba/asdnodes"


class InvalidCredentials(Exception):
    pass


class ManagerUnreachable(Exception):
    pass


class ASDManagerClient:
    """HTTPS client of an ASD manager (self-signed certificate, HTTP Basic)."""

    def __init__(self, ip, port, username, password, timeout=20):
        self.base = f"https://{ip}:{port}"
        self.auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.timeout = timeout
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def call(self, method, path, body=None, timeout=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + "/" + path.lstrip("/"), data=data,
                                         method=method, headers={"Authorization": self.auth})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout,
                                        context=self.context) as answer:
                return json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                payload = json.loads(exc.read() or b"{}")
            except ValueError:
                payload = {}
            if exc.code == 401 or payload.get("_error") == "Invalid credentials":
                raise InvalidCredentials("Invalid credentials") from None
            raise RuntimeError(payload.get("_error") or f"HTTP {exc.code}") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ManagerUnreachable(f"Could not connect to {self.base}: {reason}") from None

    def get_metadata(self):
        return self.call("GET", "")

    def get_stack(self):
        data = self.call("GET", "slots", timeout=5).get("data", {})
        for slot in data.values():
            for osd in slot.get("osds", {}).values():
                osd["type"] = "ASD"
        return data


def client_for(node, timeout=20):
    return ASDManagerClient(node.get("ip"), node.get("port"), node.get("username"),
                            node.get("password"), timeout=timeout)


def volatile_node(model, node_id, ip=None):
    """An (unsaved) albanode modelled from ``/ovs/alba/asdnodes/<node_id>/config/main``."""
    main = model.store.get(f"{ASD_NODE_ROOT}/{node_id}/config/main") or {}
    ip = ip or main.get("ip")
    router = model.find_one("storagerouter", ip=ip) if ip else None
    return {"guid": new_guid(), "node_id": node_id, "ip": ip, "port": main.get("port"),
            "type": "ASD", "name": None, "username": main.get("username"),
            "password": main.get("password"), "package_information": {},
            "storagerouter_guid": router["guid"] if router else None,
            "alba_node_cluster_guid": None}


def discover_nodes(model):
    """Unregistered ASD nodes: in the configuration store, without an albanode object."""
    known = {node.get("node_id") for node in model.all("albanode")}
    nodes = []
    for node_id in model.store.list(ASD_NODE_ROOT):
        if node_id in known or not model.store.exists(f"{ASD_NODE_ROOT}/{node_id}/config/main"):
            continue
        nodes.append(volatile_node(model, node_id))
    return nodes


def register(model, node_id, node_type, name=None):
    """The ``albanode.register`` task."""
    if node_id is None:
        raise RuntimeError("A node_id must be given for type ASD/S3")
    node = model.find_one("albanode", node_id=node_id)
    if node is None:
        node = next((n for n in discover_nodes(model) if n["node_id"] == node_id), None)
    if node is None:
        raise RuntimeError(f"No node with node_id {node_id} was found")
    try:
        data = client_for(node).get_metadata()
    except InvalidCredentials:
        raise RuntimeError("Invalid credentials") from None
    if data.get("node_id") != node_id:
        raise RuntimeError("Unexpected node identifier")
    if name is not None:
        node["name"] = name
    model.save("albanode", node)
    checkup_maintenance_agents(model)
    return None


def osd_claims(model):
    """{osd_id: alba_backend_guid} of the OSDs in the model."""
    claims = {}
    for osd in model.all("albaosd"):
        if osd.get("osd_id"):
            claims[osd["osd_id"]] = osd.get("alba_backend_guid")
    return claims


def _move(info):
    for old, new in (("state", "status"), ("state_detail", "status_detail")):
        if old in info:
            info[new] = info.pop(old)


def stack(model, node):
    """The ``stack`` dynamic of an albanode: the manager's slots plus the model's OSDs."""
    result = {}
    node_down = False
    try:
        remote = client_for(node, timeout=5).get_stack()
        for slot_id, slot in remote.items():
            result[slot_id] = {"status": "ok"}
            result[slot_id].update(slot)
            _move(result[slot_id])
            for osd in result[slot_id].get("osds", {}).values():
                _move(osd)
    except (ManagerUnreachable, InvalidCredentials, RuntimeError):
        node_down = True
    claims = osd_claims(model)
    found_osds = {}
    for osd in model.find("albaosd", alba_node_guid=node.get("guid")):
        slot = result.setdefault(osd.get("slot_id"), {
            "status": "unknown" if node_down else "missing",
            "status_detail": "nodedown" if node_down else "", "osds": {}})
        data = slot.setdefault("osds", {}).setdefault(osd.get("osd_id"), {})
        data.update(osd.get("stack_info") or {})
        if node_down:
            data.update(status="unknown", status_detail="nodedown")
        elif osd.get("alba_backend_guid"):  # claimed: what ALBA says about it
            found = _alba_osds(model, osd["alba_backend_guid"], found_osds)
            if found is None:
                data.update(status="unknown", status_detail="albaerror")
            elif found.get(osd.get("osd_id"), {}).get("decommissioned") is True:
                data.update(status="unavailable", status_detail="decommissioned")
    for slot in result.values():
        for osd_id, osd in slot.get("osds", {}).items():
            osd.setdefault("claimed_by", claims.get(osd_id))
    return result


def _alba_osds(model, alba_backend_guid, cache):
    """{long_id: list-all-osds entry} of a backend's ABM (None when ALBA fails)."""
    if alba_backend_guid not in cache:
        alba_backend = model.get("albabackend", alba_backend_guid) or {}
        try:
            cache[alba_backend_guid] = {o["long_id"]: o for o in alba_cli(
                model, "list-all-osds", abm_name(backend_of(model, alba_backend)))}
        except (RuntimeError, KeyError):
            cache[alba_backend_guid] = None
    return cache[alba_backend_guid]


def local_summary(stack_data):
    devices = {"red": [], "green": [], "orange": [], "gray": []}
    colours = {"ok": "green", "warning": "orange", "error": "red", "unknown": "gray"}
    for slot in stack_data.values():
        for osd in slot.get("osds", {}).values():
            colour = colours.get(osd.get("status", "unknown"))
            if colour:
                devices[colour].append({"claimed_by": osd.get("claimed_by"),
                                        "osd_id": osd.get("osd_id")})
    return {"devices": devices}


def dynamics(model):
    """Computed fields of an albanode, for listing.Serializer."""
    def _stack(node):
        return stack(model, node)

    def _ips(node):
        return model.store.get(f"{ASD_NODE_ROOT}/{node.get('node_id')}/config/network|ips")

    def _ipmi(node):
        return model.store.get(f"{ASD_NODE_ROOT}/{node.get('node_id')}/config/ipmi") or {
            "ip": None, "username": None, "password": None}

    return {
        "stack": _stack,
        "ips": _ips,
        "maintenance_services": lambda node: {},
        "node_metadata": lambda node: {"fill": True, "fill_add": False, "clear": True,
                                       "fill_metadata": {"count": "integer"}},
        "supported_osd_types": lambda node: ["ASD"],
        "read_only_mode": lambda node: False,
        "local_summary": lambda node: local_summary(
            node.get("_computed", {}).get("stack") or stack(model, node)),
        "ipmi_info": _ipmi,
    }


# --- ALBA backends (framework-alba-plugin: ovs/lib/alba.py, albapreset.py) -------------------

def alba_cli(model, command, cluster, args=(), **options):
    """AlbaCLI.run: the ``alba`` command's own code on the configuration store; an ALBA
    failure raises RuntimeError with the framework's AlbaError text."""
    from .. import alba_cli as cli
    options = dict({"config": albamgr.config_url(cluster), "to-json": ""}, **options)
    try:
        return cli.execute(command, options, list(args), config_store=model.store)
    except albamgr.AlbaFailure as exc:
        raise RuntimeError(f"{exc} - code: {exc.exception_code} - type: {exc.exception_type}") \
            from None


def abm_name(backend):
    return f"{backend['name']}-abm"


def nsm_names(backend):
    return [f"{backend['name']}-nsm_0"]


def backend_of(model, alba_backend):
    return model.get("backend", alba_backend.get("backend_guid")) or {}


def set_status(model, backend_guid, status):
    backend = model.get("backend", backend_guid)
    if backend is not None:
        backend["status"] = status
        model.save("backend", backend)


def add_cluster(model, alba_backend_guid):
    """AlbaController.add_cluster: ABM and NSM Arakoon clusters on the masters, the ALBA id,
    status RUNNING, maintenance agents.  A failure leaves the backend in status FAILURE."""
    alba_backend = model.get("albabackend", alba_backend_guid)
    backend = backend_of(model, alba_backend)
    try:
        arakoon_services.deploy(model.store, abm_name(backend), "ABM")
        for nsm in nsm_names(backend):
            arakoon_services.deploy(model.store, nsm, "NSM")
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
    if alba_backend.get("osds_guids"):
        raise RuntimeError("An ALBA Backend with claimed OSDs cannot be removed")
    backend = backend_of(model, alba_backend)
    set_status(model, backend.get("guid"), "DELETING")
    for cluster in [abm_name(backend)] + nsm_names(backend):
        if model.store.exists(f"/ovs/arakoon/{cluster}/config"):
            arakoon_services.remove(model.store, cluster)
    albamgr.AlbaManager(model.store, abm_name(backend)).destroy()
    for node in model.find("albanode", type="ASD"):
        try:
            services = client_for(node, timeout=5).call("GET", "maintenance").get("services", [])
            for name in services:
                if maintenance_re(backend["name"]).match(name):
                    client_for(node).call("POST", f"maintenance/{name}/remove",
                                          {"alba_backend_guid": alba_backend_guid})
        except (ManagerUnreachable, InvalidCredentials, RuntimeError):
            pass
    model.store.delete(f"{BACKEND_CONFIG_ROOT}/{alba_backend_guid}", recursive=True)
    for junction in model.find("backenddomain", backend_guid=backend.get("guid")):
        model.delete("backenddomain", junction["guid"])
    model.delete("albabackend", alba_backend_guid)
    if backend.get("guid"):
        model.delete("backend", backend["guid"])


BACKEND_CONFIG_ROOT = "/ovs/alba/backends"


def maintenance_re(backend_name):
    return re.compile(f"^alba-maintenance_{re.escape(backend_name)}-[a-zA-Z0-9]{{16}}$")


def checkup_maintenance_agents(model):
    """AlbaController.checkup_maintenance_agents (without layouts): every backend with an ABM
    gets ``nr_of_agents`` (default 3) maintenance agents, at most one per ASD node, through
    the ASD managers' ``POST /maintenance/<name>/add``.  Unreachable nodes are skipped."""
    if not any(ab.get("alba_id") for ab in model.all("albabackend")):
        return
    nodes = []
    for node in sorted(model.find("albanode", type="ASD"),
                       key=lambda n: [int(x) for x in str(n.get("ip", "0")).split(".") if x.isdigit()]):
        try:
            services = client_for(node, timeout=5).call("GET", "maintenance").get("services", [])
        except (ManagerUnreachable, InvalidCredentials, RuntimeError):
            continue
        nodes.append((node, services))
    for alba_backend in model.all("albabackend"):
        backend = backend_of(model, alba_backend)
        if not alba_backend.get("alba_id") or not backend:
            continue
        key = f"{BACKEND_CONFIG_ROOT}/{alba_backend['guid']}/maintenance/nr_of_agents"
        requested = model.store.get(key)
        if requested is None:
            requested = 3
            model.store.set(key, requested)
        pattern = maintenance_re(backend["name"])
        having = [node for node, services in nodes if any(pattern.match(s) for s in services)]
        for node, services in sorted(nodes, key=lambda item: len(item[1])):
            if len(having) >= requested:
                break
            if node in having:
                continue
            name = f"alba-maintenance_{backend['name']}-{system.random_id(16)}"
            read_preferences = [node["node_id"]] if alba_backend.get("scaling") == "LOCAL" else []
            try:
                client_for(node).call("POST", f"maintenance/{name}/add", {
                    "abm_name": abm_name(backend), "read_preferences": read_preferences,
                    "alba_backend_guid": alba_backend["guid"]})
            except (ManagerUnreachable, InvalidCredentials, RuntimeError):
                continue
            services.append(name)
            having.append(node)


# --- presets (AlbaPresetController) ----------------------------------------------------------

def validate_policies(policies):
    if not policies:
        raise ValueError("At least 1 policy must be defined when adding/updating a preset")
    for policy in policies:
        if not isinstance(policy, list) or len(policy) != 4:
            raise ValueError("Incorrect policy format specified")
        for value in policy:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError("Policies for a preset should only contain integers")
        k, m, c, x = policy
        if k > c or c > (k + m):
            raise ValueError(f"Policy {policy} does not match the requirement: k <= c <= (k + m)")
        for letter, value in (("k", k), ("c", c), ("x", x)):
            if value == 0:
                raise ValueError(f"Policy {policy} contains a zero {letter} value")


def _presets(model, alba_backend):
    backend = backend_of(model, alba_backend)
    return alba_cli(model, "list-presets", abm_name(backend))


def add_preset(model, alba_backend_guid, name, compression, policies, encryption,
               fragment_size=None):
    if not isinstance(name, str) or not PRESET_NAME.match(name):
        raise ValueError("Invalid preset name specified")
    compressions = ["snappy", "bz2", "none"]
    if compression not in compressions:
        raise ValueError('Invalid compression format specified, please choose from: "{0}"'.format(
            '", "'.join(compressions)))
    encryptions = ["aes-cbc-256", "aes-ctr-256", "none"]
    if encryption not in encryptions:
        raise ValueError('Invalid encryption format specified, please choose from: "{0}"'.format(
            '", "'.join(encryptions)))
    if fragment_size is not None and (not isinstance(fragment_size, int)
                                      or not 16 <= fragment_size <= 1024 ** 3):
        raise ValueError("Fragment size should be a positive integer smaller than 1 GiB")
    validate_policies(policies)
    alba_backend = model.get("albabackend", alba_backend_guid)
    if name in [preset["name"] for preset in _presets(model, alba_backend)]:
        raise RuntimeError(f"Preset with name {name} already exists")
    preset = {"compression": compression,
              "object_checksum": {"default": ["crc-32c"], "verify_upload": True,
                                  "allowed": [["none"], ["sha-1"], ["crc-32c"]]},
              "osds": ["all"],
              "fragment_size": 16 * 1024 ** 2 if fragment_size is None else int(fragment_size),
              "policies": policies, "fragment_checksum": ["crc-32c"],
              "fragment_encryption": ["none"], "in_use": False, "name": name}
    with tempfile.TemporaryDirectory() as directory:
        if encryption != "none":
            key_file = os.path.join(directory, "key")
            with open(key_file, "w", encoding="latin-1") as handle:
                handle.write("".join(chr(random.randint(32, 126)) for _ in range(32)))
            preset["fragment_encryption"] = [encryption, key_file]
        input_file = os.path.join(directory, "preset.json")
        with open(input_file, "w", encoding="utf-8") as handle:
            json.dump(preset, handle)
        alba_cli(model, "create-preset", abm_name(backend_of(model, alba_backend)), [name],
                 **{"input-url": input_file})


def delete_preset(model, alba_backend_guid, name):
    alba_backend = model.get("albabackend", alba_backend_guid)
    defaults = {preset["name"]: preset["is_default"] for preset in _presets(model, alba_backend)}
    if name not in defaults:
        return None  # the framework only logs a warning
    if defaults[name] is True:
        raise RuntimeError("Cannot delete the default preset")
    alba_cli(model, "delete-preset", abm_name(backend_of(model, alba_backend)), [name])
    return None


def update_preset(model, alba_backend_guid, name, policies):
    validate_policies(policies)
    alba_backend = model.get("albabackend", alba_backend_guid)
    backend = backend_of(model, alba_backend)
    if name not in [preset["name"] for preset in _presets(model, alba_backend)]:
        raise RuntimeError(f"Could not find a preset with name {name} for ALBA Backend "
                           f"{backend.get('name')}")
    with tempfile.TemporaryDirectory() as directory:
        input_file = os.path.join(directory, "update.json")
        with open(input_file, "w", encoding="utf-8") as handle:
            json.dump({"policies": policies}, handle)
        alba_cli(model, "update-preset", abm_name(backend), [name], **{"input-url": input_file})


# --- the albabackend's computed fields --------------------------------------------------------

def render_presets(presets, scaling, osds_per_node, global_devices=0):
    """AlbaBackend._presets: list-presets entries with availability per policy, policies as
    strings ``"(5, 4, 8, 3)"``."""
    result = []
    for preset in presets:
        preset = dict(preset)
        preset.setdefault("in_use", True)
        preset.setdefault("is_default", False)
        preset["is_available"] = False
        metadata = {}
        active = None
        for policy in [tuple(p) for p in preset["policies"]]:
            available = 0
            if scaling == "GLOBAL":
                available += global_devices
            if scaling == "LOCAL":
                available = sum(min(count, policy[3]) for count in osds_per_node.values())
            is_available = available >= policy[2]
            if is_available and active is None:
                active = policy
            metadata[policy] = {"is_active": False, "in_use": False, "is_available": is_available}
            preset["is_available"] |= is_available
        if active is not None:
            metadata[active]["is_active"] = True
        preset["policies"] = [str(tuple(p)) for p in preset["policies"]]
        preset["policy_metadata"] = {str(policy): value for policy, value in metadata.items()}
        result.append(preset)
    return result


def albabackend_dynamics(model):
    def _backend(alba_backend):
        return backend_of(model, alba_backend)

    def _running(alba_backend):
        return bool(alba_backend.get("alba_id")) and _backend(alba_backend).get("status") == "RUNNING"

    def _local_stack(alba_backend):
        if alba_backend.get("scaling") != "LOCAL":
            return {}
        return {node["node_id"]: stack(model, node) for node in model.find("albanode", type="ASD")}

    def _osds_per_node(alba_backend):
        counts = {}
        for node_id, slots in _computed(alba_backend, "local_stack", _local_stack).items():
            counts[node_id] = sum(1 for slot in slots.values() for osd in slot.get("osds", {}).values()
                                  if osd.get("status") in ("ok", "warning")
                                  and osd.get("claimed_by") == alba_backend["guid"])
        return counts

    def _presets_of(alba_backend):
        if not alba_backend.get("alba_id"):
            return []
        scaling = alba_backend.get("scaling")
        devices = 0
        if scaling == "GLOBAL":
            devices = sum(_computed(alba_backend, "local_summary", _local_summary)["devices"].values())
        return render_presets(_presets(model, alba_backend), scaling,
                              _osds_per_node(alba_backend) if scaling == "LOCAL" else {}, devices)

    def _local_summary(alba_backend):
        devices = {"red": 0, "green": 0, "orange": 0, "gray": 0}
        colours = {"ok": "green", "warning": "orange", "error": "red", "unknown": "gray"}
        usage = {"size": 0, "used": 0}
        if alba_backend.get("scaling") != "GLOBAL":
            for slots in _computed(alba_backend, "local_stack", _local_stack).values():
                for slot in slots.values():
                    for osd in slot.get("osds", {}).values():
                        if osd.get("claimed_by") == alba_backend["guid"]:
                            colour = colours.get(osd.get("status", "unknown"))
                            if colour:
                                devices[colour] += 1
            usages = _computed(alba_backend, "usages", lambda ab: dict(_usages(ab)))
            usage = {"size": usages["size"], "used": usages["used"]}
        if alba_backend.get("scaling") != "LOCAL":
            for values in _computed(alba_backend, "remote_stack", _remote_stack).values():
                for key, value in values.get("sizes", {}).items():
                    usage[key] = usage.get(key, 0) + value
                remote = values.get("devices")
                if remote is None:
                    continue
                for colour in ("red", "orange", "green", "gray"):
                    if remote.get(colour, 0) > 0:
                        devices[colour] += 1
                        break
        backend = _backend(alba_backend)
        domains = {}
        for junction in model.find("backenddomain", backend_guid=backend.get("guid")):
            domain = model.get("domain", junction.get("domain_guid")) or {}
            domains[junction.get("domain_guid")] = domain.get("name")
        return {"name": backend.get("name"), "sizes": usage, "devices": devices,
                "scaling": alba_backend.get("scaling"), "domain_info": domains,
                "backend_guid": backend.get("guid")}

    def _usages(alba_backend):
        """AlbaBackend._usages: the totals of ``alba list-osds``."""
        usages = {"free": 0.0, "size": 0.0, "used": 0.0}
        if not alba_backend.get("alba_id"):
            return usages
        try:
            osds = alba_cli(model, "list-osds", abm_name(_backend(alba_backend)))
        except RuntimeError:
            return usages
        for osd in osds:
            usages["size"] += osd["total"]
            usages["used"] += osd["used"]
        usages["free"] = usages["size"] - usages["used"]
        return usages

    def _linked_osds(alba_backend):
        return [osd for osd in model.find("albaosd", alba_backend_guid=alba_backend["guid"])
                if osd.get("osd_type") == "ALBA_BACKEND" and osd.get("metadata")]

    def _remote_stack(alba_backend):
        """{linked alba id: the linked backend's local_summary} (backends of this cluster)."""
        result = {}
        for osd in _linked_osds(alba_backend):
            info = osd["metadata"]["backend_info"]
            linked = model.get("albabackend", info["linked_guid"])
            summary = _local_summary(linked) if linked else {}
            result[osd["osd_id"]] = dict(summary, name=info.get("linked_name"),
                                         alba_backend_guid=info["linked_guid"],
                                         preset=info.get("linked_preset"))
        return result

    def _linked_backend_guids(alba_backend, seen=None):
        """The ALBA backends linked to this one (recursively) through ALBA_BACKEND OSDs."""
        seen = set() if seen is None else seen
        for osd in _linked_osds(alba_backend):
            guid = osd["metadata"]["backend_info"]["linked_guid"]
            if guid not in seen:
                seen.add(guid)
                linked = model.get("albabackend", guid)
                if linked:
                    _linked_backend_guids(linked, seen)
        return sorted(seen - {alba_backend["guid"]})

    def _live_status(alba_backend):
        status = _backend(alba_backend).get("status")
        return {"RUNNING": "running", "INSTALLING": "running", "DELETING": "running",
                "WARNING": "warning"}.get(status, "failure")

    return {"name": lambda ab: _backend(ab).get("name"),
            "available": _running,
            "presets": _presets_of,
            "usages": _usages,
            "local_stack": _local_stack,
            "local_summary": _local_summary,
            "linked_backend_guids": _linked_backend_guids,
            "remote_stack": _remote_stack,
            "statistics": lambda ab: {},
            "ns_data": lambda ab: [],
            "osd_statistics": lambda ab: {},
            "live_status": _live_status}


def _computed(obj, name, function):
    cache = obj.setdefault("_computed", {})
    if name not in cache:
        cache[name] = function(obj)
    return cache[name]


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


# --- ASD nodes: slots and OSDs (framework-alba-plugin: ovs/lib/albanode.py, alba.py) -----------

from .. import validate  # noqa: E402

REGEX_GUID = re.compile(r"^[a-f0-9]{8}-(?:[a-f0-9]{4}-){3}[a-f0-9]{12}$")
REGEX_VPOOL = re.compile(r"^[0-9a-z][\-a-z0-9]{1,20}[a-z0-9]$")
OSD_TYPES = ["ASD", "ALBA_BACKEND", "AD", "S3"]


def _node(model, node_guid):
    node = model.get("albanode", node_guid)
    if node is None:
        raise RuntimeError(f"AlbaNode with guid {node_guid} could not be found")
    return node


def fill_slots(model, node_guid, osd_information, metadata=None):
    """AlbaNodeController.fill_slots for ASD nodes (node_metadata fill, fill_metadata count):
    the ASD manager's ``POST /slots/<slot_id>/asds`` ``count`` times per slot."""
    node = _node(model, node_guid)
    required = {"slot_id": (str, None), "count": (int, None)}
    reasons = []
    for osd_info in osd_information or []:
        try:
            validate.verify_required_params(required, osd_info if isinstance(osd_info, dict) else {})
        except RuntimeError as exc:
            reasons.append(str(exc))
    if reasons:
        raise ValueError("Missing required parameter:\n *{0}".format("\n* ".join(reasons)))
    client = client_for(node, timeout=60)
    for osd_info in osd_information or []:
        for _ in range(osd_info["count"]):
            client.call("POST", f"slots/{osd_info['slot_id']}/asds")
    return None


def remove_slot(model, node_guid, slot_id):
    """AlbaNodeController.remove_slot: refused while the model has OSDs on the slot."""
    node = _node(model, node_guid)
    if model.find("albaosd", alba_node_guid=node["guid"], slot_id=slot_id):
        raise RuntimeError("A slot with claimed OSDs can't be removed")
    client_for(node, timeout=60).call("DELETE", f"slots/{slot_id}")
    return None


def _save_osd(model, alba_backend, osd):
    model.save("albaosd", osd)
    alba_backend = model.get("albabackend", alba_backend["guid"])
    guids = alba_backend.setdefault("osds_guids", [])
    if osd["guid"] not in guids:
        guids.append(osd["guid"])
        model.save("albabackend", alba_backend)


def _delete_osd(model, osd):
    alba_backend = model.get("albabackend", osd.get("alba_backend_guid"))
    if alba_backend is not None and osd["guid"] in alba_backend.get("osds_guids", []):
        alba_backend["osds_guids"].remove(osd["guid"])
        model.save("albabackend", alba_backend)
    model.delete("albaosd", osd["guid"])


def _has_maintenance(model, backend):
    pattern = maintenance_re(backend.get("name", ""))
    for node in model.all("albanode"):
        try:
            services = client_for(node, timeout=5).call("GET", "maintenance").get("services", [])
        except (ManagerUnreachable, InvalidCredentials, RuntimeError):
            continue
        if any(pattern.match(name) for name in services):
            return True
    return False


def _albacli_failure(exc):
    """(code, type) of an alba_cli RuntimeError text ``<message> - code: <n> - type: <t>``."""
    match = re.search(r" - code: (\d+) - type: (\S+)$", str(exc))
    return (int(match.group(1)), match.group(2)) if match else (0, "unknown")


def add_osds(model, alba_backend_guid, osds, alba_node_guid=None, metadata=None):
    """AlbaController.add_osds: ``alba add-osd`` + ``claim-osd``, model ``albaosd``; returns the
    OSDs that were not claimed (already claimed elsewhere)."""
    backend_osds, generic_osds, reasons = [], [], []
    for osd in osds or []:
        osd = osd if isinstance(osd, dict) else {}
        try:
            required = {"osd_type": (str, OSD_TYPES)}
            target = backend_osds
            if osd.get("osd_type") in ("AD", "ASD", "S3"):
                target = generic_osds
                required.update({"ips": (list, validate.REGEX_IP),
                                 "port": (int, {"min": 1, "max": 65535}),
                                 "slot_id": (str, None)})
            validate.verify_required_params(required, osd)
            target.append(osd)
        except RuntimeError as exc:
            reasons.append(str(exc))
    alba_backend = model.get("albabackend", alba_backend_guid)
    if alba_backend is None:
        raise RuntimeError(f"AlbaBackend with guid {alba_backend_guid} could not be found")
    backend = backend_of(model, alba_backend)
    if not alba_backend.get("alba_id"):
        reasons.append(f"ALBA Backend {backend.get('name')} does not have an ABM cluster registered")
    if not _has_maintenance(model, backend):
        reasons.append(f"No maintenance agents have been deployed for ALBA Backend {backend.get('name')}")
    if generic_osds and alba_node_guid is None:
        reasons.append("The OSDs are not linked to an AlbaNode")
    if reasons:
        raise RuntimeError("- {0}".format("\n- ".join(reasons)))
    domain_guid = (metadata or {}).get("backend_info", {}).get("domain_guid") if metadata else None
    failed, unclaimed = [], []
    if generic_osds:
        f, u = _add_generic_osds(model, alba_backend, alba_node_guid, generic_osds, domain_guid,
                                 metadata)
        failed += f
        unclaimed += u
    if backend_osds:
        f, u = _add_backend_osds(model, alba_backend, backend_osds, domain_guid, metadata)
        failed += f
        unclaimed += u
    if failed:
        if len(failed) == len(osds):
            raise RuntimeError("None of the requested OSDs could be claimed")
        raise RuntimeError("Some of the requested OSDs could not be claimed: {0}".format(
            ", ".join(str(f) for f in failed)))
    return unclaimed


def _add_generic_osds(model, alba_backend, alba_node_guid, osds, domain_guid, metadata):
    used_ip_ports = []
    for osd in model.all("albaosd"):
        if osd.get("osd_type") in ("AD", "ASD", "S3"):
            used_ip_ports += [f"{ip}:{osd.get('port')}" for ip in osd.get("ips") or []]
    ip_port_map = {}
    for requested in osds:
        requested.update(claimed=False, available=False,
                         all_ip_ports=[f"{ip}:{requested['port']}" for ip in requested["ips"]])
        for ip_port in requested["all_ip_ports"]:
            if ip_port in ip_port_map or ip_port in used_ip_ports:
                raise ValueError("Duplicate IP:port combination requested when trying to add "
                                 f"and / or claim OSDs: {ip_port}")
            ip_port_map[ip_port] = requested
    abm = abm_name(backend_of(model, alba_backend))
    claimed_osds = alba_cli(model, "list-osds", abm)
    available_osds = alba_cli(model, "list-available-osds", abm)
    for osd_list, status in ((claimed_osds, "claimed"), (available_osds, "available")):
        for actual in osd_list:
            if actual["decommissioned"] is True or actual["ips"] is None:
                continue
            for ip in actual["ips"]:
                requested = ip_port_map.get(f"{ip}:{actual['port']}")
                if requested is None or set(actual["ips"]).isdisjoint(requested["ips"]):
                    continue
                requested["osd_id"] = actual["long_id"]
                requested[status] = True
                break
    node = model.get("albanode", alba_node_guid) or {}
    failed, unclaimed, handled = [], [], []
    for ip_port, requested in ip_port_map.items():
        if ip_port in handled:
            continue
        handled += requested["all_ip_ports"]
        ips, port, osd_id = requested["ips"], requested["port"], requested.get("osd_id")
        if not requested["claimed"] and not requested["available"]:
            try:
                osd_id = alba_cli(model, "add-osd", abm, host=ips[0], port=str(port),
                                  **{"node-id": node.get("node_id")})["long_id"]
            except RuntimeError as exc:
                if _albacli_failure(exc) == (7, "albamgr_exn"):
                    unclaimed.append(osd_id)
                    continue
                failed.append(f"{ips[0]}:{port}")
                continue
            if len(ips) > 1:
                try:
                    alba_cli(model, "update-osd", abm, **{"long-id": osd_id, "ip": ",".join(ips)})
                except RuntimeError:
                    failed.append(f"{ips[0]}:{port}")
                    continue
        if not requested["claimed"]:
            try:
                alba_cli(model, "claim-osd", abm, **{"long-id": osd_id})
            except RuntimeError as exc:
                if _albacli_failure(exc) == (11, "albamgr_exn"):
                    unclaimed.append(osd_id)
                    continue
                failed.append(port)
                continue
        osd = next((o for o in model.find("albaosd", alba_backend_guid=alba_backend["guid"])
                    if o.get("osd_id") == osd_id), None) or {}
        osd.update(osd_id=osd_id, osd_type=requested["osd_type"], ips=ips, port=port,
                   slot_id=requested["slot_id"], domain_guid=domain_guid, metadata=metadata,
                   alba_node_guid=alba_node_guid, alba_backend_guid=alba_backend["guid"])
        osd["stack_info"] = {"osd_id": osd_id, "claimed_by": alba_backend["guid"], "ips": ips,
                             "port": port, "type": requested["osd_type"],
                             "node_id": node.get("node_id"), "slot_id": requested["slot_id"]}
        _save_osd(model, alba_backend, osd)
    return failed, unclaimed


def _add_backend_osds(model, alba_backend, osds, domain_guid, metadata):
    """An ALBA backend of this cluster as OSD (``Alba2``) of a GLOBAL backend."""
    abm = abm_name(backend_of(model, alba_backend))
    failed, unclaimed = [], []
    for _ in osds:
        info = metadata["backend_info"]
        linked_alba_id = info["linked_alba_id"]
        is_available = is_claimed = False
        for available in alba_cli(model, "list-all-osds", abm):
            if available.get("long_id") == linked_alba_id:
                if available.get("decommissioned") is True:
                    raise DecommissionedError(f"{linked_alba_id} is decommissioned.")
                is_available = True
                is_claimed = available.get("alba_id") is not None
        if not is_claimed and not is_available:
            preset_name = str(info["linked_preset"])
            linked = model.get("albabackend", info["linked_guid"])
            if linked is None:
                host = metadata["backend_connection_info"].get("host")
                raise RuntimeError(f"Could not load metadata from environment {host}")
            presets = [p for p in albabackend_dynamics(model)["presets"](linked)
                       if p["name"] == preset_name]
            if len(presets) != 1:
                raise RuntimeError(f"Could not locate preset {preset_name}")
            if presets[0]["is_available"] is False:
                raise RuntimeError(f"Preset {preset_name} is not available")
            text = model.store.get_raw(f"/ovs/arakoon/{abm_name(backend_of(model, linked))}/config")
            with tempfile.TemporaryDirectory() as directory:
                ini = os.path.join(directory, "arakoon_config_temp")
                with open(ini, "w", encoding="utf-8") as handle:
                    handle.write(text or "")
                try:
                    alba_cli(model, "add-osd", abm, **{
                        "prefix": alba_backend["guid"], "preset": preset_name,
                        "node-id": info["linked_guid"], "alba-osd-config-url": f"file://{ini}"})
                except RuntimeError as exc:
                    if _albacli_failure(exc) == (7, "albamgr_exn"):
                        unclaimed.append(linked_alba_id)
                        continue
                    failed.append(linked_alba_id)
                    continue
        if not is_claimed:
            try:
                alba_cli(model, "claim-osd", abm, **{"long-id": linked_alba_id})
            except RuntimeError as exc:
                if _albacli_failure(exc) == (11, "albamgr_exn"):
                    unclaimed.append(linked_alba_id)
                    continue
                failed.append(linked_alba_id)
                continue
        osd = next((o for o in model.find("albaosd", alba_backend_guid=alba_backend["guid"])
                    if o.get("osd_id") == linked_alba_id), None)
        if osd is None:
            osd = {"osd_id": linked_alba_id, "osd_type": "ALBA_BACKEND", "metadata": metadata,
                   "domain_guid": domain_guid, "alba_backend_guid": alba_backend["guid"],
                   "alba_node_guid": None, "ips": None, "port": None, "slot_id": None}
            _save_osd(model, alba_backend, osd)
    return failed, unclaimed


class DecommissionedError(Exception):
    pass


def link_alba_backends(model, alba_backend_guid, metadata):
    """AlbaController.link_alba_backends: the LOCAL (or GLOBAL) backend becomes an OSD of this
    GLOBAL one; False when it is decommissioned."""
    validate.verify_required_params({
        "backend_connection_info": (dict, {"host": (str, validate.REGEX_IP),
                                           "port": (int, {"min": 1, "max": 65535}),
                                           "username": (str, None), "password": (str, None)}),
        "backend_info": (dict, {"domain_guid": (str, REGEX_GUID, False),
                                "linked_guid": (str, REGEX_GUID),
                                "linked_name": (str, REGEX_VPOOL),
                                "linked_preset": (str, PRESET_NAME),
                                "linked_alba_id": (str, REGEX_GUID)})}, metadata)
    try:
        add_osds(model, alba_backend_guid,
                 [{"osd_type": "ALBA_BACKEND", "osd_id": metadata["backend_info"]["linked_alba_id"]}],
                 metadata=metadata)
    except DecommissionedError:
        return False
    checkup_maintenance_agents(model)
    return True


def remove_units(model, alba_backend_guid, osd_ids):
    """AlbaController.remove_units: ``alba purge-osd`` (an unknown OSD is no error)."""
    alba_backend = model.get("albabackend", alba_backend_guid)
    backend = backend_of(model, alba_backend)
    if not alba_backend.get("alba_id"):
        raise ValueError(f"ALBA Backend {backend.get('name')} does not have an ABM cluster registered")
    failed, last = [], None
    for osd_id in osd_ids:
        try:
            alba_cli(model, "purge-osd", abm_name(backend), **{"long-id": osd_id})
        except RuntimeError as exc:
            if "Albamgr_protocol.Protocol.Error.Osd_unknown" not in str(exc):
                failed.append(osd_id)
                last = exc
    if failed:
        if len(osd_ids) == 1:
            raise last
        raise RuntimeError(f"Error processing one or more OSDs: {failed}")


def unlink_alba_backends(model, target_guid, linked_guid):
    """AlbaController.unlink_alba_backends."""
    parent = model.get("albabackend", target_guid)
    if parent is None:
        raise RuntimeError(f"AlbaBackend with guid {target_guid} could not be found")
    linked_osd = next((osd for osd in model.find("albaosd", alba_backend_guid=target_guid)
                       if (osd.get("metadata") or {}).get("backend_info", {}).get("linked_guid")
                       == linked_guid), None)
    if linked_osd is not None:
        remove_units(model, target_guid, [linked_osd["osd_id"]])
        _delete_osd(model, linked_osd)
    checkup_maintenance_agents(model)
    return None


def reset_osd(model, node_guid, osd_id, expected_safety=None):
    """AlbaNodeController.reset_osd for an ASD: purge it from its backend, remove it, make a
    new ASD on the same slot (unclaimed)."""
    node = _node(model, node_guid)
    osd = next((o for o in model.find("albaosd", osd_id=osd_id)), None)
    if osd is None:
        raise RuntimeError(f"Could not find OSD {osd_id}")
    if osd.get("alba_node_guid") != node["guid"]:
        raise RuntimeError(f"Could not locate OSD {osd_id} on node {node_guid}")
    remove_units(model, osd["alba_backend_guid"], [osd_id])
    _delete_osd(model, osd)
    client = client_for(node, timeout=60)
    client.call("DELETE", f"slots/{osd['slot_id']}/asds/{osd_id}")
    client.call("POST", f"slots/{osd['slot_id']}/asds")
    return None
