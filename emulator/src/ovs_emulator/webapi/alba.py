"""ALBA plugin parts of the API: ASD nodes (discovery, registration, their stack)."""
import base64
import http.client
import json
import ssl
import urllib.error
import urllib.request

from .model import new_guid

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
