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
    for osd in model.find("albaosd", alba_node_guid=node.get("guid")):
        slot = result.setdefault(osd.get("slot_id"), {
            "status": "unknown" if node_down else "missing",
            "status_detail": "nodedown" if node_down else "", "osds": {}})
        data = slot.setdefault("osds", {}).setdefault(osd.get("osd_id"), {})
        data.update(osd.get("stack_info") or {})
        if node_down:
            data.update(status="unknown", status_detail="nodedown")
    for slot in result.values():
        for osd_id, osd in slot.get("osds", {}).items():
            osd.setdefault("claimed_by", claims.get(osd_id))
    return result


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

def render_presets(presets, scaling, osds_per_node):
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
        return render_presets(_presets(model, alba_backend), alba_backend.get("scaling"),
                              _osds_per_node(alba_backend))

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
        backend = _backend(alba_backend)
        domains = {}
        for junction in model.find("backenddomain", backend_guid=backend.get("guid")):
            domain = model.get("domain", junction.get("domain_guid")) or {}
            domains[junction.get("domain_guid")] = domain.get("name")
        return {"name": backend.get("name"), "sizes": usage, "devices": devices,
                "scaling": alba_backend.get("scaling"), "domain_info": domains,
                "backend_guid": backend.get("guid")}

    def _usages(alba_backend):
        return {"free": 0.0, "size": 0.0, "used": 0.0}

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
            "linked_backend_guids": lambda ab: [],
            "remote_stack": lambda ab: {},
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
