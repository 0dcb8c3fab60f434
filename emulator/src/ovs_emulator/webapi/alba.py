"""API views of the ALBA plugin (framework-alba-plugin webapps/api/backend/views: albanodes.py,
albabackends.py): parse the request, run the domain (``ovs_emulator.alba``) in a task or
directly, shape the answer.  Served with the others (``server.ROUTES``)."""
from .. import alba
from ..alba.common import osd_guids
from ..validate import REGEX_PRESET
from . import errors
from .views import _bool, _list, _load, _object, _required, _storagerouters

WRITE = ["read", "write", "manage"]


# --- ALBA nodes ----------------------------------------------------------------------------

def albanodes_list(ctx):
    discover = _bool(ctx.request.param("discover", False))
    ip = ctx.request.param("ip")
    node_id = ctx.request.param("node_id")
    if discover is not True and (ip is not None or node_id is not None):
        raise errors.invalid_data("Discover is mutually exclusive with IP and nodeID")
    if (ip is None) != (node_id is None):
        raise errors.invalid_data("Both IP and nodeID need to be specified")
    dynamics = alba.dynamics(ctx.model)
    if discover is not True:
        return _list(ctx, "albanode", ctx.model.all("albanode"), dynamics=dynamics)
    if ip is not None:
        node = alba.volatile_node(ctx.model, node_id, ip)
        try:
            data = alba.client_for(node).get_metadata()
        except alba.InvalidCredentials:
            raise errors.invalid_data("Invalid credentials") from None
        except alba.ManagerUnreachable as exc:
            raise errors.internal(str(exc)) from None
        if data.get("node_id") != node_id:
            raise errors.invalid_data(
                f"Unexpected node identifier. {data.get('node_id')} vs {node_id}")
        nodes = [node]
    else:
        nodes = alba.discover_nodes(ctx.model)
    return _list(ctx, "albanode", nodes, dynamics=dynamics)


def albanodes_get(ctx, guid):
    return _object(ctx, "albanode", _load(ctx, "albanode", guid), alba.dynamics(ctx.model))


def albanodes_create(ctx):
    node_id = ctx.request.param("node_id")
    node_type = ctx.request.param("node_type")
    name = ctx.request.param("name")
    if ctx.version >= 9 and name is not None and not REGEX_PRESET.match(str(name)):
        raise errors.invalid_data("Invalid name specified. Minimum 3, maximum 20 alpha-numeric "
                                  "characters, dashes and underscores")
    if node_id is None and node_type != "GENERIC":
        raise errors.invalid_data("Field node_id is mandatory for node_type != GENERIC")
    if node_type not in ("ASD", None):
        raise errors.invalid_data(f"Node type {node_type} is not supported by this emulator")
    return ctx.tasks.launch("albanode.register", alba.register, ctx.model, node_id,
                            node_type or "ASD", name)



def _with_relations(model, alba_backend):
    alba_backend["osds_guids"] = osd_guids(model, alba_backend["guid"])
    return alba_backend


def albabackends_list(ctx):
    return _list(ctx, "albabackend", [_with_relations(ctx.model, ab) for ab in ctx.model.all("albabackend")],
                 dynamics=alba.albabackend_dynamics(ctx.model))


def albabackends_get(ctx, guid):
    return _object(ctx, "albabackend", _with_relations(ctx.model, _load(ctx, "albabackend", guid)),
                   alba.albabackend_dynamics(ctx.model))


def albabackends_create(ctx):
    (backend_guid,) = _required(ctx, "backend_guid")
    scaling = ctx.request.param("scaling", "LOCAL")
    if scaling not in ("LOCAL", "GLOBAL"):
        raise errors.invalid_data("Invalid data passed: scaling should be one of LOCAL, GLOBAL")
    backend = _load(ctx, "backend", backend_guid)
    if ctx.model.find("albabackend", backend_guid=backend_guid):
        raise errors.duplicate("An ALBA Backend already exists for this Backend")
    alba_backend = alba.create_alba_backend(ctx.model, backend, scaling)
    ctx.tasks.launch("alba.add_cluster", alba.add_cluster, ctx.model, alba_backend["guid"])
    return _object(ctx, "albabackend", alba_backend, alba.albabackend_dynamics(ctx.model),
                   status=201)


def albabackends_delete(ctx, guid):
    alba_backend = _load(ctx, "albabackend", guid)
    return ctx.tasks.launch("alba.remove_cluster", alba.remove_cluster, ctx.model,
                            alba_backend["guid"])


def albabackends_add_preset(ctx, guid):
    alba_backend = _load(ctx, "albabackend", guid)
    name, compression, policies, encryption = _required(ctx, "name", "compression", "policies",
                                                        "encryption")
    return ctx.tasks.launch("alba.add_preset", alba.add_preset, ctx.model, alba_backend["guid"],
                            str(name), compression, policies, encryption,
                            ctx.request.param("fragment_size"))


def albabackends_update_preset(ctx, guid):
    alba_backend = _load(ctx, "albabackend", guid)
    name, policies = _required(ctx, "name", "policies")
    return ctx.tasks.launch("albapreset.update_preset", alba.update_preset, ctx.model,
                            alba_backend["guid"], str(name), policies)


def albabackends_delete_preset(ctx, guid):
    alba_backend = _load(ctx, "albabackend", guid)
    (name,) = _required(ctx, "name")
    return ctx.tasks.launch("albapreset.delete_preset", alba.delete_preset, ctx.model,
                            alba_backend["guid"], str(name))


def albabackends_add_osds(ctx, guid):
    alba_backend = _load(ctx, "albabackend", guid)
    alba_node_guid, osds = _required(ctx, "alba_node_guid", "osds")
    return ctx.tasks.launch("alba.add_osds", alba.add_osds, ctx.model, alba_backend["guid"],
                            osds, alba_node_guid)


def albabackends_link(ctx, guid):
    alba_backend = _load(ctx, "albabackend", guid)
    (link_metadata,) = _required(ctx, "metadata")
    if not isinstance(link_metadata, dict) or "backend_connection_info" not in link_metadata:
        raise errors.invalid_data("Invalid metadata passed")
    connection_info = link_metadata["backend_connection_info"]
    if isinstance(connection_info, dict) and connection_info.get("host") == "":
        # this cluster: the framework fills in the local storage router and its own client
        routers = _storagerouters(ctx.model)
        connection_info.update(host=routers[0]["ip"] if routers else "127.0.0.1", port=443)
        connection_info.setdefault("username", "internal")
        connection_info.setdefault("password", "internal")
    return ctx.tasks.launch("alba.link_alba_backends", alba.link_alba_backends, ctx.model,
                            alba_backend["guid"], link_metadata)


def albabackends_unlink(ctx, guid):
    alba_backend = _load(ctx, "albabackend", guid)
    (linked_guid,) = _required(ctx, "linked_guid")
    return ctx.tasks.launch("alba.unlink_alba_backends", alba.unlink_alba_backends, ctx.model,
                            alba_backend["guid"], linked_guid)


def albabackends_get_config_metadata(ctx, guid):
    """``GET /api/alba/backends/<g>/get_config_metadata/`` -> task ``alba.get_arakoon_config``
    (what another cluster's framework asks when linking this backend)."""
    alba_backend = _load(ctx, "albabackend", guid)
    return ctx.tasks.launch("alba.get_arakoon_config", alba.get_arakoon_config, ctx.model,
                            alba_backend["guid"])


def albanodes_fill_slots(ctx, guid):
    node = _load(ctx, "albanode", guid)
    osd_information = ctx.request.param("slot_information") or ctx.request.param("osd_information")
    if osd_information is None:
        raise ValueError("Either slot_information or osd_information should be passed.")
    return ctx.tasks.launch("albanode.fill_slots", alba.fill_slots, ctx.model, node["guid"],
                            osd_information, ctx.request.param("metadata"))


def albanodes_remove_slot(ctx, guid):
    node = _load(ctx, "albanode", guid)
    slot = ctx.request.param("slot", ctx.request.param("slot_id"))
    if slot is None:
        raise errors.missing("slot")
    return ctx.tasks.launch("albanode.remove_slot", alba.remove_slot, ctx.model, node["guid"],
                            str(slot))


def albanodes_reset_osd(ctx, guid):
    node = _load(ctx, "albanode", guid)
    osd_id = ctx.request.param("osd_id", ctx.request.param("asd_id"))
    if osd_id is None:
        raise errors.missing("osd_id")
    safety = ctx.request.param("safety")
    if safety is None:
        raise errors.invalid_data("Safety must be passed")
    return ctx.tasks.launch("albanode.reset_osd", alba.reset_osd, ctx.model, node["guid"],
                            str(osd_id), safety)


def albanodes_delete(ctx, guid):
    """``DELETE /api/alba/nodes/<g>/``: task ``albanode.remove_node`` (no safety check)."""
    node = _load(ctx, "albanode", guid)
    return ctx.tasks.launch("albanode.remove_node", alba.remove_node, ctx.model, node["guid"])


def albabackends_calculate_safety(ctx, guid):
    """``GET /api/alba/backends/<g>/calculate_safety/?asd_id=<long id>`` (the real parameter;
    ``osd_id`` accepted too) -> task ``alba.calculate_safety``."""
    alba_backend = _load(ctx, "albabackend", guid)
    osd_id = ctx.request.param("asd_id", ctx.request.param("osd_id"))
    if osd_id is None:
        raise errors.missing("asd_id")
    return ctx.tasks.launch("alba.calculate_safety", alba.calculate_safety, ctx.model,
                            alba_backend["guid"], [str(osd_id)])




ROUTES = [
    ("GET", "/api/alba/nodes/", albanodes_list, ["read"]),
    ("POST", "/api/alba/nodes/", albanodes_create, WRITE),
    ("GET", "/api/alba/nodes/<guid>/", albanodes_get, ["read"]),
    ("DELETE", "/api/alba/nodes/<guid>/", albanodes_delete, WRITE),
    ("GET", "/api/alba/backends/", albabackends_list, ["read"]),
    ("POST", "/api/alba/backends/", albabackends_create, WRITE),
    ("GET", "/api/alba/backends/<guid>/", albabackends_get, ["read"]),
    ("DELETE", "/api/alba/backends/<guid>/", albabackends_delete, WRITE),
    ("GET", "/api/alba/backends/<guid>/calculate_safety/", albabackends_calculate_safety, ["read"]),
    ("GET", "/api/alba/backends/<guid>/get_config_metadata/", albabackends_get_config_metadata,
     ["read", "manage"]),
    ("POST", "/api/alba/backends/<guid>/add_preset/", albabackends_add_preset,
     WRITE),
    ("POST", "/api/alba/backends/<guid>/update_preset/", albabackends_update_preset,
     WRITE),
    ("POST", "/api/alba/backends/<guid>/delete_preset/", albabackends_delete_preset,
     WRITE),
    ("POST", "/api/alba/backends/<guid>/add_osds/", albabackends_add_osds,
     WRITE),
    ("POST", "/api/alba/backends/<guid>/link_alba_backends/", albabackends_link,
     WRITE),
    ("POST", "/api/alba/backends/<guid>/unlink_alba_backends/", albabackends_unlink,
     WRITE),
    ("POST", "/api/alba/nodes/<guid>/fill_slots/", albanodes_fill_slots,
     WRITE),
    ("POST", "/api/alba/nodes/<guid>/remove_slot/", albanodes_remove_slot,
     WRITE),
    ("POST", "/api/alba/nodes/<guid>/reset_osd/", albanodes_reset_osd,
     WRITE),
]
