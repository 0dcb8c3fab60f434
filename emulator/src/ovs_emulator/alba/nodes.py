"""ALBA nodes (framework-alba-plugin ovs/lib/albanode.py, dal/objects/albanode.py): discovery
and registration of ASD nodes, their ``stack`` (the ASD manager's slots plus the model's OSDs),
filling and releasing slots."""
from ovs_emulator import validate
from ovs_emulator.model import new_guid

from .asdclient import InvalidCredentials, ManagerUnreachable, client_for
from .common import ASD_NODE_ROOT, abm_name, alba_cli, backend_of
from .maintenance import checkup_maintenance_agents


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


def node_of(model, node_guid):
    node = model.get("albanode", node_guid)
    if node is None:
        raise RuntimeError(f"AlbaNode with guid {node_guid} could not be found")
    return node


def fill_slots(model, node_guid, osd_information, metadata=None):
    """AlbaNodeController.fill_slots for ASD nodes (node_metadata fill, fill_metadata count):
    the ASD manager's ``POST /slots/<slot_id>/asds`` ``count`` times per slot."""
    node = node_of(model, node_guid)
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
    node = node_of(model, node_guid)
    if model.find("albaosd", alba_node_guid=node["guid"], slot_id=slot_id):
        raise RuntimeError("A slot with claimed OSDs can't be removed")
    client_for(node, timeout=60).call("DELETE", f"slots/{slot_id}")
    return None
